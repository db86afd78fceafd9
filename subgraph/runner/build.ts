// Loads what `graph build` produced for one deployment: the manifest, the schema model, one
// compiled mapping per data source, the data sources with the deployment's addresses and start
// blocks, and the fingerprint (schema + wasm + deployment) that tells a store built for
// something else.
import { createHash } from "node:crypto";
import { readFile } from "node:fs/promises";
import { CONTRACT_NAMES, type Deployment } from "@modelfactory/sdk";
import { RunnerError } from "./errors.ts";
import { loadManifest, type DataSource, type SubgraphManifest } from "./manifest.ts";
import { parseSchemaModel, type SchemaModel } from "./schema/model.ts";
import { MappingModule } from "./wasm/mapping.ts";

export type SubgraphBuild = {
  manifest: SubgraphManifest;
  schema: SchemaModel;
  /** Data sources with the deployment's address (lowercase) and start block. */
  dataSources: DataSource[];
  /** One loaded mapping per data source name. */
  mappings: Map<string, MappingModule>;
  /** 32 hex characters of sha256 over the schema, every mapping and the deployment. */
  fingerprint: string;
};

export async function loadBuild(buildDir: string, deployment: Deployment): Promise<SubgraphBuild> {
  const manifest = await loadManifest(buildDir);
  const schemaSource = await readFile(manifest.schemaFile, "utf8");
  const schema = parseSchemaModel(schemaSource);
  const mappings = new Map<string, MappingModule>();
  const hash = createHash("sha256").update(schemaSource);
  for (const ds of manifest.dataSources) {
    const handlers = [...ds.handlers.values()].map((h) => h.handler);
    mappings.set(ds.name, await MappingModule.load(ds.name, ds.wasmFile, handlers));
    hash.update(await readFile(ds.wasmFile));
  }
  hash.update(JSON.stringify(deployment));
  // Addresses and start blocks come from the deployment file, matched by data source name.
  const dataSources = manifest.dataSources.map((ds) => {
    const deployed = deployment.contracts[ds.name as (typeof CONTRACT_NAMES)[number]];
    if (!deployed) throw new RunnerError(`Data source ${ds.name} has no contract of that name in the deployment file.`);
    return { ...ds, address: deployed.address.toLowerCase(), startBlock: deployed.blockNumber };
  });
  return { manifest, schema, dataSources, mappings, fingerprint: hash.digest("hex").slice(0, 32) };
}
