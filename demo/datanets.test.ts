// The demo content passes the SDK's contribution validation, the seed plan names every file
// exactly once, and each Datanet has several contributors and a few hundred records.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { prepareContribution } from "@modelfactory/sdk";
import { contributionFile, contributionFilesOnDisk, DATANETS, demoAccount, readMetadata } from "./plan.ts";

for (const plan of DATANETS) {
  test(`${plan.slug}: every contribution file passes prepareContribution`, async () => {
    const meta = readMetadata(plan.slug);
    assert.equal(meta.schema, "modelfactory.datanet-metadata/1");
    assert.ok(meta.name && meta.description.length >= 20 && meta.domain && meta.license);
    assert.deepEqual(Object.keys(plan.contributions).sort(), contributionFilesOnDisk(plan.slug));
    let records = 0;
    for (const file of Object.keys(plan.contributions)) {
      const prepared = await prepareContribution({ bytes: readFileSync(contributionFile(plan.slug, file)), fileName: `${file}.jsonl` });
      assert.equal(prepared.recordKinds.instruction, prepared.recordCount);
      records += prepared.recordCount;
    }
    assert.ok(records >= 200, `${plan.slug} has ${records} records`);
    assert.ok(new Set(Object.values(plan.contributions)).size >= 3, "at least three contributors");
    for (const p of plan.pending) assert.ok(p in plan.contributions && meta.contributionPolicy === "Curated");
  });
}

test("demo accounts are Hardhat's well-known keys #0–#9 and nothing else", () => {
  assert.equal(demoAccount(0).address, "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
  assert.equal(demoAccount(9).address, "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720");
  assert.throws(() => demoAccount(10));
});

test("the three access and contribution policies are all represented", () => {
  const metas = DATANETS.map((p) => readMetadata(p.slug));
  assert.ok(metas.some((m) => m.contributionPolicy === "Curated"));
  assert.ok(metas.some((m) => m.accessPolicy === "Permissioned"));
  assert.ok(metas.some((m) => m.accessPolicy === "Open" && m.contributionPolicy === "Open"));
});
