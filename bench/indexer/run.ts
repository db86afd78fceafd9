// `npm run bench -- indexer`: indexes ~10,000 generated protocol events of every kind with the
// local subgraph runner, then times the GUI's main queries at that size and how soon a mined
// transaction is visible in GraphQL (new heads on the local chain vs graph-node's 500 ms poll). Writes
// bench/results/indexer.json and prints a table. The reference measured in the same run is the
// bare RPC fetch of the same logs and blocks, so the indexing cost reads as a ratio.
import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, rm, stat } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { Address } from "viem";
import { writeSuiteResult, type Metric } from "../lib/results.ts";
import { startRunner } from "../../subgraph/runner/index.ts";
import { Rpc } from "../../subgraph/runner/chain/rpc.ts";
import { deployProtocol, startHardhatNode } from "../../subgraph/test/helpers/chain.ts";
import { data } from "../../subgraph/test/helpers/graphql.ts";
import { generateWorkload } from "./workload.ts";
import { measureTxToIndexed } from "./freshness.ts";

process.removeAllListeners("warning");
const TARGET_EVENTS = Number(process.env.INDEXER_BENCH_EVENTS ?? 10_000);
const QUERY_RUNS = Number(process.env.INDEXER_BENCH_QUERY_RUNS ?? 200);
const FRESHNESS_RUNS = Number(process.env.INDEXER_BENCH_FRESHNESS_RUNS ?? 30);
for (const [name, v] of Object.entries({
  INDEXER_BENCH_EVENTS: TARGET_EVENTS,
  INDEXER_BENCH_QUERY_RUNS: QUERY_RUNS,
  INDEXER_BENCH_FRESHNESS_RUNS: FRESHNESS_RUNS,
})) {
  if (!Number.isInteger(v) || v < 1) throw new Error(`${name}=${process.env[name]} must be a positive whole number.`);
}
const root = path.resolve(import.meta.dirname, "../..");
const buildDir = path.join(root, "subgraph/build");

if (!existsSync(path.join(buildDir, "subgraph.yaml"))) {
  console.log("Building the subgraph (graph codegen && graph build)…");
  const r = spawnSync("npm run build -w subgraph", { cwd: root, shell: true, stdio: "inherit" });
  if (r.status !== 0) process.exit(1);
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

const node = await startHardhatNode();
const dir = await mkdtemp(path.join(os.tmpdir(), "mf-indexer-bench-"));
try {
  const protocol = await deployProtocol(node.url);
  let t = performance.now();
  const workload = await generateWorkload(protocol, TARGET_EVENTS);
  const generateSeconds = (performance.now() - t) / 1000;
  console.log(
    `Generated ${workload.events} events in ${workload.transactions} transactions over ${workload.blocks} blocks (${generateSeconds.toFixed(1)} s).`,
  );

  // Reference: fetch the same logs and blocks without running mappings.
  const rpc = new Rpc(node.url);
  const head = await rpc.blockNumber();
  t = performance.now();
  const addresses = Object.values(protocol.deployment.contracts).map((c) => c.address);
  // In ranges of 8 blocks: a whole-history answer passes viem's 10 MiB response limit.
  const logs = [];
  for (let from = protocol.deployment.contracts.DatanetRegistry.blockNumber; from <= head; from += 8) {
    logs.push(...(await rpc.logs(addresses, from, Math.min(head, from + 7))));
  }
  await rpc.blocks([...new Set(logs.map((l) => Number(l.blockNumber)))], true);
  const fetchSeconds = (performance.now() - t) / 1000;

  const dbFile = path.join(dir, "bench.sqlite");
  const rssBefore = process.memoryUsage().rss;
  t = performance.now();
  const runner = await startRunner({ rpcUrl: node.url, deployment: protocol.deployment, buildDir, dbFile, port: 0, blockRange: 5000 });
  await runner.indexer.waitForBlock(head, 600_000);
  const indexSeconds = (performance.now() - t) / 1000;
  const events = runner.indexer.events;
  const rssAfterIndex = process.memoryUsage().rss;
  const heapAfterIndex = process.memoryUsage().heapUsed;
  console.log(
    `Indexed ${events} events in ${indexSeconds.toFixed(2)} s (${(events / indexSeconds).toFixed(0)} events/s); logs seen by the RPC: ${logs.length}.`,
  );

  const owner = workload.owners[1]!.toLowerCase() as Address;
  const builder = workload.builders[0]!.toLowerCase() as Address;
  const top = await data(runner.url, `{ contributions(first: 1, orderBy: citationCount, orderDirection: desc) { id } }`);
  const cited = top.contributions[0].id as string;
  const queries: Record<string, string> = {
    datanet_list: `{ datanets(first: 20, orderBy: contributionCount, orderDirection: desc) { id metadataURI license accessPolicy contributionPolicy owner { id } contributionCount acceptedContributionCount contributorCount citationCount } }`,
    datanet_detail: `{ datanet(id: "2") { id metadataURI license owner { id } approvers { approver { id } } contributorCount
        contributions(first: 50, orderBy: createdAt, orderDirection: desc, where: { status: Accepted }) { id contentId metadataURI contributor { id } citationCount createdAt } } }`,
    approver_pending: `{ accessRequests(first: 50, where: { status: Pending, datanet_: { owner: "${owner}" } }) { id requester { id } scopes purposeURI datanet { id metadataURI } createdAt }
        contributions(first: 50, where: { status: Pending, datanet_: { owner: "${owner}" } }) { id contentId contributor { id } datanet { id } } }`,
    builder_jobs_models: `{ account(id: "${builder}") { jobs(first: 20, orderBy: createdAt, orderDirection: desc) { id state specURI datanets { id } trainer { id } model { id adapterCID } }
        models(first: 20) { id adapterCID metricsURI citationCount } accessGrants(where: { active: true, canTrain: true }) { datanet { id } expiresAt } } }`,
    contribution_citations: `{ contribution(id: "${cited}") { id citationCount totalCitationWeight contributor { id }
        citations(first: 100, orderBy: blockNumber, orderDirection: desc) { weight batch { id receiptsURI transactionHash } model { id } } } }`,
    contributor_leaderboard: `{ accounts(first: 20, orderBy: totalCitationWeight, orderDirection: desc, where: { contributionCount_gt: 0 }) { id contributionCount acceptedContributionCount citationCount totalCitationWeight } }`,
  };
  const metrics: Record<string, Metric> = {
    events_indexed: { value: events, unit: "events", better: "higher" },
    index_events_per_s: { value: Math.round(events / indexSeconds), unit: "events/s", better: "higher" },
    index_seconds: { value: +indexSeconds.toFixed(2), unit: "s", better: "lower" },
    rpc_fetch_only_seconds: { value: +fetchSeconds.toFixed(2), unit: "s", better: "lower" },
    index_vs_rpc_fetch_ratio: { value: +(indexSeconds / fetchSeconds).toFixed(2), unit: "x", better: "lower" },
  };
  const table: [string, string][] = [];
  for (const [name, query] of Object.entries(queries)) {
    const first = await data(runner.url, query);
    if (JSON.stringify(first).length < 20) throw new Error(`Query ${name} returned nothing: ${JSON.stringify(first)}`);
    const times: number[] = [];
    for (let i = 0; i < QUERY_RUNS; i++) {
      const q0 = performance.now();
      await data(runner.url, query);
      times.push(performance.now() - q0);
    }
    times.sort((a, b) => a - b);
    metrics[`query_${name}_p50_ms`] = { value: +percentile(times, 50).toFixed(2), unit: "ms", better: "lower" };
    metrics[`query_${name}_p95_ms`] = { value: +percentile(times, 95).toFixed(2), unit: "ms", better: "lower" };
  }
  // Freshness on this local chain as the runner follows it by default (new heads), then with
  // graph-node's fixed 500 ms poll, the remote default, as the reference of the same run.
  const fresh = await measureTxToIndexed(protocol, runner.url, workload.owners[0]!, FRESHNESS_RUNS, "heads");
  const followedBy = runner.indexer.pollIntervalMs;
  await runner.stop();
  const polling = await startRunner({ rpcUrl: node.url, deployment: protocol.deployment, buildDir, dbFile, port: 0, newHeads: false });
  await polling.indexer.waitForBlock(undefined, 60_000);
  const polled = await measureTxToIndexed(protocol, polling.url, workload.owners[0]!, FRESHNESS_RUNS, "poll");
  await polling.stop();
  metrics.txToIndexedP50Ms = { value: +percentile(fresh, 50).toFixed(1), unit: "ms", better: "lower" };
  metrics.txToIndexedP95Ms = { value: +percentile(fresh, 95).toFixed(1), unit: "ms", better: "lower" };
  metrics.txToIndexedPoll500P50Ms = { value: +percentile(polled, 50).toFixed(1), unit: "ms", better: "lower" };
  metrics.txToIndexed_vs_poll500_ratio = {
    value: +(percentile(fresh, 50) / percentile(polled, 50)).toFixed(3),
    unit: "x",
    better: "lower",
  };
  console.log(
    `Mined → visible in GraphQL, p50 of ${FRESHNESS_RUNS}: ${percentile(fresh, 50).toFixed(1)} ms following new heads (safety poll ${followedBy} ms), ${percentile(polled, 50).toFixed(1)} ms polling every 500 ms.`,
  );
  metrics.rss_peak_mib = { value: Math.round(process.resourceUsage().maxRSS / 1024), unit: "MiB", better: "lower" };
  metrics.rss_growth_while_indexing_mib = { value: Math.round((rssAfterIndex - rssBefore) / 2 ** 20), unit: "MiB", better: "lower" };
  metrics.heap_used_after_index_mib = { value: Math.round(heapAfterIndex / 2 ** 20), unit: "MiB", better: "lower" };
  metrics.store_size_mib = { value: +((await stat(dbFile)).size / 2 ** 20).toFixed(1), unit: "MiB", better: "lower" };

  const file = await writeSuiteResult("indexer", metrics, {
    workload: { ...workload, owners: undefined, builders: undefined, generateSeconds: +generateSeconds.toFixed(1) },
    target: { index_events_per_s: 2000, txToIndexedP50Ms: 150 },
  });
  for (const [name, m] of Object.entries(metrics)) table.push([name, `${m.value} ${m.unit}`]);
  const width = Math.max(...table.map(([n]) => n.length));
  console.log(`\n${"metric".padEnd(width)}  value`);
  for (const [n, v] of table) console.log(`${n.padEnd(width)}  ${v}`);
  console.log(`\nwrote ${path.relative(root, file)}`);
} finally {
  await node.stop();
  await rm(dir, { recursive: true, force: true });
}
