// The runner's one logging seam: every part logs through a function the caller passes in
// (the CLI prints by level; tests and the benchmark pass nothing).
import type { LogLevel } from "./wasm/host.ts";

export type Logger = (level: LogLevel, message: string) => void;
