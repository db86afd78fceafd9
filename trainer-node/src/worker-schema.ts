// Checks the worker's lines against the protocol's JSON Schemas (worker-protocol.ts,
// worker-results.ts) with ajv. The daemon checks every event and result where it enters, ignoring
// fields it does not know (the protocol may add fields within a version); the conformance test
// checks the real worker with unknown fields refused, so a renamed field fails it.
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { JobFailure } from "./errors.ts";
import {
  EVENT_SCHEMAS,
  RESULT_SCHEMAS,
  type CommandResults,
  type WorkerCommandName,
  type WorkerEvent,
  type WorkerEventName,
} from "./worker-protocol.ts";

/**
 * A worker line or result does not have the shape the protocol gives it, or lacks a value the
 * node needs. `field` is the path of the offending value, e.g. `load.quantized.bits_per_parameter`.
 * A JobFailure: a job that meets one fails on chain with this message, rather than publishing a
 * made-up number.
 */
export class WorkerProtocolError extends JobFailure {
  override name = "WorkerProtocolError";
  readonly field: string;
  constructor(field: string, problem: string) {
    super("WORKER_PROTOCOL", `The model worker sent an unusable value: ${field} ${problem}.`, { meta: { field } });
    this.field = field;
  }
}

export type UnknownFields = "ignore" | "reject";

/** A copy of `schema` whose objects accept properties they do not list. */
function relaxed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(relaxed);
  if (!schema || typeof schema !== "object") return schema;
  return Object.fromEntries(
    Object.entries(schema)
      .filter(([k, v]) => !(k === "additionalProperties" && v === false))
      .map(([k, v]) => [k, relaxed(v)]),
  );
}

/** `prefix` + ajv's JSON pointer as a dotted path: `train` + `/eval_losses/0/1` → `train.eval_losses[0][1]`. */
function fieldPath(prefix: string, pointer: string, child?: string): string {
  const parts = pointer
    .split("/")
    .slice(1)
    .map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  if (child !== undefined) parts.push(child);
  return parts.reduce((acc, p) => (/^\d+$/.test(p) ? `${acc}[${p}]` : `${acc}.${p}`), prefix);
}

/** One ajv error as `[field, problem]`. */
function describe(prefix: string, e: ErrorObject): [string, string] {
  const p = e.params as Record<string, unknown>;
  if (e.keyword === "required") return [fieldPath(prefix, e.instancePath, String(p.missingProperty)), "is missing"];
  if (e.keyword === "additionalProperties")
    return [fieldPath(prefix, e.instancePath, String(p.additionalProperty)), "is not in the protocol's schema"];
  return [fieldPath(prefix, e.instancePath), `${e.message ?? "is invalid"} (got ${JSON.stringify(valueAt(e.data))})`];
}

const valueAt = (v: unknown) => (typeof v === "string" && v.length > 60 ? `${v.slice(0, 60)}…` : v);

export class WorkerSchemas {
  private readonly results: { [C in WorkerCommandName]: ValidateFunction };
  private readonly events: { [E in WorkerEventName]: ValidateFunction };

  constructor(unknownFields: UnknownFields) {
    const ajv = new Ajv({ allErrors: true, allowUnionTypes: true, verbose: true });
    const prepare = (s: object) => ajv.compile(unknownFields === "ignore" ? (relaxed(s) as object) : s);
    this.results = Object.fromEntries(Object.entries(RESULT_SCHEMAS).map(([k, s]) => [k, prepare(s)])) as WorkerSchemas["results"];
    this.events = Object.fromEntries(Object.entries(EVENT_SCHEMAS).map(([k, s]) => [k, prepare(s)])) as WorkerSchemas["events"];
  }

  /** Every way `value` differs from the result schema of `cmd`, as `[field, problem]` pairs; none when it conforms. */
  resultProblems(cmd: WorkerCommandName, value: unknown): [string, string][] {
    const check = this.results[cmd];
    return check(value) ? [] : (check.errors ?? []).map((e) => describe(cmd, e));
  }

  /** Every way an event line differs from its event's schema (and, for a result, from the command's result schema). */
  eventProblems(value: unknown): [string, string][] {
    const kind = (value as { event?: unknown } | null)?.event;
    if (typeof kind !== "string" || !Object.hasOwn(this.events, kind))
      return [["event", `is not one of ${Object.keys(this.events).join(", ")} (got ${JSON.stringify(kind)})`]];
    const check = this.events[kind as WorkerEventName];
    if (!check(value)) return (check.errors ?? []).map((e) => describe(`${kind} event`, e));
    if (kind !== "result") return [];
    const r = value as { cmd: WorkerCommandName; result: unknown };
    return this.resultProblems(r.cmd, r.result);
  }

  /** `value` as the result of `cmd`; throws WorkerProtocolError naming the first bad field. */
  result<C extends WorkerCommandName>(cmd: C, value: unknown): CommandResults[C] {
    const [problem] = this.resultProblems(cmd, value);
    if (problem) throw new WorkerProtocolError(...problem);
    return value as CommandResults[C];
  }

  /** `value` as an event line; throws WorkerProtocolError naming the first bad field. */
  event(value: unknown): WorkerEvent {
    const [problem] = this.eventProblems(value);
    if (problem) throw new WorkerProtocolError(...problem);
    return value as WorkerEvent;
  }
}

let reader: WorkerSchemas | undefined;

/** The daemon's checks: the protocol's schemas, fields it does not know ignored. */
export function workerSchemas(): WorkerSchemas {
  return (reader ??= new WorkerSchemas("ignore"));
}
