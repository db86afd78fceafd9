// The first records of a dataset, rendered as text (never as HTML).
import type { DatasetRecord } from "@sdk/dataset/schema.ts";

function Text({ label, value }: { label: string; value: string }) {
  if (!value) return null;
  return (
    <div>
      <span className="record-role">{label}</span>
      <p className="record-text">{value}</p>
    </div>
  );
}

export function RecordView({ record }: { record: DatasetRecord }) {
  if (record.kind === "instruction")
    return (
      <>
        <Text label="instruction" value={record.instruction} />
        <Text label="input" value={record.input} />
        <Text label="output" value={record.output} />
      </>
    );
  if (record.kind === "chat")
    return (
      <>
        {record.messages.map((m, i) => (
          <Text key={i} label={m.role} value={m.content} />
        ))}
      </>
    );
  return <Text label="text" value={record.text} />;
}

export function RecordPreview({ records, limit = 5 }: { records: DatasetRecord[]; limit?: number }) {
  return (
    <section aria-labelledby="preview-h" data-testid="record-preview">
      <h3 id="preview-h">
        Preview of the first {Math.min(limit, records.length)} of {records.length} records
      </h3>
      {records.slice(0, limit).map((r, i) => (
        <article className="record" key={i} aria-label={`Record ${i + 1}`}>
          <span className="badge badge-neutral">{r.kind}</span>
          <RecordView record={r} />
        </article>
      ))}
    </section>
  );
}
