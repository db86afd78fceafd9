// The evaluation report maps what the worker sent, field by field: bits per parameter and device
// from the `load` result, a missing or non-finite value is an error naming the field, and a value
// that is legitimately absent is null. The fixture is a real QLoRA run of the worker on the tiny
// model (helpers/worker-fixture.ts), kept honest by the strict schema check below.
import { describe, it } from "node:test";
import assert from "node:assert/strict";
import { SPEC_PRESETS, type TrainingSpec } from "@modelfactory/sdk";
import { toEvaluationReport, type EvaluationInput } from "../src/evaluation.ts";
import { WorkerProtocolError, WorkerSchemas } from "../src/worker-schema.ts";
import type { InsightsResult } from "../src/worker-protocol.ts";
import { qloraRun } from "./helpers/worker-fixture.ts";

const spec: TrainingSpec = {
  schema: "modelfactory.spec/1",
  name: "t",
  description: "",
  baseModel: "tiny-llama",
  method: "qlora",
  datanetIds: ["1"],
  evalFraction: 0.2,
  hyperparameters: SPEC_PRESETS.quick.hyperparameters,
};

const input = (
  patch: Partial<Pick<EvaluationInput, "loaded" | "trained" | "evaluated" | "spec" | "contributionDatanets">> = {},
): EvaluationInput => ({
  jobId: "1",
  spec,
  loaded: qloraRun.load,
  trained: qloraRun.train,
  evaluated: qloraRun.evaluate,
  counts: { contributions: 2, trainRecords: 8, evalRecords: 2, heldOut: true },
  ...patch,
});

const namesField = (field: string) => (e: unknown) => {
  assert.ok(e instanceof WorkerProtocolError, String(e));
  assert.equal(e.field, field);
  assert.match(e.shortMessage, new RegExp(field.replace(/[.[\]]/g, "\\$&")));
  return true;
};

describe("evaluation report from worker results", () => {
  it("uses a fixture that is what the worker sends", () => {
    const strict = new WorkerSchemas("reject");
    assert.deepEqual(strict.resultProblems("load", qloraRun.load), []);
    assert.deepEqual(strict.resultProblems("train", qloraRun.train), []);
    assert.deepEqual(strict.resultProblems("evaluate", qloraRun.evaluate), []);
    for (const e of qloraRun.progress) assert.deepEqual(strict.eventProblems(e), []);
  });

  it("carries the bits per parameter `load` measured and the device the worker used", () => {
    const report = toEvaluationReport(input());
    assert.equal(report.memory.bitsPerParameter, qloraRun.load.quantized.bits_per_parameter);
    assert.notEqual(report.memory.bitsPerParameter, 4.127);
    assert.equal(report.memory.device, qloraRun.load.device);
    assert.equal(report.training.finalLoss, qloraRun.train.final_loss);
    assert.equal(report.training.finalEvalLoss, qloraRun.train.eval_loss);
    // What the run's matmuls computed in: float32, or bf16 autocast on a CPU with native bf16.
    assert.ok(qloraRun.train.compute === "fp32" || qloraRun.train.compute === "bf16-autocast", qloraRun.train.compute);
    assert.equal(report.training.compute, qloraRun.train.compute);
    assert.equal(report.perplexity.tuned, qloraRun.evaluate.perplexity_tuned?.perplexity);
    assert.equal(report.samples[0]?.prompt, qloraRun.evaluate.generation_base?.examples?.[0]?.prompt);
  });

  it("takes the weights' width for an unquantized run", () => {
    const report = toEvaluationReport(input({ spec: { ...spec, method: "lora" } }));
    assert.equal(report.memory.bitsPerParameter, qloraRun.train.memory.this_model.bytes_per_weight * 8);
  });

  it("fails naming the field when a value it needs is missing or not finite", () => {
    const { bits_per_parameter: _b, ...quantized } = qloraRun.load.quantized;
    assert.throws(
      () => toEvaluationReport(input({ loaded: { ...qloraRun.load, quantized } })),
      namesField("load.quantized.bits_per_parameter"),
    );
    assert.throws(() => toEvaluationReport(input({ loaded: { ...qloraRun.load, quantization: "none" } })), namesField("load.quantization"));
    assert.throws(() => toEvaluationReport(input({ trained: { ...qloraRun.train, final_loss: null } })), namesField("train.final_loss"));
    const { perplexity_tuned: _p, ...untuned } = qloraRun.evaluate;
    assert.throws(() => toEvaluationReport(input({ evaluated: untuned })), namesField("evaluate.perplexity_tuned"));
    const g = qloraRun.evaluate.generation_tuned!;
    assert.throws(
      () => toEvaluationReport(input({ evaluated: { ...qloraRun.evaluate, generation_tuned: { ...g, bleu: undefined } } })),
      namesField("evaluate.generation_tuned.bleu"),
    );
  });

  it("carries the data insights with each contribution's Datanet, refusing a contribution the job did not read", () => {
    const insights: InsightsResult = {
      rule: "modified z-score",
      z_threshold: 3.5,
      min_gap_nats: Math.log(2),
      min_contributions: 3,
      max_train_records: 64,
      contributions: [
        { id: "4", train: { records: 8, tokens: 80, loss: 1.2 }, held_out: null, train_z: null, held_out_z: null, flagged: false },
        { id: "9", train: null, held_out: { records: 2, tokens: 20, loss: null }, train_z: null, held_out_z: null, flagged: false },
      ],
    };
    assert.deepEqual(new WorkerSchemas("reject").resultProblems("evaluate", { ...qloraRun.evaluate, insights }), []);
    const evaluated = { ...qloraRun.evaluate, insights };
    const report = toEvaluationReport(
      input({
        evaluated,
        contributionDatanets: new Map([
          ["4", "1"],
          ["9", "2"],
        ]),
      }),
    );
    assert.deepEqual(report.dataInsights?.contributions, [
      {
        contributionId: "4",
        datanetId: "1",
        train: { records: 8, tokens: 80, loss: 1.2 },
        heldOut: null,
        trainZ: null,
        heldOutZ: null,
        flagged: false,
      },
      {
        contributionId: "9",
        datanetId: "2",
        train: null,
        heldOut: { records: 2, tokens: 20, loss: null },
        trainZ: null,
        heldOutZ: null,
        flagged: false,
      },
    ]);
    assert.equal(report.dataInsights?.maxTrainRecords, 64);
    assert.throws(
      () => toEvaluationReport(input({ evaluated, contributionDatanets: new Map([["4", "1"]]) })),
      namesField("evaluate.insights.contributions[1].id"),
    );
    assert.equal(toEvaluationReport(input()).dataInsights, undefined);
  });

  it("reports null, not 0, for what is legitimately absent", () => {
    const report = toEvaluationReport(
      input({
        trained: { ...qloraRun.train, eval_loss: null },
        evaluated: { ...qloraRun.evaluate, generation_base: { samples: 0 }, generation_tuned: { samples: 0 } },
      }),
    );
    assert.equal(report.training.finalEvalLoss, null);
    assert.deepEqual(report.bleu, { base: null, tuned: null });
    assert.deepEqual(report.rouge, { base: null, tuned: null });
    assert.deepEqual(report.samples, []);
  });
});
