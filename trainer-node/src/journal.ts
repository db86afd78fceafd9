// The node's crash-safe memory: every job's summary and its full event history in an embedded
// SQLite database (node:sqlite, WAL). A restarted node reads it to resume or release its jobs,
// and a late SSE subscriber gets the history from it.
import { EventEmitter } from "node:events";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { DatabaseSync } from "node:sqlite";
import type { JobEvent, JobPhase, JobSummary } from "@modelfactory/sdk";

/** Phases a job can be in while this node holds its claim. */
export const ACTIVE_PHASES: readonly JobPhase[] = ["claimed", "preparing", "training", "evaluating", "publishing"];

type EventInput = JobEvent extends infer E ? (E extends { seq: number } ? Omit<E, "seq"> : never) : never;

export class Journal {
  private readonly db: DatabaseSync;
  /** Emits `event:<jobId>` with each appended JobEvent. */
  readonly events = new EventEmitter();

  constructor(dataDir: string) {
    mkdirSync(dataDir, { recursive: true });
    this.db = new DatabaseSync(path.join(dataDir, "journal.sqlite"));
    this.db.exec(`
      PRAGMA journal_mode = WAL;
      PRAGMA synchronous = NORMAL;
      CREATE TABLE IF NOT EXISTS jobs (job_id TEXT PRIMARY KEY, phase TEXT NOT NULL, summary TEXT NOT NULL, updated_at INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS events (job_id TEXT NOT NULL, seq INTEGER NOT NULL, body TEXT NOT NULL, PRIMARY KEY (job_id, seq));
      CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    `);
    this.events.setMaxListeners(0);
  }

  saveJob(summary: JobSummary): void {
    this.db
      .prepare(
        "INSERT INTO jobs (job_id, phase, summary, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT(job_id) DO UPDATE SET phase = excluded.phase, summary = excluded.summary, updated_at = excluded.updated_at",
      )
      .run(summary.jobId, summary.phase, JSON.stringify(summary), summary.updatedAt);
  }

  getJob(jobId: string): JobSummary | undefined {
    const row = this.db.prepare("SELECT summary FROM jobs WHERE job_id = ?").get(jobId) as { summary: string } | undefined;
    return row ? (JSON.parse(row.summary) as JobSummary) : undefined;
  }

  listJobs(filter: { builder?: string; phases?: readonly JobPhase[] } = {}): JobSummary[] {
    const rows = this.db.prepare("SELECT summary FROM jobs ORDER BY CAST(job_id AS INTEGER) DESC").all() as { summary: string }[];
    return rows
      .map((r) => JSON.parse(r.summary) as JobSummary)
      .filter((j) => !filter.builder || j.builder.toLowerCase() === filter.builder.toLowerCase())
      .filter((j) => !filter.phases || filter.phases.includes(j.phase));
  }

  /** Appends an event with the next sequence number and notifies subscribers. */
  appendEvent(jobId: string, event: EventInput): JobEvent {
    const row = this.db.prepare("SELECT COALESCE(MAX(seq), 0) AS seq FROM events WHERE job_id = ?").get(jobId) as { seq: number };
    const full = { ...event, seq: row.seq + 1 } as JobEvent;
    this.db.prepare("INSERT INTO events (job_id, seq, body) VALUES (?, ?, ?)").run(jobId, full.seq, JSON.stringify(full));
    this.events.emit(`event:${jobId}`, full);
    return full;
  }

  /** Events of a job after `afterSeq`, in order. */
  eventsOf(jobId: string, afterSeq = 0): JobEvent[] {
    const rows = this.db.prepare("SELECT body FROM events WHERE job_id = ? AND seq > ? ORDER BY seq").all(jobId, afterSeq) as {
      body: string;
    }[];
    return rows.map((r) => JSON.parse(r.body) as JobEvent);
  }

  getMeta(key: string): string | undefined {
    return (this.db.prepare("SELECT value FROM meta WHERE key = ?").get(key) as { value: string } | undefined)?.value;
  }

  setMeta(key: string, value: string): void {
    this.db.prepare("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value").run(key, value);
  }

  close(): void {
    this.db.close();
  }
}
