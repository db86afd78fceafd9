// GraphQL selections shared by the actions, in The Graph's dialect.
export const DATANET_FIELDS = `id owner { id } metadataURI license accessPolicy contributionPolicy approverCount
  contributionCount pendingContributionCount acceptedContributionCount contributorCount jobCount citationCount createdAt createdTx`;
export const CONTRIBUTION_FIELDS = `id datanet { id } contributor { id } contentHash contentId metadataURI status statusReason
  citationCount totalCitationWeight createdAt createdTx`;
export const REQUEST_FIELDS = `id datanet { id } requester { id } scopes purposeURI status createdAt`;
export const GRANT_FIELDS = `id datanet { id } grantee { id } approver { id } scopes expiresAt bySignature active grantedAt grantedTx`;
export const MODEL_FIELDS = `id job { id specURI specHash snapshotBlock } builder { id } trainer { id endpoint } datanets { id }
  adapterCID adapterHash metricsURI manifestRoot manifestURI receiptCount citationCount createdAt createdTx`;
export const JOB_FIELDS = `id builder { id } datanets { id } specURI specHash snapshotBlock state trainer { id endpoint }
  failureReason model { id } createdAt createdTx`;
export const CITATION_FIELDS = `id batch { id transactionHash receiptsRoot } model { id } contributionId contributor { id } datanet { id }
  weight timestamp transactionHash`;
/** A citation as the contributor's page lists it: its kind (retrieval or training), receipt key and batch. */
export const CONTRIBUTOR_ANSWER_FIELDS =
  "id kind contributionId weight model { id } receipt { key } batch { id receiptsRoot } timestamp transactionHash";
