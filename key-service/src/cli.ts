#!/usr/bin/env node
// `npm start -w key-service`: reads MF_KS_* (see README), opens or creates the Datanet's key,
// serves the API and says whether the chain binds this service's key yet.
import { describeError } from "@modelfactory/sdk";
import { startApi } from "./api.ts";
import { loadConfig } from "./config.ts";
import { createKeyService } from "./service.ts";

try {
  const config = await loadConfig();
  const service = await createKeyService(config);
  const api = await startApi(service);
  const h = await service.health();
  console.log(`key service for Datanet ${h.datanetId} on ${api.url} (public ${config.publicUrl}); key v${h.version} ${h.publicKey}`);
  if (!h.onChain || h.onChain.version === 0)
    console.log(
      `The chain binds no key to Datanet ${h.datanetId} yet: its owner calls DatanetKeys.setEncryptionKey(${h.datanetId}, ${h.publicKey}, "${config.publicUrl}").`,
    );
  else if (!h.onChain.current)
    console.log(
      `The chain binds ${h.onChain.publicKey} (v${h.onChain.version}), not this service's current key: publish it with DatanetKeys.setEncryptionKey.`,
    );
  const stop = () => void api.close().then(() => process.exit(0));
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
} catch (error) {
  console.error(`key service: ${describeError(error)}`);
  const details = (error as { details?: string }).details;
  if (details) console.error(details);
  process.exit(1);
}
