// Maps one parsed JSON value (a JSONL line, or a line of a stored canonical file) onto a
// canonical record, reporting every wrong field rather than stopping at the first.

import type { DatasetProblem } from "./problems.ts";
import { RECORD_SCHEMA, type ChatMessage, type ChatRole, type DatasetRecord } from "./schema.ts";
import { checkText, isBlank, normalizeText } from "./text-checks.ts";

type Report = (problem: Omit<DatasetProblem, "line" | "row">) => void;

const SHAPES_HINT =
  'Use one of: {"instruction", "input", "output"}, {"messages": [{"role", "content"}]}, {"conversations": [{"from", "value"}]} or {"text"}.';

/** Field names people use for the canonical ones, to suggest a rename. */
const ALIASES: Record<string, string> = {
  prompt: "instruction",
  question: "instruction",
  query: "instruction",
  response: "output",
  answer: "output",
  completion: "output",
  target: "output",
  context: "input",
};

const SHAREGPT_ROLES: Record<string, ChatRole> = {
  human: "user",
  user: "user",
  gpt: "assistant",
  assistant: "assistant",
  system: "system",
};
const CHAT_ROLES: Record<string, ChatRole> = { system: "system", user: "user", assistant: "assistant" };

/**
 * Converts a parsed JSON value into a canonical record, or reports why it cannot.
 * Returns `undefined` when any problem was reported.
 */
export function toCanonicalRecord(value: unknown, report: Report): DatasetRecord | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    report({
      code: "NOT_AN_OBJECT",
      message: `The line holds ${describe(value)}, not a JSON object.`,
      hint: 'Each line must be one JSON object such as {"instruction": "…", "output": "…"}.',
    });
    return undefined;
  }
  const o = value as Record<string, unknown>;
  let failed = false;
  const r: Report = (p) => {
    failed = true;
    report(p);
  };

  if ("schema" in o) return fromCanonical(o, r, () => failed);
  let record: DatasetRecord | undefined;
  if ("instruction" in o) record = instruction(o, r, ["instruction", "input", "output"]);
  else if ("messages" in o) record = chat(o, "messages", r, ["messages"]);
  else if ("conversations" in o) record = chat(o, "conversations", r, ["conversations"]);
  else if ("text" in o) record = text(o, r, ["text"]);
  else {
    const keys = Object.keys(o);
    const renames = keys.filter((k) => ALIASES[k]).map((k) => `"${k}" → "${ALIASES[k]}"`);
    r({
      code: "UNKNOWN_SHAPE",
      message: keys.length
        ? `The record's fields (${keys.map((k) => `"${k}"`).join(", ")}) match no supported record shape.`
        : "The record is an empty object.",
      hint: renames.length ? `Rename ${renames.join(", ")}. ${SHAPES_HINT}` : SHAPES_HINT,
    });
  }
  return failed ? undefined : record;
}

function fromCanonical(o: Record<string, unknown>, r: Report, failed: () => boolean): DatasetRecord | undefined {
  if (o.schema !== RECORD_SCHEMA) {
    r({
      code: "SCHEMA_UNSUPPORTED",
      message: `Record schema ${JSON.stringify(o.schema)} is not supported.`,
      hint: `Use "${RECORD_SCHEMA}", or leave out "schema" and "kind" to have them added.`,
      field: "schema",
    });
    return undefined;
  }
  let record: DatasetRecord | undefined;
  const base = ["schema", "kind"];
  switch (o.kind) {
    case "instruction":
      record = instruction(o, r, [...base, "instruction", "input", "output"]);
      break;
    case "chat":
      record = chat(o, "messages", r, [...base, "messages"]);
      break;
    case "text":
      record = text(o, r, [...base, "text"]);
      break;
    default:
      r({
        code: o.kind === undefined ? "MISSING_FIELD" : "WRONG_TYPE",
        message: o.kind === undefined ? 'Field "kind" is missing.' : `Kind ${JSON.stringify(o.kind)} is not a record kind.`,
        hint: 'Set "kind" to "instruction", "chat" or "text".',
        field: "kind",
      });
  }
  return failed() ? undefined : record;
}

function instruction(o: Record<string, unknown>, r: Report, allowed: string[]): DatasetRecord | undefined {
  unknownFields(o, allowed, r);
  const instructionText = requiredString(o, "instruction", r, "Write the task or question the model should answer.");
  const output = requiredString(o, "output", r, "Write the answer the model should learn to give.");
  let input = "";
  if (o.input !== undefined && o.input !== null) {
    input = checkedString(o.input, "input", r, 'Use a string, or "" when there is no input.') ?? "";
  }
  if (instructionText === undefined || output === undefined) return undefined;
  return { schema: RECORD_SCHEMA, kind: "instruction", instruction: instructionText, input, output };
}

function text(o: Record<string, unknown>, r: Report, allowed: string[]): DatasetRecord | undefined {
  unknownFields(o, allowed, r);
  const value = requiredString(o, "text", r, "Write the passage, or remove the line.");
  return value === undefined ? undefined : { schema: RECORD_SCHEMA, kind: "text", text: value };
}

function chat(o: Record<string, unknown>, key: "messages" | "conversations", r: Report, allowed: string[]): DatasetRecord | undefined {
  unknownFields(o, allowed, r);
  const list = o[key];
  if (!Array.isArray(list)) {
    r({
      code: "WRONG_TYPE",
      message: `Field "${key}" is ${describe(list)}, not an array.`,
      hint: "Give the turns of the conversation as an array.",
      field: key,
    });
    return undefined;
  }
  if (list.length === 0) {
    r({ code: "EMPTY_FIELD", message: `Field "${key}" is an empty array.`, hint: "Add the turns of the conversation.", field: key });
    return undefined;
  }
  const sharegpt = key === "conversations";
  const [roleKey, contentKey] = sharegpt ? ["from", "value"] : ["role", "content"];
  const roles = sharegpt ? SHAREGPT_ROLES : CHAT_ROLES;
  const roleNames = sharegpt ? '"human", "gpt" or "system"' : '"system", "user" or "assistant"';
  const messages: ChatMessage[] = [];
  list.forEach((turn: unknown, i) => {
    const path = `${key}[${i}]`;
    if (typeof turn !== "object" || turn === null || Array.isArray(turn)) {
      r({
        code: "WRONG_TYPE",
        message: `Turn ${path} is ${describe(turn)}, not an object.`,
        hint: `Write each turn as {"${roleKey}": …, "${contentKey}": …}.`,
        field: path,
      });
      return;
    }
    const t = turn as Record<string, unknown>;
    unknownFields(t, [roleKey, contentKey], r, path);
    const rawRole = t[roleKey];
    let role: ChatRole | undefined;
    if (rawRole === undefined) {
      r({ code: "MISSING_FIELD", message: `Field "${roleKey}" is missing.`, hint: `Set it to ${roleNames}.`, field: `${path}.${roleKey}` });
    } else if (typeof rawRole !== "string") {
      r({
        code: "WRONG_TYPE",
        message: `Field "${roleKey}" is ${describe(rawRole)}, not a string.`,
        hint: `Set it to ${roleNames}.`,
        field: `${path}.${roleKey}`,
      });
    } else {
      role = Object.hasOwn(roles, rawRole) ? roles[rawRole] : undefined;
      if (!role) {
        const guess = sharegpt ? undefined : (SHAREGPT_ROLES[rawRole.toLowerCase()] ?? CHAT_ROLES[rawRole.toLowerCase()]);
        r({
          code: "UNKNOWN_ROLE",
          message: `Role ${JSON.stringify(rawRole)} is not a known role.`,
          hint: guess ? `Use "${guess}" instead; roles are ${roleNames}.` : `Use ${roleNames}.`,
          field: `${path}.${roleKey}`,
        });
      }
    }
    const content = requiredString(t, contentKey, r, "Write the text of this turn, or remove the turn.", path);
    if (role === "system" && i !== 0) {
      r({
        code: "SYSTEM_NOT_FIRST",
        message: "A system turn appears after the conversation started.",
        hint: "Put the system turn first, or make it a user turn.",
        field: path,
      });
    }
    if (role && content !== undefined) messages.push({ role, content });
  });
  if (messages.length === list.length && !messages.some((m) => m.role === "assistant")) {
    r({
      code: "CHAT_NO_ASSISTANT",
      message: "The conversation has no assistant turn.",
      hint: "Add the assistant's answer; without one there is nothing to learn.",
      field: key,
    });
    return undefined;
  }
  return messages.length === list.length ? { schema: RECORD_SCHEMA, kind: "chat", messages } : undefined;
}

function requiredString(o: Record<string, unknown>, key: string, r: Report, hint: string, path?: string): string | undefined {
  const field = path ? `${path}.${key}` : key;
  if (o[key] === undefined) {
    r({ code: "MISSING_FIELD", message: `Field "${key}" is missing.`, hint, field });
    return undefined;
  }
  const value = checkedString(o[key], field, r, hint);
  if (value !== undefined && isBlank(value)) {
    r({ code: "EMPTY_FIELD", message: `Field "${key}" is empty.`, hint, field });
    return undefined;
  }
  return value;
}

function checkedString(raw: unknown, field: string, r: Report, hint: string): string | undefined {
  if (typeof raw !== "string") {
    r({ code: "WRONG_TYPE", message: `Field "${lastName(field)}" is ${describe(raw)}, not a string.`, hint, field });
    return undefined;
  }
  const value = normalizeText(raw);
  const bad = checkText(value);
  if (bad) {
    r({ code: bad, message: TEXT_MESSAGES[bad], hint: TEXT_HINTS[bad], field });
    return undefined;
  }
  return value;
}

export const TEXT_MESSAGES: Record<"INVALID_UNICODE" | "CONTROL_CHARACTER", string> = {
  INVALID_UNICODE: "The text contains an unpaired UTF-16 surrogate (an invalid \\uD800–\\uDFFF escape).",
  CONTROL_CHARACTER: "The text contains a control character other than tab or newline.",
};
export const TEXT_HINTS: Record<"INVALID_UNICODE" | "CONTROL_CHARACTER", string> = {
  INVALID_UNICODE: "Remove the broken escape or replace it with the character it was meant to be.",
  CONTROL_CHARACTER: "Remove the control character (often a stray NUL, form feed or escape code from a copy-paste).",
};

function unknownFields(o: Record<string, unknown>, allowed: string[], r: Report, path?: string): void {
  for (const key of Object.keys(o)) {
    if (allowed.includes(key)) continue;
    const alias = ALIASES[key];
    const rename = alias && allowed.includes(alias) && !(alias in o) ? `Rename "${key}" to "${alias}".` : undefined;
    r({
      code: "UNKNOWN_FIELD",
      message: `Field "${key}" is not part of this record shape.`,
      hint: rename ?? `Remove "${key}"; allowed fields are ${allowed.map((a) => `"${a}"`).join(", ")}.`,
      field: path ? `${path}.${key}` : key,
    });
  }
}

function lastName(field: string): string {
  return field.slice(field.lastIndexOf(".") + 1);
}

function describe(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "an array";
  switch (typeof value) {
    case "string":
      return "a string";
    case "number":
      return "a number";
    case "boolean":
      return "a boolean";
    case "object":
      return "an object";
    default:
      return "missing";
  }
}
