// Key versions at rest and rotation by the owner (old envelopes stay readable), restart from
// the encrypted keystores, envelopes the service cannot open, configuration errors and the CLI.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { bytesToHex } from "viem";
import { datanetRegistryAbi, trainingJobsAbi } from "@modelfactory/sdk";
import {
  fetchDatanetKey,
  generateEncryptionKeyPair,
  KeyServiceError,
  openContribution,
  requestDataKeys,
  unwrapDataKey,
  type KeyServiceKeyResponse,
  type KeyServiceKeysResponse,
  type KeyServiceRotateResponse,
} from "@modelfactory/sdk";
import { startStack } from "../../trainer-node/test/helpers/stack.ts";
import { loadConfig } from "../src/config.ts";
import {
  contributeSealed,
  publishKey,
  records,
  requesterKey,
  send,
  startKeyService,
  type RunningKeyService,
  type Sealed,
  type Stack,
} from "./helpers/stack.ts";

describe("key versions, rotation and restart", { timeout: 600_000 }, () => {
  let stack: Stack;
  let ks: RunningKeyService;
  let D: bigint;
  const contributorKey = generateEncryptionKeyPair();
  const me = requesterKey();
  let v1: Sealed;

  const curate = (service: RunningKeyService, ...ids: bigint[]) =>
    send<KeyServiceKeysResponse>(service, stack, "approver", {
      action: "release",
      purpose: "curate",
      datanetId: D,
      contributionIds: ids,
      recipientPublicKey: me.hex,
    });
  async function opens(answer: KeyServiceKeysResponse, sealed: Sealed[]): Promise<void> {
    for (const s of sealed) {
      const k = answer.keys.find((x) => x.contributionId === String(s.id))!;
      const opened = openContribution(stack.store.get(s.cid), { dataKey: unwrapDataKey(k.wrappedKey, me.secretKey) });
      const parts: Uint8Array[] = [];
      for await (const p of opened.bytes) parts.push(p);
      assert.deepEqual(Buffer.concat(parts), Buffer.from(s.canonical));
      assert.equal((await opened.done()).contentHash, s.contentHash);
    }
  }

  before(async () => {
    stack = await startStack();
    D = await stack.createDatanet(1, 1);
    ks = await startKeyService(stack, D);
    await publishKey(stack, ks);
    v1 = await contributeSealed(stack, D, ks.service.ring.current.publicKey, contributorKey, records("tulip-v1"));
  });
  after(async () => {
    await ks?.stop();
    await stack?.stop();
  });

  it("keeps the key encrypted at rest", async () => {
    const dir = path.join(ks.config.dataDir, "keys");
    assert.deepEqual(await readdir(dir), ["v1.json"]);
    const text = await readFile(path.join(dir, "v1.json"), "utf8");
    assert.ok(!text.includes(bytesToHex(ks.service.ring.current.secretKey).slice(2)));
    assert.equal(JSON.parse(text).crypto.kdf, "scrypt");
  });

  it("refuses a rotation by anyone but the owner", async () => {
    const answer = await send<KeyServiceRotateResponse>(ks, stack, "approver", { action: "rotate", datanetId: D });
    assert.equal(answer.status, 403);
    assert.equal(answer.body.error?.code, "NOT_DATANET_OWNER");
    assert.match(answer.body.error!.message, new RegExp(`Only Datanet ${D}'s owner 0x[0-9a-fA-F]{40} may rotate its key`));
  });

  it("rotates for the owner, serves envelopes of both versions and survives a restart", async () => {
    const before = ks.service.ring.current.publicKey;
    const answer = await send<KeyServiceRotateResponse>(ks, stack, "owner", { action: "rotate", datanetId: D });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.equal(answer.body.version, 2);
    assert.notEqual(answer.body.publicKey, before);
    let health = (await (await fetch(`${ks.url}/health`)).json()) as { onChain: { held: boolean; current: boolean } };
    assert.deepEqual([health.onChain.held, health.onChain.current], [true, false]);
    await publishKey(stack, ks);
    health = (await (await fetch(`${ks.url}/health`)).json()) as { onChain: { held: boolean; current: boolean } };
    assert.deepEqual([health.onChain.held, health.onChain.current], [true, true]);
    const key = (await (await fetch(`${ks.url}/v1/datanets/${D}/key`)).json()) as KeyServiceKeyResponse;
    assert.deepEqual(
      key.versions.map((v) => v.version),
      [1, 2],
    );
    assert.equal(key.publicKey, answer.body.publicKey);

    const v2 = await contributeSealed(stack, D, answer.body.publicKey, contributorKey, records("tulip-v2"));
    const both = await curate(ks, v1.id, v2.id);
    assert.equal(both.status, 200, JSON.stringify(both.body));
    await opens(both.body, [v1, v2]);

    await ks.stop();
    ks = await startKeyService(stack, D, { dataDir: ks.config.dataDir });
    assert.deepEqual(ks.service.ring.list(), key.versions);
    const again = await curate(ks, v1.id, v2.id);
    assert.equal(again.status, 200);
    await opens(again.body, [v1, v2]);
  });

  it("answers the SDK's client (requestDataKeys, fetchDatanetKey), refusals as KeyServiceError", async () => {
    const key = await fetchDatanetKey(ks.url, D);
    assert.equal(key.publicKey, ks.service.ring.current.publicKey);
    const wallet = stack.wallets.approver;
    const signer = { address: wallet.account.address, signMessage: (args: { message: string }) => wallet.signMessage(args) };
    const answer = await requestDataKeys(
      ks.url,
      { purpose: "curate", datanetId: D, contributionIds: [v1.id], recipientPublicKey: me.hex },
      signer,
      { chainId: 31337 },
    );
    await opens(answer, [v1]);
    const other = stack.wallets.other;
    await assert.rejects(
      requestDataKeys(
        ks.url,
        { purpose: "curate", datanetId: D, contributionIds: [v1.id], recipientPublicKey: me.hex },
        { address: other.account.address, signMessage: (args) => other.signMessage(args) },
        { chainId: 31337 },
      ),
      (e: unknown) => e instanceof KeyServiceError && e.status === 403 && e.code === "NOT_CURATOR",
    );
  });

  it("refuses to open its keystores with a wrong password or for another Datanet", async () => {
    await assert.rejects(
      startKeyService(stack, D, { dataDir: ks.config.dataDir, password: "wrong" }),
      /Cannot open .*v1\.json with MF_KS_PASSWORD/,
    );
    await assert.rejects(
      startKeyService(stack, D + 1n, { dataDir: ks.config.dataDir }),
      new RegExp(`holds the key of Datanet ${D}, not ${D + 1n}`),
    );
  });

  it("says when a contribution was not sealed for this Datanet, or is not an envelope", async () => {
    const notForUs = await contributeSealed(
      stack,
      D,
      bytesToHex(generateEncryptionKeyPair().publicKey),
      contributorKey,
      records("tulip-elsewhere"),
    );
    let answer = await curate(ks, notForUs.id);
    assert.equal(answer.status, 409);
    assert.equal(answer.body.error?.code, "NOT_SEALED_FOR_DATANET");
    const plain = await stack.contribute(D, records("tulip-plain"));
    answer = await curate(ks, plain);
    assert.equal(answer.status, 422);
    assert.equal(answer.body.error?.code, "NOT_AN_ENVELOPE");
  });
  it("refuses a trainer whose claim lease lapsed (last: it moves the chain's clock two days on)", async () => {
    const sealed = await contributeSealed(stack, D, ks.service.ring.current.publicKey, contributorKey, records("tulip-lease"));
    await stack.tx("approver", stack.deployment.contracts.DatanetRegistry.address, datanetRegistryAbi, "acceptContributions", [
      [sealed.id],
    ]);
    await stack.grantBySignature(D, 1, "builder", 30n * 86_400n);
    await stack.admit("trainer");
    const job = await stack.createJob([D]);
    await stack.tx("trainer", stack.deployment.contracts.TrainingJobs.address, trainingJobsAbi, "claimJob", [job]);
    const ask = () =>
      send<KeyServiceKeysResponse>(ks, stack, "trainer", {
        action: "release",
        purpose: "train",
        datanetId: D,
        jobId: job,
        contributionIds: [sealed.id],
        recipientPublicKey: me.hex,
      });
    assert.equal((await ask()).status, 200);
    await stack.publicClient.request({ method: "evm_increaseTime" as never, params: [2 * 86_400] as never });
    await stack.publicClient.request({ method: "evm_mine" as never, params: [] as never });
    const answer = await ask();
    assert.equal(answer.status, 403);
    assert.equal(answer.body.error?.code, "CLAIM_LAPSED");
    assert.match(answer.body.error!.message, new RegExp(`claim on job ${job} lapsed at \\d{4}-`));
  });
});

describe("configuration and CLI", () => {
  const base = { MF_KS_DATANET_ID: "3", MF_KS_PASSWORD: "pw" };
  it("defaults to the local stack", async () => {
    const c = await loadConfig(base);
    assert.equal(c.datanetId, 3n);
    assert.equal(c.rpcUrl, "http://127.0.0.1:8545");
    assert.equal(c.publicUrl, "http://127.0.0.1:8790");
    assert.equal(c.host, "127.0.0.1");
    assert.match(c.dataDir, /key-service\/\.data\/datanet-3$/);
  });
  const refuses: [Record<string, string>, RegExp][] = [
    [{ MF_KS_PASSWORD: "pw" }, /MF_KS_DATANET_ID is not set/],
    [{ ...base, MF_KS_DATANET_ID: "0" }, /MF_KS_DATANET_ID must be a Datanet id/],
    [{ MF_KS_DATANET_ID: "3" }, /Set MF_KS_PASSWORD or MF_KS_PASSWORD_FILE/],
    [{ MF_KS_DATANET_ID: "3", MF_KS_PASSWORD_FILE: "/nonexistent" }, /MF_KS_PASSWORD_FILE \/nonexistent cannot be read/],
    [{ ...base, MF_KS_PORT: "70000" }, /MF_KS_PORT must be an integer from 0 to 65535/],
    [{ ...base, MF_KS_RPC_URL: "ftp://x" }, /MF_KS_RPC_URL must be an http\(s\) URL/],
    [{ ...base, MF_KS_CORS_ORIGINS: "http://a/b" }, /MF_KS_CORS_ORIGINS holds "http:\/\/a\/b"/],
    [{ ...base, MF_KS_SCRYPT_N: "3000" }, /MF_KS_SCRYPT_N must be a power of two/],
    [{ ...base, MF_KS_MAX_BATCH: "501" }, /MF_KS_MAX_BATCH must be an integer from 1 to 500/],
  ];
  for (const [env, re] of refuses) it(`refuses ${re.source.slice(0, 40)}`, () => assert.rejects(loadConfig(env), re));

  it("exits with the setting's name when the chain is away", async () => {
    const child = spawn(process.execPath, [path.join(import.meta.dirname, "../src/cli.ts")], {
      env: {
        ...process.env,
        ...base,
        MF_KS_RPC_URL: "http://127.0.0.1:9",
        MF_KS_DEPLOYMENT: path.join(import.meta.dirname, "fixtures/deployment.json"),
      },
    });
    let out = "";
    child.stderr.on("data", (d) => (out += d));
    const code = await new Promise((r) => child.on("exit", r));
    assert.equal(code, 1);
    assert.match(out, /Cannot reach the chain at http:\/\/127\.0\.0\.1:9 \(MF_KS_RPC_URL\)/);
  });
});
