// Sealed contributions (permissioned Datanets): what the content store and the public metadata
// hold is ciphertext and salted hashes only; a trainer with the released data key reads the
// records and checks them against the on-chain hash; edited ciphertext fails naming the
// contribution.
import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, describe, it } from "node:test";
import { readContent } from "../../src/content/index.ts";
import { createEmbeddedContentStore, type EmbeddedContentStore } from "../../src/content/node.ts";
import { generateEncryptionKeyPair, readEnvelopeHeader, unwrapDataKey } from "../../src/crypto/index.ts";
import { prepareContribution, readContributions, sha256Hex, storeSealedContribution } from "../../src/dataset/index.ts";

const text = "Tomatoes go in after the last frost, 60 cm apart, on the south bed.";
const file = new TextEncoder().encode(`${JSON.stringify({ instruction: "When do tomatoes go in?", output: text })}\n`);

describe("sealed contributions", () => {
  let directory: string;
  let store: EmbeddedContentStore;
  before(async () => {
    directory = await mkdtemp(path.join(tmpdir(), "mf-sealed-"));
    store = await createEmbeddedContentStore({ directory });
  });
  after(async () => {
    await store.close();
    await rm(directory, { recursive: true, force: true });
  });

  it("stores ciphertext and public metadata with no guessable hash, and reads back with the data key", async () => {
    const datanet = generateEncryptionKeyPair();
    const contributor = generateEncryptionKeyPair();
    const prepared = await prepareContribution({ bytes: file, fileName: "garden.jsonl" });
    const stored = await storeSealedContribution(
      store,
      prepared,
      { title: "Garden rules", license: "CC-BY-4.0" },
      { recipients: [datanet.publicKey, contributor.publicKey], datanetKeyVersion: 1 },
    );

    // An outsider with the CIDs: ciphertext, and metadata that names neither the text nor its plain hash.
    const envelope = await readContent(store, stored.cid);
    assert.ok(!new TextDecoder().decode(envelope).includes("Tomatoes"));
    const metadata = new TextDecoder().decode(await readContent(store, stored.metadataCid));
    assert.ok(
      !metadata.includes(prepared.contentHash.slice(2)) && !metadata.includes(prepared.cid.toString()),
      "the metadata names the unsealed hash or CID",
    );
    assert.equal(stored.metadata.encryption?.datanetKeyVersion, 1);
    assert.notEqual(stored.contentHash, await sha256Hex(prepared.bytes));

    const ref = { id: 7n, cid: stored.cid, contentHash: stored.contentHash };
    const [withoutKey] = await readContributions(store, [ref]);
    assert.ok(!withoutKey!.ok && withoutKey!.error.code === "CONTRIBUTION_SEALED");

    const header = await readEnvelopeHeader([envelope]);
    const dataKey = unwrapDataKey(header.recipients[0]!, datanet.secretKey);
    const [read] = await readContributions(store, [{ ...ref, dataKey }]);
    assert.ok(read!.ok);
    assert.deepEqual(read!.records, prepared.records);

    // The on-chain hash is checked after decryption.
    const [wrongHash] = await readContributions(store, [{ ...ref, dataKey, contentHash: await sha256Hex(prepared.bytes) }]);
    assert.ok(!wrongHash!.ok && wrongHash!.error.code === "CONTENT_HASH_MISMATCH");

    // Edited ciphertext (stored elsewhere, registered under the same hash) fails naming the contribution.
    const edited = envelope.slice();
    edited[edited.length - 20]! ^= 1;
    const [tampered] = await readContributions(store, [{ id: 8n, cid: await store.put(edited), contentHash: stored.contentHash, dataKey }]);
    assert.ok(!tampered!.ok && tampered!.error.code === "CONTRIBUTION_DECRYPT_FAILED");
    assert.match(tampered!.error.shortMessage, /^Contribution 8 does not decrypt: Chunk 0 of the envelope does not authenticate/);
    const [truncated] = await readContributions(store, [
      { id: 9n, cid: await store.put(envelope.subarray(0, envelope.length - 5)), contentHash: stored.contentHash, dataKey },
    ]);
    assert.ok(!truncated!.ok && truncated!.error.code === "CONTRIBUTION_DECRYPT_FAILED");

    // A key given for plaintext is refused: a permissioned Datanet's data must be sealed.
    const plain = await store.put(prepared.bytes);
    const [clear] = await readContributions(store, [{ id: 10n, cid: plain, contentHash: prepared.contentHash, dataKey }]);
    assert.ok(!clear!.ok && clear!.error.code === "CONTRIBUTION_NOT_SEALED");
  });
});
