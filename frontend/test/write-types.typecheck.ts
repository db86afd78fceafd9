// Type-level test of the write layer, checked by `tsc` in the frontend typecheck (not run by
// vitest): every `@ts-expect-error` below must stay an error, or tsc fails with "Unused
// '@ts-expect-error' directive". A misspelt function or a wrong argument never reaches a wallet.
import type { TransactionReceipt } from "viem";
import { protocolWrite, type ProtocolWrite, type WriteArgs, type WriteFunctionName } from "../src/data/writes/protocol-write.ts";
import { denyAccessRequest } from "../src/data/actions/deny-access-request.ts";
import { sendProtocolWrite } from "../src/data/actions/send-protocol-write.ts";
import type { useDenyAccessRequest } from "../src/data/hooks/useDenyAccessRequest.ts";

// Right: the names and tuples the generated ABIs give.
export const deny = protocolWrite("DatanetRegistry", "denyAccessRequest", [1n, 2n, "Out of scope."]);
export const createJob = protocolWrite("TrainingJobs", "createJob", [[1n, 2n], "ipfs://spec", `0x${"ab".repeat(32)}`]);
export const bind = protocolWrite("DatanetKeys", "setEncryptionKey", [1n, `0x${"cd".repeat(32)}`, "http://127.0.0.1:8790"]);

// @ts-expect-error a misspelt function name
export const misspelt = protocolWrite("DatanetRegistry", "denyAcessRequest", [1n, 2n, "x"]);
// @ts-expect-error a wrong argument type (a string where the ABI has uint256)
export const wrongType = protocolWrite("DatanetRegistry", "denyAccessRequest", ["1", 2n, "x"]);
// @ts-expect-error a missing argument
export const missing = protocolWrite("DatanetRegistry", "denyAccessRequest", [1n, 2n]);
// @ts-expect-error a function of another contract
export const otherContract = protocolWrite("TrainingJobs", "withdrawContribution", [1n]);
// @ts-expect-error a view function is not a write
export const view = protocolWrite("DatanetRegistry", "hasAccess", [1n, "0x0000000000000000000000000000000000000001", 1]);

// A hand-written request is checked the same way.
// biome-ignore format: @ts-expect-error covers only the line below it
// @ts-expect-error the args do not match the function
export const literal: ProtocolWrite<"DatanetRegistry", "withdrawContribution"> = { contract: "DatanetRegistry", functionName: "withdrawContribution", args: ["7"] };

// The helper types agree with the ABI.
export const names: WriteFunctionName<"TrainingJobs">[] = ["createJob", "cancelJob"];
export const args: WriteArgs<"DatanetRegistry", "withdrawContribution"> = [7n];
// @ts-expect-error not a TrainingJobs write
export const notAName: WriteFunctionName<"TrainingJobs"> = "contribute";

// A write action's params are typed too; its write is the precise ProtocolWrite.
export const built: ProtocolWrite<"DatanetRegistry", "denyAccessRequest"> = denyAccessRequest({
  datanetId: "1",
  requestId: "2",
  reason: "x",
}).write;
// @ts-expect-error a param the action does not take
denyAccessRequest({ datanetId: "1", requestId: "2", reason: "x", scopes: 7 });

// The sender takes only ProtocolWrites and resolves with the receipt; the hook's mutateAsync too.
export type Sent = Awaited<ReturnType<typeof sendProtocolWrite>> extends TransactionReceipt ? true : never;
export type HookResult =
  Awaited<ReturnType<ReturnType<typeof useDenyAccessRequest>["mutateAsync"]>> extends TransactionReceipt ? true : never;
export const sent: Sent = true;
export const hookResult: HookResult = true;
