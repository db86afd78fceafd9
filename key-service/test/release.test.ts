// About 460 lines: every allowed and refused release case over one chain and key service.
// The key service against a real chain, content store and contracts: it releases a data key for
// each allowed case (and the key really opens the envelope, whose bytes hash to the chain's
// content hash), and refuses every other case with the condition that failed.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFile } from "node:fs/promises";
import { bytesToHex, type Address, type Hex } from "viem";
import {
  datanetRegistryAbi,
  ENVELOPE_MAGIC,
  generateEncryptionKeyPair,
  openContribution,
  trainerRegistryAbi,
  trainingJobsAbi,
  unwrapDataKey,
  type KeyReleaseRequest,
  type KeyServiceKeysResponse,
} from "@modelfactory/sdk";
import {
  contributeSealed,
  post,
  publishKey,
  records,
  requesterKey,
  send,
  startKeyService,
  type RunningKeyService,
  type Sealed,
  type Stack,
  type Who,
} from "./helpers/stack.ts";
import { startStack } from "../../trainer-node/test/helpers/stack.ts";

type Release = Omit<KeyReleaseRequest, "action" | "recipientPublicKey"> & { recipientPublicKey?: Hex };

describe("key service releases only as the chain allows", { timeout: 600_000 }, () => {
  let stack: Stack;
  let ks: RunningKeyService;
  let D: bigint; // the key service's Datanet (permissioned, curated)
  let D2: bigint; // another Datanet
  const contributorKey = generateEncryptionKeyPair();
  const c: Record<string, Sealed> = {};
  let job1: bigint; // over D, claimed by trainer
  let jobD2: bigint; // over D2 only, claimed by trainer
  const me = requesterKey();

  const release = (who: Who, r: Release, options = {}) =>
    send<KeyServiceKeysResponse>(ks, stack, who, { action: "release", recipientPublicKey: me.hex, ...r } as KeyReleaseRequest, options);
  const refused = async (who: Who, r: Release, status: number, code: string, message: RegExp, options = {}): Promise<void> => {
    const answer = await release(who, r, options);
    assert.equal(answer.status, status, JSON.stringify(answer.body));
    assert.equal(answer.body.error?.code, code, answer.body.error?.message);
    assert.match(answer.body.error!.message, message);
  };
  const registry = () => stack.deployment.contracts.DatanetRegistry.address;
  const jobs = () => stack.deployment.contracts.TrainingJobs.address;
  const address = (who: Who): Address => stack.wallets[who].account.address;

  before(async () => {
    stack = await startStack();
    D = await stack.createDatanet(1, 1);
    D2 = await stack.createDatanet(1, 1);
    ks = await startKeyService(stack, D);
    await publishKey(stack, ks);
    const key = ks.service.ring.current.publicKey;
    for (const name of ["accepted", "accepted2", "pending", "rejected", "withdrawn"])
      c[name] = await contributeSealed(stack, D, key, contributorKey, records(`marigold-${name}`));
    c.otherDatanet = await contributeSealed(stack, D2, key, contributorKey, records("marigold-elsewhere"));
    await stack.tx("approver", registry(), datanetRegistryAbi, "acceptContributions", [
      [c.accepted!.id, c.accepted2!.id, c.withdrawn!.id, c.otherDatanet!.id],
    ]);
    await stack.tx("approver", registry(), datanetRegistryAbi, "rejectContributions", [[c.rejected!.id], "off topic"]);
    await stack.grantBySignature(D, 1);
    await stack.grantBySignature(D2, 1);
    await stack.admit("trainer");
    await stack.admit("trainer2");
    job1 = await stack.createJob([D]);
    jobD2 = await stack.createJob([D2]);
    await stack.tx("trainer", jobs(), trainingJobsAbi, "claimJob", [job1]);
    await stack.tx("trainer", jobs(), trainingJobsAbi, "claimJob", [jobD2]);
    // After the snapshot: one withdrawal, one contribution accepted too late for job 1.
    await stack.tx("contributor", registry(), datanetRegistryAbi, "withdrawContribution", [c.withdrawn!.id]);
    c.late = await contributeSealed(stack, D, key, contributorKey, records("marigold-late"));
    await stack.tx("approver", registry(), datanetRegistryAbi, "acceptContributions", [[c.late!.id]]);
  });

  after(async () => {
    await ks?.stop();
    await stack?.stop();
  });

  it("publishes the key the chain binds, and says so on /health", async () => {
    const key = (await (await fetch(`${ks.url}/v1/datanets/${D}/key`)).json()) as { publicKey: Hex; version: number };
    assert.equal(key.version, 1);
    const health = (await (await fetch(`${ks.url}/health`)).json()) as { onChain: { publicKey: Hex; held: boolean; current: boolean } };
    assert.equal(health.onChain.publicKey, key.publicKey);
    assert.equal(health.onChain.held && health.onChain.current, true);
    assert.equal((await fetch(`${ks.url}/v1/datanets/${D2}/key`)).status, 404);
  });

  it("releases to the claiming trainer a key that opens the envelope into the chain's content hash", async () => {
    const answer = await release("trainer", {
      purpose: "train",
      datanetId: D,
      jobId: job1,
      contributionIds: [c.accepted!.id, c.accepted2!.id],
    });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual(
      answer.body.keys.map((k) => k.contributionId),
      [String(c.accepted!.id), String(c.accepted2!.id)],
    );
    for (const k of answer.body.keys) {
      const sealed = k.contributionId === String(c.accepted!.id) ? c.accepted! : c.accepted2!;
      const dataKey = unwrapDataKey(k.wrappedKey, me.secretKey);
      const opened = openContribution(stack.store.get(sealed.cid), { dataKey });
      const parts: Uint8Array[] = [];
      for await (const part of opened.bytes) parts.push(part);
      assert.deepEqual(Buffer.concat(parts), Buffer.from(sealed.canonical));
      const [event] = await stack.publicClient.getContractEvents({
        address: registry(),
        abi: datanetRegistryAbi,
        eventName: "ContributionRegistered",
        args: { contributionId: sealed.id },
        fromBlock: 0n,
        strict: true,
      });
      assert.equal((await opened.done()).contentHash, event!.args.contentHash);
    }
  });

  it("gives an outsider who cats every CID of the Datanet ciphertext only", async () => {
    const events = await stack.publicClient.getContractEvents({
      address: registry(),
      abi: datanetRegistryAbi,
      eventName: "ContributionRegistered",
      args: { datanetId: D },
      fromBlock: 0n,
      strict: true,
    });
    assert.ok(events.length >= 6);
    for (const e of events) {
      for (const cid of [e.args.contentId, e.args.metadataURI.replace("ipfs://", "")]) {
        const res = await fetch(`${stack.contentApiUrl}/api/v0/cat?arg=${cid}`, { method: "POST" });
        assert.equal(res.status, 200);
        const bytes = new Uint8Array(await res.arrayBuffer());
        assert.doesNotMatch(Buffer.from(bytes).toString("latin1"), /marigold|water the beds/);
        if (cid === e.args.contentId) assert.deepEqual(bytes.subarray(0, ENVELOPE_MAGIC.length), ENVELOPE_MAGIC);
      }
    }
  });

  describe("refuses unauthenticated requests", () => {
    const ok = (): Release => ({ purpose: "train", datanetId: D, jobId: job1, contributionIds: [c.accepted!.id] });
    it("without a signature", () => refused("trainer", ok(), 401, "SIGNATURE_MISSING", /not signed/, { signature: null }));
    it("with another wallet's signature", () =>
      refused("trainer", ok(), 401, "SIGNATURE_INVALID", /is not 0x[0-9a-fA-F]{40}'s signature/, { signer: "other" }));
    it("with a replayed nonce", async () => {
      const first = await release("trainer", ok());
      assert.equal(first.status, 200);
      const replay = await post<KeyServiceKeysResponse>(`${ks.url}/v1/keys`, first.sent);
      assert.equal(replay.status, 401);
      assert.equal(replay.body.error?.code, "NONCE_USED");
    });
    it("with a nonce it never gave", () =>
      refused("trainer", ok(), 401, "NONCE_UNKNOWN", /Unknown or expired nonce/, { nonce: "0123456789abcdef" }));
    it("with an expired message", () =>
      refused("trainer", ok(), 401, "MESSAGE_EXPIRED", /expired at/, { expirationTime: new Date(Date.now() - 1000) }));
    it("for another domain", () =>
      refused("trainer", ok(), 401, "WRONG_DOMAIN", /for evil\.example, not this key service/, {
        domain: "evil.example",
        uri: "https://evil.example",
      }));
    it("for another chain", () => refused("trainer", ok(), 401, "WRONG_CHAIN", /chain 1, not chain 31337/, { chainId: 1 }));
    it("for another Datanet", () =>
      refused(
        "trainer",
        { ...ok(), datanetId: D2, jobId: jobD2, contributionIds: [c.otherDatanet!.id] },
        403,
        "OTHER_DATANET",
        new RegExp(`holds the key of Datanet ${D}, not Datanet ${D2}`),
      ));
  });

  describe("purpose train", () => {
    const train = (jobId: bigint, ...ids: bigint[]): Release => ({ purpose: "train", datanetId: D, jobId, contributionIds: ids });
    it("refuses a trainer that is not admitted", () =>
      refused("other", train(job1, c.accepted!.id), 403, "TRAINER_NOT_ADMITTED", /is not an admitted trainer node/));
    it("refuses an admitted trainer without the claim", () =>
      refused(
        "trainer2",
        train(job1, c.accepted!.id),
        403,
        "NO_CLAIM",
        new RegExp(`holds no claim on job ${job1} over Datanet ${D} \\(the job is claimed by 0x`),
      ));
    it("refuses a trainer that switched itself off", async () => {
      await stack.tx("trainer2", stack.deployment.contracts.TrainerRegistry.address, trainerRegistryAbi, "setActive", [false]);
      await refused("trainer2", train(job1, c.accepted!.id), 403, "TRAINER_NOT_ACTIVE", /is admitted but switched off/);
    });
    it("refuses a job over other Datanets", () =>
      refused(
        "trainer",
        train(jobD2, c.accepted!.id),
        403,
        "JOB_OTHER_DATANETS",
        new RegExp(`Job ${jobD2} is over Datanet ${D2}, not Datanet ${D}`),
      ));
    it("refuses an unknown job", () => refused("trainer", train(999n, c.accepted!.id), 403, "JOB_NOT_FOUND", /Job 999 does not exist/));
    it("refuses a pending contribution", () =>
      refused(
        "trainer",
        train(job1, c.pending!.id),
        403,
        "CONTRIBUTION_NOT_ACCEPTED",
        /was pending at job \d+'s snapshot block \d+, not accepted/,
      ));
    it("refuses a rejected contribution", () =>
      refused("trainer", train(job1, c.rejected!.id), 403, "CONTRIBUTION_NOT_ACCEPTED", /was rejected at job/));
    it("refuses a contribution withdrawn after the snapshot", () =>
      refused("trainer", train(job1, c.withdrawn!.id), 403, "CONTRIBUTION_WITHDRAWN", /was withdrawn after job/));
    it("refuses a contribution accepted after the snapshot", () =>
      refused("trainer", train(job1, c.late!.id), 403, "CONTRIBUTION_NOT_ACCEPTED", /was none at job/));
    it("refuses a contribution of another Datanet, and the whole batch with it", () =>
      refused(
        "trainer",
        train(job1, c.accepted!.id, c.otherDatanet!.id),
        403,
        "CONTRIBUTION_OF_OTHER_DATANET",
        new RegExp(`belongs to Datanet ${D2}`),
      ));
    it("refuses an unregistered contribution", () =>
      refused("trainer", train(job1, 9999n), 403, "CONTRIBUTION_NOT_FOUND", /9999 is not registered/));

    it("refuses once the builder's grant expired after the snapshot", async () => {
      // A second Datanet-D job by a builder whose grant lasts 300 s, then time passes.
      const id = await stack.createDatanet(1, 1);
      const ks2 = await startKeyService(stack, id);
      try {
        const sealed = await contributeSealed(stack, id, ks2.service.ring.current.publicKey, contributorKey, records("marigold-expiring"));
        await stack.tx("approver", registry(), datanetRegistryAbi, "acceptContributions", [[sealed.id]]);
        await stack.grantBySignature(id, 1, "builder", 300n);
        const job = await stack.createJob([id]);
        await stack.tx("trainer", jobs(), trainingJobsAbi, "claimJob", [job]);
        const ask = () =>
          send<KeyServiceKeysResponse>(ks2, stack, "trainer", {
            action: "release",
            purpose: "train",
            datanetId: id,
            jobId: job,
            contributionIds: [sealed.id],
            recipientPublicKey: me.hex,
          });
        assert.equal((await ask()).status, 200);
        await stack.publicClient.request({ method: "evm_increaseTime" as never, params: [600] as never });
        await stack.publicClient.request({ method: "evm_mine" as never, params: [] as never });
        const answer = await ask();
        assert.equal(answer.status, 403);
        assert.equal(answer.body.error?.code, "BUILDER_ACCESS_REVOKED");
        assert.match(answer.body.error!.message, /train access to Datanet \d+ was revoked or expired after job \d+'s snapshot/);
      } finally {
        await ks2.stop();
      }
    });

    it("refuses when the grant was revoked in the snapshot block itself", async () => {
      const id = await stack.createDatanet(1, 1);
      const ks3 = await startKeyService(stack, id);
      try {
        const sealed = await contributeSealed(
          stack,
          id,
          ks3.service.ring.current.publicKey,
          contributorKey,
          records("marigold-revoked-at-snapshot"),
        );
        await stack.tx("approver", registry(), datanetRegistryAbi, "acceptContributions", [[sealed.id]]);
        await stack.grantBySignature(id, 1);
        const spec = `ipfs://${await stack.store.put(new TextEncoder().encode("{}"))}`;
        // createJob and revokeAccess mined in one block, createJob first: the job was created
        // with access, yet at the end of its snapshot block the builder has none.
        await stack.publicClient.request({ method: "evm_setAutomine" as never, params: [false] as never });
        const gwei = 1_000_000_000n;
        await stack.wallets.builder.writeContract({
          address: jobs(),
          abi: trainingJobsAbi,
          functionName: "createJob",
          args: [[id], spec, `0x${"11".repeat(32)}`],
          gas: 500_000n,
          maxPriorityFeePerGas: 5n * gwei,
          maxFeePerGas: 50n * gwei,
        });
        await stack.wallets.approver.writeContract({
          address: registry(),
          abi: datanetRegistryAbi,
          functionName: "revokeAccess",
          args: [id, address("builder")],
          gas: 200_000n,
          maxPriorityFeePerGas: gwei,
          maxFeePerGas: 50n * gwei,
        });
        await stack.publicClient.request({ method: "evm_mine" as never, params: [] as never });
        await stack.publicClient.request({ method: "evm_setAutomine" as never, params: [true] as never });
        const job = (await stack.contracts.jobs.read.counts())[0];
        const [, , snapshotBlock] = await stack.contracts.jobs.read.getJob([job]);
        assert.equal(
          await stack.contracts.datanets.read.hasAccess([id, address("builder"), 1], { blockNumber: BigInt(snapshotBlock) }),
          false,
        );
        await stack.tx("trainer", jobs(), trainingJobsAbi, "claimJob", [job]);
        const answer = await send<KeyServiceKeysResponse>(ks3, stack, "trainer", {
          action: "release",
          purpose: "train",
          datanetId: id,
          jobId: job,
          contributionIds: [sealed.id],
          recipientPublicKey: me.hex,
        });
        assert.equal(answer.status, 403);
        assert.equal(answer.body.error?.code, "BUILDER_NO_ACCESS_AT_SNAPSHOT");
        assert.match(answer.body.error!.message, /had no train access to Datanet \d+ at job \d+'s snapshot block/);
      } finally {
        await stack.publicClient.request({ method: "evm_setAutomine" as never, params: [true] as never });
        await ks3.stop();
      }
    });
  });

  describe("purpose curate and own", () => {
    const curate = (...ids: bigint[]): Release => ({ purpose: "curate", datanetId: D, contributionIds: ids });
    it("releases a pending contribution to an approver and to the owner", async () => {
      for (const who of ["approver", "owner"] as const)
        assert.equal((await release(who, curate(c.pending!.id, c.rejected!.id))).status, 200);
    });
    it("refuses a withdrawn contribution to curators", () =>
      refused("approver", curate(c.withdrawn!.id), 403, "CONTRIBUTION_WITHDRAWN", /withdrawn by its contributor/));
    it("refuses an approver of another Datanet only", async () => {
      await stack.tx("owner", registry(), datanetRegistryAbi, "addApprover", [D2, address("other")]);
      await refused("other", curate(c.pending!.id), 403, "NOT_CURATOR", new RegExp(`neither the owner nor an approver of Datanet ${D}`));
    });
    it("refuses curators a contribution of another Datanet", () =>
      refused("approver", curate(c.otherDatanet!.id), 403, "CONTRIBUTION_OF_OTHER_DATANET", /belongs to Datanet/));
    it("releases to the contributor their own contributions, whatever their status", async () => {
      assert.equal(
        (await release("contributor", { purpose: "own", datanetId: D, contributionIds: [c.pending!.id, c.withdrawn!.id, c.rejected!.id] }))
          .status,
        200,
      );
    });
    it("refuses anyone else as contributor", () =>
      refused(
        "approver",
        { purpose: "own", datanetId: D, contributionIds: [c.pending!.id] },
        403,
        "NOT_CONTRIBUTOR",
        /was made by 0x[0-9a-fA-F]{40}, not/,
      ));
  });

  describe("purpose retrieve", () => {
    let model1: bigint;
    let modelD2: bigint;
    const retrieve = (modelId: bigint, ...ids: bigint[]): Release => ({ purpose: "retrieve", datanetId: D, modelId, contributionIds: ids });
    before(async () => {
      const complete = async (jobId: bigint) => {
        const h = `0x${"22".repeat(32)}` as Hex;
        await stack.tx("trainer", jobs(), trainingJobsAbi, "completeJob", [
          jobId,
          "bafyadapter",
          h,
          "ipfs://metrics",
          h,
          "ipfs://manifest",
        ]);
        return (await stack.contracts.jobs.read.counts())[1];
      };
      model1 = await complete(job1);
      modelD2 = await complete(jobD2);
    });
    it("refuses training keys once the job is completed", () =>
      refused(
        "trainer",
        { purpose: "train", datanetId: D, jobId: job1, contributionIds: [c.accepted!.id] },
        403,
        "NO_CLAIM",
        /the job is completed/,
      ));
    it("releases to the model's trainer", async () => {
      assert.equal((await release("trainer", retrieve(model1, c.accepted!.id, c.late!.id))).status, 200);
    });
    it("refuses another trainer", () =>
      refused("trainer2", retrieve(model1, c.accepted!.id), 403, "NOT_MODEL_TRAINER", /was registered by trainer 0x/));
    it("refuses a model trained on other Datanets", () =>
      refused(
        "trainer",
        retrieve(modelD2, c.accepted!.id),
        403,
        "MODEL_OTHER_DATANETS",
        new RegExp(`trained on Datanet ${D2}, not Datanet ${D}`),
      ));
    it("refuses an unknown model", () =>
      refused("trainer", retrieve(999n, c.accepted!.id), 403, "MODEL_NOT_FOUND", /Model 999 does not exist/));
    it("refuses pending and withdrawn contributions", async () => {
      await refused("trainer", retrieve(model1, c.pending!.id), 403, "CONTRIBUTION_NOT_ACCEPTED", /is pending, not accepted/);
      await refused("trainer", retrieve(model1, c.withdrawn!.id), 403, "CONTRIBUTION_WITHDRAWN", /is withdrawn, not accepted/);
    });
    it("refuses at once, for retrieval and for a claimed job, once the builder's grant is revoked", async () => {
      const job3 = await stack.createJob([D]);
      await stack.tx("trainer", jobs(), trainingJobsAbi, "claimJob", [job3]);
      const train3: Release = { purpose: "train", datanetId: D, jobId: job3, contributionIds: [c.accepted!.id] };
      assert.equal((await release("trainer", train3)).status, 200);
      await stack.tx("approver", registry(), datanetRegistryAbi, "revokeAccess", [D, address("builder")]);
      await refused("trainer", retrieve(model1, c.accepted!.id), 403, "BUILDER_ACCESS_REVOKED", /no longer holds train or retrieve access/);
      await refused(
        "trainer",
        train3,
        403,
        "BUILDER_ACCESS_REVOKED",
        new RegExp(`train access to Datanet ${D} was revoked or expired after job ${job3}'s snapshot`),
      );
    });
  });

  it("logs every release and refusal with requester, purpose, contributions and reason, and no key", async () => {
    const text = await readFile(ks.service.audit.file, "utf8");
    const lines = text
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.ok(
      lines.some(
        (l) =>
          l.event === "release" &&
          l.purpose === "train" &&
          l.requester === address("trainer") &&
          (l.contributionIds as string[]).includes(String(c.accepted!.id)),
      ),
    );
    for (const code of [
      "SIGNATURE_MISSING",
      "NONCE_USED",
      "MESSAGE_EXPIRED",
      "TRAINER_NOT_ADMITTED",
      "NO_CLAIM",
      "CONTRIBUTION_WITHDRAWN",
      "NOT_CURATOR",
      "BUILDER_ACCESS_REVOKED",
    ]) {
      const line = lines.find((l) => l.event === "refusal" && l.code === code);
      assert.ok(line, `no refusal ${code} in the audit log`);
      assert.equal(typeof line.reason, "string");
      assert.equal(typeof line.time, "string");
    }
    for (const v of ks.service.ring.list()) assert.ok(!text.includes(bytesToHex(ks.service.ring.find(v.publicKey)!.secretKey).slice(2)));
    assert.doesNotMatch(text, /wrappedKey|marigold/);
  });

  it("answers CORS preflights for the GUI's origin only", async () => {
    const gui = await fetch(`${ks.url}/v1/keys`, { method: "OPTIONS", headers: { origin: "http://127.0.0.1:5173" } });
    assert.equal(gui.headers.get("access-control-allow-origin"), "http://127.0.0.1:5173");
    const other = await fetch(`${ks.url}/v1/keys`, { method: "OPTIONS", headers: { origin: "https://evil.example" } });
    assert.equal(other.headers.get("access-control-allow-origin"), null);
  });
});
