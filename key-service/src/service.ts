// The key service: one Datanet's key ring, the chain, the content store, the audit log and the
// request checks, put together. `release` and `rotate` are what the HTTP routes call.
import type { Hex } from "viem";
import {
  describeError,
  type KeyServiceKeysResponse,
  type KeyServiceModelKeyResponse,
  type KeyServiceRotateResponse,
  type ModelKeyRequest,
} from "@modelfactory/sdk";
import { createKuboContentStore } from "@modelfactory/sdk/node";
import { AuditLog, type AuditEntry } from "./audit-log.ts";
import { connectChain, type ChainReader } from "./chain.ts";
import type { KeyServiceConfig } from "./config.ts";
import { ApiError } from "./errors.ts";
import { KeyRing } from "./key-ring.ts";
import { checkModelRelease, checkRelease, checkRotation } from "./policy.ts";
import { Rewrapper } from "./release.ts";
import { RequestAuth } from "./request-auth.ts";

export type KeyService = Awaited<ReturnType<typeof createKeyService>>;

export async function createKeyService(config: KeyServiceConfig) {
  const chain: ChainReader = await connectChain(config);
  const ring = await KeyRing.open(config);
  const audit = new AuditLog(config.dataDir);
  const auth = new RequestAuth({
    publicUrl: config.publicUrl,
    chainId: chain.chainId,
    client: chain.client,
    nonceTtlMs: config.nonceTtlMs,
  });
  const rewrapper = new Rewrapper(createKuboContentStore({ url: config.contentApiUrl }), ring);
  const datanetId = config.datanetId;

  /** Logs a refusal (any ApiError after authentication began) and rethrows it. */
  async function refused(error: unknown, entry: Omit<AuditEntry, "event" | "datanetId">): Promise<never> {
    const api = error instanceof ApiError ? error : new ApiError(500, "INTERNAL", describeError(error));
    await audit.write({ event: "refusal", datanetId: String(datanetId), ...entry, code: api.code, reason: api.shortMessage });
    throw api;
  }

  /** Purpose "model": the data key of a sealed model artifact whose envelope the chain names. */
  async function releaseModel(
    requester: `0x${string}`,
    request: ModelKeyRequest,
    moment: Promise<{ number: bigint; timestamp: bigint }>,
  ): Promise<KeyServiceModelKeyResponse> {
    const entry = {
      requester,
      purpose: request.purpose,
      modelId: String(request.modelId),
      artifact: request.artifact,
      recipientPublicKey: request.recipientPublicKey,
    };
    try {
      if (request.datanetId !== datanetId)
        throw new ApiError(
          403,
          "OTHER_DATANET",
          `This key service holds the key of Datanet ${datanetId}, not Datanet ${request.datanetId}.`,
        );
      const at = await moment;
      const model = await checkModelRelease(chain, requester, request, datanetId, at);
      const cid = await rewrapper.artifactCid(model, request.artifact);
      const wrappedKey = await rewrapper.rewrapEnvelope(cid, `Model ${model.id}'s ${request.artifact}`, request.recipientPublicKey);
      await audit.write({ event: "release", datanetId: String(datanetId), ...entry, cid, block: String(at.number) });
      return { modelId: String(model.id), artifact: request.artifact, cid, wrappedKey };
    } catch (error) {
      return refused(error, entry);
    }
  }

  async function release(body: unknown): Promise<KeyServiceKeysResponse | KeyServiceModelKeyResponse> {
    // The moment the conditions are read at is fetched while the signature is checked.
    const moment = chain.latestBlock();
    moment.catch(() => undefined);
    let who: Awaited<ReturnType<RequestAuth["verify"]>>;
    try {
      who = await auth.verify(body);
    } catch (error) {
      return refused(error, {});
    }
    const { requester, request } = who;
    if (request.action !== "release")
      return refused(new ApiError(400, "BAD_REQUEST", "POST /v1/keys takes a release request; rotation is POST /v1/datanets/:id/rotate."), {
        requester,
      });
    if (request.purpose === "model") return releaseModel(requester, request, moment);
    const entry = {
      requester,
      purpose: request.purpose,
      contributionIds: request.contributionIds.map(String),
      ...(request.jobId !== undefined ? { jobId: String(request.jobId) } : {}),
      ...(request.modelId !== undefined ? { modelId: String(request.modelId) } : {}),
      recipientPublicKey: request.recipientPublicKey,
    };
    try {
      if (request.datanetId !== datanetId)
        throw new ApiError(
          403,
          "OTHER_DATANET",
          `This key service holds the key of Datanet ${datanetId}, not Datanet ${request.datanetId}.`,
        );
      if (request.contributionIds.length > config.maxBatch)
        throw new ApiError(
          400,
          "BATCH_TOO_LARGE",
          `At most ${config.maxBatch} contributions per request, not ${request.contributionIds.length}.`,
        );
      const at = await moment;
      const records = await checkRelease(chain, requester, request, datanetId, at);
      const keys = await Promise.all(
        records.map(async (r) => ({ contributionId: String(r.id), wrappedKey: await rewrapper.rewrap(r, request.recipientPublicKey) })),
      );
      await audit.write({ event: "release", datanetId: String(datanetId), ...entry, block: String(at.number) });
      return { keys };
    } catch (error) {
      return refused(error, entry);
    }
  }

  async function rotate(pathDatanetId: string, body: unknown): Promise<KeyServiceRotateResponse> {
    let who: Awaited<ReturnType<RequestAuth["verify"]>>;
    try {
      who = await auth.verify(body);
    } catch (error) {
      return refused(error, { purpose: "rotate" });
    }
    const { requester, request } = who;
    try {
      if (request.action !== "rotate") throw new ApiError(400, "BAD_REQUEST", "The rotation route takes a rotation request.");
      if (request.datanetId !== datanetId || pathDatanetId !== String(datanetId))
        throw new ApiError(
          403,
          "OTHER_DATANET",
          `This key service holds the key of Datanet ${datanetId}, not Datanet ${request.datanetId}.`,
        );
      await checkRotation(chain, requester, datanetId, await chain.latestBlock());
      const next = await ring.rotate();
      await audit.write({ event: "rotation", requester, datanetId: String(datanetId), version: next.version, publicKey: next.publicKey });
      return { datanetId: String(datanetId), version: next.version, publicKey: next.publicKey };
    } catch (error) {
      return refused(error, { requester, purpose: "rotate" });
    }
  }

  /** What /health reports: this service's key and whether the chain binds it. */
  async function health() {
    const onChain = await chain.encryptionKey(datanetId).catch(() => undefined);
    const known = onChain && onChain.version > 0 ? ring.find(onChain.publicKey as Hex) : undefined;
    return {
      status: "ok",
      datanetId: String(datanetId),
      chainId: chain.chainId,
      publicKey: ring.current.publicKey,
      version: ring.current.version,
      onChain: onChain
        ? {
            publicKey: onChain.publicKey,
            version: onChain.version,
            keyServiceURI: onChain.keyServiceURI,
            held: Boolean(known),
            current: known?.version === ring.current.version,
          }
        : null,
    };
  }

  return { config, chain, ring, audit, auth, datanetId, release, rotate, health };
}
