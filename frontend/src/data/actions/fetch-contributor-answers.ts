// The posted answers a contributor's data shaped, in two lists as the receipts commit to them:
// through retrieval (their passage was in the prompt) and through training (fine-tuning on
// their contribution moved the model toward the answer). From the index alone: each citation
// carries its receipt's 6-byte key, its batch and its kind.
import type { AppConfig } from "../../config/app-config.ts";
import { CONTRIBUTOR_ANSWER_FIELDS } from "../fields.ts";
import { indexerQuery } from "./indexer.ts";

/** Which of a receipt's lists a citation is in (the index's `CitationKind`). */
export type CitationKind = "retrieval" | "training";

/** One citation of the contributor's data in a posted answer's receipt. */
export type ContributorAnswer = {
  id: string;
  kind: CitationKind;
  contributionId: string;
  /** Basis points, from the budget of the citation's own list. */
  weight: number;
  model: { id: string };
  /** The receipt's group in the batch: its key (the receipt id's first 6 bytes). */
  receipt: { key: string };
  batch: { id: string; receiptsRoot: string };
  timestamp: string;
  transactionHash: string;
};

export type ContributorAnswers = { retrieval: ContributorAnswer[]; training: ContributorAnswer[] };

const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

/** At most `first` (1..1000) of the latest citations of each kind of the contributor's contributions. */
export async function fetchContributorAnswers(config: AppConfig, address: string, first = 200): Promise<ContributorAnswers> {
  if (!ADDRESS.test(address)) throw new Error(`"${address}" is not an account address (0x and 40 hex digits).`);
  if (!Number.isInteger(first) || first < 1 || first > 1000) throw new Error(`first must be an integer from 1 to 1000, got ${first}.`);
  return indexerQuery<ContributorAnswers>(
    config,
    `query ContributorAnswers($a: String!, $n: Int!) {
      retrieval: citations(first: $n, orderBy: timestamp, orderDirection: desc, where: { contributor: $a, kind: retrieval }) { ${CONTRIBUTOR_ANSWER_FIELDS} }
      training: citations(first: $n, orderBy: timestamp, orderDirection: desc, where: { contributor: $a, kind: training }) { ${CONTRIBUTOR_ANSWER_FIELDS} } }`,
    { a: address.toLowerCase(), n: first },
  );
}
