// Child processes for the local stack: start with a log prefix, wait for health, stop by pid.
import { spawn, type ChildProcess } from "node:child_process";

export type Service = { name: string; child: ChildProcess };

const COLORS = [36, 35, 33, 32, 34, 31];

/** Starts `command` in `cwd`, prefixing every output line with the service name. */
export function startService(name: string, command: string, cwd: string, env: NodeJS.ProcessEnv = {}, index = 0): Service {
  const child = spawn(command, { cwd, shell: true, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"], detached: true });
  const prefix = `\x1b[${COLORS[index % COLORS.length]}m${name.padEnd(10)}\x1b[0m│ `;
  let pending = "";
  const write = (chunk: Buffer) => {
    const lines = (pending + chunk.toString()).split("\n");
    pending = lines.pop() ?? "";
    for (const line of lines) process.stdout.write(prefix + line + "\n");
  };
  child.stdout!.on("data", write);
  child.stderr!.on("data", write);
  return { name, child };
}

/** Polls `check` until it resolves true, or fails with a message naming the service. */
export async function waitFor(name: string, check: () => Promise<boolean>, timeoutMs = 60_000, service?: Service): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service && service.child.exitCode !== null) throw new Error(`${name} exited with code ${service.child.exitCode} before becoming healthy; see its log above.`);
    if (await check().catch(() => false)) return;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${name} did not become healthy within ${timeoutMs / 1000} s; see its log above.`);
}

/** Stops services in reverse order: SIGTERM to each process group, SIGKILL after a grace period. */
export async function stopServices(services: Service[]): Promise<void> {
  for (const s of [...services].reverse()) {
    if (s.child.exitCode !== null || s.child.pid === undefined) continue;
    try {
      process.kill(-s.child.pid, "SIGTERM");
    } catch {
      continue;
    }
    const exited = new Promise((r) => s.child.once("exit", r));
    const timer = new Promise((r) => setTimeout(r, 5000));
    if ((await Promise.race([exited.then(() => "exit"), timer])) !== "exit") {
      try {
        process.kill(-s.child.pid, "SIGKILL");
      } catch {
        /* already gone */
      }
    }
  }
}

/** True when a JSON-RPC endpoint answers `eth_chainId`. */
export async function rpcReady(url: string): Promise<boolean> {
  const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }) });
  return res.ok && typeof ((await res.json()) as { result?: unknown }).result === "string";
}
