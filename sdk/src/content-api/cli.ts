// Starts the local content API over an embedded store:
//   node sdk/src/content-api/cli.ts --dir .data/ipfs --port 5001 [--origin http://localhost:5173]…
// Prints one line with the URL once listening; stops cleanly on SIGINT/SIGTERM.

import { parseArgs } from "node:util";
import { describeError } from "../errors.ts";
import { createEmbeddedContentStore } from "../content/embedded.ts";
import { DEFAULT_ALLOWED_ORIGINS } from "./policy.ts";
import { DEFAULT_MAX_REQUEST_BYTES, startContentApi } from "./server.ts";

const USAGE = `Usage: node sdk/src/content-api/cli.ts [--dir .data/ipfs] [--port 5001] [--host 127.0.0.1]
       [--origin <origin>]... [--max-request-bytes ${DEFAULT_MAX_REQUEST_BYTES}]
Serves Kubo's add, cat, pin/add and version RPC commands over a local embedded store.
Default origins: ${DEFAULT_ALLOWED_ORIGINS.join(", ")}`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dir: { type: "string", default: ".data/ipfs" },
      port: { type: "string", default: "5001" },
      host: { type: "string", default: "127.0.0.1" },
      origin: { type: "string", multiple: true },
      "max-request-bytes": { type: "string", default: String(DEFAULT_MAX_REQUEST_BYTES) },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  const port = Number(values.port);
  const maxRequestBytes = Number(values["max-request-bytes"]);
  const store = await createEmbeddedContentStore({ directory: values.dir });
  const api = await startContentApi({
    store,
    port,
    host: values.host,
    maxRequestBytes,
    ...(values.origin ? { allowedOrigins: values.origin } : {}),
    log: (line) => console.error(line),
  });
  console.log(`content API listening on ${api.url} (store: ${store.directory})`);
  const stop = async () => {
    await api.close();
    await store.close();
    process.exit(0);
  };
  process.once("SIGINT", stop);
  process.once("SIGTERM", stop);
}

main().catch((error: unknown) => {
  console.error(`content API: ${describeError(error)}`);
  console.error(USAGE);
  process.exit(1);
});
