// A stand-in trainer node for the streaming benchmark: just enough of the API (health, SIWE
// nonce/verify, chat completions) to stream tokens at a fixed pace. It measures the GUI's
// rendering path, not a model, so the tokens are canned.
import { createServer, type Server } from "node:http";

export type StreamStub = { url: string; close: () => Promise<void> };

export async function startStreamStub(options: { tokens: number; intervalMs: number }): Promise<StreamStub> {
  const cors = {
    "access-control-allow-origin": "*",
    "access-control-allow-headers": "authorization, content-type, last-event-id",
    "access-control-allow-methods": "GET, POST, OPTIONS",
  };
  const json = (res: import("node:http").ServerResponse, body: unknown) => {
    res.writeHead(200, { ...cors, "content-type": "application/json" });
    res.end(JSON.stringify(body));
  };
  const server: Server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    if (req.method === "OPTIONS") return void (res.writeHead(204, cors), res.end());
    if (url.pathname === "/health")
      return json(res, {
        ok: true,
        version: "stub",
        operator: "0x0000000000000000000000000000000000000001",
        chainId: 31337,
        device: "cpu",
        baseModels: [],
        servedModels: ["1"],
        jobsRunning: 0,
      });
    if (url.pathname === "/auth/nonce") return json(res, { nonce: `n${Date.now()}` });
    if (url.pathname === "/auth/verify")
      return json(res, {
        token: "stub-token",
        address: "0x0000000000000000000000000000000000000001",
        expiresAt: Math.floor(Date.now() / 1000) + 3600,
      });
    if (url.pathname === "/v1/models") return json(res, { data: [{ id: "model-1" }] });
    if (url.pathname === "/v1/chat/completions") {
      req.resume();
      res.writeHead(200, { ...cors, "content-type": "text/event-stream", "cache-control": "no-store" });
      let i = 0;
      const timer = setInterval(() => {
        if (i < options.tokens) {
          res.write(`data: ${JSON.stringify({ choices: [{ delta: { content: ` tok${i}` } }] })}\n\n`);
          i++;
          return;
        }
        clearInterval(timer);
        res.write(
          `data: ${JSON.stringify({ choices: [{ delta: {} }], modelfactory: { receiptId: `0x${"0".repeat(63)}1`, modelId: "1", citations: [] } })}\n\n`,
        );
        res.end("data: [DONE]\n\n");
      }, options.intervalMs);
      return;
    }
    res.writeHead(404, cors);
    res.end(JSON.stringify({ error: { code: "NOT_FOUND", message: url.pathname } }));
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  const port = (server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${port}`, close: () => new Promise((r) => server.close(() => r())) };
}
