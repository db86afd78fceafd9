import { describe, expect, it } from "vitest";
import { render } from "@testing-library/react";
import { Scope } from "@modelfactory/sdk";
import { filterDatanets } from "../src/data/actions/fetch-datanets.ts";
import type { Datanet } from "../src/data/types.ts";
import { grantFromForm, grantFromLinkParam, grantLink, validateGrantForm } from "../src/pages/access/grant-form.ts";
import { Highlighted, segments } from "../src/pages/chat/highlight.tsx";
import { buildTrainingSpec, parseTrainingSpec, serializeTrainingSpec, SPEC_PRESETS } from "@modelfactory/sdk";
import { sha256Hex, specErrors } from "../src/pages/train/hyperparameters.ts";
import { LineChart } from "../src/charts/LineChart.tsx";

describe("grant form", () => {
  const ok = {
    datanetId: "2",
    grantee: "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65",
    scopes: Scope.Train,
    expiryDays: 30,
    deadlineDays: 7,
  };
  it("validates each field", () => {
    expect(validateGrantForm(ok)).toEqual({});
    expect(validateGrantForm({ ...ok, grantee: "0x123", scopes: 0, expiryDays: 0, deadlineDays: 400, datanetId: "" })).toEqual({
      datanetId: expect.any(String),
      grantee: expect.any(String),
      scopes: expect.any(String),
      expiryDays: expect.any(String),
      deadlineDays: expect.any(String),
    });
  });
  it("builds the grant with expiry and deadline from now, and a round-tripping link", () => {
    const g = grantFromForm(ok, 1_000);
    expect(g).toMatchObject({ datanetId: 2n, scopes: 1, expiresAt: 1_000n + 30n * 86400n, deadline: 1_000n + 7n * 86400n });
    expect(g.nonce > 0n).toBe(true);
    const text = '{"grant":{"datanetId":"2"},"signature":"0xab"}';
    const link = grantLink("http://127.0.0.1:5173", text);
    expect(grantFromLinkParam(decodeURIComponent(new URL(link).searchParams.get("grant")!))).toBe(text);
  });
});

describe("training spec", () => {
  const base = { name: " n ", baseModel: "tiny", method: "lora" as const, datanetIds: ["10", "2", "2", "9"], evalFraction: 0.1 };
  it("accepts every preset and names bad hyperparameters with the SDK's rules", () => {
    for (const p of Object.values(SPEC_PRESETS))
      expect(specErrors(buildTrainingSpec({ ...base, hyperparameters: p.hyperparameters }))).toEqual({});
    const q = SPEC_PRESETS.quick.hyperparameters;
    const bad = specErrors(
      buildTrainingSpec({
        ...base,
        evalFraction: 0.9,
        hyperparameters: { ...q, learningRate: 1, batchSize: 1.5, lora: { ...q.lora, targets: [] } },
      }),
    );
    expect(Object.keys(bad).sort()).toEqual([
      "evalFraction",
      "hyperparameters.batchSize",
      "hyperparameters.learningRate",
      "hyperparameters.lora.targets",
    ]);
    expect(bad["hyperparameters.batchSize"]).toBe("Must be a whole number from 1 to 1024.");
  });
  it("sorts Datanet ids numerically without duplicates and hashes the exact bytes the node parses", async () => {
    const spec = buildTrainingSpec({ ...base, hyperparameters: SPEC_PRESETS.quick.hyperparameters });
    expect(spec.datanetIds).toEqual(["2", "9", "10"]);
    expect(spec.name).toBe("n");
    const bytes = serializeTrainingSpec(spec);
    // What the trainer node reads back is the same document, byte for byte.
    expect(serializeTrainingSpec(parseTrainingSpec(JSON.parse(new TextDecoder().decode(bytes))))).toEqual(bytes);
    expect(await sha256Hex(bytes)).toMatch(/^0x[0-9a-f]{64}$/);
    expect(await sha256Hex(new TextEncoder().encode("abc"))).toBe("0xba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  });
});

describe("highlighted spans", () => {
  it("merges overlapping, unsorted and out-of-range spans", () => {
    expect(
      segments("abcdefghij", [
        { start: 6, end: 20 },
        { start: 1, end: 3 },
        { start: 2, end: 4 },
        { start: 5, end: 5 },
      ]),
    ).toEqual([
      { text: "a", marked: false },
      { text: "bcd", marked: true },
      { text: "ef", marked: false },
      { text: "ghij", marked: true },
    ]);
  });
  it("renders marks around text only", () => {
    const { container } = render(<Highlighted text="<i>x</i> risk" spans={[{ start: 9, end: 13 }]} />);
    expect(container.querySelector("i")).toBeNull();
    expect(container.querySelector("mark")!.textContent).toBe("risk");
  });
});

describe("Datanet search", () => {
  const d = (id: string, name: string, domain: string, tags: string[], owner = "0xaa"): Datanet =>
    ({
      id,
      owner: { id: owner },
      license: "MIT",
      metadata: { schema: "modelfactory.datanet-metadata/1", name, description: "", domain, tags, recordKinds: [] },
    }) as unknown as Datanet;
  const all = [
    d("1", "Triage Q&A", "medicine", ["triage"]),
    d("2", "Contracts", "law", ["clauses"], "0xbb"),
    d("3", "Radiology", "medicine", ["imaging"]),
  ];
  it("filters by words, domain, tag and owner", () => {
    expect(filterDatanets(all, { text: "triage" }).map((x) => x.id)).toEqual(["1"]);
    expect(filterDatanets(all, { domain: "medicine" }).map((x) => x.id)).toEqual(["1", "3"]);
    expect(filterDatanets(all, { tag: "clauses" }).map((x) => x.id)).toEqual(["2"]);
    expect(filterDatanets(all, { owner: "0xBB" }).map((x) => x.id)).toEqual(["2"]);
    expect(filterDatanets(all, { text: "medicine imaging" }).map((x) => x.id)).toEqual(["3"]);
  });
});

describe("LineChart", () => {
  it("draws one path per series and describes the latest values", () => {
    const { container } = render(
      <LineChart
        title="Loss"
        series={[
          {
            name: "train",
            color: "#000",
            points: [
              { x: 0, y: 2 },
              { x: 1, y: 1.5 },
            ],
          },
          { name: "eval", color: "#f00", points: [] },
        ]}
      />,
    );
    expect(container.querySelectorAll("path")).toHaveLength(2);
    expect(container.querySelector("svg")!.getAttribute("aria-label")).toBe("Loss: latest train 1.5, eval no data");
  });
});
