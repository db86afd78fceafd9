// Shared paths and helpers for dataset tests. Set UPDATE_FIXTURES=1 to rewrite expected files
// after an intended change, then review the diff: the files are the specification.

import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const FIXTURES = path.join(path.dirname(fileURLToPath(import.meta.url)), "..", "fixtures", "dataset");
export const GOLDEN = path.join(FIXTURES, "golden");
export const BAD = path.join(FIXTURES, "bad");
export const UPDATE = process.env.UPDATE_FIXTURES === "1";

/** Reads `file`, or writes `actual` to it first when UPDATE_FIXTURES=1. */
export function expectedFile(file: string, actual: string | Uint8Array): Buffer {
  if (UPDATE) writeFileSync(file, actual);
  return readFileSync(file);
}
