// A dataset record as the conversation a model is asked: the chat messages up to its last answer,
// and the question chat would retrieve for. Retrieval-augmented fine-tuning (raft.ts) and the
// report's training-influence probe (influence-probe.ts) both read records this way.
import type { DatasetRecord } from "@modelfactory/sdk";

export type Conversation = { question: string; messages: { role: "system" | "user" | "assistant"; content: string }[] };

/** The record as chat messages up to its last answer, and the question chat would retrieve for (the user turn before it); null for text. */
export function conversationOf(record: DatasetRecord): Conversation | null {
  if (record.kind === "instruction") {
    // The same user turn the worker makes of an instruction record (records.py).
    const question = record.input ? `${record.instruction}\n\n${record.input}` : record.instruction;
    return {
      question,
      messages: [
        { role: "user", content: question },
        { role: "assistant", content: record.output },
      ],
    };
  }
  if (record.kind === "chat") {
    const last = record.messages.findLastIndex((m) => m.role === "assistant");
    const messages = record.messages.slice(0, last + 1).map((m) => ({ role: m.role, content: m.content }));
    const question = messages.findLast((m) => m.role === "user")?.content;
    return question === undefined ? null : { question, messages };
  }
  return null;
}
