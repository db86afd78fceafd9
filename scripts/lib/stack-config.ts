// Ports, folders and demo accounts of the local stack, shared by `npm run dev`, `npm start`
// and the whole-system tests. The keys are Hardhat's well-known development keys: public, for
// the local chain only.
import path from "node:path";

export const ROOT = path.resolve(import.meta.dirname, "../..");

export type StackPorts = { rpc: number; content: number; graphql: number; trainer: number; frontend: number; keys: number };

export function stackPorts(env: NodeJS.ProcessEnv = process.env): StackPorts {
  const port = (name: string, fallback: number) => {
    const v = Number(env[name] ?? fallback);
    if (!Number.isInteger(v) || v < 1 || v > 65535) throw new Error(`${name}=${env[name]} is not a TCP port.`);
    return v;
  };
  return {
    rpc: port("RPC_PORT", 8545),
    content: port("CONTENT_PORT", 5001),
    graphql: port("GRAPHQL_PORT", 8000),
    trainer: port("TRAINER_PORT", 8787),
    frontend: port("FRONTEND_PORT", 5173),
    // The demo owner's key service for the permissioned demo Datanet.
    keys: port("KEYS_PORT", 8790),
  };
}

export const DEMO_ACCOUNTS = [
  { role: "admin / deployer", address: "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266" },
  { role: "Datanet owner", address: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8" },
  { role: "approver", address: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC" },
  { role: "contributor", address: "0x90F79bf6EB2c4f870365E785982E1f101E93b906" },
  { role: "builder", address: "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65" },
] as const;

/** Hardhat key #9: the local trainer node's operator. */
export const TRAINER_OPERATOR = {
  key: "0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6",
  address: "0xa0Ee7A142d267C1f36714E4a8F75612F20a79720",
} as const;

/** The demo job's base model: SmolLM2-135M-Instruct, converted by the worker's setup (setup.sh). */
export const DEMO_BASE_MODEL = "smollm2-135m-instruct";
