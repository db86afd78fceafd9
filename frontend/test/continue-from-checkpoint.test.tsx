// "Continue from checkpoint": offered on failed or cancelled jobs a node ran; the wizard is
// prefilled with the job's own settings on the node that ran it (only it holds the checkpoint),
// and says in one sentence why when that node or its base model is gone.
import { describe, expect, it } from "vitest";
import { buildTrainingSpec, SPEC_PRESETS, type BaseModelInfo, type NodeHealth } from "@modelfactory/sdk";
import type { TrainerNodeStatus } from "../src/data/actions/fetch-trainer-nodes.ts";
import { canContinue } from "../src/pages/jobs/JobPage.tsx";
import { continuationPrefill } from "../src/pages/train/continue-prefill.ts";

const model: BaseModelInfo = {
  id: "smollm2-135m",
  name: "SmolLM2",
  architecture: "llama",
  parameters: 1,
  contextLength: 2048,
  sizeBytes: 1,
  methods: ["lora", "qlora"],
  hasChatTemplate: true,
};
const health = (baseModels: BaseModelInfo[]): NodeHealth => ({
  ok: true,
  version: "1",
  operator: "0x0000000000000000000000000000000000000001",
  chainId: 31337,
  device: "cpu",
  memory: null,
  baseModels,
  servedModels: [],
  jobsRunning: 0,
});
const node = (url: string, baseModels = [model], ok = true): TrainerNodeStatus => ({
  url,
  operator: null,
  health: ok ? health(baseModels) : null,
  error: ok ? null : "unreachable",
});
const hp = { ...SPEC_PRESETS.quick.hyperparameters, earlyStoppingPatience: 2 };
const spec = buildTrainingSpec({
  name: "garden run",
  baseModel: "smollm2-135m",
  method: "qlora",
  datanetIds: ["2", "1"],
  hyperparameters: hp,
  evalFraction: 0.15,
  evalSplit: "record",
});

describe("continue from checkpoint", () => {
  it("is offered for failed or cancelled jobs that a node ran", () => {
    const trainer = { id: "0x1", endpoint: "http://127.0.0.1:8787" };
    expect(canContinue({ state: "Failed", trainer })).toBe(true);
    expect(canContinue({ state: "Cancelled", trainer })).toBe(true);
    expect(canContinue({ state: "Completed", trainer })).toBe(false);
    expect(canContinue({ state: "Claimed", trainer })).toBe(false);
    expect(canContinue({ state: "Cancelled", trainer: null })).toBe(false);
  });

  it("prefills every setting of the job, on the node that ran it", () => {
    const p = continuationPrefill("7", spec, "http://b:8787/", [node("http://a:8787"), node("http://b:8787")]);
    expect(p).toEqual({
      choice: { node: "http://b:8787", model },
      selected: ["1", "2"],
      method: "qlora",
      hp,
      evalFraction: 0.15,
      evalSplit: "record",
      name: "garden run (continued from #7)",
      continueFrom: "7",
    });
  });

  it("says why when the node or its base model is gone", () => {
    expect(continuationPrefill("7", spec, null, [node("http://a:8787")])).toEqual({
      error: "Job #7 names no trainer node, so no node holds a checkpoint of it.",
    });
    expect(continuationPrefill("7", spec, "http://b:8787", [node("http://a:8787"), node("http://b:8787", [model], false)])).toEqual({
      error: "The trainer node that ran job #7 (http://b:8787) is not reachable: only it holds the job's checkpoint.",
    });
    expect(continuationPrefill("7", spec, "http://b:8787", [node("http://b:8787", [])])).toEqual({
      error: 'The trainer node that ran job #7 no longer has its base model "smollm2-135m".',
    });
  });
});
