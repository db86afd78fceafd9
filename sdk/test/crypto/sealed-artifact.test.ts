// Sealed model artifacts: an adapter archive and a report's private samples open for every
// recipient and for a released data key, the plaintext hash is checked against the expected
// (on-chain) one, and edited, truncated or foreign envelopes are refused with their codes; opened
// private samples are checked against the hashes the public report commits to.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  collectBytes,
  dataKeyFromHeader,
  encodePrivateSamples,
  EnvelopeError,
  generateEncryptionKeyPair,
  openArtifact,
  openPrivateSamples,
  parsePrivateSamples,
  newSampleSalts,
  privateSamplesCommitment,
  sampleHash,
  PRIVATE_SAMPLES_SCHEMA,
  readEnvelopeHeader,
  sealArtifact,
} from "../../src/index.ts";
import { bytesToHex } from "viem";

const datanetA = generateEncryptionKeyPair();
const datanetB = generateEncryptionKeyPair();
const builder = generateEncryptionKeyPair();
const outsider = generateEncryptionKeyPair();
const code = (c: string) => (e: unknown) => e instanceof EnvelopeError && e.code === c;
// A stand-in for an adapter tar: several chunks' worth of bytes that are not all alike.
const archive = Uint8Array.from({ length: 700_000 }, (_, i) => (i * 131 + (i >> 9)) & 0xff);
const sha = (b: Uint8Array) => `0x${createHash("sha256").update(b).digest("hex")}` as const;

describe("sealed model artifacts", () => {
  it("opens for every recipient and for a data key, and its hash is the plaintext's SHA-256", async () => {
    const sealed = sealArtifact(archive, { recipients: [datanetA.publicKey, datanetB.publicKey, builder.publicKey], chunkSize: 64 * 1024 });
    assert.equal(sealed.sha256, sha(archive));
    const envelope = await collectBytes(sealed.envelope);
    assert.ok(!Buffer.from(envelope).includes(Buffer.from(archive.subarray(1000, 1064))), "plaintext visible in the envelope");
    for (const k of [datanetA, datanetB, builder])
      assert.deepEqual(await openArtifact([envelope], { secretKey: k.secretKey }, { sha256: sealed.sha256 }), archive);
    const header = await readEnvelopeHeader([envelope]);
    const dataKey = dataKeyFromHeader(header, datanetB.secretKey, bytesToHex(datanetB.publicKey));
    assert.deepEqual(await openArtifact([envelope], { dataKey }), archive);
  });

  it("refuses an outsider, edited or truncated ciphertext, and bytes that are not the expected ones", async () => {
    const sealed = sealArtifact(archive, { recipients: [datanetA.publicKey, builder.publicKey], chunkSize: 64 * 1024 });
    const envelope = await collectBytes(sealed.envelope);
    await assert.rejects(openArtifact([envelope], { secretKey: outsider.secretKey }), code("ENVELOPE_NOT_A_RECIPIENT"));
    const edited = envelope.slice();
    edited[edited.length - 200]! ^= 0x01;
    await assert.rejects(openArtifact([edited], { secretKey: builder.secretKey }), code("ENVELOPE_AUTH_FAILED"));
    await assert.rejects(
      openArtifact([envelope.subarray(0, envelope.length - 64 * 1024)], { secretKey: builder.secretKey }),
      (e: unknown) => e instanceof EnvelopeError && /ENVELOPE_(TRUNCATED|AUTH_FAILED)/.test(e.code),
    );
    // A genuine envelope of other bytes: it authenticates but is not the artifact the chain names.
    const other = await collectBytes(sealArtifact(archive.subarray(1), { recipients: [builder.publicKey] }).envelope);
    await assert.rejects(
      openArtifact([other], { secretKey: builder.secretKey }, { sha256: sealed.sha256 }),
      (e: unknown) => code("ARTIFACT_HASH_MISMATCH")(e) && /does not match the expected/.test((e as Error).message),
    );
    await assert.rejects(openArtifact([envelope], { secretKey: builder.secretKey }, { maxBytes: 1000 }), code("ARTIFACT_TOO_LARGE"));
  });

  it("round-trips private samples and refuses another job's, or malformed ones", async () => {
    const samples = [
      { prompt: "What does the <b>compost</b> note say?", reference: "Turn it weekly.", base: "I don't know.", tuned: "Turn it weekly." },
    ];
    const bytes = encodePrivateSamples({ schema: PRIVATE_SAMPLES_SCHEMA, jobId: "7", samples });
    const envelope = await collectBytes(sealArtifact(bytes, { recipients: [datanetA.publicKey, builder.publicKey] }).envelope);
    const opened = parsePrivateSamples(await openArtifact([envelope], { secretKey: builder.secretKey }), "7");
    assert.deepEqual(opened.samples, samples);
    assert.throws(
      () => parsePrivateSamples(bytes, "8"),
      (e: unknown) => code("PRIVATE_SAMPLES_INVALID")(e) && /"jobId" must be "8"/.test((e as Error).message),
    );
    const bad = new TextEncoder().encode(
      JSON.stringify({ schema: PRIVATE_SAMPLES_SCHEMA, jobId: "7", samples: [{ prompt: 1, reference: "", base: "", tuned: "" }] }),
    );
    assert.throws(() => parsePrivateSamples(bad, "7"), /"samples\[0\]\.prompt" must be a string/);
    assert.throws(() => parsePrivateSamples(new Uint8Array([0xff, 0xfe]), "7"), /not UTF-8 JSON/);
  });

  it("commits the public report to the private samples: the document's SHA-256 and each sample's salted hash, checked on opening", () => {
    const samples = [
      { prompt: "When is the shed open?", reference: "Saturdays 9 to 12.", base: "Always.", tuned: "Saturdays 9 to 12." },
      { prompt: "Who holds the key?", reference: "The Tuesday lead.", base: "Nobody.", tuned: "The Tuesday lead." },
    ];
    const sampleSalts = newSampleSalts(2);
    assert.notEqual(sampleSalts[0], sampleSalts[1]);
    const bytes = encodePrivateSamples({ schema: PRIVATE_SAMPLES_SCHEMA, jobId: "7", samples, sampleSalts });
    const commitment = privateSamplesCommitment(bytes, "7");
    assert.equal(commitment.sha256, sha(bytes));
    assert.deepEqual(
      commitment.sampleHashes,
      samples.map((x, i) => sampleHash(x, sampleSalts[i]!)),
    );
    // The public commitment quotes nothing, and without the salt a guessed record does not check.
    assert.doesNotMatch(JSON.stringify(commitment), /shed|key|Tuesday/);
    assert.notEqual(sampleHash(samples[0]!, `0x${"00".repeat(32)}`), commitment.sampleHashes[0]);
    assert.deepEqual(openPrivateSamples(bytes, "7", commitment), {
      document: { schema: PRIVATE_SAMPLES_SCHEMA, jobId: "7", samples, sampleSalts },
      verified: true,
    });
    // One sample proves itself (with its salt) against the report without the others.
    assert.equal(sampleHash({ ...samples[1]! }, sampleSalts[1]!), commitment.sampleHashes[1]);
    assert.notEqual(sampleHash({ ...samples[1]!, tuned: "The Monday lead." }, sampleSalts[1]!), commitment.sampleHashes[1]);

    const edited = encodePrivateSamples({
      schema: PRIVATE_SAMPLES_SCHEMA,
      jobId: "7",
      samples: [samples[0]!, { ...samples[1]!, tuned: "The Monday lead." }],
      sampleSalts,
    });
    assert.throws(
      () => openPrivateSamples(edited, "7", commitment),
      (e: unknown) => code("PRIVATE_SAMPLES_MISMATCH")(e) && /their SHA-256 is 0x[0-9a-f]{64}, the report names/.test((e as Error).message),
    );
    assert.throws(
      () => openPrivateSamples(edited, "7", { sampleHashes: commitment.sampleHashes }),
      (e: unknown) => code("PRIVATE_SAMPLES_MISMATCH")(e) && /sample 1 differs from its hash/.test((e as Error).message),
    );
    const fewer = encodePrivateSamples({
      schema: PRIVATE_SAMPLES_SCHEMA,
      jobId: "7",
      samples: [samples[0]!],
      sampleSalts: [sampleSalts[0]!],
    });
    assert.throws(() => openPrivateSamples(fewer, "7", { sampleHashes: commitment.sampleHashes }), /hold 1 samples, the report names 2/);
    // Salts are checked at the boundary; a document without them has nothing to commit to.
    assert.throws(
      () => encodePrivateSamples({ schema: PRIVATE_SAMPLES_SCHEMA, jobId: "7", samples, sampleSalts: [sampleSalts[0]!] }),
      /"sampleSalts" must list one salt per sample \(2\)/,
    );
    assert.throws(
      () => encodePrivateSamples({ schema: PRIVATE_SAMPLES_SCHEMA, jobId: "7", samples, sampleSalts: [sampleSalts[0]!, "0x12"] }),
      /"sampleSalts\[1\]" must be 32 bytes/,
    );
    const unsalted = encodePrivateSamples({ schema: PRIVATE_SAMPLES_SCHEMA, jobId: "7", samples });
    assert.throws(() => privateSamplesCommitment(unsalted, "7"), /carry no sampleSalts/);
    // A report written before the commitment existed: read, but not called verified.
    assert.equal(openPrivateSamples(unsalted, "7", {}).verified, false);
  });
});
