// New-block notifications from a local chain: an `eth_subscribe("newHeads")` over the RPC's
// WebSocket (Hardhat's node serves one on its HTTP port), so a mined transaction reaches the
// index in milliseconds instead of after a poll. Only a wake-up signal: the sync loop still
// reads blocks and logs over HTTP, and keeps polling in case a notification is lost.
import type { Logger } from "../logger.ts";

/** Chain ids of development chains (Hardhat, Anvil, Ganache's 1337). */
const DEV_CHAIN_IDS = new Set([31337, 1337]);

/**
 * True for a development chain: a dev chain id or an RPC on a loopback address. Such a chain is
 * ours alone, so waking on every head (or polling it often) costs nobody anything.
 */
export function isLocalChain(rpcUrl: string, chainId: number): boolean {
  if (DEV_CHAIN_IDS.has(chainId)) return true;
  let host: string;
  try {
    host = new URL(rpcUrl).hostname;
  } catch {
    return false;
  }
  return host === "localhost" || host === "[::1]" || host === "::1" || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** The WebSocket address of an HTTP JSON-RPC endpoint (same host, port and path). */
export function webSocketUrl(rpcUrl: string): string {
  const url = new URL(rpcUrl);
  if (url.protocol === "ws:" || url.protocol === "wss:") return url.toString();
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new Error(`The RPC URL ${rpcUrl} is neither http(s) nor ws(s).`);
  }
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.toString();
}

export type NewHeadsListener = {
  /** A new block was announced (its number, NaN when the header lacks one). */
  onHead: (blockNumber: number) => void;
  /** The subscription started (true) or ended (false: refused, dropped, or never connected). */
  onStatus: (subscribed: boolean) => void;
};

/**
 * Follows the chain's new heads until `close()`. Reconnects after a dropped connection (a
 * restarted dev chain) every `retryMs`; a chain that refuses the subscription is not asked again.
 */
export function subscribeNewHeads(rpcUrl: string, listener: NewHeadsListener, log: Logger, retryMs = 1000): { close: () => void } {
  let socket: WebSocket | undefined;
  let closed = false;
  let retry: ReturnType<typeof setTimeout> | undefined;
  let subscribed = false;
  const status = (now: boolean) => {
    if (now !== subscribed) listener.onStatus(now);
    subscribed = now;
  };

  const connect = () => {
    if (closed) return;
    let ws: WebSocket;
    try {
      ws = new WebSocket(webSocketUrl(rpcUrl));
    } catch (e) {
      log("warning", `No new-head subscription at ${rpcUrl}: ${(e as Error).message}; polling instead.`);
      listener.onStatus(false);
      return;
    }
    socket = ws;
    ws.onopen = () => ws.send(JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_subscribe", params: ["newHeads"] }));
    ws.onmessage = (event) => {
      let msg: { id?: number; result?: unknown; error?: { message?: string }; method?: string; params?: { result?: { number?: string } } };
      try {
        msg = JSON.parse(String(event.data));
      } catch {
        return;
      }
      if (msg.id === 1) {
        if (msg.error || typeof msg.result !== "string") {
          log("warning", `The chain refused eth_subscribe(newHeads) (${msg.error?.message ?? "no subscription id"}); polling instead.`);
          closed = true;
          ws.close();
          listener.onStatus(false);
          return;
        }
        log("debug", `Subscribed to new heads at ${webSocketUrl(rpcUrl)}.`);
        status(true);
        return;
      }
      if (msg.method === "eth_subscription") listener.onHead(Number(msg.params?.result?.number ?? Number.NaN));
    };
    ws.onerror = () => {
      // Followed by onclose, which decides whether to retry.
    };
    ws.onclose = () => {
      socket = undefined;
      if (closed) return;
      status(false);
      retry = setTimeout(connect, retryMs);
    };
  };
  // The first failed attempt must be reported too, so the caller picks its fallback poll.
  listener.onStatus(false);
  connect();
  return {
    close: () => {
      closed = true;
      if (retry) clearTimeout(retry);
      socket?.close();
    },
  };
}
