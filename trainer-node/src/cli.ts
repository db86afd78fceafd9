#!/usr/bin/env node
// `npm start -w trainer-node` (or `node trainer-node/src/cli.ts`): starts a trainer node with
// the configuration from the environment (see trainer-node/README.md), serves its API, and
// shuts down cleanly on Ctrl-C. A bad setting stops it with one sentence naming the setting.
import { describeError } from "@modelfactory/sdk";
import { startApi } from "./api.ts";
import { loadConfig } from "./config.ts";
import { TrainerNode } from "./trainer-node.ts";

async function main(): Promise<void> {
  const config = await loadConfig();
  const node = new TrainerNode(config, (m) => console.log(`[${new Date().toISOString()}] ${m}`));
  await node.start();
  const api = await startApi(node);
  console.log(`trainer node API on ${api.url} (public URL ${config.publicUrl})`);
  const stop = async () => {
    console.log("stopping trainer node…");
    await node.stop();
    await api.close();
    node.journal.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
}

main().catch((error: unknown) => {
  console.error(`trainer node: ${describeError(error)}`);
  const details = (error as { details?: string }).details;
  if (details) console.error(details);
  process.exit(1);
});
