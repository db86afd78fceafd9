// Synthetic contributions for the validation benchmark: realistic record sizes (a few hundred
// bytes), every supported input format, generated deterministically.

import type { DatasetInput } from "../../sdk/src/dataset/index.ts";

const WORDS = "the model learns from data that people contribute and every answer keeps a trace back to them".split(" ");

function sentence(i: number, words: number): string {
  let out = "";
  for (let w = 0; w < words; w++) out += `${w ? " " : ""}${WORDS[(i * 7 + w * 13) % WORDS.length]}`;
  return `${out} ${i}.`;
}

export type Workload = { name: string; records: number; input: DatasetInput };

export function workloads(records: number): Workload[] {
  const lines = (make: (i: number) => unknown) => Array.from({ length: records }, (_, i) => JSON.stringify(make(i))).join("\n") + "\n";
  const encode = (s: string) => new TextEncoder().encode(s);
  const csvField = (s: string) => `"${s.replaceAll('"', '""')}"`;
  return [
    {
      name: "instruction",
      records,
      input: {
        format: "jsonl",
        bytes: encode(
          lines((i) => ({ instruction: sentence(i, 12), input: i % 3 ? "" : sentence(i + 1, 8), output: sentence(i + 2, 40) })),
        ),
      },
    },
    {
      name: "chat",
      records,
      input: {
        format: "jsonl",
        bytes: encode(
          lines((i) => ({
            messages: [
              { role: "system", content: sentence(i, 6) },
              { role: "user", content: sentence(i + 1, 12) },
              { role: "assistant", content: sentence(i + 2, 30) },
            ],
          })),
        ),
      },
    },
    {
      name: "sharegpt",
      records,
      input: {
        format: "jsonl",
        bytes: encode(
          lines((i) => ({
            conversations: [
              { from: "human", value: sentence(i, 12) },
              { from: "gpt", value: sentence(i + 1, 40) },
            ],
          })),
        ),
      },
    },
    {
      name: "text",
      records,
      input: {
        format: "text",
        bytes: encode(Array.from({ length: records }, (_, i) => `${sentence(i, 30)}\n${sentence(i + 1, 25)}`).join("\n\n") + "\n"),
      },
    },
    {
      name: "csv",
      records,
      input: {
        format: "csv",
        bytes: encode(
          `instruction,input,output\n${Array.from({ length: records }, (_, i) => `${csvField(sentence(i, 12))},,${csvField(`${sentence(i + 2, 40)} "quoted", too`)}`).join("\n")}\n`,
        ),
      },
    },
  ];
}
