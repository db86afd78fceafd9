// Inputs of the envelope test vectors (sdk/ENVELOPE.md): every random value fixed.
import { hexToBytes } from "viem";

const bytes = (fill: number, n: number) => new Uint8Array(n).fill(fill);
export const VECTOR_INPUTS = {
  datanetSecret: bytes(0x11, 32),
  contributorSecret: bytes(0x22, 32),
  dataKey: bytes(0x33, 32),
  noncePrefix: hexToBytes("0x44444444444444"),
  ephemeralSecrets: [bytes(0x55, 32), bytes(0x66, 32)],
  salt: bytes(0x77, 32),
  chunkSize: 16,
  plaintext: new TextEncoder().encode('{"schema":"modelfactory.record/1","kind":"text","text":"Water seedlings at dawn."}\n'),
};
