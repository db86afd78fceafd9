// The runner allocates graph-ts objects by `TypeId` discriminant (wasm/asc-heap.ts); a wrong
// number makes the mapping's `id_of_type` hand back another class, and the mapping reads
// garbage. So every discriminant the runner uses must equal the installed graph-ts's.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { describe, it } from "node:test";
import { TypeId } from "../runner/wasm/asc-heap.ts";

/** `export enum TypeId { Name = N, … }` of graph-ts's global/global.ts, comments aside. */
function installedTypeIds(): { version: string; ids: Map<string, number> } {
  const require = createRequire(path.join(import.meta.dirname, "../package.json"));
  const pkgFile = require.resolve("@graphprotocol/graph-ts/package.json");
  const version = (JSON.parse(readFileSync(pkgFile, "utf8")) as { version: string }).version;
  const source = readFileSync(path.join(path.dirname(pkgFile), "global/global.ts"), "utf8");
  const body = /export enum TypeId \{([\s\S]*?)\n\}/.exec(source)?.[1];
  assert.ok(body, "graph-ts's global/global.ts has no `export enum TypeId` any more");
  const code = body.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
  const ids = new Map<string, number>();
  for (const m of code.matchAll(/(\w+)\s*=\s*(\d+)/g)) ids.set(m[1]!, Number(m[2]));
  return { version, ids };
}

describe("AssemblyScript type ids", () => {
  const { version, ids } = installedTypeIds();

  it("reads graph-ts's enum (sanity: known members at known places)", () => {
    assert.ok(ids.size > 100, `only ${ids.size} TypeId members parsed from graph-ts ${version}`);
    assert.equal(ids.get("String"), 0);
    assert.equal(ids.get("TransactionReceipt"), 1000);
  });

  it("every TypeId the runner allocates has the installed graph-ts's name and number", () => {
    const wrong = Object.entries(TypeId)
      .filter(([name, id]) => ids.get(name) !== id)
      .map(([name, id]) => `${name}: runner ${id}, graph-ts ${version} ${ids.get(name) ?? "has no such member"}`);
    assert.deepEqual(wrong, []);
  });
});
