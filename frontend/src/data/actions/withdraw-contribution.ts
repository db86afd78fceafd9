// Withdraws a contribution: it leaves every future training job and the chat retrieval index.
import { idArg } from "../writes/write-inputs.ts";
import { protocolWrite } from "../writes/protocol-write.ts";

export type WithdrawContributionParams = { contributionId: string };

export function withdrawContribution(p: WithdrawContributionParams) {
  const id = idArg("Contribution id", p.contributionId);
  return { label: `Withdraw contribution #${id}`, write: protocolWrite("DatanetRegistry", "withdrawContribution", [id]) };
}
