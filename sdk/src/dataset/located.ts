import type { DatasetRecord } from "./schema.ts";

/** A canonical record with where it came from in the input. */
export type LocatedRecord = { record: DatasetRecord; line: number; row?: number };
