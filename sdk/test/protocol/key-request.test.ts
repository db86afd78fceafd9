// Key requests: what the wallet signs says the same in words (statement) and for machines
// (resources); the parser gives back exactly the request and refuses anything else.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { privateKeyToAccount } from "viem/accounts";
import { verifyMessage } from "viem";
import {
  keyRequestMessage,
  parseKeyRequestMessage,
  KeyRequestError,
  MAX_KEY_REQUEST_CONTRIBUTIONS,
  type KeyReleaseRequest,
  type KeyRequest,
  type ModelKeyRequest,
} from "../../src/index.ts";

const account = privateKeyToAccount("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
const recipientPublicKey = `0x${"ab".repeat(32)}` as const;
const envelope = {
  domain: "127.0.0.1:8790",
  uri: "http://127.0.0.1:8790",
  chainId: 31337,
  address: account.address,
  nonce: "a1b2c3d4e5f60718",
  expirationTime: new Date("2030-01-01T00:00:00Z"),
  issuedAt: new Date("2029-12-31T23:55:00Z"),
};

describe("key request messages", () => {
  const cases: KeyRequest[] = [
    { action: "release", purpose: "train", datanetId: 3n, jobId: 7n, contributionIds: [4n, 5n, 9n], recipientPublicKey },
    { action: "release", purpose: "retrieve", datanetId: 3n, modelId: 2n, contributionIds: [4n], recipientPublicKey },
    { action: "release", purpose: "curate", datanetId: 1n, contributionIds: [1n], recipientPublicKey },
    { action: "release", purpose: "own", datanetId: 1n, contributionIds: [1n, 2n], recipientPublicKey },
    { action: "release", purpose: "model", datanetId: 3n, modelId: 2n, artifact: "adapter", recipientPublicKey },
    { action: "release", purpose: "model", datanetId: 3n, modelId: 2n, artifact: "samples", recipientPublicKey },
    { action: "rotate", datanetId: 4n },
  ];
  for (const request of cases) {
    it(`round-trips ${request.action}${request.action === "release" ? ` (${request.purpose})` : ""} and binds it in the signature`, async () => {
      const message = keyRequestMessage(request, envelope);
      const parsed = parseKeyRequestMessage(message);
      assert.deepEqual(parsed.request, request);
      assert.equal(parsed.fields.domain, envelope.domain);
      assert.equal(parsed.fields.nonce, envelope.nonce);
      assert.equal(parsed.fields.chainId, 31337);
      assert.equal(parsed.fields.expirationTime?.toISOString(), envelope.expirationTime.toISOString());
      const signature = await account.signMessage({ message });
      assert.equal(await verifyMessage({ address: account.address, message, signature }), true);
      assert.equal(await verifyMessage({ address: account.address, message: message.replace("Datanet", "Datanet "), signature }), false);
    });
  }

  it("says in words what it asks", () => {
    const message = keyRequestMessage(cases[0]!, envelope);
    assert.match(message, /Release the data keys of ModelFactory contributions 4, 5, 9 of Datanet 3 to train job 7\./);
    assert.match(message, /urn:modelfactory:key-request:recipient:0xabab/);
  });

  it("refuses a statement that differs from the resources, unknown or repeated resources and bad values", () => {
    const message = keyRequestMessage(cases[0]!, envelope);
    const refuse = (m: string, re: RegExp) =>
      assert.throws(
        () => parseKeyRequestMessage(m),
        (e: unknown) => e instanceof KeyRequestError && re.test(e.message),
      );
    refuse(message.replace("to train job 7", "to train job 8"), /statement does not say/);
    refuse(message.replace("contributions:4,5,9", "contributions:4,5,10"), /statement does not say/);
    refuse(message.replace("urn:modelfactory:key-request:job:7", "urn:other:job:7"), /Unknown resource urn:other/);
    refuse(message.replace("key-request:job:7", "key-request:color:7"), /Unknown resource color/);
    refuse(message.replace("key-request:job:7", "key-request:datanet:7"), /appears twice/);
    refuse(message.replace("action:release", "action:burn"), /Unknown action "burn"/);
    refuse(message.replace("contributions:4,5,9", "contributions:4,x,9"), /contribution id "x" is not an id/);
  });

  it("refuses to build malformed requests", () => {
    const base = cases[0] as KeyReleaseRequest;
    const refuse = (r: KeyRequest, re: RegExp) => assert.throws(() => keyRequestMessage(r, envelope), re);
    refuse({ ...base, contributionIds: [] }, /1 to 500 contributions, not 0/);
    refuse({ ...base, contributionIds: Array.from({ length: MAX_KEY_REQUEST_CONTRIBUTIONS + 1 }, (_, i) => BigInt(i + 1)) }, /not 501/);
    refuse({ ...base, contributionIds: [1n, 1n] }, /distinct/);
    refuse({ ...base, jobId: undefined } as KeyRequest, /job id goes with purpose "train"/);
    refuse({ ...base, purpose: "curate" }, /job id goes with purpose "train"/);
    refuse({ ...base, modelId: 1n }, /model id goes with purpose "retrieve"/);
    refuse({ ...base, recipientPublicKey: "0x1234" }, /32-byte X25519/);
    refuse({ ...base, purpose: "sell" as "own" }, /Unknown purpose "sell"/);
    refuse({ action: "rotate", datanetId: 0n }, /Datanet id of 1 or more/);
    refuse({ ...base, artifact: "adapter" } as unknown as KeyRequest, /artifact goes with purpose "model"/);
    const model = cases[4] as ModelKeyRequest;
    refuse({ ...model, artifact: "weights" as "adapter" }, /Unknown model artifact "weights"/);
    refuse({ ...model, modelId: 0n }, /model id of 1 or more/);
    refuse({ ...model, contributionIds: [1n] } as unknown as KeyRequest, /no job or contributions/);
    refuse({ ...model, recipientPublicKey: "0x12" }, /32-byte X25519/);
  });

  it("says in words which model artifact it asks for, and refuses a model request with extra resources", () => {
    const message = keyRequestMessage(cases[5]!, envelope);
    assert.match(message, /Release the data key of ModelFactory model 2's private evaluation samples, sealed for Datanet 3\./);
    assert.match(message, /urn:modelfactory:key-request:artifact:samples/);
    const refuse = (m: string, re: RegExp) =>
      assert.throws(
        () => parseKeyRequestMessage(m),
        (e: unknown) => e instanceof KeyRequestError && re.test(e.message),
      );
    refuse(message.replace("artifact:samples", "artifact:adapter"), /statement does not say/);
    refuse(message.replace("key-request:artifact:samples", "key-request:contributions:4"), /names its model, artifact and recipient key/);
    refuse(
      message.replace(
        "- urn:modelfactory:key-request:model:2",
        "- urn:modelfactory:key-request:model:2\n- urn:modelfactory:key-request:job:9",
      ),
      /Unknown resource job in a "model" release request/,
    );
  });
});
