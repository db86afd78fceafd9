// Deterministic pseudo-random test data (xorshift32), generated chunk by chunk so that large
// inputs never exist in memory whole.

export function deterministicBytes(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  fill(out, { state: seed >>> 0 || 1 });
  return out;
}

/** `total` bytes of the same sequence as deterministicBytes, as chunks of `chunkSize`. */
export async function* deterministicStream(total: number, chunkSize = 1 << 20, seed = 1): AsyncGenerator<Uint8Array> {
  const rng = { state: seed >>> 0 || 1 };
  for (let done = 0; done < total; done += chunkSize) {
    const chunk = new Uint8Array(Math.min(chunkSize, total - done));
    fill(chunk, rng);
    yield chunk;
  }
}

function fill(out: Uint8Array, rng: { state: number }): void {
  // Chunk sizes used are multiples of 4 except the last, so streams match whole buffers.
  let x = rng.state;
  for (let i = 0; i < out.length; i += 4) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    out[i] = x & 0xff;
    out[i + 1] = (x >>> 8) & 0xff;
    out[i + 2] = (x >>> 16) & 0xff;
    out[i + 3] = x >>> 24;
  }
  rng.state = x;
}
