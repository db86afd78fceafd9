// Validation of the values a write action puts on chain, at the GUI's boundary: each error
// names the bad value and what to do, before anything is simulated or signed.
import { isAddress, isHex, type Address, type Hex } from "viem";
import { ModelFactoryError } from "@sdk/errors.ts";

export class WriteInputError extends ModelFactoryError {
  override name = "WriteInputError";
}

/** DatanetRegistry reviews at most this many contributions per transaction. */
export const REVIEW_BATCH_MAX = 100;

/** The longest reason (deny, reject) the GUI sends; it is event data, shown to the other side. */
export const REASON_MAX_LENGTH = 280;

function bad(what: string, value: unknown, todo: string): never {
  throw new WriteInputError(`${what} ${JSON.stringify(String(value))} is not valid; ${todo}`, {
    code: "WRITE_INPUT",
    meta: { what, value: String(value) },
  });
}

/** An on-chain id (Datanet, contribution, request, job): a positive whole number. */
export function idArg(what: string, value: string | number | bigint): bigint {
  const text = String(value).trim();
  if (!/^\d+$/.test(text) || BigInt(text) === 0n) bad(what, value, "use a positive whole number.");
  return BigInt(text);
}

export function idsArg(what: string, values: readonly (string | number | bigint)[], max: number): bigint[] {
  if (values.length === 0) throw new WriteInputError(`Choose at least one ${what}.`, { code: "WRITE_INPUT" });
  if (values.length > max)
    throw new WriteInputError(`${values.length} ${what}s selected; the contract takes at most ${max} at once.`, { code: "WRITE_INPUT" });
  return values.map((v) => idArg(what, v));
}

/** Ascending, as the contract's review batches group runs of the same Datanet. */
export function ascending(ids: bigint[]): bigint[] {
  return [...ids].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
}

export function addressArg(what: string, value: string): Address {
  const text = value.trim();
  if (!isAddress(text)) bad(what, value, "paste a 0x address of 40 hex digits.");
  return text;
}

export function bytes32Arg(what: string, value: string): Hex {
  if (!isHex(value) || value.length !== 66) bad(what, value, "it must be 0x and 64 hex digits.");
  return value;
}

/** A required reason of at most REASON_MAX_LENGTH characters, trimmed. */
export function reasonProblem(value: string): string | null {
  const text = value.trim();
  if (!text) return "Give a reason; the other side reads it.";
  if (text.length > REASON_MAX_LENGTH) return `Keep the reason to ${REASON_MAX_LENGTH} characters (it has ${text.length}).`;
  return null;
}

export function reasonArg(value: string): string {
  const problem = reasonProblem(value);
  if (problem) throw new WriteInputError(problem, { code: "WRITE_INPUT", meta: { length: value.trim().length } });
  return value.trim();
}

/** A non-empty text argument (URI, license, URL). */
export function textArg(what: string, value: string, max = 2048): string {
  const text = value.trim();
  if (!text) throw new WriteInputError(`The ${what} is empty; fill it in.`, { code: "WRITE_INPUT" });
  if (text.length > max)
    throw new WriteInputError(`The ${what} is ${text.length} characters long; at most ${max}.`, { code: "WRITE_INPUT" });
  return text;
}
