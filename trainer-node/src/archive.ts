// Deterministic tar (POSIX ustar) of an adapter folder: sorted entries, zero mtimes, fixed
// modes, so the same PEFT files always give the same bytes, sha256 and CID. `tar -xf` (or any
// tar reader) unpacks it into a folder that PEFT's `from_pretrained` loads.
import { createReadStream, createWriteStream } from "node:fs";
import { mkdir, readFile, readdir, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { TrainerNodeError } from "./errors.ts";

const BLOCK = 512;

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, "0") + "\0";
}

function header(name: string, size: number): Uint8Array {
  const h = new Uint8Array(BLOCK);
  const enc = new TextEncoder();
  const put = (text: string, offset: number, width: number) => {
    const bytes = enc.encode(text);
    if (bytes.length > width) throw new TrainerNodeError(`Archive entry name too long: ${name}`, { code: "ARCHIVE_NAME" });
    h.set(bytes, offset);
  };
  put(name, 0, 100);
  put(octal(0o644, 8), 100, 8);
  put(octal(0, 8), 108, 8);
  put(octal(0, 8), 116, 8);
  put(octal(size, 12), 124, 12);
  put(octal(0, 12), 136, 12);
  put("        ", 148, 8);
  put("0", 156, 1);
  put("ustar\0", 257, 6);
  put("00", 263, 2);
  let sum = 0;
  for (const b of h) sum += b;
  put(sum.toString(8).padStart(6, "0") + "\0 ", 148, 8);
  return h;
}

async function listFiles(dir: string, prefix = ""): Promise<string[]> {
  const out: string[] = [];
  for (const entry of (await readdir(path.join(dir, prefix), { withFileTypes: true })).sort((a, b) => (a.name < b.name ? -1 : 1))) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(dir, rel)));
    else if (entry.isFile()) out.push(rel);
  }
  return out;
}

/** The tar bytes of every regular file under `dir`. */
export async function tarDirectory(dir: string): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for (const rel of await listFiles(dir)) {
    const data = await readFile(path.join(dir, rel));
    parts.push(header(rel, data.length), data, new Uint8Array((BLOCK - (data.length % BLOCK)) % BLOCK));
  }
  parts.push(new Uint8Array(BLOCK * 2));
  const total = parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    out.set(p, offset);
    offset += p.length;
  }
  return out;
}

/**
 * The same archive as `tarDirectory`, written to `outFile` one file at a time, so a merged model of
 * several GB never sits in memory. ustar sizes have 11 octal digits: files up to 8 GiB.
 */
export async function writeTarFile(dir: string, outFile: string): Promise<number> {
  const out = createWriteStream(outFile);
  const done = new Promise<void>((resolve, reject) => {
    out.on("finish", resolve);
    out.on("error", reject);
  });
  const write = (chunk: Uint8Array) => (out.write(chunk) ? Promise.resolve() : new Promise<void>((r) => out.once("drain", () => r())));
  let total = 0;
  for (const rel of await listFiles(dir)) {
    const { size } = await stat(path.join(dir, rel));
    if (size >= 8 ** 11)
      throw new TrainerNodeError(`${rel} is ${size} bytes; a tar entry holds at most 8 GiB.`, { code: "ARCHIVE_TOO_LARGE" });
    await write(header(rel, size));
    for await (const chunk of createReadStream(path.join(dir, rel))) await write(chunk as Buffer);
    await write(new Uint8Array((BLOCK - (size % BLOCK)) % BLOCK));
    total += BLOCK + Math.ceil(size / BLOCK) * BLOCK;
  }
  await write(new Uint8Array(BLOCK * 2));
  out.end();
  await done;
  return total + BLOCK * 2;
}

/** Unpacks `tarDirectory` output into `dir`, refusing paths that escape it. */
export async function untarTo(bytes: Uint8Array, dir: string): Promise<string[]> {
  const dec = new TextDecoder();
  const files: string[] = [];
  let offset = 0;
  while (offset + BLOCK <= bytes.length) {
    const h = bytes.subarray(offset, offset + BLOCK);
    if (h.every((b) => b === 0)) break;
    const name = dec.decode(h.subarray(0, 100)).replace(/\0.*$/s, "");
    const size = parseInt(dec.decode(h.subarray(124, 136)).replace(/\0.*$/s, "").trim() || "0", 8);
    const type = String.fromCharCode(h[156] ?? 48);
    offset += BLOCK;
    const target = path.resolve(dir, name);
    if (!target.startsWith(path.resolve(dir) + path.sep))
      throw new TrainerNodeError(`Archive entry escapes its folder: ${name}`, { code: "ARCHIVE_PATH" });
    if (type === "0" || type === "\0") {
      await mkdir(path.dirname(target), { recursive: true });
      await writeFile(target, bytes.subarray(offset, offset + size));
      files.push(name);
    }
    offset += Math.ceil(size / BLOCK) * BLOCK;
  }
  return files;
}
