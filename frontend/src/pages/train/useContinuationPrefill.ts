// The wizard's prefill for `/train?continue=<jobId>`: that job, its spec and the node that ran it.
import { useJob } from "../../data/hooks/useJob.ts";
import { useJobSpec } from "../../data/hooks/useJobSpec.ts";
import { useTrainerNodes } from "../../data/hooks/useTrainerNodes.ts";
import { describeError } from "@modelfactory/sdk";
import { useLocation } from "../../router/router.tsx";
import { continuationPrefill, type WizardPrefill } from "./continue-prefill.ts";

export function useContinuationPrefill(): { prefill: WizardPrefill | null; error: string | null } {
  const jobId = useLocation().search.get("continue") ?? "";
  const valid = /^[1-9]\d*$/.test(jobId);
  // Read only on /train?continue=…: a plain visit asks the index nothing.
  const job = useJob(jobId, { enabled: valid, follow: false });
  const spec = useJobSpec(valid ? job.data?.specURI : null);
  const nodes = useTrainerNodes();
  if (!jobId) return { prefill: null, error: null };
  if (!valid) return { prefill: null, error: `continue: "${jobId}" is not a job id (a whole number).` };
  const failed = job.error ?? spec.error;
  if (failed) return { prefill: null, error: `Job #${jobId} could not be read: ${describeError(failed)}` };
  if (job.data === null) return { prefill: null, error: `Job #${jobId} is not indexed.` };
  if (!job.data || !spec.data || !nodes.data) return { prefill: null, error: null };
  if (job.data.state !== "Failed" && job.data.state !== "Cancelled")
    return { prefill: null, error: `Job #${jobId} is ${job.data.state.toLowerCase()}: only a failed or cancelled job can be continued.` };
  const p = continuationPrefill(jobId, spec.data, job.data.trainer?.endpoint ?? null, nodes.data);
  return "error" in p ? { prefill: null, error: p.error } : { prefill: p, error: null };
}
