// Fails when line coverage of contracts/ (test-only contracts/test/ aside) in coverage/lcov.info is
// under the floor (95 %).
import { readFile } from "node:fs/promises";

const FLOOR = Number(process.env.COVERAGE_FLOOR ?? 95);
const lcov = await readFile("coverage/lcov.info", "utf8").catch(() => {
  console.error("coverage/lcov.info is missing: run `hardhat test nodejs --coverage` first.");
  process.exit(1);
});
let found = 0;
let hit = 0;
const perFile: string[] = [];
for (const record of lcov.split("end_of_record")) {
  const file = /^SF:(.+)$/m.exec(record)?.[1];
  if (!file?.startsWith("contracts/")) continue;
  // Test-only contracts (contracts/test/, e.g. the ERC-1271 wallet the key service's tests sign
  // with) are not part of the protocol; the tests that use them are their coverage.
  if (file.startsWith("contracts/test/")) continue;
  const lf = Number(/^LF:(\d+)$/m.exec(record)?.[1] ?? 0);
  const lh = Number(/^LH:(\d+)$/m.exec(record)?.[1] ?? 0);
  found += lf;
  hit += lh;
  if (lh < lf) perFile.push(`  ${file}: ${lh}/${lf}`);
}
const pct = found ? (hit / found) * 100 : 0;
console.log(`contract line coverage: ${pct.toFixed(2)} % (${hit}/${found} lines; floor ${FLOOR} %)`);
if (perFile.length) console.log(perFile.join("\n"));
if (pct < FLOOR) {
  console.error(`Line coverage ${pct.toFixed(2)} % is under the ${FLOOR} % floor.`);
  process.exit(1);
}
