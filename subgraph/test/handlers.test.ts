// Every handler through the runner: real transactions on a Hardhat node, indexed by the
// compiled mappings, read back over GraphQL — entities, relations and aggregates.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { data } from "./helpers/graphql.ts";
import { indexedScenario, type Indexed } from "./helpers/fixture.ts";
import { FLAWED_MANIFEST_ROOT, hash } from "./helpers/scenario.ts";

let ix: Indexed;
const lc = (s: string) => s.toLowerCase();

before(async () => {
  ix = await indexedScenario();
});
after(async () => {
  await ix?.close();
});

describe("Datanets", () => {
  it("records creation, metadata, policies, approvers and ownership transfer", async () => {
    const { alice, bob, carol } = ix.actors;
    const d = await data(
      ix.url,
      `{
      d1: datanet(id: "1") { datanetId owner { id } pendingOwner { id } metadataURI license accessPolicy contributionPolicy
        approverCount approvers { approver { id } active removedAt }
        history(orderBy: blockNumber) { kind actor { id } account { id } } }
      d2: datanet(id: "2") { owner { id } pendingOwner { id } accessPolicy contributionPolicy
        approverCount activeApprovers approvers { approver { id } active }
        history(orderBy: blockNumber) { kind account { id } } }
    }`,
    );
    assert.equal(d.d1.datanetId, "1");
    assert.equal(d.d1.owner.id, lc(alice));
    assert.equal(d.d1.pendingOwner, null);
    assert.equal(d.d1.metadataURI, "ipfs://d1v2");
    assert.equal(d.d1.license, "Apache-2.0");
    assert.equal(d.d1.accessPolicy, "Permissioned");
    assert.equal(d.d1.contributionPolicy, "Open");
    assert.equal(d.d1.approverCount, 0);
    assert.deepEqual(
      d.d1.approvers.map((a: any) => [a.approver.id, a.active, a.removedAt !== null]),
      [[lc(carol), false, true]],
    );
    assert.deepEqual(
      d.d1.history.map((h: any) => h.kind),
      ["Created", "ApproverAdded", "MetadataUpdated", "PoliciesUpdated", "ApproverRemoved"],
    );
    assert.equal(d.d1.history[0].actor.id, lc(alice));
    assert.equal(d.d2.owner.id, lc(bob));
    assert.equal(d.d2.pendingOwner, null);
    // Accepting ownership cleared the approver set dave was in.
    assert.deepEqual(d.d2.history.map((h: any) => h.kind).sort(), [
      "ApproverAdded",
      "ApproversCleared",
      "Created",
      "OwnershipTransferStarted",
      "OwnershipTransferred",
    ]);
    assert.equal(d.d2.history.find((h: any) => h.kind === "OwnershipTransferred").account.id, lc(bob));
    assert.deepEqual(
      [d.d2.approverCount, d.d2.activeApprovers, d.d2.approvers.map((x: any) => [x.approver.id, x.active])],
      [0, [], [[lc(ix.actors.dave), false]]],
    );
  });
});

describe("Contributions", () => {
  it("tracks registration and review with per-status counters", async () => {
    const { bob, carol, erin } = ix.actors;
    const d = await data(
      ix.url,
      `{
      contributions(orderBy: contributionId) { id datanet { id } contributor { id } contentHash contentId metadataURI status statusReason reviewedBy { id }
        statusChanges(orderBy: blockNumber) { status actor { id } reason } }
      d1: datanet(id: "1") { contributionCount pendingContributionCount acceptedContributionCount rejectedContributionCount withdrawnContributionCount contributorCount
        contributors(orderBy: contributionCount, orderDirection: desc) { contributor { id } contributionCount acceptedContributionCount } }
      d2: datanet(id: "2") { contributionCount acceptedContributionCount pendingContributionCount }
      bob: account(id: "${bob}") { contributionCount acceptedContributionCount }
      erin: account(id: "${erin}") { contributionCount acceptedContributionCount }
    }`,
    );
    const c = d.contributions;
    assert.deepEqual(
      c.map((x: any) => [x.id, x.status]),
      [
        ["1", "Accepted"],
        ["2", "Rejected"],
        ["3", "Withdrawn"],
        ["4", "Accepted"],
      ],
    );
    assert.equal(c[0].contentHash, hash("c1"));
    assert.equal(c[0].contentId, "bafyc1");
    assert.equal(c[0].metadataURI, "ipfs://m1");
    assert.equal(c[0].contributor.id, lc(bob));
    assert.equal(c[0].reviewedBy.id, lc(carol));
    assert.equal(c[1].statusReason, "duplicate");
    assert.equal(c[2].reviewedBy.id, lc(erin));
    assert.deepEqual(
      c[2].statusChanges.map((s: any) => s.status),
      ["Accepted", "Withdrawn"],
    );
    assert.equal(c[3].reviewedBy, null, "open Datanets accept without review");
    assert.deepEqual(
      [
        d.d1.contributionCount,
        d.d1.pendingContributionCount,
        d.d1.acceptedContributionCount,
        d.d1.rejectedContributionCount,
        d.d1.withdrawnContributionCount,
        d.d1.contributorCount,
      ],
      [3, 0, 1, 1, 1, 2],
    );
    assert.deepEqual(
      d.d1.contributors.map((x: any) => [x.contributor.id, x.contributionCount, x.acceptedContributionCount]),
      [
        [lc(bob), 2, 1],
        [lc(erin), 1, 0],
      ],
    );
    assert.deepEqual([d.d2.contributionCount, d.d2.acceptedContributionCount, d.d2.pendingContributionCount], [1, 1, 0]);
    assert.deepEqual([d.bob.contributionCount, d.bob.acceptedContributionCount], [3, 2]);
    assert.deepEqual([d.erin.contributionCount, d.erin.acceptedContributionCount], [1, 0]);
  });
});

describe("Access", () => {
  it("answers requests with denials and grants, by transaction and by signature, and revokes", async () => {
    const { admin, alice, carol, dave, erin } = ix.actors;
    const d = await data(
      ix.url,
      `{
      accessRequests(orderBy: requestId) { id requester { id } scopes canTrain canRetrieve canEvaluate purposeURI status decidedBy { id } denialReason grant { id } }
      openAccessRequests { id }
      accessGrants(orderBy: grantedAt) { id grantee { id } approver { id } submittedBy { id } scopes canTrain canRetrieve canEvaluate expiresAt nonce bySignature active revokedBy { id }
        history(orderBy: blockNumber) { kind } }
      grantSignatureCancellations { approver { id } nonce }
    }`,
    );
    const r = d.accessRequests;
    assert.deepEqual(
      r.map((x: any) => [x.id, x.status]),
      [
        ["1", "Granted"],
        ["2", "Denied"],
        ["3", "Granted"],
      ],
    );
    assert.deepEqual([r[0].requester.id, r[0].scopes, r[0].canTrain, r[0].canRetrieve, r[0].canEvaluate], [lc(dave), 3, true, true, false]);
    assert.equal(r[0].purposeURI, "ipfs://purpose-dave");
    assert.equal(r[0].decidedBy.id, lc(carol));
    assert.equal(r[0].grant.id, `1-${lc(dave)}`);
    assert.deepEqual([r[1].decidedBy.id, r[1].denialReason, r[1].grant], [lc(carol), "not now", null]);
    assert.deepEqual([r[2].decidedBy.id, r[2].grant.id], [lc(alice), `1-${lc(erin)}`]);
    assert.deepEqual(d.openAccessRequests, []);
    const [byTx, bySig] = d.accessGrants;
    assert.deepEqual(
      [byTx.grantee.id, byTx.approver.id, byTx.submittedBy.id, byTx.bySignature, byTx.nonce, byTx.active],
      [lc(dave), lc(carol), lc(carol), false, "0", true],
    );
    assert.deepEqual(
      [bySig.grantee.id, bySig.approver.id, bySig.submittedBy.id, bySig.bySignature, bySig.nonce],
      [lc(erin), lc(alice), lc(admin), true, "7"],
    );
    assert.deepEqual([bySig.active, bySig.revokedBy.id], [false, lc(alice)]);
    assert.deepEqual(
      bySig.history.map((h: any) => h.kind),
      ["Granted", "Revoked"],
    );
    assert.deepEqual(d.grantSignatureCancellations, [{ approver: { id: lc(alice) }, nonce: "9" }]);
  });
});

describe("Trainers, jobs and models", () => {
  it("follows trainer admission and jobs through every state to a model", async () => {
    const { dave, trainer } = ix.actors;
    const d = await data(
      ix.url,
      `{
      trainerNode(id: "${trainer}") { endpoint metadataURI admitted active claimCount completedJobCount failedJobCount attributionBatchCount
        account { id trainerNode { id } } history(orderBy: blockNumber) { kind } }
      trainingJobs(orderBy: jobId) { id builder { id } datanets { id } specURI specHash state trainer { id } failureReason model { id } claimCount
        history(orderBy: blockNumber) { kind } }
      model(id: "1") { job { id } builder { id } trainer { id } datanets { id } adapterCID adapterHash metricsURI manifestRoot manifestURI manifestChallenged manifestChallengeCount }
      dave: account(id: "${dave}") { jobCount modelCount jobs(orderBy: jobId) { id } models { id } }
      d1: datanet(id: "1") { jobCount jobs(orderBy: jobId) { id } models { id } }
    }`,
    );
    const t = d.trainerNode;
    assert.deepEqual([t.endpoint, t.metadataURI, t.admitted, t.active], ["http://trainer:2", "ipfs://t2", true, true]);
    assert.deepEqual([t.claimCount, t.completedJobCount, t.failedJobCount, t.attributionBatchCount], [3, 1, 1, 1]);
    assert.equal(t.account.trainerNode.id, lc(trainer));
    assert.deepEqual(
      t.history.map((h: any) => h.kind),
      ["Admitted", "Updated", "Deactivated", "Activated"],
    );
    const [j1, j2, j3] = d.trainingJobs;
    assert.deepEqual(
      [j1.state, j1.trainer.id, j1.model.id, j1.datanets.map((x: any) => x.id)],
      ["Completed", lc(trainer), "1", ["1", "2"]],
    );
    assert.equal(j1.specHash, hash("spec1"));
    assert.deepEqual(
      j1.history.map((h: any) => h.kind),
      ["Created", "Claimed", "LeaseRenewed", "Completed"],
    );
    assert.deepEqual([j2.state, j2.trainer, j2.claimCount], ["Cancelled", null, 0]);
    assert.deepEqual([j3.state, j3.failureReason, j3.claimCount], ["Failed", "out of memory", 2]);
    assert.deepEqual(
      j3.history.map((h: any) => h.kind),
      ["Created", "Claimed", "Released", "Claimed", "Failed"],
    );
    const m = d.model;
    assert.deepEqual([m.job.id, m.builder.id, m.trainer.id, m.datanets.map((x: any) => x.id)], ["1", lc(dave), lc(trainer), ["1", "2"]]);
    assert.deepEqual(
      [m.adapterCID, m.adapterHash, m.metricsURI, m.manifestRoot, m.manifestURI],
      ["bafyadapter", hash("adapter"), "ipfs://metrics", FLAWED_MANIFEST_ROOT, "ipfs://manifest"],
    );
    assert.deepEqual([m.manifestChallenged, m.manifestChallengeCount], [true, 1]);
    assert.deepEqual([d.dave.jobCount, d.dave.modelCount], [3, 1]);
    assert.deepEqual(
      d.dave.jobs.map((x: any) => x.id),
      ["1", "2", "3"],
    );
    assert.deepEqual([d.d1.jobCount, d.d1.jobs.map((x: any) => x.id), d.d1.models.map((x: any) => x.id)], [2, ["1", "3"], ["1"]]);
  });
});

describe("Review skips", () => {
  it("records the entries a review batch left alone", async () => {
    const { carol } = ix.actors;
    const d = await data(
      ix.url,
      `{ contributionReviewSkips(orderBy: contributionId) { contributionId contribution { id } approver { id } status } }`,
    );
    assert.deepEqual(d.contributionReviewSkips, [
      { contributionId: "3", contribution: { id: "3" }, approver: { id: lc(carol) }, status: "Withdrawn" },
      { contributionId: "77", contribution: null, approver: { id: lc(carol) }, status: null },
    ]);
  });
});

describe("Attribution", () => {
  it("decodes packed citations of both lists and adds them up per contribution, Datanet, contributor and model", async () => {
    const { bob, trainer } = ix.actors;
    const d = await data(
      ix.url,
      `{
      attributionBatches { id model { id } trainer { id } receiptsRoot receiptsURI receiptCount citationCount totalWeight
        receipts(orderBy: index) { id key index citationCount retrievalCount trainingCount totalWeight trainingWeight model { id } citations(orderBy: index) { index } }
        citations(orderBy: index) { index kind contributionId weight contribution { id } datanet { id } contributor { id } model { id } receipt { id } } }
      c1: contribution(id: "1") { citationCount totalCitationWeight trainingCitationCount totalTrainingWeight citations { weight } }
      c4: contribution(id: "4") { citationCount totalCitationWeight trainingCitationCount totalTrainingWeight }
      shaped: citations(where: { kind: training, contributor: "${lc(bob)}" }, orderBy: index) { id receipt { key } contribution { id } weight }
      d1: datanet(id: "1") { citationCount totalCitationWeight }
      d2: datanet(id: "2") { citationCount totalCitationWeight }
      bob: account(id: "${bob}") { citationCount totalCitationWeight }
      dc: datanetContributor(id: "1-${lc(bob)}") { citationCount totalCitationWeight }
      model(id: "1") { attributionBatchCount receiptCount citationCount attributionBatches { id } }
    }`,
    );
    const [b] = d.attributionBatches;
    assert.deepEqual(
      [b.id, b.model.id, b.trainer.id, b.receiptsRoot, b.receiptsURI],
      ["1", "1", lc(trainer), hash("receipts"), "ipfs://receipts"],
    );
    assert.deepEqual([b.receiptCount, b.citationCount, b.totalWeight], [2, 6, "16100"]);
    // Every weight is attributed to its contribution and to the list it is in.
    assert.deepEqual(
      b.citations.map((c: any) => [
        c.index,
        c.kind,
        c.contributionId,
        c.weight,
        c.contribution?.id ?? null,
        c.datanet?.id ?? null,
        c.receipt.id,
      ]),
      [
        [0, "retrieval", "1", 6000, "1", "1", "1-0"],
        [1, "retrieval", "4", 4000, "4", "2", "1-0"],
        [2, "retrieval", "1", 2500, "1", "1", "1-1"],
        [3, "retrieval", "2", 100, "2", "1", "1-1"],
        [4, "training", "4", 3000, "4", "2", "1-1"],
        [5, "training", "1", 500, "1", "1", "1-1"],
      ],
    );
    assert.deepEqual(
      b.receipts.map((r: any) => [
        r.id,
        r.key,
        r.index,
        r.citationCount,
        r.retrievalCount,
        r.trainingCount,
        r.totalWeight,
        r.trainingWeight,
        r.model.id,
        r.citations.map((c: any) => c.index),
      ]),
      [
        ["1-0", "0xa1a2a3a4a5a6", 0, 2, 2, 0, 10000, 0, "1", [0, 1]],
        ["1-1", "0xb1b2b3b4b5b6", 1, 4, 2, 2, 2600, 3500, "1", [2, 3, 4, 5]],
      ],
    );
    assert.equal(b.citations[0].contributor.id, lc(bob));
    assert.deepEqual(
      [d.c1.citationCount, d.c1.totalCitationWeight, d.c1.trainingCitationCount, d.c1.totalTrainingWeight, d.c1.citations.length],
      [3, "9000", 1, "500", 3],
    );
    assert.deepEqual(
      [d.c4.citationCount, d.c4.totalCitationWeight, d.c4.trainingCitationCount, d.c4.totalTrainingWeight],
      [2, "7000", 1, "3000"],
    );
    assert.deepEqual(
      d.shaped.map((c: any) => [c.id, c.receipt.key, c.contribution.id, c.weight]),
      [
        ["1-4", "0xb1b2b3b4b5b6", "4", 3000],
        ["1-5", "0xb1b2b3b4b5b6", "1", 500],
      ],
    );
    assert.deepEqual(
      [d.d1.citationCount, d.d1.totalCitationWeight, d.d2.citationCount, d.d2.totalCitationWeight],
      ["4", "9100", "2", "7000"],
    );
    assert.deepEqual([d.bob.citationCount, d.bob.totalCitationWeight], ["6", "16100"]);
    assert.deepEqual([d.dc.citationCount, d.dc.totalCitationWeight], ["4", "9100"]);
    assert.deepEqual(
      [d.model.attributionBatchCount, d.model.receiptCount, d.model.citationCount, d.model.attributionBatches.length],
      [1, "2", "6", 1],
    );
  });

  it("finds a receipt's batch by its key, and lists the serving nodes a builder authorized", async () => {
    const { bob, erin } = ix.actors;
    const d = await data(
      ix.url,
      `{
      receipts(where: { key: "0xb1b2b3b4b5b6" }) { id batch { id receiptsRoot receiptsURI } }
      model(id: "1") { servingNodes(orderBy: id) { node { id } authorized } }
    }`,
    );
    assert.deepEqual(d.receipts, [{ id: "1-1", batch: { id: "1", receiptsRoot: hash("receipts"), receiptsURI: "ipfs://receipts" } }]);
    const nodes = d.model.servingNodes.map((n: any) => [n.node.id, n.authorized]).sort();
    assert.deepEqual(
      nodes,
      [
        [lc(bob), true],
        [lc(erin), false],
      ].sort(),
    );
  });
});

describe("Protocol totals", () => {
  it("counts every kind of object once", async () => {
    const d = await data(
      ix.url,
      `{ protocol(id: "modelfactory") { accountCount datanetCount contributionCount acceptedContributionCount
      accessRequestCount accessGrantCount trainerCount jobCount modelCount attributionBatchCount receiptCount citationCount leaseDuration maxClaimLife } }`,
    );
    assert.deepEqual(d.protocol, {
      accountCount: 7,
      datanetCount: 2,
      contributionCount: 4,
      acceptedContributionCount: 2,
      accessRequestCount: 3,
      accessGrantCount: 2,
      trainerCount: 1,
      jobCount: 3,
      modelCount: 1,
      attributionBatchCount: 1,
      receiptCount: "2",
      citationCount: "6",
      leaseDuration: "3600",
      maxClaimLife: "86400",
    });
  });
});
