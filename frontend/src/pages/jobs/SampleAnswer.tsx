// One evaluation sample (prompt; reference, base and tuned answers), as the report shows it,
// public or decrypted in the browser. Dataset text is rendered as text only.
import type { EvaluationReport } from "@modelfactory/sdk";

export function SampleAnswer({ sample, index }: { sample: EvaluationReport["samples"][number]; index: number }) {
  return (
    <article className="record" aria-label={`Sample ${index + 1}`}>
      <span className="record-role">prompt</span>
      <p className="record-text">{sample.prompt}</p>
      <div className="cols-2" style={{ gridTemplateColumns: "1fr 1fr 1fr" }}>
        <div>
          <span className="record-role">reference</span>
          <p className="record-text">{sample.reference}</p>
        </div>
        <div>
          <span className="record-role">base</span>
          <p className="record-text">{sample.base}</p>
        </div>
        <div>
          <span className="record-role">tuned</span>
          <p className="record-text">{sample.tuned}</p>
        </div>
      </div>
    </article>
  );
}
