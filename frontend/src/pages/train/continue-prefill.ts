// "Continue from checkpoint": the wizard's choices taken from a failed or cancelled job's spec, on
// the trainer node that ran it (only that node holds its checkpoint). The settings are that job's:
// the node refuses a continuation that changes them, naming the difference.
import type { BaseModelInfo, EvalSplit, FineTuneMethod, Hyperparameters, TrainingSpec } from "@modelfactory/sdk";
import type { TrainerNodeStatus } from "../../data/actions/fetch-trainer-nodes.ts";

export type WizardPrefill = {
  choice: { node: string; model: BaseModelInfo };
  selected: string[];
  method: FineTuneMethod;
  hp: Hyperparameters;
  evalFraction: number;
  evalSplit: EvalSplit;
  name: string;
  continueFrom: string;
  retrievalAugmented: TrainingSpec["retrievalAugmented"];
};

const same = (a: string, b: string) => a.replace(/\/$/, "") === b.replace(/\/$/, "");

/** The prefilled wizard, or a sentence saying why the job cannot be continued from here. */
export function continuationPrefill(
  jobId: string,
  spec: TrainingSpec,
  jobNode: string | null,
  nodes: readonly TrainerNodeStatus[],
): WizardPrefill | { error: string } {
  if (!jobNode) return { error: `Job #${jobId} names no trainer node, so no node holds a checkpoint of it.` };
  const node = nodes.find((n) => same(n.url, jobNode));
  if (!node?.health?.ok)
    return { error: `The trainer node that ran job #${jobId} (${jobNode}) is not reachable: only it holds the job's checkpoint.` };
  const model = node.health.baseModels.find((m) => m.id === spec.baseModel);
  if (!model) return { error: `The trainer node that ran job #${jobId} no longer has its base model "${spec.baseModel}".` };
  return {
    choice: { node: node.url, model },
    selected: [...spec.datanetIds],
    method: spec.method,
    hp: spec.hyperparameters,
    evalFraction: spec.evalFraction,
    evalSplit: spec.evalSplit ?? "contribution",
    name: `${spec.name} (continued from #${jobId})`.slice(0, 200),
    continueFrom: jobId,
    retrievalAugmented: spec.retrievalAugmented,
  };
}
