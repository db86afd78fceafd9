// The audit log: one JSON line per release, refusal and rotation, with requester, Datanet,
// purpose, contributions, job or model, the recipient's public key, outcome and reason, and the
// time. Never a data key, a secret or plaintext: only what the owner needs to answer "who
// received which key, when, and why".
import { appendFile, mkdir } from "node:fs/promises";
import path from "node:path";

export type AuditEntry = {
  event: "release" | "refusal" | "rotation";
  requester?: string;
  datanetId: string;
  purpose?: string;
  contributionIds?: string[];
  jobId?: string;
  modelId?: string;
  /** Purpose "model": which sealed artifact, and the envelope's CID the chain named. */
  artifact?: string;
  cid?: string;
  /** The X25519 public key the data keys were wrapped to (public). */
  recipientPublicKey?: string;
  /** Refusals: the stable code and the sentence sent back. */
  code?: string;
  reason?: string;
  /** Rotations: the new version and its public key. */
  version?: number;
  publicKey?: string;
  block?: string;
};

export class AuditLog {
  readonly file: string;
  private queue: Promise<void> = Promise.resolve();

  constructor(dataDir: string) {
    this.file = path.join(dataDir, "audit.jsonl");
  }

  /** Appends one line; lines are written in call order. */
  write(entry: AuditEntry): Promise<void> {
    const line = JSON.stringify({ time: new Date().toISOString(), ...entry }) + "\n";
    this.queue = this.queue.then(async () => {
      await mkdir(path.dirname(this.file), { recursive: true });
      await appendFile(this.file, line, { mode: 0o600 });
    });
    return this.queue;
  }
}
