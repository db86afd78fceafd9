// A protocol transaction as data, typed by the generated ABIs: the contract's name picks the
// ABI, the ABI lists the state-changing function names, and each name fixes its argument
// tuple. A misspelt function or a wrong argument fails `tsc`, not the user's wallet.
import type { ContractFunctionArgs, ContractFunctionName } from "viem";
import { abis, type ProtocolContract } from "../../lib/contracts.ts";

type Mutability = "nonpayable" | "payable";

/** The names of a protocol contract's state-changing functions. */
export type WriteFunctionName<C extends ProtocolContract> = ContractFunctionName<(typeof abis)[C], Mutability>;

/** The argument tuple of one state-changing function. */
export type WriteArgs<C extends ProtocolContract, F extends WriteFunctionName<C>> = ContractFunctionArgs<(typeof abis)[C], Mutability, F> &
  readonly unknown[];

/** One transaction: which contract, which function, which arguments. */
export type ProtocolWrite<C extends ProtocolContract = ProtocolContract, F extends WriteFunctionName<C> = WriteFunctionName<C>> = {
  contract: C;
  functionName: F;
  args: WriteArgs<C, F>;
};

/** What a write action returns: the toast's label and the transaction. */
export type LabelledWrite<C extends ProtocolContract = ProtocolContract, F extends WriteFunctionName<C> = WriteFunctionName<C>> = {
  label: string;
  write: ProtocolWrite<C, F>;
};

/**
 * Builds a ProtocolWrite with its types inferred from the ABI.
 * @example protocolWrite("DatanetRegistry", "withdrawContribution", [7n])
 */
export function protocolWrite<C extends ProtocolContract, const F extends WriteFunctionName<C>>(
  contract: C,
  functionName: F,
  args: WriteArgs<C, F>,
): ProtocolWrite<C, F> {
  return { contract, functionName, args };
}
