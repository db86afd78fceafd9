// Thin hook over inboxQueryOptions.
import { useQuery } from "@tanstack/react-query";
import { useAppConfig } from "../../config/context.tsx";
import { inboxQueryOptions } from "../queries/inbox-query.ts";

export function useInbox(account: string) {
  return useQuery(inboxQueryOptions(useAppConfig(), account));
}
