// The system message chat serves with retrieved passages, in one place: chat builds its prompt
// with it, context attribution rebuilds the same prompt from its parts, and retrieval-augmented
// fine-tuning (raft.ts) writes its training and held-out records with it, so what a model is
// trained and measured on cannot drift from what it is served.
import { contextParts, type ContextOptions, type ContextParts } from "./attribution.ts";
import type { RetrievedPassage } from "./datanet-index.ts";

export const SYSTEM_PROMPT =
  "You are a careful assistant. Answer from the sources below when they are relevant, and say so when they are not.";

/** How many retrieved passages chat puts in a prompt. */
export const SERVED_PASSAGES = 4;

/** A prompt's sources: the retrieval context in parts, the text before its first block, and the whole system message. */
export type SourcesPrompt = {
  context: ContextParts;
  /** The system message up to the first passage's block (what context attribution keeps fixed). */
  before: string;
  /** The system message: `before` followed by every block. */
  system: string;
};

/** The system message for retrieved passages (best first, ranks as shown); null for none, when chat sends the conversation unchanged. */
export function sourcesPrompt(passages: readonly RetrievedPassage[], options: ContextOptions = {}): SourcesPrompt | null {
  if (passages.length === 0) return null;
  const context = contextParts(passages, options);
  const before = `${SYSTEM_PROMPT}\n\nSources:\n${context.header}`;
  return { context, before, system: before + context.blocks.join("") };
}

type Message = { role: "system" | "user" | "assistant"; content: string };

/**
 * The messages a model is given: with sources, the sources' system message replaces any system
 * message of the conversation; without, the conversation as it is.
 */
export function servedMessages<M extends Message>(
  prompt: SourcesPrompt | null,
  messages: readonly M[],
): (M | { role: "system"; content: string })[] {
  if (!prompt) return [...messages];
  return [{ role: "system", content: prompt.system }, ...messages.filter((m) => m.role !== "system")];
}
