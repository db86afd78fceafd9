// About 410 lines: the cache, undo journal and cursor are committed in one transaction, so they
// stay in one class. The runner's entity store in SQLite (node:sqlite): one table per entity type, a write cache
// for the blocks being processed, a per-block undo journal for rolling back reorgs, the block
// pointers already processed, and the cursor — all committed together in one transaction.
import { DatabaseSync, type StatementSync } from "node:sqlite";
import { MappingError, RunnerError } from "../errors.ts";
import type { EntityModel, FieldModel, ScalarName, SchemaModel } from "../schema/model.ts";
import {
  coerce,
  columnType,
  decodeField,
  encodeField,
  fieldScalar,
  ident,
  kindFits,
  ValueKind,
  VALUE_KIND_NAMES,
  type EntityData,
  type EntityValue,
  type KindedValue,
  type SqlValue,
} from "./values.ts";

export type BlockPtr = { number: number; hash: string; parentHash?: string; timestamp?: number };

type Column = { field: FieldModel; scalar: ScalarName | "enum"; name: string };
type Table = {
  entity: EntityModel;
  columns: Column[];
  get: StatementSync;
  upsert: StatementSync;
  remove: StatementSync;
};
type Pending = { data: EntityData | null; block: number };

const META = "_runner_meta";
const BLOCKS = "_runner_blocks";
const JOURNAL = "_runner_journal";

/** JSON that keeps bigint values (journal rows hold Int8 columns). */
const toJson = (row: SqlValue[] | null) => JSON.stringify(row, (_, v) => (typeof v === "bigint" ? { $bigint: v.toString() } : v));
const fromJson = (text: string): SqlValue[] | null =>
  JSON.parse(text, (_, v) => (v && typeof v === "object" && "$bigint" in v ? BigInt(v.$bigint) : v));

export type StoreOptions = {
  /** What the store is built for (schema, mappings, deployment); a store built for another is emptied. */
  fingerprint?: string;
  /** Told when an existing store is emptied because its fingerprint differs. */
  onReset?: (reason: string) => void;
};

export class EntityStore {
  readonly db: DatabaseSync;
  readonly model: SchemaModel;
  readonly tables = new Map<string, Table>();
  private pending = new Map<string, Map<string, Pending>>();
  /** Entities read from the database since the last commit (mappings load, then save). */
  private readCache = new Map<string, EntityData | null>();
  private touchedInBlock = new Set<string>();
  private journal: [number, string, string, string | null][] = [];
  private block: BlockPtr | undefined;
  private statements = new Map<string, StatementSync>();

  constructor(file: string, model: SchemaModel, options: StoreOptions = {}) {
    this.db = new DatabaseSync(file);
    this.model = model;
    this.db.exec("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = OFF;");
    if (options.fingerprint !== undefined) this.resetIfBuiltForOther(options.fingerprint, options.onReset);
    this.db.exec(`CREATE TABLE IF NOT EXISTS ${META} (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
    this.db.exec(
      `CREATE TABLE IF NOT EXISTS ${BLOCKS} (number INTEGER PRIMARY KEY, hash TEXT NOT NULL, parent_hash TEXT, timestamp INTEGER)`,
    );
    this.db.exec(
      `CREATE TABLE IF NOT EXISTS ${JOURNAL} (seq INTEGER PRIMARY KEY AUTOINCREMENT, block INTEGER NOT NULL, entity TEXT NOT NULL, id TEXT NOT NULL, prev TEXT)`,
    );
    this.db.exec(`CREATE INDEX IF NOT EXISTS ${JOURNAL}_block ON ${JOURNAL}(block)`);
    for (const entity of model.entities.values()) this.tables.set(entity.name, this.createTable(entity));
  }

  /** Drops every table of a store written for another fingerprint, then records this one. */
  private resetIfBuiltForOther(fingerprint: string, onReset?: (reason: string) => void): void {
    const hasMeta = this.db.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?").get(META);
    const stored = hasMeta
      ? (this.db.prepare(`SELECT value FROM ${META} WHERE key = 'fingerprint'`).get() as { value: string } | undefined)?.value
      : undefined;
    if (stored !== fingerprint) {
      const tables = this.db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'").all() as {
        name: string;
      }[];
      if (tables.length > 0)
        onReset?.("The subgraph build or the deployment changed since the store was written: re-indexing from scratch.");
      for (const t of tables) this.db.exec(`DROP TABLE IF EXISTS ${ident(t.name)}`);
    }
    this.db.exec(`CREATE TABLE IF NOT EXISTS ${META} (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
    this.db.prepare(`INSERT OR REPLACE INTO ${META} (key, value) VALUES ('fingerprint', ?)`).run(fingerprint);
  }

  private createTable(entity: EntityModel): Table {
    const columns: Column[] = entity.stored.map((field) => ({
      field,
      scalar: fieldScalar(field, this.model.entities),
      name: ident(field.name),
    }));
    const defs = columns.map((c) =>
      c.field.name === "id"
        ? `id ${entity.idType === "Int8" ? "INTEGER" : "TEXT"} PRIMARY KEY`
        : `${c.name} ${columnType(c.field, c.scalar)}`,
    );
    const table = ident(entity.name);
    this.db.exec(`CREATE TABLE IF NOT EXISTS ${table} (${defs.join(", ")}, _block INTEGER NOT NULL)`);
    this.db.exec(`CREATE INDEX IF NOT EXISTS ${ident(`${entity.name}__block`)} ON ${table}(_block)`);
    for (const c of columns) {
      if (c.field.type.kind === "entity" && !c.field.list) {
        this.db.exec(`CREATE INDEX IF NOT EXISTS ${ident(`${entity.name}_${c.field.name}`)} ON ${table}(${c.name})`);
      }
    }
    const names = columns.map((c) => c.name);
    const get = this.db.prepare(`SELECT ${names.join(", ")} FROM ${table} WHERE id = ?`);
    get.setReadBigInts(true);
    const upsert = this.db.prepare(
      `INSERT OR REPLACE INTO ${table} (${names.join(", ")}, _block) VALUES (${names.map(() => "?").join(", ")}, ?)`,
    );
    const remove = this.db.prepare(`DELETE FROM ${table} WHERE id = ?`);
    return { entity, columns, get, upsert, remove };
  }

  table(entity: string): Table {
    const t = this.tables.get(entity);
    if (!t) throw new MappingError(`Unknown entity type ${entity}: it is not in the schema.`);
    return t;
  }

  // --- rows ------------------------------------------------------------------------------

  /** Column values of an entity, in column order. */
  encodeRow(table: Table, data: EntityData): SqlValue[] {
    return table.columns.map((c) => encodeField(data[c.field.name] ?? null, c.field, c.scalar));
  }

  decodeRow(table: Table, row: Record<string, unknown>): EntityData {
    const data: EntityData = {};
    for (const c of table.columns) data[c.field.name] = decodeField(row[c.field.name], c.field, c.scalar);
    return data;
  }

  private sqlId(table: Table, id: string): SqlValue {
    return table.entity.idType === "Int8" ? BigInt(id) : id;
  }

  private readDb(table: Table, id: string): EntityData | null {
    const row = table.get.get(this.sqlId(table, id)) as Record<string, unknown> | undefined;
    return row ? this.decodeRow(table, row) : null;
  }

  // --- mapping-facing API ------------------------------------------------------------------

  /** Starts a block: later writes are journaled under it. */
  beginBlock(block: BlockPtr): void {
    this.block = block;
    this.touchedInBlock.clear();
  }

  get(entity: string, id: string): EntityData | null {
    const table = this.table(entity);
    const p = this.pending.get(entity)?.get(id);
    if (p) return p.data;
    const key = `${entity}\u0000${id}`;
    let data = this.readCache.get(key);
    if (data === undefined) {
      data = this.readDb(table, id);
      this.readCache.set(key, data);
    }
    return data;
  }

  /** The entity only if the current block created or updated it (graph-node `get_in_block`). */
  getInBlock(entity: string, id: string): EntityData | null {
    if (!this.touchedInBlock.has(`${entity}\u0000${id}`)) return null;
    return this.get(entity, id);
  }

  /** Sets an entity, merging with the stored one as graph-node does (null removes a field). */
  set(entity: string, id: string, fields: Map<string, KindedValue>): void {
    const table = this.table(entity);
    const model = table.entity;
    const existing = this.get(entity, id);
    if (existing && model.immutable) {
      const p = this.pending.get(entity)?.get(id);
      if (!p || p.block !== this.block?.number) {
        throw new MappingError(`Entity ${entity}[${id}] is immutable and was already written; it cannot be updated.`);
      }
    }
    const merged: EntityData = existing ? { ...existing } : {};
    for (const [name, { kind, value }] of fields) {
      const field = model.fieldsByName.get(name);
      if (!field) throw new MappingError(`Entity ${entity}[${id}]: the schema has no field \`${name}\`.`);
      if (field.derivedFrom) {
        throw new MappingError(`Entity ${entity}[${id}]: \`${name}\` is derived (@derivedFrom) and cannot be set.`);
      }
      merged[name] = kind === ValueKind.NULL ? null : this.check(entity, id, field, kind, value);
    }
    const idValue = merged.id;
    const idText = typeof idValue === "bigint" ? idValue.toString() : idValue;
    if (idValue === undefined || idValue === null) {
      merged.id = model.idType === "Int8" ? BigInt(id) : id;
    } else if (idText !== id) {
      throw new MappingError(`Entity ${entity}[${id}]: its \`id\` field is ${String(idText)}, not the key it is saved under.`);
    }
    for (const field of model.stored) {
      const value = merged[field.name];
      if (value === undefined) merged[field.name] = null;
      if (field.nonNull && (value === null || value === undefined)) {
        throw new MappingError(`Entity ${entity}[${id}]: missing value for non-nullable field \`${field.name}\`.`);
      }
    }
    this.write(entity, id, existing, merged);
  }

  private check(entity: string, id: string, field: FieldModel, kind: number, value: EntityValue): EntityValue {
    const scalar = fieldScalar(field, this.model.entities);
    const bad = (k: number) =>
      new MappingError(
        `Entity ${entity}[${id}]: field \`${field.name}\` is ${field.list ? "a list of " : ""}${field.type.name} but the mapping set a ${VALUE_KIND_NAMES[k] ?? k}.`,
      );
    if (field.list) {
      if (kind !== ValueKind.ARRAY) throw bad(kind);
      return (value as unknown as KindedValue[]).map((item) => {
        if (!kindFits(item.kind, scalar)) throw bad(item.kind);
        return this.checkEnum(entity, id, field, coerce(item.value, scalar));
      });
    }
    if (!kindFits(kind, scalar)) throw bad(kind);
    return this.checkEnum(entity, id, field, coerce(value, scalar));
  }

  private checkEnum(entity: string, id: string, field: FieldModel, value: EntityValue): EntityValue {
    if (field.type.kind === "enum" && !this.model.enums.get(field.type.name)!.includes(value as string)) {
      throw new MappingError(`Entity ${entity}[${id}]: "${String(value)}" is not a value of enum ${field.type.name}.`);
    }
    return value;
  }

  remove(entity: string, id: string): void {
    this.table(entity);
    const existing = this.get(entity, id);
    if (existing && this.table(entity).entity.immutable) {
      throw new MappingError(`Entity ${entity}[${id}] is immutable; it cannot be removed.`);
    }
    this.write(entity, id, existing, null);
  }

  private write(entity: string, id: string, previous: EntityData | null, data: EntityData | null): void {
    const block = this.block;
    if (!block) throw new RunnerError("Store written outside a block.");
    const key = `${entity}\u0000${id}`;
    if (!this.touchedInBlock.has(key)) {
      this.touchedInBlock.add(key);
      const prev = previous ? toJson(this.encodeRow(this.table(entity), previous)) : null;
      this.journal.push([block.number, entity, id, prev]);
    }
    let map = this.pending.get(entity);
    if (!map) this.pending.set(entity, (map = new Map()));
    map.set(id, { data, block: block.number });
  }

  /** Entities whose `field` (the source of a derived field of `entity`) points at `id`. */
  loadRelated(entity: string, id: string, field: string): EntityData[] {
    const parent = this.table(entity).entity;
    const derived = parent.fieldsByName.get(field);
    if (!derived?.derivedFrom || derived.type.kind !== "entity") {
      throw new MappingError(`loadRelated: ${entity}.${field} is not a @derivedFrom field.`);
    }
    const child = this.table(derived.type.name);
    const source = child.entity.fieldsByName.get(derived.derivedFrom)!;
    const col = ident(source.name);
    const sql = source.list
      ? `SELECT id FROM ${ident(child.entity.name)} WHERE EXISTS (SELECT 1 FROM json_each(${col}) WHERE value = ?)`
      : `SELECT id FROM ${ident(child.entity.name)} WHERE ${col} = ?`;
    const ids = new Set((this.prepared(sql).all(id) as { id: string | number }[]).map((r) => String(r.id)));
    for (const [childId] of this.pending.get(child.entity.name) ?? []) ids.add(childId);
    const out: EntityData[] = [];
    for (const childId of ids) {
      const data = this.get(child.entity.name, childId);
      if (!data) continue;
      const ref = data[source.name];
      if (source.list ? (ref as EntityValue[] | null)?.includes(id) : ref === id) out.push(data);
    }
    return out;
  }

  prepared(sql: string): StatementSync {
    let s = this.statements.get(sql);
    if (!s) {
      s = this.db.prepare(sql);
      s.setReadBigInts(true);
      this.statements.set(sql, s);
    }
    return s;
  }

  /** Number of entity writes waiting for the next commit. */
  get pendingCount(): number {
    let n = 0;
    for (const map of this.pending.values()) n += map.size;
    return n;
  }

  /** Writes pending entities, their journal, the processed blocks and the cursor atomically. */
  commit(cursor: BlockPtr, blocks: BlockPtr[], reorgWindow: number): void {
    this.db.exec("BEGIN");
    try {
      for (const [entity, map] of this.pending) {
        const table = this.table(entity);
        for (const [id, { data, block }] of map) {
          if (data) table.upsert.run(...this.encodeRow(table, data), block);
          else table.remove.run(this.sqlId(table, id));
        }
      }
      const journal = this.prepared(`INSERT INTO ${JOURNAL} (block, entity, id, prev) VALUES (?, ?, ?, ?)`);
      for (const row of this.journal) journal.run(...row);
      const insertBlock = this.prepared(`INSERT OR REPLACE INTO ${BLOCKS} (number, hash, parent_hash, timestamp) VALUES (?, ?, ?, ?)`);
      for (const b of [...blocks, cursor]) insertBlock.run(b.number, b.hash, b.parentHash ?? null, b.timestamp ?? null);
      const horizon = cursor.number - reorgWindow;
      this.prepared(`DELETE FROM ${JOURNAL} WHERE block < ?`).run(horizon);
      this.prepared(`DELETE FROM ${BLOCKS} WHERE number < ?`).run(horizon);
      this.setMetaInTx("cursor", JSON.stringify(cursor));
      this.db.exec("COMMIT");
    } catch (e) {
      this.db.exec("ROLLBACK");
      throw e;
    }
    this.discard();
  }

  /** Forgets uncommitted writes (after a failed handler). */
  discard(): void {
    this.pending.clear();
    this.readCache.clear();
    this.journal = [];
    this.touchedInBlock.clear();
    this.block = undefined;
  }

  cursor(): BlockPtr | null {
    const v = this.getMeta("cursor");
    return v ? (JSON.parse(v) as BlockPtr) : null;
  }

  /** Processed block pointers, newest first. */
  blocks(): BlockPtr[] {
    type Row = { number: number; hash: string; parent_hash: string | null; timestamp: number | null };
    const rows = this.db.prepare(`SELECT number, hash, parent_hash, timestamp FROM ${BLOCKS} ORDER BY number DESC`).all() as Row[];
    return rows.map((r) => ({
      number: r.number,
      hash: r.hash,
      ...(r.parent_hash ? { parentHash: r.parent_hash } : {}),
      ...(r.timestamp !== null ? { timestamp: r.timestamp } : {}),
    }));
  }

  /** Undoes every change made after block `ancestor` and moves the cursor back to it. */
  revertTo(ancestor: BlockPtr): number {
    this.discard();
    const rows = this.db
      .prepare(`SELECT block, entity, id, prev FROM ${JOURNAL} WHERE block > ? ORDER BY seq DESC`)
      .all(ancestor.number) as { block: number; entity: string; id: string; prev: string | null }[];
    this.db.exec("BEGIN");
    try {
      for (const r of rows) {
        const table = this.table(r.entity);
        if (r.prev === null) table.remove.run(this.sqlId(table, r.id));
        else table.upsert.run(...fromJson(r.prev)!, r.block - 1);
      }
      this.db.prepare(`DELETE FROM ${JOURNAL} WHERE block > ?`).run(ancestor.number);
      this.db.prepare(`DELETE FROM ${BLOCKS} WHERE number > ?`).run(ancestor.number);
      this.setMetaInTx("cursor", JSON.stringify(ancestor));
      this.db.exec("COMMIT");
    } catch (e) {
      this.db.exec("ROLLBACK");
      throw e;
    }
    return rows.length;
  }

  /** Deletes every entity, the journal, the blocks and the cursor, keeping the tables. */
  wipe(): void {
    this.discard();
    this.db.exec("BEGIN");
    for (const t of this.tables.values()) this.db.exec(`DELETE FROM ${ident(t.entity.name)}`);
    this.db.exec(`DELETE FROM ${JOURNAL}; DELETE FROM ${BLOCKS}; DELETE FROM ${META} WHERE key IN ('cursor', 'error');`);
    this.db.exec("COMMIT");
  }

  getMeta(key: string): string | undefined {
    const row = this.prepared(`SELECT value FROM ${META} WHERE key = ?`).get(key) as { value: string } | undefined;
    return row?.value;
  }

  setMeta(key: string, value: string): void {
    this.setMetaInTx(key, value);
  }

  deleteMeta(key: string): void {
    this.prepared(`DELETE FROM ${META} WHERE key = ?`).run(key);
  }

  private setMetaInTx(key: string, value: string): void {
    this.prepared(`INSERT OR REPLACE INTO ${META} (key, value) VALUES (?, ?)`).run(key, value);
  }

  close(): void {
    this.db.close();
  }
}
