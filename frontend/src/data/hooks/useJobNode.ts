// Which trainer node to ask about a job: the one holding it on chain, else the first live node.
import type { TrainingJobEntity } from "../types.ts";
import { useTrainerNodes } from "./useTrainerNodes.ts";

export function useJobNode(job: Pick<TrainingJobEntity, "trainer"> | null | undefined): string | null {
  const nodes = useTrainerNodes();
  if (job?.trainer?.endpoint) return job.trainer.endpoint.replace(/\/$/, "");
  return nodes.data?.find((n) => n.health?.ok)?.url ?? null;
}
