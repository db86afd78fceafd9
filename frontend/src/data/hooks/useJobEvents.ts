// Follows a job's live event stream from its trainer node, resuming with Last-Event-ID after
// a drop so no history is lost or doubled.
import { useEffect, useReducer, useRef, useState } from "react";
import type { JobEvent } from "@modelfactory/sdk";
import { followSse } from "../../lib/sse.ts";
import { applyJobEvent, emptyJobStream } from "../job-stream.ts";

export type StreamStatus = "connecting" | "open" | "reconnecting" | "closed" | "idle";

export function useJobEvents(nodeUrl: string | null, jobId: string) {
  const [state, dispatch] = useReducer(applyJobEvent, undefined, emptyJobStream);
  const [status, setStatus] = useState<StreamStatus>("idle");
  const lastSeq = useRef<number>(-1);
  lastSeq.current = state.lastSeq;
  useEffect(() => {
    if (!nodeUrl) return;
    const controller = new AbortController();
    setStatus("connecting");
    void followSse({
      url: `${nodeUrl}/v1/jobs/${jobId}/events`,
      lastEventId: lastSeq.current >= 0 ? String(lastSeq.current) : null,
      signal: controller.signal,
      onStatus: (s) => setStatus(s),
      onMessage: (m) => {
        try {
          dispatch(JSON.parse(m.data) as JobEvent);
        } catch {
          /* a malformed event is skipped, not fatal */
        }
      },
    });
    return () => controller.abort();
  }, [nodeUrl, jobId]);
  return { state, status };
}
