// The decision of `npm test` and `npm run setup` about missing system pieces: nothing to do,
// install with apt-get (Debian as root or with password-less sudo), or stop with the command.
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { SYSTEM_PIECES, ensureSystem, piecesFor, planSystem, type SystemPiece } from "./system.ts";

const chromium = { name: "Chromium", packages: ["chromium"], neededFor: "the browser tests" };
const fonts = { name: "fonts", packages: ["fonts-dejavu-core"], neededFor: "the browser tests" };
const debianRoot = { debian: true, root: true, passwordlessSudo: false };
const debianUser = { debian: true, root: false, passwordlessSudo: false };

describe("planSystem", () => {
  it("does nothing when nothing is missing", () => {
    assert.deepEqual(planSystem([], debianUser, true), { action: "none" });
  });

  it("installs with apt-get as root on Debian", () => {
    assert.deepEqual(planSystem([chromium, fonts], debianRoot, true), {
      action: "install",
      packages: ["chromium", "fonts-dejavu-core"],
      commands: [
        "apt-get update -q",
        "env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium fonts-dejavu-core",
      ],
    });
  });

  it("uses password-less sudo when not root", () => {
    const plan = planSystem([chromium], { debian: true, root: false, passwordlessSudo: true }, true);
    assert.equal(plan.action, "install");
    assert.deepEqual(plan.action === "install" && plan.commands, [
      "sudo -n apt-get update -q",
      "sudo -n env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends chromium",
    ]);
  });

  it("stops with the exact apt-get command when it may not install", () => {
    for (const [facts, mayInstall] of [
      [debianUser, true],
      [debianRoot, false],
    ] as const) {
      const plan = planSystem([chromium, fonts], facts, mayInstall);
      assert.equal(plan.action, "stop");
      const message = plan.action === "stop" ? plan.message : "";
      assert.match(message, /^Chromium is missing; it is needed for the browser tests\.\nfonts is missing/);
      assert.match(message, /\n {2}sudo apt-get update && sudo apt-get install -y --no-install-recommends chromium fonts-dejavu-core\n/);
    }
  });

  it("names the pieces and Debian's package names elsewhere", () => {
    const plan = planSystem([chromium], { debian: false, root: true, passwordlessSudo: false }, true);
    assert.equal(plan.action, "stop");
    assert.match(
      plan.action === "stop" ? plan.message : "",
      /Install Chromium with your system's package manager \(Debian names: chromium\)/,
    );
  });
});

describe("piecesFor", () => {
  it("asks for Chromium and fonts only when the browser suite runs, Python for the worker's suites", () => {
    const names = (suites?: string[]) => piecesFor(suites).map((p) => p.name);
    assert.deepEqual(names(["sdk", "subgraph"]), []);
    assert.deepEqual(names(["worker"]), ["Python 3.10–3.12 with venv"]);
    assert.deepEqual(names(["e2e"]), ["Python 3.10–3.12 with venv", "Chromium", "fonts"]);
    assert.deepEqual(
      names(undefined),
      SYSTEM_PIECES.map((p) => p.name),
    );
  });
});

describe("ensureSystem", () => {
  const piece = (name: string, present: () => boolean): SystemPiece => ({
    name,
    packages: [name.toLowerCase()],
    neededFor: "tests",
    suites: ["e2e"],
    present,
  });

  it("installs what is missing, then checks again", () => {
    let installed = false;
    const ran: string[][] = [];
    const problem = ensureSystem([piece("Chromium", () => installed), piece("Python", () => true)], true, debianRoot, (plan) => {
      ran.push(plan.commands);
      installed = true;
      return true;
    });
    assert.equal(problem, null);
    assert.equal(ran.length, 1);
    assert.match(ran[0]![1]!, /apt-get install -y -q --no-install-recommends chromium$/);
  });

  it("reports a piece still missing after the install, and a failed install", () => {
    assert.match(
      ensureSystem([piece("Chromium", () => false)], true, debianRoot, () => true) ?? "",
      /Chromium still missing after apt-get installed chromium/,
    );
    assert.match(
      ensureSystem([piece("Chromium", () => false)], true, debianRoot, () => false) ?? "",
      /Installing chromium with apt-get failed/,
    );
  });

  it("stops without running anything where it cannot install", () => {
    const problem = ensureSystem([piece("Chromium", () => false)], true, debianUser, () => assert.fail("must not install"));
    assert.match(problem ?? "", /sudo apt-get install -y --no-install-recommends chromium/);
  });
});
