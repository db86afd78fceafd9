// Live trainer nodes: the active nodes registered on chain (via the index) plus any configured
// ones, each asked for /health. Unreachable nodes are listed with their error, not dropped.
import type { NodeHealth } from "@modelfactory/sdk";
import type { AppConfig } from "../../config/app-config.ts";
import { errorSentence } from "../../lib/error-sentence.ts";
import { trainerApi } from "../../lib/trainer-api.ts";
import { indexerQuery } from "./indexer.ts";

export type TrainerNodeStatus = { url: string; operator: string | null; health: NodeHealth | null; error: string | null };

export async function fetchTrainerNodes(config: AppConfig): Promise<TrainerNodeStatus[]> {
  let registered: { id: string; endpoint: string }[] = [];
  let indexError: string | null = null;
  try {
    registered = (
      await indexerQuery<{ trainerNodes: { id: string; endpoint: string }[] }>(
        config,
        `{ trainerNodes(first: 100, where: { active: true, admitted: true }) { id endpoint } }`,
      )
    ).trainerNodes;
  } catch (error) {
    indexError = errorSentence(error);
  }
  const byUrl = new Map<string, string | null>();
  for (const n of registered) byUrl.set(n.endpoint.replace(/\/$/, ""), n.id);
  for (const url of config.trainerNodes) if (!byUrl.has(url)) byUrl.set(url, null);
  if (byUrl.size === 0 && indexError) throw new Error(indexError);
  return Promise.all(
    [...byUrl].map(async ([url, operator]) => {
      try {
        const health = await trainerApi.health(url, AbortSignal.timeout(4000));
        return { url, operator: operator ?? health.operator, health, error: null };
      } catch (error) {
        return { url, operator, health: null, error: errorSentence(error) };
      }
    }),
  );
}
