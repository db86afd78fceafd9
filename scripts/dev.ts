// `npm run dev`: the local stack on 127.0.0.1. Starts a Hardhat node, deploys the protocol,
// prints the URLs and demo accounts, streams every service's log with a prefix, and stops
// everything cleanly on Ctrl-C.
import { execSync } from "node:child_process";
import path from "node:path";
import { assertNodeVersion } from "./lib/node-version.ts";
import { rpcReady, startService, stopServices, waitFor, type Service } from "./lib/processes.ts";

assertNodeVersion();
const root = path.resolve(import.meta.dirname, "..");
const RPC_PORT = Number(process.env.RPC_PORT ?? 8545);
const rpc = `http://127.0.0.1:${RPC_PORT}`;
const services: Service[] = [];
let stopping = false;

async function shutdown(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    console.log("\nstopping…");
    await stopServices(services);
  }
  process.exit(code);
}
process.on("SIGINT", () => void shutdown(0));
process.on("SIGTERM", () => void shutdown(0));

try {
  if (await rpcReady(rpc).catch(() => false)) {
    throw new Error(`Something already answers JSON-RPC at ${rpc}. Stop it, or set RPC_PORT to a free port.`);
  }
  const t0 = performance.now();
  execSync("npx hardhat compile --quiet", { cwd: root, stdio: "inherit" });
  const chain = startService("chain", `npx hardhat node --hostname 127.0.0.1 --port ${RPC_PORT}`, root, {}, 0);
  services.push(chain);
  await waitFor("chain", () => rpcReady(rpc), 60_000, chain);
  execSync(`npx hardhat run scripts/deploy.ts --network localhost`, { cwd: root, stdio: "inherit", env: { ...process.env, LOCALHOST_RPC_URL: rpc } });
  const seconds = ((performance.now() - t0) / 1000).toFixed(1);
  console.log(`
ModelFactory local stack is up (${seconds} s):
  chain (JSON-RPC, chain id 31337)   ${rpc}
  deployment                         deployments/31337.json

Demo accounts (Hardhat's well-known test keys; never use them on a public network):
  admin / deployer   0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266
  datanet owner      0x70997970C51812dc3A010C7d01b50e0d17dc79C8
  approver           0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC
  contributor        0x90F79bf6EB2c4f870365E785982E1f101E93b906
  builder            0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65

Press Ctrl-C to stop.`);
  await new Promise<never>((_, reject) =>
    chain.child.once("exit", (code) => {
      if (!stopping) reject(new Error(`chain exited with code ${code}; see its log above.`));
    }),
  );
} catch (error) {
  console.error(`\n${error instanceof Error ? error.message : String(error)}`);
  await shutdown(1);
}
