// Query options for a Datanet's encryption key as bound on chain (readDatanetKey).
import { queryOptions } from "@tanstack/react-query";
import type { AppConfig } from "../../config/app-config.ts";
import { readDatanetKey } from "../../lib/datanet-key.ts";

export function datanetKeyQueryOptions(config: AppConfig, datanetId: string) {
  return queryOptions({ queryKey: ["datanet-key", datanetId] as const, queryFn: () => readDatanetKey(config, datanetId) });
}
