// Reads a Datanet's metadata document from the content store (immutable by CID, so cached forever).
import type { AppConfig } from "../../config/app-config.ts";
import { catJson } from "../../lib/content-api.ts";
import { readDatanetMetadata, type DatanetMetadata } from "../datanet-metadata.ts";

const cache = new Map<string, Promise<DatanetMetadata | null>>();

export function fetchDatanetMetadata(config: AppConfig, uri: string): Promise<DatanetMetadata | null> {
  let p = cache.get(uri);
  if (!p) {
    p = catJson<unknown>(config.contentApiUrl, uri).then(readDatanetMetadata, () => null);
    cache.set(uri, p);
    void p.then((m) => m === null && cache.delete(uri));
  }
  return p;
}
