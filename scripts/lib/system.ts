// The system pieces ModelFactory needs beyond Node and npm — Python 3.10–3.12 with venv (the
// model worker), Chromium and fonts (browser tests) — which suites need them, and the decision
// what to do about the missing ones: install them (Debian/Ubuntu, as root or with password-less
// sudo) or stop at once with the exact command to run. Used by scripts/check-system.ts
// (`npm run setup`) and scripts/test.ts (`npm test`).
import { spawnSync } from "node:child_process";
import { existsSync, readdirSync } from "node:fs";

export type SystemPiece = {
  name: string;
  /** Debian/Ubuntu packages that provide it. */
  packages: string[];
  neededFor: string;
  /** The `npm test` suites that cannot run without it. */
  suites: string[];
  present: () => boolean;
};

const pythonOk = (bin: string) =>
  spawnSync(bin, ["-c", "import sys, venv, ensurepip; sys.exit(0 if (3, 10) <= sys.version_info[:2] <= (3, 12) else 1)"]).status === 0;

/** Any font file fontconfig (or, without it, the system font folder) knows of. */
function fontsPresent(): boolean {
  const fc = spawnSync("fc-list", [], { encoding: "utf8" });
  if (fc.status === 0) return fc.stdout.trim().length > 0;
  try {
    return readdirSync("/usr/share/fonts", { recursive: true }).some((f) => /\.(ttf|otf|pfb|woff2?)$/i.test(String(f)));
  } catch {
    return false;
  }
}

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";

export const SYSTEM_PIECES: SystemPiece[] = [
  {
    name: "Python 3.10–3.12 with venv",
    packages: ["python3", "python3-venv", "python3-pip"],
    neededFor: "the model worker (training, evaluation, chat)",
    suites: ["lint", "worker", "trainer-node", "e2e"],
    present: () => pythonOk("python3.11") || pythonOk("python3"),
  },
  {
    name: "Chromium",
    packages: ["chromium"],
    neededFor: "the browser tests and the frontend benchmark",
    suites: ["e2e"],
    present: () => existsSync(CHROMIUM_PATH),
  },
  {
    name: "fonts",
    packages: ["fonts-dejavu-core"],
    neededFor: "the browser tests (pages render text)",
    suites: ["e2e"],
    present: fontsPresent,
  },
];

/** What this machine allows: apt-get exists, and who may run it. */
export type SystemFacts = { debian: boolean; root: boolean; passwordlessSudo: boolean };

export function systemFacts(): SystemFacts {
  const root = process.getuid?.() === 0;
  return {
    debian: existsSync("/etc/debian_version") && spawnSync("apt-get", ["--version"]).status === 0,
    root,
    passwordlessSudo: !root && spawnSync("sudo", ["-n", "true"], { stdio: "ignore" }).status === 0,
  };
}

export type SystemPlan =
  | { action: "none" }
  /** Shell commands to run in order, then check again. */
  | { action: "install"; packages: string[]; commands: string[] }
  | { action: "stop"; message: string };

/** The pieces the named suites need (every piece when no suite is named). */
export function piecesFor(suites: string[] | undefined, pieces = SYSTEM_PIECES): SystemPiece[] {
  return suites ? pieces.filter((p) => p.suites.some((s) => suites.includes(s))) : pieces;
}

/**
 * Decides what to do about missing pieces: nothing, install them (when `mayInstall` and the
 * machine allows it), or stop with the exact command that installs them.
 */
export function planSystem(
  missing: Pick<SystemPiece, "name" | "packages" | "neededFor">[],
  facts: SystemFacts,
  mayInstall: boolean,
): SystemPlan {
  if (missing.length === 0) return { action: "none" };
  const packages = [...new Set(missing.flatMap((p) => p.packages))];
  const apt = `apt-get install -y -q --no-install-recommends ${packages.join(" ")}`;
  if (mayInstall && facts.debian && (facts.root || facts.passwordlessSudo)) {
    const sudo = facts.root ? "" : "sudo -n ";
    return { action: "install", packages, commands: [`${sudo}apt-get update -q`, `${sudo}env DEBIAN_FRONTEND=noninteractive ${apt}`] };
  }
  const what = missing.map((p) => `${p.name} is missing; it is needed for ${p.neededFor}.`).join("\n");
  const fix = facts.debian
    ? `Install with:\n  sudo apt-get update && sudo apt-get install -y --no-install-recommends ${packages.join(" ")}\n(or run \`npx -y -p node@22 -- npm run setup\` as root), then run the command again.`
    : `Install ${missing.map((p) => p.name).join(" and ")} with your system's package manager (Debian names: ${packages.join(" ")}), then run the command again.`;
  return { action: "stop", message: `${what}\n${fix}` };
}

/** Runs an install plan's commands with their output on the terminal; false when one fails. */
export function runInstall(plan: Extract<SystemPlan, { action: "install" }>): boolean {
  for (const command of plan.commands) {
    console.log(`system: ${command}`);
    if (spawnSync(command, { shell: true, stdio: "inherit" }).status !== 0) return false;
  }
  return true;
}

/**
 * Brings the machine to what `pieces` need: installs what is missing when allowed and
 * possible. Returns null when everything is present afterwards, else the message to stop with.
 */
export function ensureSystem(
  pieces: SystemPiece[],
  mayInstall: boolean,
  facts = systemFacts(),
  install: (plan: Extract<SystemPlan, { action: "install" }>) => boolean = runInstall,
): string | null {
  const missing = pieces.filter((p) => !p.present());
  const plan = planSystem(missing, facts, mayInstall);
  if (plan.action === "none") return null;
  if (plan.action === "stop") return plan.message;
  console.log(`system: installing ${plan.packages.join(" ")} (missing: ${missing.map((p) => p.name).join(", ")})…`);
  if (!install(plan)) return `Installing ${plan.packages.join(" ")} with apt-get failed (its output is above).`;
  const still = pieces.filter((p) => !p.present());
  if (still.length > 0)
    return `${still.map((p) => p.name).join(" and ")} still missing after apt-get installed ${plan.packages.join(" ")}.`;
  return null;
}
