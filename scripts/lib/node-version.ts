// Node ≥ 22.13 is required (Hardhat 3 and its simulated chain refuse older versions).
// Called first by every entry script so an old Node gives one clear sentence.
export function assertNodeVersion(): void {
  const [major = 0, minor = 0] = process.versions.node.split(".").map(Number);
  if (major < 22 || (major === 22 && minor < 13)) {
    console.error(
      `ModelFactory needs Node ≥ 22.13, but this is Node ${process.versions.node}.\n` +
        "Run the same command through Node 22 from npm, e.g. `npx -y -p node@22 -- npm test`, or install Node 22.",
    );
    process.exit(1);
  }
}
