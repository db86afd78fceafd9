// Seeds a fresh local chain with the demo: three Datanets (curated, permissioned, open) with
// metadata in the content store, contributions from several demo contributors, an approver's
// inbox with pending contributions and a pending access request, a signed grant for the demo
// builder, the local trainer node admitted, and (MF_DEMO_JOB=1) one training job.
// Run: MF_RPC_URL=… MF_DEPLOYMENT=…/31337.json MF_CONTENT_API=… node demo/seed.ts
// Idempotent: a chain that already has Datanets is left as it is.
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { bytesToHex, createPublicClient, createWalletClient, http, isAddress, type Address, type Hex } from "viem";
import { hardhat } from "viem/chains";
import {
  AccessPolicy,
  accessGrantTypedData,
  ContributionPolicy,
  datanetKeysAbi,
  datanetRegistryAbi,
  encryptionKeyFromSignature,
  encryptionKeyMessage,
  parseDeployment,
  Scope,
  serializeTrainingSpec,
  trainerRegistryAbi,
  trainingJobsAbi,
  type TrainingSpec,
} from "@modelfactory/sdk";
import { createNodeKuboContentStore, prepareContribution, storeContribution, storeSealedContribution } from "@modelfactory/sdk/node";
import { ACCOUNT_ROLES, DEMO_JOB, contributionFile, contributionTitle, DATANETS, demoAccount, readMetadata } from "./plan.ts";

type SeedConfig = {
  rpcUrl: string;
  deploymentFile: string;
  contentApi: string;
  operator?: Address;
  trainerUrl: string;
  job: boolean;
  baseModel: string;
  keyServiceUrl?: string;
};

/** Reads and checks the environment once; names the variable that is missing or wrong. */
function readConfig(env: NodeJS.ProcessEnv): SeedConfig {
  const need = (name: string): string => {
    const v = env[name]?.trim();
    if (!v) throw new Error(`${name} is not set (see demo/README.md).`);
    return v;
  };
  const operator = env.MF_TRAINER_OPERATOR?.trim();
  if (operator && !isAddress(operator)) throw new Error(`MF_TRAINER_OPERATOR=${operator} is not an address.`);
  return {
    rpcUrl: need("MF_RPC_URL"),
    deploymentFile: need("MF_DEPLOYMENT"),
    contentApi: need("MF_CONTENT_API"),
    operator: operator ? (operator as Address) : undefined,
    trainerUrl: env.MF_TRAINER_URL?.trim() || "http://127.0.0.1:8787",
    job: env.MF_DEMO_JOB === "1",
    baseModel: need("MF_DEMO_BASE_MODEL"),
    keyServiceUrl: env.MF_KEY_SERVICE_URL?.trim() || undefined,
  };
}

const sha256 = (bytes: Uint8Array): Hex => `0x${createHash("sha256").update(bytes).digest("hex")}`;
const json = (value: unknown) => new TextEncoder().encode(`${JSON.stringify(value, null, 2)}\n`);

async function main(): Promise<void> {
  const t0 = performance.now();
  const cfg = readConfig(process.env);
  const deployment = parseDeployment(JSON.parse(readFileSync(cfg.deploymentFile, "utf8")));
  const chain = { ...hardhat, id: deployment.chainId };
  const client = createPublicClient({ chain, transport: http(cfg.rpcUrl) });
  const chainId = await client.getChainId();
  // The demo keys are public: refuse anything but a local development chain.
  if (chainId !== 31337 || deployment.chainId !== 31337) throw new Error(`The demo seeds only the local chain 31337, not ${chainId}.`);
  const registry = deployment.contracts.DatanetRegistry.address;
  const existing = await client.readContract({ address: registry, abi: datanetRegistryAbi, functionName: "datanetCount" });
  if (existing > 0n) {
    console.log(`demo: already seeded (${existing} Datanets on chain); nothing to do.`);
    return;
  }
  const store = createNodeKuboContentStore({ url: cfg.contentApi });
  const wallet = (index: number) => createWalletClient({ account: demoAccount(index), chain, transport: http(cfg.rpcUrl) });

  /** Sends a write from key #index and waits for it; fails with the function's name on a revert. */
  async function send(index: number, address: Address, abi: readonly unknown[], functionName: string, args: readonly unknown[]) {
    const w = wallet(index);
    const { request, result } = await client.simulateContract({
      address,
      abi: abi as never,
      functionName: functionName as never,
      args: args as never,
      account: w.account,
    });
    const receipt = await client.waitForTransactionReceipt({ hash: await w.writeContract(request as never) });
    if (receipt.status !== "success") throw new Error(`${functionName} from key #${index} reverted.`);
    return result as unknown;
  }

  const owner = 1;
  const approver = 2;
  const builder = 4;
  const requester = 8;
  const summary: {
    id: bigint;
    inDemoJob: boolean;
    name: string;
    policy: string;
    accepted: number;
    pending: number;
    records: number;
    contributors: Set<number>;
  }[] = [];

  if (DATANETS.some((d) => readMetadata(d.slug).accessPolicy === "Permissioned") && !cfg.keyServiceUrl) {
    throw new Error(
      "The demo has a permissioned Datanet, whose contributions are encrypted for its key service: set MF_KEY_SERVICE_URL to that service (npm run dev starts one).",
    );
  }

  /**
   * Binds the key service's public key to a permissioned Datanet on chain (as the GUI does after
   * creating one) and returns what contributors seal for: that key, its on-chain version.
   */
  async function bindKey(datanetId: bigint): Promise<{ publicKey: Hex; version: number }> {
    const res = await fetch(`${cfg.keyServiceUrl}/v1/datanets/${datanetId}/key`).catch((cause: unknown) => {
      throw new Error(
        `The key service at ${cfg.keyServiceUrl} cannot be reached (${cause instanceof Error ? cause.message : String(cause)}).`,
      );
    });
    const body = (await res.json()) as { publicKey?: Hex; error?: { message: string } };
    if (!res.ok || !body.publicKey)
      throw new Error(
        `The key service at ${cfg.keyServiceUrl} has no key for Datanet ${datanetId}: ${body.error?.message ?? `HTTP ${res.status}`}`,
      );
    const keys = deployment.contracts.DatanetKeys!.address;
    await send(owner, keys, datanetKeysAbi, "setEncryptionKey", [datanetId, body.publicKey, cfg.keyServiceUrl]);
    const [publicKey, version] = (await client.readContract({
      address: keys,
      abi: datanetKeysAbi,
      functionName: "encryptionKey",
      args: [datanetId],
    })) as readonly [Hex, bigint, string];
    return { publicKey, version: Number(version) };
  }

  for (const plan of DATANETS) {
    const meta = readMetadata(plan.slug);
    const metaCid = await store.put(json(meta));
    const id = (await send(owner, registry, datanetRegistryAbi, "createDatanet", [
      `ipfs://${metaCid}`,
      meta.license,
      AccessPolicy[meta.accessPolicy],
      ContributionPolicy[meta.contributionPolicy],
    ])) as bigint;
    await send(owner, registry, datanetRegistryAbi, "addApprover", [id, demoAccount(approver).address]);
    const row = {
      id,
      inDemoJob: plan.inDemoJob,
      name: meta.name,
      policy: `${meta.accessPolicy} access, ${meta.contributionPolicy} contributions`,
      accepted: 0,
      pending: 0,
      records: 0,
      contributors: new Set<number>(),
    };
    const toAccept: bigint[] = [];
    // A permissioned Datanet's records are sealed for its key and for each contributor's own
    // wallet-derived key, exactly as the GUI's Contribute page does: no plaintext in the store.
    const datanetKey = meta.accessPolicy === "Permissioned" ? await bindKey(id) : undefined;
    if (datanetKey) row.policy += "; contributions encrypted";
    for (const [file, who] of Object.entries(plan.contributions)) {
      const bytes = readFileSync(contributionFile(plan.slug, file));
      const prepared = await prepareContribution({ bytes, fileName: `${file}.jsonl` });
      const description = {
        title: contributionTitle(file),
        description: `${contributionTitle(file)} for the ${meta.name} Datanet (demo data written for ModelFactory).`,
        tags: meta.tags.slice(0, 3),
        license: meta.license,
      };
      let stored;
      if (datanetKey) {
        const mine = encryptionKeyFromSignature(
          await wallet(who).signMessage({ message: encryptionKeyMessage(demoAccount(who).address, chainId) }),
        );
        stored = await storeSealedContribution(store, prepared, description, {
          recipients: [datanetKey.publicKey, mine.publicKey],
          datanetKeyVersion: datanetKey.version,
        });
      } else stored = await storeContribution(store, prepared, description);
      const cid = (await send(who, registry, datanetRegistryAbi, "contribute", [
        id,
        stored.contentHash,
        stored.cid.toString(),
        `ipfs://${stored.metadataCid}`,
      ])) as bigint;
      row.contributors.add(who);
      row.records += prepared.recordCount;
      const curated = meta.contributionPolicy === "Curated";
      if (curated && plan.pending.includes(file)) row.pending += 1;
      else {
        if (curated) toAccept.push(cid);
        row.accepted += 1;
      }
    }
    if (toAccept.length > 0) await send(approver, registry, datanetRegistryAbi, "acceptContributions", [toAccept]);

    if (meta.accessPolicy === "Permissioned") {
      // A request the approver has not answered yet (the inbox), with its purpose document.
      const purpose = await store.put(
        json({
          schema: "modelfactory.access-purpose/1",
          datanetId: id.toString(),
          purpose:
            "A planting-calendar assistant for the allotment society's newsletter readers; retrieval only, answers cite the garden's plot holders.",
        }),
      );
      await send(requester, registry, datanetRegistryAbi, "requestAccess", [id, Scope.Retrieve | Scope.Evaluate, `ipfs://${purpose}`]);
      // The builder's access, granted by the approver's EIP-712 signature and redeemed by the builder.
      const now = (await client.getBlock()).timestamp;
      const grant = {
        datanetId: id,
        grantee: demoAccount(builder).address,
        scopes: Scope.Train | Scope.Retrieve,
        expiresAt: now + 365n * 86_400n,
        nonce: id,
        deadline: now + 3_600n,
        issuedAt: now + 1n,
      };
      const signature = await wallet(approver).signTypedData(accessGrantTypedData(chainId, registry, grant));
      await send(builder, registry, datanetRegistryAbi, "grantAccessBySig", [grant, demoAccount(approver).address, signature]);
    }
    summary.push(row);
  }

  if (cfg.operator) {
    const trainers = deployment.contracts.TrainerRegistry.address;
    const admitted = await client.readContract({
      address: trainers,
      abi: trainerRegistryAbi,
      functionName: "isAdmitted",
      args: [cfg.operator],
    });
    if (!admitted) await send(0, trainers, trainerRegistryAbi, "admitTrainer", [cfg.operator, cfg.trainerUrl, ""]);
  }

  let jobId: bigint | undefined;
  if (cfg.job)
    jobId = await createDemoJob(
      cfg,
      summary.filter((d) => d.inDemoJob).map((d) => d.id),
    );

  console.log(`demo: seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  for (const d of summary) {
    console.log(
      `  Datanet #${d.id}  ${d.name.padEnd(40)} ${d.policy}; ${d.records} records in ${d.accepted + d.pending} contributions (${d.pending} pending) from ${d.contributors.size} contributors`,
    );
  }
  console.log("  accounts (Hardhat test keys; local chain only):");
  for (const [index, { label }] of Object.entries(ACCOUNT_ROLES))
    console.log(`    #${index} ${demoAccount(Number(index)).address}  ${label}`);
  if (cfg.operator) console.log(`    trainer operator ${cfg.operator} admitted at ${cfg.trainerUrl}`);
  if (jobId !== undefined) console.log(`  training job #${jobId} on ${cfg.baseModel} (LoRA), waiting for the trainer node`);

  /** Stores the spec, hashes it and creates the job from the builder. */
  async function createDemoJob(c: SeedConfig, datanetIds: bigint[]): Promise<bigint> {
    const spec: TrainingSpec = {
      schema: "modelfactory.spec/1",
      name: "Espresso and garden helper",
      description:
        "Demo job created by the seed: LoRA on SmolLM2-135M-Instruct over the curated espresso clinic and the permissioned (encrypted) garden guide.",
      baseModel: c.baseModel,
      method: "lora",
      datanetIds: datanetIds.map(String),
      evalFraction: DEMO_JOB.evalFraction,
      evalSplit: DEMO_JOB.evalSplit,
      // The builder's wallet-derived key: the sealed adapter and sample answers open in their browser.
      builderEncryptionKey: bytesToHex(
        encryptionKeyFromSignature(
          await wallet(builder).signMessage({ message: encryptionKeyMessage(demoAccount(builder).address, chainId) }),
        ).publicKey,
      ),
      hyperparameters: DEMO_JOB.hyperparameters,
    };
    const bytes = serializeTrainingSpec(spec);
    const cid = await store.put(bytes);
    const jobs = deployment.contracts.TrainingJobs.address;
    return (await send(builder, jobs, trainingJobsAbi, "createJob", [datanetIds, `ipfs://${cid}`, sha256(bytes)])) as bigint;
  }
}

try {
  await main();
} catch (error) {
  console.error(`demo seed failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}
