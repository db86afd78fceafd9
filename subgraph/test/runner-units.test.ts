// The runner's parts without a chain: import checking at load, number codecs, the sortable
// BigInt column encoding, store validation and rollback, schema and manifest features.
import assert from "node:assert/strict";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { describe, it } from "node:test";
import { renderManifest } from "../scripts/generate-manifest.ts";
import { loadDeployment } from "../runner/config.ts";
import { MappingError } from "../runner/errors.ts";
import { loadManifest } from "../runner/manifest.ts";
import { parseSchemaModel, pluralName } from "../runner/schema/model.ts";
import { EntityStore } from "../runner/store/entity-store.ts";
import { decodeBigInt, encodeBigInt, ValueKind, type KindedValue } from "../runner/store/values.ts";
import { MappingModule } from "../runner/wasm/mapping.ts";
import { bigIntFromLE, bigIntToLE, divDecimal, formatDecimal, parseDecimal } from "../runner/wasm/numbers.ts";
import { buildDir } from "./helpers/fixture.ts";

/** A wasm module whose only content is one function import `index.<name>`. */
function moduleImporting(name: string): Uint8Array {
  const text = (s: string) => [s.length, ...Buffer.from(s)];
  const imp = [1, ...text("index"), ...text(name), 0x00, 0x00];
  return Uint8Array.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0, 1, 4, 1, 0x60, 0, 0, 2, imp.length, ...imp]);
}

describe("mapping loading", () => {
  it("fails at load naming an import the runner does not provide", async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), "mf-wasm-"));
    try {
      for (const [name, pattern] of [
        ["ethereum.call", /ethereum\.call \(mappings must not make eth_call/],
        ["box.profile", /does not provide: box\.profile\./],
      ] as const) {
        const file = path.join(dir, `${name}.wasm`);
        await writeFile(file, moduleImporting(name));
        await assert.rejects(MappingModule.load("Broken", file, []), (e: unknown) => e instanceof MappingError && pattern.test(e.message));
      }
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
  it("loads the built mappings, whose imports are all provided", async () => {
    const manifest = await loadManifest(buildDir);
    assert.deepEqual(
      manifest.dataSources.map((d) => d.name),
      ["DatanetRegistry", "TrainerRegistry", "TrainingJobs", "AttributionLedger", "DatanetKeys"],
    );
    for (const ds of manifest.dataSources) {
      await MappingModule.load(
        ds.name,
        ds.wasmFile,
        [...ds.handlers.values()].map((h) => h.handler),
      );
    }
    assert.equal(manifest.dataSources[0]!.handlers.size, 16);
  });
});

describe("numbers", () => {
  it("BigInt round-trips through graph-node's signed little-endian bytes", () => {
    for (const n of [0n, 1n, -1n, 127n, 128n, -128n, -129n, 255n, 256n, 2n ** 255n, -(2n ** 255n), 2n ** 256n - 1n]) {
      assert.equal(bigIntFromLE(bigIntToLE(n)), n, String(n));
    }
    assert.deepEqual([...bigIntToLE(128n)], [0x80, 0x00]);
    assert.deepEqual([...bigIntToLE(-1n)], [0xff]);
  });
  it("BigDecimal parses, prints and divides to 34 significant digits", () => {
    assert.equal(formatDecimal(parseDecimal("1.500")), "1.5");
    assert.equal(formatDecimal(parseDecimal("-0.0012e3")), "-1.2");
    assert.equal(formatDecimal(parseDecimal("12e2")), "1200");
    assert.equal(formatDecimal(divDecimal(parseDecimal("1"), parseDecimal("3"))), "0." + "3".repeat(34));
    assert.throws(() => divDecimal(parseDecimal("1"), parseDecimal("0")), /divide by zero/);
  });
  it("the BigInt column encoding sorts numerically", () => {
    const values = [-(10n ** 40n), -1000n, -999n, -2n, -1n, 0n, 1n, 9n, 10n, 999n, 1000n, 10n ** 40n];
    const encoded = values.map(encodeBigInt);
    assert.deepEqual([...encoded].sort(), encoded);
    assert.deepEqual(encoded.map(decodeBigInt), values);
  });
});

describe("entity store", () => {
  const schema = parseSchemaModel(`
    enum Color { Red, Blue }
    type Thing @entity(immutable: false) { id: ID! count: Int! big: BigInt! color: Color note: String owner: Owner }
    type Owner @entity(immutable: false) { id: Bytes! things: [Thing!]! @derivedFrom(field: "owner") }
    type Log @entity(immutable: true) { id: ID! n: Int! }`);
  const v = (kind: number, value: unknown): KindedValue => ({ kind, value: value as never });
  const fields = (o: Record<string, KindedValue>) => new Map(Object.entries(o));

  it("validates, merges like graph-node, and rolls back to a block", () => {
    const store = new EntityStore(":memory:", schema);
    store.beginBlock({ number: 1, hash: "0x01" });
    assert.throws(() => store.set("Thing", "a", fields({ count: v(ValueKind.INT, 1) })), /missing value for non-nullable field `big`/);
    assert.throws(
      () => store.set("Thing", "a", fields({ count: v(ValueKind.STRING, "1"), big: v(ValueKind.BIGINT, 1n) })),
      /`count` is Int but the mapping set a String/,
    );
    assert.throws(
      () =>
        store.set("Thing", "a", fields({ count: v(ValueKind.INT, 1), big: v(ValueKind.BIGINT, 1n), color: v(ValueKind.STRING, "Green") })),
      /not a value of enum Color/,
    );
    assert.throws(() => store.set("Thing", "a", fields({ nope: v(ValueKind.INT, 1) })), /no field `nope`/);
    assert.throws(() => store.set("Nope", "a", fields({})), /Unknown entity type Nope/);
    assert.throws(() => store.set("Owner", "0xab", fields({ things: v(ValueKind.ARRAY, []) })), /derived/);
    store.set("Thing", "a", fields({ count: v(ValueKind.INT, 1), big: v(ValueKind.BIGINT, 5n), note: v(ValueKind.STRING, "x") }));
    store.set("Log", "l1", fields({ n: v(ValueKind.INT, 1) }));
    store.commit({ number: 1, hash: "0x01" }, [], 100);

    store.beginBlock({ number: 2, hash: "0x02" });
    store.set("Thing", "a", fields({ count: v(ValueKind.INT, 2) }));
    assert.deepEqual(store.get("Thing", "a"), { id: "a", count: 2, big: 5n, color: null, note: "x", owner: null }, "unset fields are kept");
    store.set("Thing", "a", fields({ note: v(ValueKind.NULL, null) }));
    assert.equal(store.get("Thing", "a")!.note, null, "a null value clears the field");
    assert.throws(() => store.set("Log", "l1", fields({ n: v(ValueKind.INT, 2) })), /immutable/);
    store.set("Thing", "b", fields({ count: v(ValueKind.INT, 7), big: v(ValueKind.BIGINT, -3n) }));
    store.commit({ number: 2, hash: "0x02" }, [], 100);
    assert.equal(store.get("Thing", "b")!.big, -3n);

    store.revertTo({ number: 1, hash: "0x01" });
    assert.deepEqual(store.get("Thing", "a"), { id: "a", count: 1, big: 5n, color: null, note: "x", owner: null });
    assert.equal(store.get("Thing", "b"), null);
    assert.equal(store.cursor()!.number, 1);
    store.close();
  });
});

describe("schema and manifest", () => {
  it("names collections as graph-node does", () => {
    assert.deepEqual(["Datanet", "AttributionBatch", "Protocol", "Account", "Entity", "Status", "Sheep"].map(pluralName), [
      "datanets",
      "attributionBatches",
      "protocols",
      "accounts",
      "entities",
      "statuses",
      "sheeps",
    ]);
  });
  it("rejects schema features the runner lacks, by name", () => {
    assert.throws(() => parseSchemaModel("interface Named { id: ID! }"), /interfaces are not supported/);
    assert.throws(() => parseSchemaModel('type T @entity(immutable: true) @fulltext(name: "x") { id: ID! }'), /fulltext search/);
    assert.throws(() => parseSchemaModel("type T @entity(timeseries: true) { id: Int8! }"), /timeseries/);
  });
  it("generates subgraph.yaml from a deployment file, never by hand", async () => {
    const template = await readFile(path.join(import.meta.dirname, "../subgraph.template.yaml"), "utf8");
    const deployment = await loadDeployment(path.join(import.meta.dirname, "fixtures/deployment.json"));
    const yaml = renderManifest(template, deployment, "hardhat");
    assert.match(yaml, /^# Generated by subgraph\/scripts\/generate-manifest\.ts for chain 31337\. Do not edit\./);
    assert.match(yaml, /address: "0x5fbdb2315678afecb367f032d93f642f64180aa3"/);
    assert.match(yaml, /network: "hardhat"/);
    assert.doesNotMatch(yaml, /\{\{/);
  });
  it("a missing deployment file is a clear error", async () => {
    await assert.rejects(loadDeployment("/nonexistent/31337.json"), /No deployment file at \/nonexistent\/31337\.json/);
  });
});
