// The Datanet metadata document (stored in the content store, its URI on chain): what the
// Datanet is, for browsing and search. Also the create/edit form's validation.
import { RECORD_KINDS, type RecordKind } from "@sdk/dataset/schema.ts";

export const DATANET_METADATA_SCHEMA = "modelfactory.datanet-metadata/1";

export type DatanetMetadata = {
  schema: typeof DATANET_METADATA_SCHEMA;
  name: string;
  description: string;
  domain: string;
  tags: string[];
  /** Record kinds contributions may hold. */
  recordKinds: RecordKind[];
};

export type DatanetForm = {
  name: string;
  description: string;
  domain: string;
  tags: string;
  license: string;
  recordKinds: RecordKind[];
  accessPolicy: "Open" | "Permissioned";
  contributionPolicy: "Open" | "Curated";
};

export const EMPTY_DATANET_FORM: DatanetForm = {
  name: "",
  description: "",
  domain: "",
  tags: "",
  license: "CC-BY-4.0",
  recordKinds: ["instruction", "chat"],
  accessPolicy: "Permissioned",
  contributionPolicy: "Curated",
};

export type FormErrors<T> = Partial<Record<keyof T, string>>;

export function parseTags(text: string): string[] {
  return [
    ...new Set(
      text
        .split(",")
        .map((t) => t.trim().toLowerCase())
        .filter(Boolean),
    ),
  ];
}

/** Field errors of the create/edit form; empty when the form can be submitted. */
export function validateDatanetForm(form: DatanetForm): FormErrors<DatanetForm> {
  const errors: FormErrors<DatanetForm> = {};
  const name = form.name.trim();
  if (!name) errors.name = "Give the Datanet a name.";
  else if (name.length > 80) errors.name = "Keep the name under 80 characters.";
  if (form.description.trim().length < 20)
    errors.description = "Describe the data in at least 20 characters, so builders know what it holds.";
  else if (form.description.length > 5000) errors.description = "Keep the description under 5,000 characters.";
  if (!form.domain.trim()) errors.domain = "Name the domain (e.g. medicine, law, customer support).";
  else if (form.domain.length > 50) errors.domain = "Keep the domain under 50 characters.";
  const tags = parseTags(form.tags);
  if (tags.length > 20) errors.tags = "Use at most 20 tags.";
  else if (tags.some((t) => t.length > 50)) errors.tags = "Keep each tag under 50 characters.";
  if (!form.license.trim()) errors.license = "Choose a license (an SPDX identifier such as CC-BY-4.0).";
  else if (!/^[A-Za-z0-9.+\- ]{2,100}$/.test(form.license.trim())) errors.license = "Use an SPDX identifier such as CC-BY-4.0 or MIT.";
  if (form.recordKinds.length === 0) errors.recordKinds = "Accept at least one kind of record.";
  else if (form.recordKinds.some((k) => !RECORD_KINDS.includes(k))) errors.recordKinds = "Unknown record kind.";
  return errors;
}

export function metadataFromForm(form: DatanetForm): DatanetMetadata {
  return {
    schema: DATANET_METADATA_SCHEMA,
    name: form.name.trim(),
    description: form.description.trim(),
    domain: form.domain.trim().toLowerCase(),
    tags: parseTags(form.tags),
    recordKinds: form.recordKinds,
  };
}

/** Reads an untrusted metadata document, keeping only well-typed fields. */
export function readDatanetMetadata(raw: unknown): DatanetMetadata | null {
  if (!raw || typeof raw !== "object") return null;
  const o = raw as Record<string, unknown>;
  const str = (v: unknown) => (typeof v === "string" ? v : "");
  return {
    schema: DATANET_METADATA_SCHEMA,
    name: str(o.name) || "Untitled Datanet",
    description: str(o.description),
    domain: str(o.domain),
    tags: Array.isArray(o.tags) ? o.tags.filter((t): t is string => typeof t === "string") : [],
    recordKinds: Array.isArray(o.recordKinds)
      ? (o.recordKinds.filter((k) => RECORD_KINDS.includes(k as RecordKind)) as RecordKind[])
      : [...RECORD_KINDS],
  };
}
