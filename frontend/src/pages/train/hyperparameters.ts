// What the wizard adds to the SDK's training-spec module (presets, help, rules and bytes all
// live there): problems keyed by field for the form, and the sha256 the chain records.
import { specProblems, type TrainingSpec } from "@modelfactory/sdk";

/** Field path (e.g. "hyperparameters.lora.rank") → a sentence for the field's error line. */
export type SpecErrors = Partial<Record<string, string>>;

/** The spec's problems as the form shows them, one sentence per field. */
export function specErrors(spec: TrainingSpec): SpecErrors {
  const out: SpecErrors = {};
  for (const p of specProblems(spec)) out[p.field] ??= `${p.rule.charAt(0).toUpperCase()}${p.rule.slice(1)}.`;
  return out;
}

export async function sha256Hex(bytes: Uint8Array): Promise<`0x${string}`> {
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes as BufferSource));
  return `0x${Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("")}`;
}
