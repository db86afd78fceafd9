// Any JSON document from the content store (contribution metadata, purposes, specs).
import type { AppConfig } from "../../config/app-config.ts";
import { catJson } from "../../lib/content-api.ts";

export function fetchContentJson<T = unknown>(config: AppConfig, uri: string): Promise<T> {
  return catJson<T>(config.contentApiUrl, uri);
}
