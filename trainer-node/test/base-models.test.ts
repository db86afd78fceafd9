// The base-model scanner on the real model: the SmolLM2 folder setup.sh converts, and GGUF files
// dropped into a models folder (the real SmolLM2 GGUF, converted once by the real worker; a corrupted
// file, reported by name and reason and not retried).
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { workerGgufImporter } from "../src/gguf-import.ts";
import { describeModel, scanBaseModels } from "../src/base-models.ts";
import { REPO, WORKER_DIR } from "./helpers/stack.ts";

const SMOLLM2 = path.join(REPO, "trainer-node/models/smollm2-135m-instruct");
const SMOLLM2_GGUF = path.join(WORKER_DIR, ".cache/base-model/SmolLM2-135M-Instruct.Q4_1.gguf");

describe("base models", () => {
  let dir: string;
  before(async () => {
    assert.ok(existsSync(SMOLLM2) && existsSync(SMOLLM2_GGUF), "run `npm run setup:worker` first: it fetches and converts SmolLM2");
    dir = await mkdtemp(path.join(os.tmpdir(), "mf-models-"));
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("describes the SmolLM2 folder that setup converted", async () => {
    const info = await describeModel(SMOLLM2);
    assert.deepEqual(
      { ...info, sizeBytes: undefined },
      {
        id: "smollm2-135m-instruct",
        name: "SmolLM2 135M Instruct",
        architecture: "llama",
        parameters: 134_515_008,
        contextLength: 8192,
        sizeBytes: undefined,
        methods: ["lora", "qlora"],
        hasChatTemplate: true,
      },
    );
    assert.ok(info!.sizeBytes > 500e6);
  });

  it("converts a GGUF file once, and reports a corrupted one by name without retrying it", async () => {
    await symlink(SMOLLM2_GGUF, path.join(dir, "smol.gguf"));
    await writeFile(path.join(dir, "broken.gguf"), Buffer.concat([Buffer.from("GGUF"), Buffer.alloc(64, 7)]));
    const calls: string[] = [];
    const real = workerGgufImporter();
    const importGguf = async (file: string, out: string) => {
      calls.push(path.basename(file));
      await real(file, out);
    };
    const messages: string[] = [];
    const models = await scanBaseModels(dir, (m) => messages.push(m), { importGguf });
    assert.deepEqual(calls.sort(), ["broken.gguf", "smol.gguf"]);
    assert.deepEqual(
      models.map((m) => [m.id, m.architecture, m.parameters, m.hasChatTemplate]),
      [["smol", "llama", 134_515_008, true]],
    );
    const failure = messages.find((m) => m.includes("skipping broken.gguf"));
    assert.match(failure ?? "", /broken\.gguf: not a readable GGUF file/);
    const source = JSON.parse(await readFile(path.join(dir, "smol/modelfactory-source.json"), "utf8")) as { file: { sha256: string } };
    assert.equal(source.file.sha256, "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53");

    messages.length = 0;
    const again = await scanBaseModels(dir, (m) => messages.push(m), { importGguf });
    assert.equal(calls.length, 2, "a second scan converts nothing");
    assert.deepEqual(
      again.map((m) => m.id),
      ["smol"],
    );
    assert.match(messages.join("\n"), /skipping broken\.gguf: .*not a readable GGUF file.*replace the file to try again/);
  });

  it("leaves a hand-made folder of the same name alone", async () => {
    const own = await mkdtemp(path.join(os.tmpdir(), "mf-models-own-"));
    try {
      await writeFile(path.join(own, "x.gguf"), "GGUF");
      await mkdir(path.join(own, "x"));
      const messages: string[] = [];
      const models = await scanBaseModels(own, (m) => messages.push(m), {
        importGguf: async () => assert.fail("must not convert over a folder it did not write"),
      });
      assert.deepEqual(models, []);
      assert.match(messages.join("\n"), /skipping x\.gguf: the folder x\/ exists and is not a GGUF conversion/);
    } finally {
      await rm(own, { recursive: true, force: true });
    }
  });
});
