// `node scripts/check-system.ts [--install]`: checks the system pieces ModelFactory needs
// beyond Node and npm (scripts/lib/system.ts) and says exactly how to install what is missing;
// with --install on Debian/Ubuntu as root (or with password-less sudo) installs it with apt-get.
import { SYSTEM_PIECES, ensureSystem } from "./lib/system.ts";

const problem = ensureSystem(SYSTEM_PIECES, process.argv.includes("--install"));
if (problem) {
  for (const line of problem.split("\n")) console.error(`system: ${line}`);
  process.exit(1);
}
console.log(`system: ${SYSTEM_PIECES.map((p) => p.name).join(", ")} present.`);
