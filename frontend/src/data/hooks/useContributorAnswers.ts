// Thin hook over contributorAnswersQueryOptions.
import { useQuery } from "@tanstack/react-query";
import { useAppConfig } from "../../config/context.tsx";
import { contributorAnswersQueryOptions } from "../queries/contributor-answers-query.ts";

export function useContributorAnswers(address: string) {
  return useQuery(contributorAnswersQueryOptions(useAppConfig(), address));
}
