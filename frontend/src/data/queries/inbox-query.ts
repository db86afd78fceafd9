// Query options for fetchApproverInbox: cache key and fetcher, usable outside React (prefetch, tests).
import { queryOptions } from "@tanstack/react-query";
import type { AppConfig } from "../../config/app-config.ts";
import { fetchApproverInbox } from "../actions/fetch-approver-inbox.ts";

export function inboxQueryOptions(config: AppConfig, account: string) {
  return queryOptions({ queryKey: ["inbox", account.toLowerCase()] as const, queryFn: () => fetchApproverInbox(config, account) });
}
