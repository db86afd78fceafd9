// The envelope format: round trips for every recipient, the committed test vector, agreement of
// the two AES-GCM backends, and refusal of edited, reordered, truncated and extended envelopes.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex, hexToBytes } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import {
  collectBytes,
  decryptEnvelope,
  encryptEnvelope,
  encryptionKeyFromSignature,
  encryptionKeyMessage,
  encryptionKeyPairFromSecret,
  EnvelopeError,
  generateEncryptionKeyPair,
  openContribution,
  readEnvelopeHeader,
  sealContribution,
  unwrapDataKey,
  wrapDataKey,
} from "../../src/index.ts";
import { VECTOR_INPUTS as v } from "./vectors.ts";

const datanet = generateEncryptionKeyPair();
const contributor = generateEncryptionKeyPair();
const recipients = [datanet.publicKey, contributor.publicKey];
const data = (n: number) => Uint8Array.from({ length: n }, (_, i) => (i * 31 + 7) & 0xff);
const code = (c: string) => (e: unknown) => e instanceof EnvelopeError && e.code === c;

/** The envelope's bytes cut into its prefix and sealed chunks (chunk size 16 → 32-byte chunks). */
function cut(envelope: Uint8Array, chunkSize: number) {
  const headerLength = new DataView(envelope.buffer, envelope.byteOffset).getUint32(6);
  const prefix = envelope.slice(0, 10 + headerLength);
  const chunks: Uint8Array[] = [];
  for (let o = prefix.length; o < envelope.length; o += chunkSize + 16)
    chunks.push(envelope.slice(o, Math.min(o + chunkSize + 16, envelope.length)));
  return { prefix, chunks };
}

describe("envelope", () => {
  it("round-trips any length for every recipient, in bounded pieces", async () => {
    for (const n of [0, 1, 15, 16, 17, 48, 1000]) {
      const plain = data(n);
      const sealed = await collectBytes(encryptEnvelope([plain.subarray(0, 5), plain.subarray(5)], { recipients, chunkSize: 16 }));
      for (const secretKey of [datanet.secretKey, contributor.secretKey]) {
        assert.deepEqual(await collectBytes(decryptEnvelope([sealed], { secretKey })), plain, `length ${n}`);
      }
      // Fed one byte at a time, it yields the same.
      assert.deepEqual(
        await collectBytes(
          decryptEnvelope(
            Array.from(sealed, (b) => Uint8Array.of(b)),
            { secretKey: datanet.secretKey },
          ),
        ),
        plain,
      );
    }
  });

  it("opens with a data key a key service re-wrapped, and not for anyone else", async () => {
    const sealed = await collectBytes(encryptEnvelope([data(100)], { recipients }));
    const header = await readEnvelopeHeader([sealed]);
    assert.equal(header.recipients.length, 2);
    const dataKey = unwrapDataKey(header.recipients[0]!, datanet.secretKey);
    const requester = generateEncryptionKeyPair();
    const rewrapped = wrapDataKey(dataKey, requester.publicKey);
    assert.deepEqual(await collectBytes(decryptEnvelope([sealed], { dataKey: unwrapDataKey(rewrapped, requester.secretKey) })), data(100));
    await assert.rejects(collectBytes(decryptEnvelope([sealed], { secretKey: requester.secretKey })), code("ENVELOPE_NOT_A_RECIPIENT"));
    assert.throws(() => unwrapDataKey(rewrapped, datanet.secretKey), code("ENVELOPE_NOT_A_RECIPIENT"));
    assert.throws(
      () =>
        unwrapDataKey(
          { ...rewrapped, wrappedKey: bytesToHex(hexToBytes(rewrapped.wrappedKey).map((b, i) => (i === 0 ? b ^ 1 : b))) },
          requester.secretKey,
        ),
      code("ENVELOPE_AUTH_FAILED"),
    );
  });

  it("matches the committed test vector, with WebCrypto and with @noble/ciphers alike", async () => {
    const vector = JSON.parse(readFileSync(new URL("../fixtures/envelope/vector-1.json", import.meta.url), "utf8")) as {
      datanetPublicKey: `0x${string}`;
      contributorPublicKey: `0x${string}`;
      contentHash: `0x${string}`;
      envelope: `0x${string}`;
    };
    const keys = [encryptionKeyPairFromSecret(v.datanetSecret).publicKey, encryptionKeyPairFromSecret(v.contributorSecret).publicKey];
    assert.equal(bytesToHex(keys[0]!), vector.datanetPublicKey);
    for (const backend of ["webcrypto", "noble"] as const) {
      const fixed = { dataKey: v.dataKey, noncePrefix: v.noncePrefix, ephemeralSecrets: v.ephemeralSecrets };
      const sealed = sealContribution(v.plaintext, { recipients: keys, chunkSize: v.chunkSize, salt: v.salt, fixed, backend });
      assert.equal(sealed.contentHash, vector.contentHash);
      assert.equal(bytesToHex(await collectBytes(sealed.envelope)), vector.envelope, backend);
      const opened = await collectBytes(decryptEnvelope([hexToBytes(vector.envelope)], { secretKey: v.contributorSecret }, { backend }));
      assert.deepEqual(opened, new Uint8Array([...v.salt, ...v.plaintext]));
    }
    assert.equal(vector.contentHash, bytesToHex(sha256(new Uint8Array([...v.salt, ...v.plaintext]))));
  });

  it("refuses edited, reordered, truncated and extended envelopes, naming the chunk", async () => {
    const sealed = await collectBytes(encryptEnvelope([data(80)], { recipients, chunkSize: 16 }));
    const { prefix, chunks } = cut(sealed, 16);
    assert.equal(chunks.length, 6); // five full chunks and an empty last one
    const open = (parts: Uint8Array[]) => collectBytes(decryptEnvelope(parts, { secretKey: datanet.secretKey }));
    const flipped = chunks.map((c, i) => (i === 2 ? c.map((b, j) => (j === 3 ? b ^ 0x80 : b)) : c));
    await assert.rejects(
      open([prefix, ...flipped]),
      (e: unknown) => code("ENVELOPE_AUTH_FAILED")(e) && /Chunk 2 /.test((e as Error).message),
    );
    await assert.rejects(open([prefix, chunks[1]!, chunks[0]!, ...chunks.slice(2)]), code("ENVELOPE_AUTH_FAILED"));
    await assert.rejects(
      open([prefix, ...chunks.slice(0, 3)]),
      (e: unknown) => code("ENVELOPE_TRUNCATED")(e) && /ends after chunk 2/.test((e as Error).message),
    );
    await assert.rejects(open([prefix, ...chunks.slice(0, 5)]), code("ENVELOPE_TRUNCATED"));
    await assert.rejects(open([prefix, ...chunks, chunks[5]!]), code("ENVELOPE_AUTH_FAILED"));
    await assert.rejects(open([prefix, ...chunks.slice(0, 2), chunks[2]!.subarray(0, 20)]), code("ENVELOPE_AUTH_FAILED"));
    await assert.rejects(open([prefix]), code("ENVELOPE_TRUNCATED"));
    // Chunks are opened several at a time, but failures come in stream order: an edited chunk
    // before a cut-off end is named as edited; a later chunk's failure never goes unhandled.
    await assert.rejects(
      open([prefix, chunks[0]!, chunks[1]!.map((b, j) => (j === 0 ? b ^ 1 : b)), chunks[2]!]),
      (e: unknown) => code("ENVELOPE_AUTH_FAILED")(e) && /Chunk 1 /.test((e as Error).message),
    );
    await assert.rejects(
      open([prefix, ...flipped.map((c, i) => (i === 4 ? c.map((b) => b ^ 1) : c))]),
      (e: unknown) => code("ENVELOPE_AUTH_FAILED")(e) && /Chunk 2 /.test((e as Error).message),
    );
    // The header is authenticated by every chunk: a changed chunk size or a copied-in recipient fails.
    const header = JSON.parse(new TextDecoder().decode(prefix.subarray(10))) as { chunkSize: number };
    const edited = new TextEncoder().encode(JSON.stringify({ ...header, chunkSize: 17 }).replace(/ /g, ""));
    const editedPrefix = new Uint8Array([...prefix.subarray(0, 6), 0, 0, edited.length >> 8, edited.length & 0xff, ...edited]);
    await assert.rejects(open([editedPrefix, ...chunks]), code("ENVELOPE_AUTH_FAILED"));
    await assert.rejects(
      open([new TextEncoder().encode('{"schema":"modelfactory.record/1"}')]),
      (e: unknown) => code("ENVELOPE_MALFORMED")(e) && /not a ModelFactory envelope/.test((e as Error).message),
    );
  });

  it("seals a contribution under a salted hash that only the envelope's readers can check", async () => {
    const canonical = data(5000);
    const sealed = sealContribution(canonical, { recipients });
    const envelope = await collectBytes(sealed.envelope);
    assert.notEqual(sealed.contentHash, bytesToHex(sha256(canonical)), "the chain's hash is not the unsalted hash of the text");
    const opened = openContribution([envelope], { secretKey: contributor.secretKey });
    assert.deepEqual(await collectBytes(opened.bytes), canonical);
    const { contentHash, salt } = await opened.done();
    assert.equal(contentHash, sealed.contentHash);
    assert.equal(bytesToHex(sha256(new Uint8Array([...salt, ...canonical]))), contentHash);
    // Two seals of the same bytes share nothing an outsider can compare.
    const again = sealContribution(canonical, { recipients });
    assert.notEqual(again.contentHash, sealed.contentHash);
  });

  it("derives the same encryption key from the same wallet signature, and another for another account", async () => {
    const alice = privateKeyToAccount("0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d");
    const bob = privateKeyToAccount("0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a");
    const message = encryptionKeyMessage(alice.address, 31337);
    assert.match(message, /chain 31337/);
    const k1 = encryptionKeyFromSignature(await alice.signMessage({ message }));
    const k2 = encryptionKeyFromSignature(await alice.signMessage({ message }));
    const k3 = encryptionKeyFromSignature(await bob.signMessage({ message: encryptionKeyMessage(bob.address, 31337) }));
    assert.deepEqual(k1.publicKey, k2.publicKey);
    assert.notDeepEqual(k1.publicKey, k3.publicKey);
    assert.throws(() => encryptionKeyFromSignature("0x1234"), code("ENVELOPE_BAD_KEY"));
  });
});
