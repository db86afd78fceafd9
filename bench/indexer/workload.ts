// Generates a mixed protocol history of at least N events on a Hardhat node: Datanets,
// contributions and batched reviews, access requests, grants and revocations, trainers, jobs
// through claim/complete/fail, and attribution batches with packed citations. Automine is off
// and blocks are mined in phases, so blocks hold many transactions as on a busy chain.
import { encodeFunctionData, type Address, type Hex } from "viem";
import type { Protocol } from "../../subgraph/test/helpers/chain.ts";
import { hash, pack } from "../../subgraph/test/helpers/scenario.ts";

type Name = keyof Protocol["contracts"];
type Tx = { from: Address; to: Name; fn: string; args: unknown[]; gas: bigint };

export type Workload = {
  events: number;
  transactions: number;
  blocks: number;
  byKind: Record<string, number>;
  owners: Address[];
  builders: Address[];
};

export async function generateWorkload(p: Protocol, targetEvents: number): Promise<Workload> {
  const rpc = (method: string, params: unknown[] = []) => p.publicClient.request({ method: method as never, params: params as never });
  const [admin, ...others] = p.accounts as Address[];
  const owners = others.slice(0, 3);
  const contributors = others.slice(3, 11);
  const builders = others.slice(11, 15);
  const trainers = others.slice(15, 18);
  const byKind: Record<string, number> = {};
  const count = (kind: string, n = 1) => (byKind[kind] = (byKind[kind] ?? 0) + n);
  let transactions = 0;

  /** Sends a phase's transactions 200 at a time, mining after each chunk until none is pending. */
  const phase = async (txs: Tx[]) => {
    const t0 = performance.now();
    for (let i = 0; i < txs.length; i += 200) {
      await Promise.all(
        txs.slice(i, i + 200).map((t) =>
          rpc("eth_sendTransaction", [
            {
              from: t.from,
              to: p.contracts[t.to].address,
              data: encodeFunctionData({ abi: p.contracts[t.to].abi, functionName: t.fn, args: t.args }),
              gas: `0x${t.gas.toString(16)}`,
            },
          ]),
        ),
      );
      for (;;) {
        await rpc("evm_mine");
        const pending = (await rpc("eth_getBlockByNumber", ["pending", false])) as { transactions: Hex[] } | null;
        if (!pending || pending.transactions.length === 0) break;
      }
    }
    transactions += txs.length;
    if (process.env.INDEXER_BENCH_DEBUG) console.log(`  phase of ${txs.length} txs mined in ${(performance.now() - t0).toFixed(0)} ms`);
  };

  const far = BigInt(Math.floor(Date.now() / 1000) + 10_000_000);
  // Sizes scale with the target; the mix is fixed.
  const scale = targetEvents / 10_000;
  const size = (n: number, min: number) => Math.max(min, Math.round(n * scale));
  const datanets = 24;
  const contributionsCount = size(4750, 96);
  const requests = size(600, 24);
  const jobs = size(240, 10);
  const batches = size(1000, 10);

  await rpc("evm_setAutomine", [false]);
  try {
    // Datanets (half curated), trainers.
    const setup: Tx[] = [];
    for (let d = 1; d <= datanets; d++) {
      setup.push({
        from: owners[d % owners.length]!,
        to: "DatanetRegistry",
        fn: "createDatanet",
        args: [`ipfs://datanet-${d}`, "MIT", d % 2, d % 2],
        gas: 300_000n,
      });
    }
    count("DatanetCreated", datanets);
    for (const t of trainers)
      setup.push({ from: admin!, to: "TrainerRegistry", fn: "admitTrainer", args: [t, `http://${t}`, "ipfs://trainer"], gas: 300_000n });
    count("TrainerAdmitted", trainers.length);
    await phase(setup);

    // Contributions spread over the Datanets; curated ones start Pending.
    const contribs: Tx[] = [];
    const pendingByDatanet = new Map<number, bigint[]>();
    for (let c = 1; c <= contributionsCount; c++) {
      const d = 1 + (c % datanets);
      if (d % 2 === 1) pendingByDatanet.set(d, [...(pendingByDatanet.get(d) ?? []), BigInt(c)]);
      contribs.push({
        from: contributors[c % contributors.length]!,
        to: "DatanetRegistry",
        fn: "contribute",
        args: [BigInt(d), hash(`content-${c}`), `bafy-content-${c}`, `ipfs://meta-${c}`],
        gas: 400_000n,
      });
    }
    count("ContributionRegistered", contributionsCount);
    await phase(contribs);

    // Reviews in batches of 50 (one event per contribution), access requests and grants, jobs.
    const middle: Tx[] = [];
    for (const [d, ids] of pendingByDatanet) {
      const owner = owners[d % owners.length]!;
      for (let i = 0; i < ids.length; i += 50) {
        const slice = ids.slice(i, i + 50);
        if ((i / 50) % 4 === 3)
          middle.push({ from: owner, to: "DatanetRegistry", fn: "rejectContributions", args: [slice, "off-topic"], gas: 3_000_000n });
        else middle.push({ from: owner, to: "DatanetRegistry", fn: "acceptContributions", args: [slice], gas: 3_000_000n });
        count("ContributionStatusChanged", slice.length);
      }
    }
    for (let r = 0; r < requests; r++) {
      const d = 1 + (r % datanets);
      const builder = builders[r % builders.length]!;
      middle.push({
        from: builder,
        to: "DatanetRegistry",
        fn: "requestAccess",
        args: [BigInt(d), 3, `ipfs://purpose-${r}`],
        gas: 300_000n,
      });
      if (r % 3 !== 2)
        middle.push({
          from: owners[d % owners.length]!,
          to: "DatanetRegistry",
          fn: "grantAccess",
          args: [BigInt(d), builder, 3, far],
          gas: 300_000n,
        });
    }
    count("AccessRequested", requests);
    count("AccessGranted", middle.filter((t) => t.fn === "grantAccess").length);
    await phase(middle);

    // Revocations of some grants; jobs on open (even) Datanets.
    const jobsPhase: Tx[] = [];
    // Grant r went to (Datanet 1 + r % datanets, builder r % 4) when r % 3 != 2; revoke each pair once.
    for (let r = 0; r < datanets; r++) {
      if (r % 3 === 2) continue;
      const d = 1 + (r % datanets);
      jobsPhase.push({
        from: owners[d % owners.length]!,
        to: "DatanetRegistry",
        fn: "revokeAccess",
        args: [BigInt(d), builders[r % builders.length]!],
        gas: 300_000n,
      });
      count("AccessRevoked");
    }
    for (let j = 0; j < jobs; j++) {
      const d = 2 * (1 + (j % (datanets / 2)));
      jobsPhase.push({
        from: builders[j % builders.length]!,
        to: "TrainingJobs",
        fn: "createJob",
        args: [[BigInt(d)], `ipfs://spec-${j}`, hash(`spec-${j}`)],
        gas: 400_000n,
      });
    }
    count("JobCreated", jobs);
    await phase(jobsPhase);

    const claims: Tx[] = [];
    for (let j = 1; j <= jobs; j++)
      claims.push({ from: trainers[j % trainers.length]!, to: "TrainingJobs", fn: "claimJob", args: [BigInt(j)], gas: 300_000n });
    count("JobClaimed", jobs);
    await phase(claims);

    const finish: Tx[] = [];
    let models = 0;
    for (let j = 1; j <= jobs; j++) {
      const trainer = trainers[j % trainers.length]!;
      if (j % 5 === 0) {
        finish.push({ from: trainer, to: "TrainingJobs", fn: "failJob", args: [BigInt(j), "out of memory"], gas: 300_000n });
        count("JobFailed");
      } else {
        finish.push({
          from: trainer,
          to: "TrainingJobs",
          fn: "completeJob",
          args: [
            BigInt(j),
            `bafy-adapter-${j}`,
            hash(`adapter-${j}`),
            `ipfs://metrics-${j}`,
            hash(`manifest-${j}`),
            `ipfs://manifest-${j}`,
          ],
          gas: 400_000n,
        });
        count("JobCompleted");
        count("ModelRegistered");
        models++;
      }
    }
    await phase(finish);

    // Attribution: 8 citations per batch of accepted (open-Datanet) contributions.
    const attribution: Tx[] = [];
    for (let b = 0; b < batches; b++) {
      const cites: [number, number][] = [];
      for (let k = 0; k < 8; k++) cites.push([2 * ((b * 8 + k) % (contributionsCount / 2)) + 1, 1000 + k * 100]);
      attribution.push({
        // The model's own trainer posts (model m is job m + floor((m - 1) / 4): every fifth job fails).
        from: trainers[(1 + (b % models) + Math.floor((b % models) / 4)) % trainers.length]!,
        to: "AttributionLedger",
        fn: "postBatch",
        args: [
          BigInt(1 + (b % models)),
          hash(`receipts-${b}`),
          `ipfs://receipts-${b}`,
          4,
          pack([0, 1, 2, 3].map((r) => [(b * 4 + r).toString(16), cites.slice(2 * r, 2 * r + 2)])),
        ],
        gas: 400_000n,
      });
    }
    count("AttributionBatchPosted", batches);
    await phase(attribution);
  } finally {
    await rpc("evm_setAutomine", [true]);
  }
  const events = Object.values(byKind).reduce((a, b) => a + b, 0);
  const blocks = Number(await p.publicClient.getBlockNumber());
  return { events, transactions, blocks, byKind, owners, builders };
}
