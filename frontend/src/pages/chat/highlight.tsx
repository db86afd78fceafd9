// Marks character spans inside a text, rendering only text nodes (dataset and model text is
// never interpreted as HTML). Spans may overlap, be unsorted or run past the end.
import type { Span } from "@modelfactory/sdk";

export type Segment = { text: string; marked: boolean };

export function segments(text: string, spans: Span[]): Segment[] {
  const clean = spans
    .map((s) => ({ start: Math.max(0, Math.min(text.length, s.start)), end: Math.max(0, Math.min(text.length, s.end)) }))
    .filter((s) => s.end > s.start)
    .sort((a, b) => a.start - b.start);
  const merged: Span[] = [];
  for (const s of clean) {
    const last = merged[merged.length - 1];
    if (last && s.start <= last.end) last.end = Math.max(last.end, s.end);
    else merged.push({ ...s });
  }
  const out: Segment[] = [];
  let at = 0;
  for (const s of merged) {
    if (s.start > at) out.push({ text: text.slice(at, s.start), marked: false });
    out.push({ text: text.slice(s.start, s.end), marked: true });
    at = s.end;
  }
  if (at < text.length) out.push({ text: text.slice(at), marked: false });
  return out;
}

export function Highlighted({ text, spans, active = false }: { text: string; spans: Span[]; active?: boolean }) {
  return (
    <>
      {segments(text, spans).map((s, i) =>
        s.marked ? (
          <mark key={i} className={active ? "active" : undefined}>
            {s.text}
          </mark>
        ) : (
          <span key={i}>{s.text}</span>
        ),
      )}
    </>
  );
}
