// Turns uploaded bytes into text, refusing what is not a plain UTF-8 text file: oversize files,
// archives and other binaries (a compressed bomb renamed to .txt is never decompressed),
// invalid UTF-8, byte-order marks and mixed newline styles.

import { formatExcess, type DatasetLimits } from "./limits.ts";
import type { ProblemList } from "./problems.ts";

const SIGNATURES: ReadonlyArray<{ name: string; bytes: number[] }> = [
  { name: "a ZIP archive", bytes: [0x50, 0x4b, 0x03, 0x04] },
  { name: "a ZIP archive", bytes: [0x50, 0x4b, 0x05, 0x06] },
  { name: "a gzip-compressed file", bytes: [0x1f, 0x8b] },
  { name: "a bzip2-compressed file", bytes: [0x42, 0x5a, 0x68] },
  { name: "an xz-compressed file", bytes: [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00] },
  { name: "a zstd-compressed file", bytes: [0x28, 0xb5, 0x2f, 0xfd] },
  { name: "a 7-Zip archive", bytes: [0x37, 0x7a, 0xbc, 0xaf, 0x27, 0x1c] },
  { name: "a RAR archive", bytes: [0x52, 0x61, 0x72, 0x21, 0x1a, 0x07] },
  { name: "a PDF document", bytes: [0x25, 0x50, 0x44, 0x46, 0x2d] },
  { name: "a Parquet file", bytes: [0x50, 0x41, 0x52, 0x31] },
];

const BINARY_HINT =
  "Upload the uncompressed dataset as a UTF-8 text file (JSONL, plain text or CSV); archives and binary files are not accepted.";

/**
 * Decodes `bytes` as UTF-8 text with `\n` newlines. Adds a problem for each thing wrong;
 * returns `undefined` when the file cannot be read as text at all.
 */
export function decodeDatasetBytes(bytes: Uint8Array, limits: DatasetLimits, problems: ProblemList): string | undefined {
  if (bytes.length > limits.maxContributionBytes) {
    const [size, limit] = formatExcess(bytes.length, limits.maxContributionBytes);
    problems.add({
      code: "FILE_TOO_LARGE",
      message: `The file is ${size}, over the ${limit} limit for one contribution.`,
      hint: "Split the dataset into several contributions.",
    });
    return undefined;
  }
  if (bytes.length === 0) {
    problems.add({ code: "FILE_EMPTY", message: "The file is empty.", hint: "Choose the file that holds your records." });
    return undefined;
  }
  const signature = SIGNATURES.find((s) => s.bytes.every((b, i) => bytes[i] === b));
  if (signature) {
    problems.add({ code: "BINARY_CONTENT", message: `The file is ${signature.name}, not text.`, hint: BINARY_HINT });
    return undefined;
  }
  if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
    problems.add({
      code: "NOT_UTF8",
      message: "The file is encoded as UTF-16, not UTF-8.",
      hint: "Save the file as UTF-8 (without BOM) and upload it again.",
    });
    return undefined;
  }
  const nul = bytes.subarray(0, 8192).indexOf(0);
  if (nul !== -1) {
    problems.add({
      code: "BINARY_CONTENT",
      message: "The file contains NUL bytes, so it is binary (or UTF-16), not UTF-8 text.",
      hint: BINARY_HINT,
      line: lineAt(bytes, nul),
    });
    return undefined;
  }

  let body = bytes;
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) {
    problems.add({
      code: "BOM",
      message: "The file starts with a byte-order mark (BOM).",
      hint: 'Save the file as "UTF-8" without BOM (some editors call the other option "UTF-8 with signature").',
      line: 1,
    });
    body = bytes.subarray(3);
  }

  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(body);
  } catch {
    for (const line of invalidUtf8Lines(body)) {
      problems.add({
        code: "NOT_UTF8",
        message: "The line contains bytes that are not valid UTF-8.",
        hint: "Save the file as UTF-8; it looks like another encoding (for example Latin-1 or Windows-1252).",
        line,
      });
    }
    return undefined;
  }
  return normalizeNewlines(text, problems);
}

/** Checks the newline style and returns the text with `\n` newlines. */
function normalizeNewlines(text: string, problems: ProblemList): string {
  if (!text.includes("\r")) return text;
  const styles = { lf: 0, crlf: 0, cr: 0 };
  const firstLine = { lf: 0, crlf: 0, cr: 0 };
  let line = 1;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    let style: keyof typeof styles | undefined;
    if (c === 0x0d) {
      if (text.charCodeAt(i + 1) === 0x0a) {
        style = "crlf";
        i += 1;
      } else style = "cr";
    } else if (c === 0x0a) style = "lf";
    if (style) {
      if (styles[style] === 0) firstLine[style] = line;
      styles[style] += 1;
      line += 1;
    }
  }
  const used = (Object.keys(styles) as Array<keyof typeof styles>).filter((s) => styles[s] > 0);
  if (used.length > 1) {
    const names = { lf: "LF", crlf: "CRLF", cr: "CR" };
    const major = used.reduce((a, b) => (styles[b] > styles[a] ? b : a));
    const minor = used.filter((s) => s !== major).reduce((a, b) => (firstLine[b] < firstLine[a] ? b : a));
    problems.add({
      code: "NEWLINES_MIXED",
      message: `The file mixes newline styles: ${used.map((s) => `${styles[s]} ${names[s]}`).join(", ")}; this line ends with ${names[minor]}.`,
      hint: "Convert the file to one newline style (LF is preferred) so that records are split where you meant.",
      line: firstLine[minor],
    });
  }
  return text.replace(/\r\n?/g, "\n");
}

function lineAt(bytes: Uint8Array, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a) line += 1;
  return line;
}

/** 1-based line numbers of the lines holding invalid UTF-8 sequences, each once. */
function invalidUtf8Lines(bytes: Uint8Array): number[] {
  const lines: number[] = [];
  let line = 1;
  let i = 0;
  const n = bytes.length;
  const bad = () => {
    if (lines[lines.length - 1] !== line) lines.push(line);
  };
  const cont = (k: number, lo = 0x80, hi = 0xbf) => {
    const b = bytes[i + k];
    return b !== undefined && b >= lo && b <= hi;
  };
  while (i < n) {
    const b = bytes[i]!;
    if (b < 0x80) {
      if (b === 0x0a) line += 1;
      i += 1;
    } else if (b >= 0xc2 && b <= 0xdf) {
      if (cont(1)) i += 2;
      else bad(), (i += 1);
    } else if (b >= 0xe0 && b <= 0xef) {
      const lo = b === 0xe0 ? 0xa0 : 0x80;
      const hi = b === 0xed ? 0x9f : 0xbf;
      if (cont(1, lo, hi) && cont(2)) i += 3;
      else bad(), (i += 1);
    } else if (b >= 0xf0 && b <= 0xf4) {
      const lo = b === 0xf0 ? 0x90 : 0x80;
      const hi = b === 0xf4 ? 0x8f : 0xbf;
      if (cont(1, lo, hi) && cont(2) && cont(3)) i += 4;
      else bad(), (i += 1);
    } else {
      bad();
      i += 1;
    }
  }
  return lines;
}
