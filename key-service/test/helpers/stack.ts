// The key service over a real local stack: the trainer node's test stack (Hardhat node with the
// protocol deployed, content API over an embedded store, Hardhat's test wallets), plus sealed
// contributions, an in-process key service and signed requests.
import { mkdtemp } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { bytesToHex, type Hex } from "viem";
import {
  datanetKeysAbi,
  datanetRegistryAbi,
  generateEncryptionKeyPair,
  keyRequestMessage,
  prepareContribution,
  sealContribution,
  type EncryptionKeyPair,
  type KeyRequest,
  type KeyServiceErrorBody,
} from "@modelfactory/sdk";
import { freePort, KEYS, type Stack } from "../../../trainer-node/test/helpers/stack.ts";
import { startApi, type KeyServiceApi } from "../../src/api.ts";
import type { KeyServiceConfig } from "../../src/config.ts";
import { createKeyService, type KeyService } from "../../src/service.ts";

export { KEYS, type Stack };
export type Who = keyof typeof KEYS;

export type RunningKeyService = {
  service: KeyService;
  api: KeyServiceApi;
  config: KeyServiceConfig;
  url: string;
  stop: () => Promise<void>;
};

/** Starts a key service for `datanetId` on a free loopback port. */
export async function startKeyService(
  stack: Stack,
  datanetId: bigint,
  overrides: Partial<KeyServiceConfig> = {},
): Promise<RunningKeyService> {
  const port = await freePort();
  const config: KeyServiceConfig = {
    rpcUrl: stack.rpcUrl,
    deploymentFile: stack.deploymentFile,
    datanetId,
    contentApiUrl: stack.contentApiUrl,
    dataDir: await mkdtemp(path.join(os.tmpdir(), "mf-ks-")),
    password: "test password",
    scryptN: 1024,
    host: "127.0.0.1",
    port,
    publicUrl: `http://127.0.0.1:${port}`,
    corsOrigins: ["http://127.0.0.1:5173"],
    maxBatch: 500,
    nonceTtlMs: 60_000,
    ...overrides,
  };
  const service = await createKeyService(config);
  const api = await startApi(service);
  return { service, api, config, url: config.publicUrl, stop: () => api.close() };
}

/** Publishes the service's current key for its Datanet in DatanetKeys, as the owner. */
export async function publishKey(stack: Stack, ks: RunningKeyService): Promise<void> {
  const address = stack.deployment.contracts.DatanetKeys!.address;
  await stack.tx("owner", address, datanetKeysAbi, "setEncryptionKey", [ks.service.datanetId, ks.service.ring.current.publicKey, ks.url]);
}

export type Sealed = { id: bigint; canonical: Uint8Array; contentHash: Hex; cid: string };

/** Seals JSONL records for the Datanet key and the contributor's key, stores the envelope and registers it. */
export async function contributeSealed(
  stack: Stack,
  datanetId: bigint,
  datanetKey: Hex,
  contributorKey: EncryptionKeyPair,
  jsonl: string,
  who: Who = "contributor",
): Promise<Sealed> {
  const prepared = await prepareContribution({ bytes: new TextEncoder().encode(jsonl), fileName: "data.jsonl" });
  const sealed = sealContribution(prepared.bytes, { recipients: [datanetKey, contributorKey.publicKey] });
  const cid = (await stack.store.put(sealed.envelope)).toString();
  // Metadata of a sealed contribution names no plaintext hash or CID.
  const metadataCid = await stack.store.put(
    new TextEncoder().encode(
      JSON.stringify({ title: "sealed records", license: "CC-BY-4.0", recordCount: prepared.recordCount, encrypted: true }),
    ),
  );
  await stack.tx(who, stack.deployment.contracts.DatanetRegistry.address, datanetRegistryAbi, "contribute", [
    datanetId,
    sealed.contentHash,
    cid,
    `ipfs://${metadataCid}`,
  ]);
  return { id: await stack.contracts.datanets.read.contributionCount(), canonical: prepared.bytes, contentHash: sealed.contentHash, cid };
}

export type Answer<T> = { status: number; body: T & Partial<KeyServiceErrorBody> };

async function post<T>(url: string, body: unknown): Promise<Answer<T>> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
  return { status: res.status, body: (await res.json()) as T & Partial<KeyServiceErrorBody> };
}

export type SignOptions = {
  /** Sign with another wallet than the one the message names. */
  signer?: Who;
  domain?: string;
  uri?: string;
  chainId?: number;
  expirationTime?: Date;
  nonce?: string;
  signature?: Hex | null;
};

/** Builds, signs and sends a request as `who`; returns the answer plus what was sent (for replays). */
export async function send<T>(
  ks: RunningKeyService,
  stack: Stack,
  who: Who,
  request: KeyRequest,
  options: SignOptions = {},
): Promise<Answer<T> & { sent: { message: string; signature: Hex | null } }> {
  const nonce = options.nonce ?? (await post<{ nonce: string }>(`${ks.url}/v1/nonce`, {})).body.nonce;
  const u = new URL(ks.url);
  const message = keyRequestMessage(request, {
    domain: options.domain ?? u.host,
    uri: options.uri ?? u.origin,
    chainId: options.chainId ?? 31337,
    address: stack.wallets[who].account.address,
    nonce,
    expirationTime: options.expirationTime ?? new Date(Date.now() + 120_000),
  });
  const signature =
    options.signature !== undefined ? options.signature : await stack.wallets[options.signer ?? who].signMessage({ message });
  const path = request.action === "rotate" ? `/v1/datanets/${request.datanetId}/rotate` : "/v1/keys";
  const sent = { message, signature };
  return { ...(await post<T>(`${ks.url}${path}`, signature === null ? { message } : sent)), sent };
}

export { post };

/** A requester's X25519 key pair (in the GUI, derived from a wallet signature). */
export const requesterKey = (): EncryptionKeyPair & { hex: Hex } => {
  const k = generateEncryptionKeyPair();
  return { ...k, hex: bytesToHex(k.publicKey) };
};

/** JSONL records with a marker word an outsider could search for. */
export function records(marker: string, n = 3): string {
  return (
    Array.from({ length: n }, (_, i) =>
      JSON.stringify({
        instruction: `What does the ${marker} note ${i} say?`,
        output: `The ${marker} note ${i} says to water the beds at dawn.`,
      }),
    ).join("\n") + "\n"
  );
}
