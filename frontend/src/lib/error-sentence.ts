// Turns any failure (wallet, contract revert, network, SDK, trainer API) into one readable
// sentence for the person in front of the screen. Custom contract errors are decoded against
// the protocol's ABIs and explained with their arguments.
import { describeError, ModelFactoryError } from "@sdk/errors.ts";
import {
  BaseError,
  ContractFunctionRevertedError,
  UserRejectedRequestError,
  InsufficientFundsError,
  HttpRequestError,
  ChainMismatchError,
  decodeErrorResult,
  type Abi,
  type Hex,
} from "viem";
import { allProtocolAbis } from "./contracts.ts";

type Args = readonly unknown[];
const n = (v: unknown) => String(v);
const STATUS = ["none", "pending", "accepted", "rejected", "withdrawn"];
const JOB_STATE = ["unknown", "open", "claimed", "completed", "failed", "cancelled"];

/** One sentence per custom error of the protocol, keyed by error name. */
export const CONTRACT_ERROR_SENTENCES: Record<string, (a: Args) => string> = {
  DatanetNotFound: (a) => `Datanet #${n(a[0])} does not exist.`,
  NotDatanetOwner: (a) => `Only the owner of Datanet #${n(a[0])} can do this.`,
  NotDatanetApprover: (a) => `Only an approver of Datanet #${n(a[0])} can do this.`,
  EmptyMetadataURI: () => "The metadata document is missing.",
  ZeroAddress: () => "The zero address cannot be used here.",
  AlreadyApprover: (a) => `${n(a[1])} is already an approver of Datanet #${n(a[0])}.`,
  NotAnApprover: (a) => `${n(a[1])} is not an approver of Datanet #${n(a[0])}.`,
  NotPendingOwner: (a) => `Only the proposed new owner can accept ownership of Datanet #${n(a[0])}.`,
  ContributionNotFound: (a) => `Contribution #${n(a[0])} does not exist.`,
  EmptyContentHash: () => "The contribution has no content hash.",
  EmptyContentId: () => "The contribution has no content id.",
  InvalidContributionStatus: (a) => `Contribution #${n(a[0])} is ${STATUS[Number(a[1])] ?? "in another state"}, so this is not possible.`,
  NotContributor: (a) => `Only the contributor of contribution #${n(a[0])} can withdraw it.`,
  InvalidBatchSize: (a) => `A review batch holds 1 to ${n(a[1])} contributions, not ${n(a[0])}.`,
  InvalidScopes: () => "Choose at least one scope: train, retrieve or evaluate.",
  ExpiryInPast: () => "The grant's expiry is in the past.",
  SignatureExpired: () => "This signed grant's redemption deadline has passed; ask the approver for a new one.",
  InvalidSignature: (a) => `The grant was not signed by an approver (signer ${n(a[0])}).`,
  NonceAlreadyUsed: () => "This signed grant was already redeemed or cancelled.",
  NoGrant: (a) => `There is no grant for ${n(a[1])} on Datanet #${n(a[0])}.`,
  TrainerAlreadyAdmitted: (a) => `Trainer ${n(a[0])} is already admitted.`,
  TrainerNotAdmitted: (a) => `Trainer ${n(a[0])} is not admitted.`,
  EmptyEndpoint: () => "The trainer endpoint is empty.",
  ZeroOperator: () => "The trainer operator cannot be the zero address.",
  InvalidDatanetCount: (a) => `A job trains on 1 to ${n(a[1])} Datanets, not ${n(a[0])}.`,
  NoTrainAccess: (a) => `You do not hold train access to Datanet #${n(a[0])}; request access first.`,
  DatanetsNotSorted: (a) => `Datanet #${n(a[0])} is out of order or repeated in the job.`,
  EmptySpec: () => "The training spec is missing.",
  JobNotFound: (a) => `Job #${n(a[0])} does not exist.`,
  InvalidJobState: (a) => `Job #${n(a[0])} is ${JOB_STATE[Number(a[1])] ?? "in another state"}, so this is not possible.`,
  NotJobBuilder: (a) => `Only the builder of job #${n(a[0])} can do this.`,
  NotActiveTrainer: () => "Only an active trainer node can do this.",
  NotJobTrainer: (a) => `Only the trainer holding job #${n(a[0])} can do this.`,
  LeaseNotExpired: (a) => `Job #${n(a[0])}'s claim has not expired yet.`,
  EmptyResult: () => "The job result is empty.",
  ModelNotFound: (a) => `Model #${n(a[0])} does not exist.`,
  InvalidLeaseDuration: () => "That lease duration is out of range.",
  InvalidCitations: () => "The batch's citations are malformed.",
  EmptyBatch: () => "An attribution batch needs at least one receipt.",
  BatchNotFound: (a) => `Attribution batch #${n(a[0])} does not exist.`,
  UnknownModel: (a) => `Model #${n(a[0])} does not exist.`,
};

function sentence(text: string): string {
  const one = text.split("\n")[0]!.trim();
  if (!one) return "Something went wrong.";
  const capital = one[0]!.toUpperCase() + one.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

function revertSentence(errorName: string, args: Args): string {
  const f = CONTRACT_ERROR_SENTENCES[errorName];
  return f ? f(args) : `The contract refused the transaction (${errorName}).`;
}

function findRawRevertData(error: unknown): Hex | undefined {
  let e: unknown = error;
  for (let i = 0; e && i < 8; i++) {
    const d = (e as { data?: unknown }).data;
    if (typeof d === "string" && /^0x[0-9a-f]{8}/i.test(d)) return d as Hex;
    if (d && typeof d === "object" && typeof (d as { data?: unknown }).data === "string") return (d as { data: Hex }).data;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** One readable sentence for any error. */
export function errorSentence(error: unknown): string {
  if (error instanceof BaseError) {
    if (error.walk((e) => e instanceof UserRejectedRequestError) || /user rejected|denied/i.test(error.message)) {
      return "You cancelled the request in your wallet.";
    }
    const reverted = error.walk((e) => e instanceof ContractFunctionRevertedError) as ContractFunctionRevertedError | null;
    if (reverted?.data?.errorName) return revertSentence(reverted.data.errorName, reverted.data.args ?? []);
    if (reverted?.reason) return sentence(`The contract refused the transaction: ${reverted.reason}`);
    if (error.walk((e) => e instanceof InsufficientFundsError)) return "Your account does not have enough ETH to pay for this transaction.";
    if (error.walk((e) => e instanceof ChainMismatchError)) return "Your wallet is on another network; switch networks and try again.";
    const raw = findRawRevertData(error);
    if (raw) {
      try {
        const decoded = decodeErrorResult({ abi: allProtocolAbis as Abi, data: raw });
        return revertSentence(decoded.errorName, decoded.args ?? []);
      } catch {
        /* not one of ours */
      }
    }
    const http = error.walk((e) => e instanceof HttpRequestError) as HttpRequestError | null;
    if (http) return `Could not reach ${new URL(http.url).host}; is the local chain running?`;
    return sentence(error.shortMessage);
  }
  if (error instanceof ModelFactoryError) return sentence(error.shortMessage);
  if (error instanceof TypeError && /fetch|network/i.test(error.message))
    return "A service could not be reached; check that it is running.";
  if (error instanceof DOMException && error.name === "AbortError") return "The request was cancelled.";
  return sentence(describeError(error));
}
