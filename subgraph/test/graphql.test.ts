// The Graph's GraphQL dialect as the runner serves it: pagination, ordering, each filter kind,
// nested filters, derived fields with arguments, _meta, and clear errors for bad or
// unsupported queries.
import assert from "node:assert/strict";
import { after, before, describe, it } from "node:test";
import { data, gql } from "./helpers/graphql.ts";
import { indexedScenario, type Indexed } from "./helpers/fixture.ts";
import { hash } from "./helpers/scenario.ts";

let ix: Indexed;
const ids = (rows: { id: string }[]) => rows.map((r) => r.id);
const contributions = async (args: string) => ids((await data(ix.url, `{ contributions(${args}) { id } }`)).contributions);

before(async () => {
  ix = await indexedScenario();
});
after(async () => {
  await ix?.close();
});

describe("pagination and ordering", () => {
  it("pages with first and skip", async () => {
    assert.deepEqual(await contributions("first: 2, skip: 1, orderBy: contributionId"), ["2", "3"]);
    assert.deepEqual(await contributions("first: 0"), []);
    assert.deepEqual(await contributions("skip: 10"), []);
  });
  it("orders by BigInt numerically, by strings, descending and by a referenced entity's field", async () => {
    assert.deepEqual(await contributions("orderBy: contributionId, orderDirection: desc"), ["4", "3", "2", "1"]);
    assert.deepEqual(await contributions("orderBy: contentId, orderDirection: asc"), ["1", "2", "3", "4"]);
    // Ties are broken by id in the same direction.
    assert.deepEqual(await contributions("orderBy: datanet__license, orderDirection: desc"), ["4", "3", "2", "1"]);
    assert.deepEqual(await contributions("orderBy: datanet__license"), ["1", "2", "3", "4"]);
    const d = await data(ix.url, `{ citations(orderBy: weight) { weight } }`);
    assert.deepEqual(
      d.citations.map((c: any) => c.weight),
      [100, 500, 2500, 3000, 4000, 6000],
    );
  });
});

describe("filters", () => {
  it("equality, _not, _in and _not_in on enums, BigInt and ids", async () => {
    assert.deepEqual(await contributions("where: { status: Accepted }"), ["1", "4"]);
    assert.deepEqual(await contributions("where: { status_not: Accepted }"), ["2", "3"]);
    assert.deepEqual(await contributions("where: { status_in: [Rejected, Withdrawn] }"), ["2", "3"]);
    assert.deepEqual(await contributions("where: { status_not_in: [Rejected, Withdrawn] }"), ["1", "4"]);
    assert.deepEqual(await contributions('where: { contributionId_in: ["1", "4"] }'), ["1", "4"]);
    assert.deepEqual(await contributions('where: { id: "3" }'), ["3"]);
    assert.deepEqual(await contributions('where: { id_not_in: ["1", "2"] }'), ["3", "4"]);
  });
  it("_gt, _gte, _lt, _lte on BigInt and Int", async () => {
    assert.deepEqual(await contributions('where: { contributionId_gt: "2" }'), ["3", "4"]);
    assert.deepEqual(await contributions('where: { contributionId_gte: "2", contributionId_lte: "3" }'), ["2", "3"]);
    assert.deepEqual(await contributions("where: { contributionId_lt: 2 }"), ["1"]);
    const d = await data(ix.url, `{ datanets(where: { contributionCount_gte: 3 }) { id } citations(where: { weight_lt: 4000 }) { id } }`);
    assert.deepEqual(ids(d.datanets), ["1"]);
    assert.deepEqual(ids(d.citations), ["1-2", "1-3", "1-4", "1-5"]);
  });
  it("string operators with and without _nocase", async () => {
    assert.deepEqual(await contributions('where: { contentId_contains: "c2" }'), ["2"]);
    assert.deepEqual(await contributions('where: { contentId_not_contains: "c2" }'), ["1", "3", "4"]);
    assert.deepEqual(await contributions('where: { contentId_contains_nocase: "BAFYC3" }'), ["3"]);
    assert.deepEqual(await contributions('where: { metadataURI_starts_with: "ipfs://m" }'), ["1", "2", "3", "4"]);
    assert.deepEqual(await contributions('where: { metadataURI_ends_with: "4" }'), ["4"]);
    assert.deepEqual(await contributions('where: { metadataURI_not_ends_with: "4" }'), ["1", "2", "3"]);
    const d = await data(
      ix.url,
      `{
      a: datanets(where: { license_starts_with_nocase: "apache" }) { id }
      b: datanets(where: { license_not_starts_with: "Apache" }) { id }
      c: datanets(where: { license_ends_with_nocase: "by-4.0" }) { id }
      e: datanets(where: { license_not_contains_nocase: "mit" }) { id }
    }`,
    );
    assert.deepEqual([ids(d.a), ids(d.b), ids(d.c), ids(d.e)], [["1"], ["2"], ["2"], ["1", "2"]]);
  });
  it("Bytes, Boolean and references (addresses in any case)", async () => {
    const { bob } = ix.actors;
    assert.deepEqual(await contributions(`where: { contentHash: "${hash("c2")}" }`), ["2"]);
    assert.deepEqual(await contributions(`where: { contentHash_in: ["${hash("c1")}", "${hash("c4")}"] }`), ["1", "4"]);
    assert.deepEqual(await contributions(`where: { contributor: "${bob.toUpperCase().replace("0X", "0x")}" }`), ["1", "2", "4"]);
    assert.deepEqual(await contributions(`where: { contributor_not: "${bob}" }`), ["3"]);
    const d = await data(ix.url, `{ accessGrants(where: { active: false }) { bySignature } }`);
    assert.deepEqual(d.accessGrants, [{ bySignature: true }]);
  });
  it("lists: _contains and _not_contains", async () => {
    const d = await data(
      ix.url,
      `{
      a: trainingJobs(where: { datanets_contains: ["1"] }) { id }
      b: trainingJobs(where: { datanets_not_contains: ["1"] }) { id }
      c: trainingJobs(where: { datanets_contains: ["1", "2"] }) { id }
      e: trainingJobs(where: { datanets: ["2"] }) { id }
    }`,
    );
    assert.deepEqual([ids(d.a), ids(d.b), ids(d.c), ids(d.e)], [["1", "3"], ["2"], ["1"], ["2"]]);
  });
  it("nested `_` filters on references, lists and derived fields", async () => {
    const { bob } = ix.actors;
    assert.deepEqual(await contributions('where: { datanet_: { license: "CC-BY-4.0" } }'), ["4"]);
    const d = await data(
      ix.url,
      `{
      a: datanets(where: { contributions_: { status: Rejected } }) { id }
      b: trainingJobs(where: { datanets_: { owner: "${bob}" } }) { id }
      c: accounts(where: { contributions_: { status: Withdrawn } }) { contributionCount }
      e: citations(where: { contribution_: { datanet_: { license: "MIT" } } }) { id }
    }`,
    );
    assert.deepEqual([ids(d.a), ids(d.b), d.c, d.e], [["1"], ["1", "2"], [{ contributionCount: 1 }], []]);
  });
  it("and / or, and _change_block", async () => {
    const { bob } = ix.actors;
    assert.deepEqual(await contributions("where: { or: [{ status: Rejected }, { status: Withdrawn }] }"), ["2", "3"]);
    assert.deepEqual(await contributions(`where: { and: [{ contributor: "${bob}" }, { status: Accepted }] }`), ["1", "4"]);
    assert.deepEqual(await contributions(`where: { or: [{ contributionId: 1 }, { and: [{ status: Accepted }, { datanet: "2" }] }] }`), [
      "1",
      "4",
    ]);
    assert.deepEqual(await contributions("where: { _change_block: { number_gte: 100000 } }"), []);
    assert.equal((await contributions("where: { _change_block: { number_gte: 0 } }")).length, 4);
  });
});

describe("derived fields and _meta", () => {
  it("derived fields take their own first, skip, orderBy and where", async () => {
    const { bob, trainer } = ix.actors;
    const d = await data(
      ix.url,
      `{
      datanet(id: "1") { contributions(where: { status_in: [Accepted, Rejected] }, orderBy: contributionId, orderDirection: desc) { id } }
      account(id: "${bob}") { contributions(first: 1, skip: 1, orderBy: contributionId) { id } }
      d2: datanet(id: "2") { jobs(orderBy: jobId) { id } models { id } }
      t: account(id: "${trainer}") { trainerNode { endpoint } contributions { id } }
    }`,
    );
    assert.deepEqual(ids(d.datanet.contributions), ["2", "1"]);
    assert.deepEqual(ids(d.account.contributions), ["2"]);
    assert.deepEqual([ids(d.d2.jobs), ids(d.d2.models)], [["1", "2"], ["1"]]);
    assert.deepEqual(d.t, { trainerNode: { endpoint: "http://trainer:2" }, contributions: [] });
  });
  it("_meta reports the latest indexed block", async () => {
    const block = await ix.protocol.publicClient.getBlock();
    const d = await data(ix.url, `{ _meta { block { number hash timestamp } deployment hasIndexingErrors } }`);
    assert.equal(d._meta.block.number, Number(block.number));
    assert.equal(d._meta.block.hash, block.hash);
    assert.equal(d._meta.block.timestamp, Number(block.timestamp));
    assert.equal(d._meta.hasIndexingErrors, false);
    assert.match(d._meta.deployment, /^[0-9a-f]{32}$/);
    const current = await data(
      ix.url,
      `{ datanets(block: { number_gte: 1 }) { id } d: datanets(block: { number: ${Number(block.number)} }) { id } }`,
    );
    assert.deepEqual(ids(current.datanets), ["1", "2"]);
  });
  it("an unknown id is null", async () => {
    assert.deepEqual(await data(ix.url, `{ datanet(id: "99") { id } account(id: "0x0000000000000000000000000000000000000001") { id } }`), {
      datanet: null,
      account: null,
    });
  });
});

describe("errors", () => {
  const message = async (query: string) => {
    const r = await gql(ix.url, query);
    assert.ok(r.errors?.length, `expected errors for ${query}`);
    return r.errors!.map((e) => e.message).join("\n");
  };
  it("first above 1000 and negative skip, with graph-node's messages", async () => {
    assert.match(await message("{ datanets(first: 1001) { id } }"), /`first` argument must be between 0 and 1000, but is 1001/);
    assert.match(await message('{ datanet(id: "1") { contributions(first: 5000) { id } } }'), /between 0 and 1000/);
    assert.match(await message("{ datanets(skip: -1) { id } }"), /`skip` argument must be between 0 and 4294967295, but is -1/);
  });
  it("malformed GraphQL, unknown entities, fields and filters", async () => {
    assert.match(await message("{ datanets { id "), /Syntax Error/);
    assert.match(await message("{ foos { id } }"), /Cannot query field "foos" on type "Query"/);
    assert.match(await message("{ datanets { nope } }"), /Cannot query field "nope" on type "Datanet"/);
    assert.match(await message("{ datanets(where: { nope_gt: 1 }) { id } }"), /unknown field "nope_gt"/);
    assert.match(await message('{ contributions(where: { contributionId: "x" }) { id } }'), /BigInt cannot represent/);
  });
  it("unsupported features say so", async () => {
    assert.match(
      await message("{ datanets(block: { number: 1 }) { id } }"),
      /Time-travel queries .* are not supported by the local subgraph runner/,
    );
    assert.match(await message("{ datanets(block: { number_gte: 100000000 }) { id } }"), /only indexed up to block number \d+/);
    assert.match(await message("subscription { datanets { id } }"), /Subscriptions are not supported/);
    assert.match(await message("mutation { datanets { id } }"), /Mutations are not supported/);
  });
  it("bad HTTP requests get JSON errors and the server keeps answering", async () => {
    const post = (body: string) => fetch(ix.url, { method: "POST", headers: { "content-type": "application/json" }, body });
    const bad = await post("{ not json");
    assert.equal(bad.status, 400);
    assert.match(((await bad.json()) as any).errors[0].message, /Malformed JSON body/);
    const empty = await post("{}");
    assert.match(((await empty.json()) as any).errors[0].message, /no `query` string/);
    const other = await fetch(ix.url.replace("/graphql", "/nowhere"));
    assert.equal(other.status, 404);
    const viaName = await fetch(ix.url.replace("/graphql", "/subgraphs/name/modelfactory"), {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ query: "query Q($id: ID!) { datanet(id: $id) { license } }", variables: { id: "2" } }),
    });
    assert.deepEqual(await viaName.json(), { data: { datanet: { license: "CC-BY-4.0" } } });
  });
});
