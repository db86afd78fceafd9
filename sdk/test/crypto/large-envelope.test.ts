// A 100 MiB contribution is sealed and opened as a stream: resident memory grows by far less
// than its size (one 256 KiB chunk in flight on each side, plus what the runtime keeps).
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import { describe, it } from "node:test";
import { decryptEnvelope, encryptEnvelope, generateEncryptionKeyPair } from "../../src/index.ts";
import { deterministicStream } from "../content/data.ts";

const SIZE = 100 * 1024 * 1024 + 4321;
const MAX_GROWTH = 64 * 1024 * 1024;

describe("large envelopes", () => {
  it("encrypts and decrypts 100 MiB with bounded memory", async () => {
    const key = generateEncryptionKeyPair();
    const sent = createHash("sha256");
    const received = createHash("sha256");
    let sealedBytes = 0;
    globalThis.gc?.();
    const start = process.memoryUsage.rss();
    let peak = start;
    const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage.rss())), 20);
    try {
      async function* plaintext() {
        for await (const chunk of deterministicStream(SIZE)) {
          sent.update(chunk);
          yield chunk;
        }
      }
      async function* sealed() {
        for await (const c of encryptEnvelope(plaintext(), { recipients: [key.publicKey] })) {
          sealedBytes += c.length;
          yield c;
        }
      }
      // Chunks already hashed are garbage; collecting it every 16 MiB (the SDK's tests run with
      // --expose-gc) keeps what is measured to what the stream holds, not to when V8 collects.
      let n = 0;
      for await (const chunk of decryptEnvelope(sealed(), { secretKey: key.secretKey })) {
        received.update(chunk);
        if (++n % 64 === 0) globalThis.gc?.();
      }
    } finally {
      clearInterval(timer);
    }
    const growth = Math.max(peak, process.memoryUsage.rss()) - start;
    assert.equal(received.digest("hex"), sent.digest("hex"));
    assert.ok(sealedBytes > SIZE && sealedBytes < SIZE + 16 * (SIZE / (256 * 1024) + 2) + 1024, `sealed size ${sealedBytes}`);
    assert.ok(
      growth < MAX_GROWTH,
      `RSS grew by ${(growth / 2 ** 20).toFixed(1)} MiB sealing and opening ${(SIZE / 2 ** 20).toFixed(0)} MiB`,
    );
  });
});
