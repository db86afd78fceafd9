// Who may take a model's weights off this node (adapter download, merged exports). A model
// trained on any permissioned Datanet reproduces its data, so it goes only to its builder or to
// whoever holds train or evaluate access now on every Datanet of its job: the SDK's
// `modelArtifactRefusal`, the rule Datanets' key services apply to its sealed artifacts (purpose
// "model"). Everything is read from the chain at one block when the request arrives, so a
// revocation or expiry refuses the next download.
import { AccessPolicy, modelArtifactRefusal, Scope, trainingJobsAbi } from "@modelfactory/sdk";
import { BaseError, ContractFunctionRevertedError, type Address } from "viem";
import type { Chain } from "./chain.ts";
import { ApiError } from "./errors.ts";

export type ModelAccessInfo = { modelId: bigint; jobId: bigint; builder: Address; datanetIds: bigint[]; permissioned: bigint[] };

function parseModelId(modelId: bigint | string): bigint {
  if (typeof modelId === "bigint") return modelId;
  if (!/^[1-9]\d{0,30}$/.test(modelId)) throw new ApiError(400, "BAD_MODEL_ID", `"${modelId}" is not a model id.`);
  return BigInt(modelId);
}

/** The model's builder and Datanets, and which of them are permissioned, at `blockNumber`. */
export async function modelAccessInfo(node: { chain: Chain }, modelId: bigint | string, blockNumber?: bigint): Promise<ModelAccessInfo> {
  const id = parseModelId(modelId);
  const { chain } = node;
  // viem caches the block number for its polling interval: a model registered since would read as missing.
  const at = blockNumber ?? (await chain.publicClient.getBlockNumber({ cacheTime: 0 }));
  const jobs = chain.contracts.jobs.address;
  const [jobId] = await chain.publicClient
    .readContract({ address: jobs, abi: trainingJobsAbi, functionName: "getModel", args: [id], blockNumber: at })
    .catch((error: unknown) => {
      const revert = error instanceof BaseError ? error.walk((e) => e instanceof ContractFunctionRevertedError) : undefined;
      if (revert instanceof ContractFunctionRevertedError && revert.data?.errorName === "ModelNotFound")
        throw new ApiError(404, "MODEL_NOT_FOUND", `Model ${id} is not registered on chain.`);
      throw error;
    });
  const [builder, datanetIds] = await Promise.all([
    chain.publicClient.readContract({ address: jobs, abi: trainingJobsAbi, functionName: "modelBuilder", args: [id], blockNumber: at }),
    chain.publicClient.readContract({ address: jobs, abi: trainingJobsAbi, functionName: "jobDatanets", args: [jobId], blockNumber: at }),
  ]);
  const policies = await Promise.all(datanetIds.map((d) => chain.contracts.datanets.read.datanetPolicies([d], { blockNumber: at })));
  return {
    modelId: id,
    jobId,
    builder,
    datanetIds: [...datanetIds],
    permissioned: datanetIds.filter((_, i) => policies[i]![0] === AccessPolicy.Permissioned),
  };
}

/**
 * Throws unless `caller` may have model `modelId`'s weights: anyone for a model trained on open
 * Datanets only; otherwise a signed-in caller (401 `UNAUTHENTICATED` without one) who is the
 * builder or holds train or evaluate access on all its Datanets now (403
 * `NOT_MODEL_BUILDER_OR_HOLDER`, naming the Datanets they lack). 404 `MODEL_NOT_FOUND` for a model
 * the chain does not know.
 * @example
 * const caller = req.headers.authorization ? auth.authenticate(req.headers.authorization) : undefined
 * await assertModelArtifactAccess(node, caller, p.modelId!)
 */
export async function assertModelArtifactAccess(
  node: { chain: Chain },
  caller: Address | undefined,
  modelId: bigint | string,
): Promise<ModelAccessInfo> {
  const at = await node.chain.publicClient.getBlockNumber({ cacheTime: 0 });
  const info = await modelAccessInfo(node, modelId, at);
  if (info.permissioned.length === 0) return info;
  if (!caller) {
    throw new ApiError(
      401,
      "UNAUTHENTICATED",
      `Model ${info.modelId} was trained on permissioned Datanet${info.permissioned.length > 1 ? "s" : ""} ${info.permissioned.join(", ")}: sign in with Ethereum (POST /auth/verify) as its builder or a holder of train or evaluate access, and send the token as a Bearer header.`,
    );
  }
  const access = await Promise.all(
    info.datanetIds.map(async (d) => {
      const [train, evaluate] = await Promise.all([
        node.chain.contracts.datanets.read.hasAccess([d, caller, Scope.Train], { blockNumber: at }),
        node.chain.contracts.datanets.read.hasAccess([d, caller, Scope.Evaluate], { blockNumber: at }),
      ]);
      return train || evaluate;
    }),
  );
  const refusal = modelArtifactRefusal({ caller, modelId: info.modelId, builder: info.builder, datanetIds: info.datanetIds, access });
  if (refusal) throw new ApiError(403, refusal.code, refusal.message);
  return info;
}
