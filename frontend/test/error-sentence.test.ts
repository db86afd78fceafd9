import { describe, expect, it } from "vitest";
import { BaseError, ContractFunctionRevertedError, encodeErrorResult, UserRejectedRequestError, type Abi } from "viem";
import { datanetRegistryAbi, trainingJobsAbi, InvalidInputError } from "@modelfactory/sdk";
import { errorSentence } from "../src/lib/error-sentence.ts";
import { IndexerError } from "../src/lib/graphql.ts";

function reverted(abi: Abi, errorName: string, args: readonly unknown[]) {
  const data = encodeErrorResult({ abi, errorName, args } as never);
  return new BaseError("Execution reverted", { cause: new ContractFunctionRevertedError({ abi, data, functionName: "x" }) });
}

describe("errorSentence", () => {
  it("explains a custom error with its arguments", () => {
    expect(errorSentence(reverted(trainingJobsAbi as Abi, "NoTrainAccess", [3n, "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65"]))).toBe(
      "You do not hold train access to Datanet #3; request access first.",
    );
    expect(errorSentence(reverted(datanetRegistryAbi as Abi, "NonceAlreadyUsed", ["0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC", 7n]))).toBe(
      "This signed grant was already redeemed or cancelled.",
    );
    expect(errorSentence(reverted(datanetRegistryAbi as Abi, "InvalidContributionStatus", [5n, 4]))).toBe(
      "Contribution #5 is withdrawn, so this is not possible.",
    );
  });

  it("decodes raw revert data found in a cause chain", () => {
    const data = encodeErrorResult({ abi: datanetRegistryAbi, errorName: "DatanetNotFound", args: [9n] });
    const err = new BaseError("call failed", { cause: Object.assign(new Error("rpc"), { data }) });
    expect(errorSentence(err)).toBe("Datanet #9 does not exist.");
  });

  it("says the user cancelled", () => {
    expect(errorSentence(new UserRejectedRequestError(new Error("User rejected the request.")))).toBe(
      "You cancelled the request in your wallet.",
    );
  });

  it("uses the SDK's short message, as one sentence", () => {
    expect(errorSentence(new InvalidInputError("The signed grant is not valid JSON", { details: "line\nline" }))).toBe(
      "The signed grant is not valid JSON.",
    );
    expect(errorSentence(new IndexerError("The index refused the query: bad field"))).toBe("The index refused the query: bad field.");
  });

  it("turns network failures and unknowns into one line", () => {
    expect(errorSentence(new TypeError("Failed to fetch"))).toBe("A service could not be reached; check that it is running.");
    expect(errorSentence(new Error("first line\nsecond line"))).toBe("First line.");
    expect(errorSentence("plain")).toBe("Plain.");
  });
});
