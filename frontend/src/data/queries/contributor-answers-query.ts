// Query options for fetchContributorAnswers: cache key and fetcher, usable outside React (prefetch, tests).
import { queryOptions } from "@tanstack/react-query";
import type { AppConfig } from "../../config/app-config.ts";
import { fetchContributorAnswers } from "../actions/fetch-contributor-answers.ts";

export function contributorAnswersQueryOptions(config: AppConfig, address: string) {
  return queryOptions({
    queryKey: ["contributor-answers", address.toLowerCase()] as const,
    queryFn: () => fetchContributorAnswers(config, address),
  });
}
