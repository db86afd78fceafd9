// Child processes for the local stack: start in a process group, wait for health, stop by pid.
import { spawn, type ChildProcess } from "node:child_process";

export type Service = { name: string; child: ChildProcess };

/**
 * Starts `command` in `cwd` in its own process group, its output piped (the caller decides
 * where it goes: scripts/lib/dev-console.ts writes it to a log file).
 */
export function startService(name: string, command: string, cwd: string, env: NodeJS.ProcessEnv = {}): Service {
  const child = spawn(command, { cwd, shell: true, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"], detached: true });
  return { name, child };
}

/** Polls `check` until it resolves true, or fails with a message naming the service. */
export async function waitFor(name: string, check: () => Promise<boolean>, timeoutMs = 60_000, service?: Service): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (service && service.child.exitCode !== null)
      throw new Error(`${name} exited with code ${service.child.exitCode} before becoming healthy; see its log above.`);
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
  const res = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_chainId", params: [] }),
  });
  return res.ok && typeof ((await res.json()) as { result?: unknown }).result === "string";
}
