// Run comparison: the URL's job list is validated, only spec fields that differ are shown (with
// the changed values marked), metrics come from each report, and sample answers line up by
// prompt, rendered as text even when a dataset's text looks like HTML.
import { describe, expect, it } from "vitest";
import { render, screen, within } from "@testing-library/react";
import { buildTrainingSpec, SPEC_PRESETS, type EvaluationReport } from "@modelfactory/sdk";
import { compareMetrics, parseCompareIds, sampleRows, specDifferences } from "../src/pages/jobs/compare.ts";
import { MetricsTable, SamplesSideBySide, SpecDifferencesTable } from "../src/pages/jobs/CompareTables.tsx";

const base = { name: "run", baseModel: "smollm2-135m", method: "lora" as const, datanetIds: ["1"], evalFraction: 0.1 };
const hp = SPEC_PRESETS.quick.hyperparameters;
const jobs = [
  { id: "3", color: "#111" },
  { id: "7", color: "#222" },
];

function report(jobId: string, samples: EvaluationReport["samples"], tuned = 4.2): EvaluationReport {
  return {
    schema: "modelfactory.metrics/1",
    jobId,
    baseModel: "smollm2-135m",
    method: "lora",
    perplexity: { base: 9.5, tuned },
    bleu: { base: 1, tuned: 12.5 },
    rouge: { base: null, tuned: { rouge1: 0.4, rouge2: 0.2, rougeL: 0.35 } },
    memory: {
      device: "cpu",
      measuredPeakBytes: 3 * 2 ** 30,
      breakdown: { parameters: 1, trainable: 1, optimizer: 1, activations: 1 },
      bitsPerParameter: 32,
      thisModel: { parameters: 1, full: 1, lora: 1, qlora: 1 },
      sevenB: { parameters: 1, full: 1, lora: 1, qlora: 1 },
    },
    training: {
      steps: 20,
      epochs: 1,
      trainTokens: 51_200,
      seconds: 125,
      tokensPerSecond: 400,
      finalLoss: 1.2,
      finalEvalLoss: 1.4,
      best: { step: 16, evalLoss: 1.4, stoppedEarly: false, reason: "r" },
    },
    counts: { contributions: 2, trainRecords: 50, evalRecords: 6, heldOut: true },
    samples,
  };
}

describe("compare: the URL's job list", () => {
  it("accepts two to four distinct job ids and names what is wrong otherwise", () => {
    expect(parseCompareIds("3, 7,012")).toEqual({ ids: ["3", "7", "12"] });
    expect(parseCompareIds("3")).toEqual({ error: "jobs: name 2 to 4 jobs to compare (got 1), e.g. ?jobs=1,2." });
    expect(parseCompareIds("1,2,3,4,5")).toMatchObject({ error: expect.stringContaining("got 5") });
    expect(parseCompareIds("1,x")).toEqual({ error: 'jobs: "x" is not a job id (a whole number).' });
    expect(parseCompareIds("4,04")).toEqual({ error: "jobs: job #4 is named twice." });
    expect(parseCompareIds("")).toMatchObject({ error: expect.stringContaining("got 0") });
  });
});

describe("compare: spec differences", () => {
  it("lists only the fields that differ, nested ones by path, missing ones as null", () => {
    const a = buildTrainingSpec({ ...base, hyperparameters: hp });
    const b = buildTrainingSpec({
      ...base,
      name: "run b",
      hyperparameters: {
        ...hp,
        learningRate: hp.learningRate * 2,
        lora: { ...hp.lora, rank: hp.lora.rank * 2 },
        earlyStoppingPatience: 3,
        earlyStoppingMinDelta: 0.01,
      },
    });
    expect(specDifferences([a, a])).toEqual([]);
    const diff = specDifferences([a, b]);
    expect(diff.map((d) => d.field)).toEqual([
      "name",
      "hyperparameters.learningRate",
      "hyperparameters.lora.rank",
      "hyperparameters.earlyStoppingPatience",
      "hyperparameters.earlyStoppingMinDelta",
    ]);
    expect(diff[2]).toEqual({ field: "hyperparameters.lora.rank", values: [String(hp.lora.rank), String(hp.lora.rank * 2)] });
    expect(diff[3]).toEqual({ field: "hyperparameters.earlyStoppingPatience", values: [null, "3"] });
    // A spec that could not be read differs in every field; arrays compare as a whole.
    expect(specDifferences([a, null]).length).toBeGreaterThan(10);
    const c = buildTrainingSpec({ ...base, datanetIds: ["1", "2"], hyperparameters: hp });
    expect(specDifferences([a, c])).toEqual([{ field: "datanetIds", values: ['["1"]', '["1","2"]'] }]);
  });

  it("renders the differing fields with the changed values marked", () => {
    render(<SpecDifferencesTable jobs={jobs} differences={[{ field: "hyperparameters.learningRate", values: ["0.0002", "0.0004"] }]} />);
    const row = screen.getByRole("row", { name: /hyperparameters\.learningRate/ });
    const cells = within(row).getAllByRole("cell");
    expect(cells.map((c) => c.textContent)).toEqual(["hyperparameters.learningRate", "0.0002", "0.0004"]);
    expect(cells[1]!.className).not.toContain("diff");
    expect(cells[2]!.className).toContain("diff");
  });
});

describe("compare: metrics and samples", () => {
  it("shows each report's tuned quality and cost, and why a job has none", () => {
    const m = compareMetrics(report("3", [], 4.25));
    expect(m).toEqual({
      perplexity: 4.25,
      bleu: 12.5,
      rougeL: 0.35,
      peakMemoryBytes: 3 * 2 ** 30,
      seconds: 125,
      trainTokens: 51_200,
      bestStep: 16,
    });
    render(<MetricsTable jobs={jobs} metrics={[m, null]} missing={["", "no model yet"]} />);
    const row = screen.getByRole("row", { name: /Perplexity/ });
    expect(
      within(row)
        .getAllByRole("cell")
        .map((c) => c.textContent),
    ).toEqual(["Perplexity (tuned, lower is better)", "4.25", "no model yet"]);
    expect(screen.getByRole("row", { name: /Peak memory/ }).textContent).toContain("3");
  });

  it("lines sample answers up by prompt and renders dataset text as text", () => {
    const html = '<img src=x onerror="alert(1)">';
    const rows = sampleRows([
      report("3", [
        { prompt: "What is LoRA?", reference: "Low-rank adapters.", base: "b", tuned: "Adapters of low rank." },
        { prompt: html, reference: "r", base: "b", tuned: "t3" },
      ]),
      report("7", [{ prompt: "What is LoRA?", reference: "Low-rank adapters.", base: "b", tuned: `A <b>low-rank</b> ${html}` }]),
    ]);
    expect(rows).toEqual([
      { prompt: "What is LoRA?", reference: "Low-rank adapters.", answers: ["Adapters of low rank.", `A <b>low-rank</b> ${html}`] },
      { prompt: html, reference: "r", answers: ["t3", null] },
    ]);
    const { container } = render(<SamplesSideBySide jobs={jobs} rows={rows} />);
    expect(container.querySelector("img")).toBeNull();
    expect(container.querySelector("b")).toBeNull();
    expect(screen.getByText(`A <b>low-rank</b> ${html}`)).toBeTruthy();
    expect(screen.getByText("— (no sample of this prompt)")).toBeTruthy();
  });
});
