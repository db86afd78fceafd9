// Reads the built subgraph (build/subgraph.yaml, its schema, ABIs and wasm files) into what the
// runner executes: per data source, the event handlers keyed by topic0 with their ABI items.
// Manifest features the runner lacks fail here, by name.
import { readFile } from "node:fs/promises";
import path from "node:path";
import { toEventSelector, type AbiEvent, type Hex } from "viem";
import { parse } from "yaml";
import { RunnerError } from "./errors.ts";

export type EventHandler = { signature: string; handler: string; topic0: Hex; event: AbiEvent };

export type DataSource = {
  name: string;
  network: string;
  address: string;
  startBlock: number;
  wasmFile: string;
  handlers: Map<Hex, EventHandler>;
};

export type SubgraphManifest = {
  dir: string;
  schemaFile: string;
  dataSources: DataSource[];
};

type RawDataSource = {
  kind?: string;
  name: string;
  network?: string;
  source?: { address?: string; abi?: string; startBlock?: number };
  mapping?: {
    file?: string;
    abis?: { name: string; file: string }[];
    eventHandlers?: {
      event: string;
      handler: string;
      receipt?: boolean;
      topic1?: unknown;
      topic2?: unknown;
      topic3?: unknown;
      calls?: unknown;
    }[];
    callHandlers?: unknown[];
    blockHandlers?: unknown[];
  };
};

/** `Event(indexed uint256,address)` → its canonical form and which inputs are indexed. */
function parseSignature(signature: string): { name: string; types: string[]; indexed: boolean[] } {
  const m = /^(\w+)\((.*)\)$/.exec(signature.replace(/\s+/g, " ").trim());
  if (!m) throw new RunnerError(`Cannot parse event signature "${signature}".`);
  const parts = m[2] === "" ? [] : m[2]!.split(",").map((p) => p.trim());
  return {
    name: m[1]!,
    types: parts.map((p) => p.replace(/^indexed /, "")),
    indexed: parts.map((p) => p.startsWith("indexed ")),
  };
}

function canonicalType(input: { type: string; components?: readonly { type: string }[] }): string {
  if (input.type.startsWith("tuple")) {
    return `(${(input.components ?? []).map(canonicalType).join(",")})${input.type.slice(5)}`;
  }
  return input.type;
}

/** Loads build/subgraph.yaml as written by `graph build`. */
export async function loadManifest(buildDir: string): Promise<SubgraphManifest> {
  const file = path.join(buildDir, "subgraph.yaml");
  let text: string;
  try {
    text = await readFile(file, "utf8");
  } catch (cause) {
    throw new RunnerError(`No built subgraph at ${file}.`, {
      code: "SUBGRAPH_NOT_BUILT",
      details: "Build it first: `npm run build -w subgraph` (graph codegen && graph build).",
      cause,
    });
  }
  const raw = parse(text) as { schema: { file: string }; dataSources: RawDataSource[]; templates?: unknown[] };
  if (raw.templates && raw.templates.length > 0) {
    throw new RunnerError("Data source templates are not supported by the local runner.");
  }
  const dataSources: DataSource[] = [];
  for (const ds of raw.dataSources) {
    if (ds.kind !== "ethereum/contract" && ds.kind !== "ethereum") {
      throw new RunnerError(`Data source ${ds.name}: kind ${ds.kind} is not supported by the local runner.`);
    }
    const mapping = ds.mapping ?? {};
    if (mapping.callHandlers?.length) throw new RunnerError(`Data source ${ds.name}: call handlers are not supported.`);
    if (mapping.blockHandlers?.length) throw new RunnerError(`Data source ${ds.name}: block handlers are not supported.`);
    const abiEntry = mapping.abis?.find((a) => a.name === ds.source?.abi);
    if (!abiEntry || !mapping.file || !ds.source?.address) {
      throw new RunnerError(`Data source ${ds.name} lacks an address, its ABI or its mapping file.`);
    }
    const abi = JSON.parse(await readFile(path.join(buildDir, abiEntry.file), "utf8")) as AbiEvent[];
    const handlers = new Map<Hex, EventHandler>();
    for (const h of mapping.eventHandlers ?? []) {
      for (const unsupported of ["receipt", "topic1", "topic2", "topic3", "calls"] as const) {
        if (h[unsupported]) {
          throw new RunnerError(`Handler ${h.handler} of ${ds.name}: \`${unsupported}\` is not supported by the local runner.`);
        }
      }
      const sig = parseSignature(h.event);
      const event = abi.find(
        (item) =>
          item.type === "event" &&
          item.name === sig.name &&
          item.inputs.length === sig.types.length &&
          item.inputs.every((input, i) => canonicalType(input) === sig.types[i] && !!input.indexed === sig.indexed[i]),
      );
      if (!event) throw new RunnerError(`Data source ${ds.name}: event ${h.event} is not in ABI ${abiEntry.name}.`);
      const topic0 = toEventSelector(event);
      handlers.set(topic0, { signature: h.event, handler: h.handler, topic0, event });
    }
    dataSources.push({
      name: ds.name,
      network: ds.network ?? "",
      address: ds.source.address.toLowerCase(),
      startBlock: ds.source.startBlock ?? 0,
      wasmFile: path.join(buildDir, mapping.file),
      handlers,
    });
  }
  return { dir: buildDir, schemaFile: path.join(buildDir, raw.schema.file), dataSources };
}
