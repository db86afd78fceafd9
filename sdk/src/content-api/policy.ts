// Who may call the local content API: requests must name a loopback Host (so a DNS-rebinding
// page cannot reach it), and browser requests must come from an allowed local origin.

/** Origins of the local frontend; `*` stands for any port. */
export const DEFAULT_ALLOWED_ORIGINS: readonly string[] = Object.freeze(["http://localhost:*", "http://127.0.0.1:*", "http://[::1]:*"]);

const LOOPBACK_HOSTS = new Set(["localhost", "127.0.0.1", "[::1]", "::1"]);

/** True when `host` (a bind address) is a loopback address. */
export function isLoopbackBindAddress(host: string): boolean {
  return host === "127.0.0.1" || host === "::1" || host === "localhost";
}

/** True when the Host header names this machine's loopback interface. */
export function isLoopbackHostHeader(value: string | undefined): boolean {
  if (!value) return false;
  const hostname = value.startsWith("[") ? value.slice(0, value.indexOf("]") + 1) : value.split(":")[0]!;
  return LOOPBACK_HOSTS.has(hostname.toLowerCase());
}

/** True when `origin` matches one of `allowed` (exact, or with `:*` for any port). */
export function isOriginAllowed(origin: string, allowed: readonly string[]): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  const normalized = `${url.protocol}//${url.host}`;
  return allowed.some((pattern) => {
    if (pattern === "*") return true;
    if (pattern.endsWith(":*")) {
      const base = pattern.slice(0, -2);
      return normalized === base || (normalized.startsWith(`${base}:`) && /^\d+$/.test(normalized.slice(base.length + 1)));
    }
    return normalized === pattern.replace(/\/$/, "");
  });
}
