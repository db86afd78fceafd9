// Jobs the node must refuse, each ending on chain as a failure with the right reason:
// revoked and expired grants, withdrawn data, a hash mismatch, malformed records, a missing
// base model, and an invalid spec.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import path from "node:path";
import { rm } from "node:fs/promises";
import { JobState, Scope, trainingJobsAbi, type JobSummary } from "@modelfactory/sdk";
import { TrainerNode } from "../src/trainer-node.ts";
import { eventually, qaJsonl, startStack, tinyModel, type Stack } from "./helpers/stack.ts";

describe("refusals", { timeout: 600_000 }, () => {
  let stack: Stack;
  let node: TrainerNode;
  let modelsDir: string;
  const jobs: Record<string, bigint> = {};
  const failureOf = async (jobId: bigint): Promise<string> => (await stack.failureOf(jobId)) ?? "";

  before(async () => {
    stack = await startStack();
    modelsDir = path.join(stack.tmp, "models");
    await tinyModel(modelsDir);
    await stack.admit("trainer");
    const ds = stack.deployment.contracts.DatanetRegistry.address;
    const abi = stack.contracts.datanets.abi;

    // Access revoked after the job was created.
    const revoked = await stack.createDatanet(1, 0);
    await stack.contribute(revoked, qaJsonl("alpha", 4));
    await stack.grantBySignature(revoked, Scope.Train);
    jobs.revoked = await stack.createJob([revoked]);
    await stack.tx("approver", ds, abi, "revokeAccess", [revoked, stack.wallets.builder.account.address]);

    // Access that expires before training starts.
    const expiring = await stack.createDatanet(1, 0);
    await stack.contribute(expiring, qaJsonl("beta", 4));
    await stack.grantBySignature(expiring, Scope.Train, "builder", 120n);
    jobs.expired = await stack.createJob([expiring]);
    await stack.publicClient.request({ method: "evm_increaseTime" as never, params: [600] as never });
    await stack.publicClient.request({ method: "evm_mine" as never, params: [] as never });

    // The only contribution is withdrawn after the job was created.
    const withdrawn = await stack.createDatanet(0, 0);
    const only = await stack.contribute(withdrawn, qaJsonl("gamma", 4));
    jobs.withdrawn = await stack.createJob([withdrawn]);
    await stack.tx("contributor", ds, abi, "withdrawContribution", [only]);

    // Registered with a content hash that is not the stored bytes' sha256.
    const mismatch = await stack.createDatanet(0, 0);
    const good = new TextEncoder().encode('{"schema":"modelfactory.record/1","kind":"text","text":"real"}\n');
    const cid = await stack.store.put(good);
    const wrongHash = `0x${createHash("sha256").update("something else").digest("hex")}`;
    await stack.tx("contributor", ds, abi, "contribute", [mismatch, wrongHash, cid.toString(), ""]);
    jobs.mismatch = await stack.createJob([mismatch]);

    // Bytes that hash correctly but are not canonical records.
    const malformed = await stack.createDatanet(0, 0);
    const bad = new TextEncoder().encode("this is not JSON\n");
    const badCid = await stack.store.put(bad);
    await stack.tx("contributor", ds, abi, "contribute", [
      malformed,
      `0x${createHash("sha256").update(bad).digest("hex")}`,
      badCid.toString(),
      "",
    ]);
    jobs.malformed = await stack.createJob([malformed]);

    // A spec whose on-chain hash does not match its bytes.
    const specless = await stack.createDatanet(0, 0);
    await stack.contribute(specless, qaJsonl("delta", 4));
    const specCid = await stack.store.put(new TextEncoder().encode('{"schema":"modelfactory.spec/1"}\n'));
    await stack.tx("builder", stack.deployment.contracts.TrainingJobs.address, trainingJobsAbi, "createJob", [
      [specless],
      `ipfs://${specCid}`,
      `0x${"11".repeat(32)}`,
    ]);
    jobs.badSpec = (await stack.contracts.jobs.read.counts())[0];

    node = new TrainerNode(await stack.nodeConfig("trainer", modelsDir), () => undefined);
    await node.start();
  });
  after(async () => {
    await node?.stop();
    await stack?.stop();
  });

  it("fails each job on chain with a reason naming the problem", async () => {
    const expected: Record<string, RegExp> = {
      revoked: /revoked or expired before training started/,
      expired: /revoked or expired before training started/,
      withdrawn: /No accepted contributions.*1 withdrawn since/,
      mismatch: /failed verification.*does not match its on-chain content hash/,
      malformed: /failed verification/,
      badSpec: /does not match the spec hash recorded on chain/,
    };
    for (const [name, jobId] of Object.entries(jobs)) {
      const reason = await eventually(`failure of ${name}`, async () => (await failureOf(jobId)) || undefined, 120_000);
      assert.match(reason, expected[name]!, `${name}: ${reason}`);
      const [, state] = await stack.contracts.jobs.read.getJob([jobId]);
      assert.equal(state, JobState.Failed, name);
      assert.equal((node.journal.getJob(jobId.toString()) as JobSummary).phase, "failed");
    }
  });

  it("fails a claimed job whose base model left the node", async () => {
    const datanet = await stack.createDatanet(0, 0);
    await stack.contribute(datanet, qaJsonl("omega", 4));
    await node.stop();
    await rm(path.join(modelsDir, "tiny-llama"), { recursive: true });
    node.baseModels = [];
    const jobId = await stack.createJob([datanet]);
    await stack.tx("trainer", stack.deployment.contracts.TrainingJobs.address, trainingJobsAbi, "claimJob", [jobId]);
    await node.runClaimed(jobId);
    assert.match(await failureOf(jobId), /Base model "tiny-llama" is not on this trainer node/);
  });
});
