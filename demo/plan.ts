// What the demo seed puts on chain: the demo accounts (Hardhat's well-known development keys
// #0–#9, derived from its public mnemonic; for a local chain only), the three Datanets with their
// folders, and which account contributes each file and which stay pending for the approver.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { mnemonicToAccount } from "viem/accounts";
import type { TrainingSpec } from "@modelfactory/sdk";

export const DEMO_DIR = import.meta.dirname;

/** Hardhat's public development mnemonic: its first accounts are the node's funded test accounts. */
const HARDHAT_MNEMONIC = "test test test test test test test test test test test junk";

export type DemoRole = "admin" | "owner" | "approver" | "builder" | "requester" | "contributor" | "operator";

/** Key index → role. #9 is the trainer node operator (scripts/lib/stack-config.ts). */
export const ACCOUNT_ROLES: Record<number, { role: DemoRole; label: string }> = {
  0: { role: "admin", label: "protocol admin / deployer (admits trainer nodes)" },
  1: { role: "owner", label: "Datanet owner (created the three Datanets)" },
  2: { role: "approver", label: "approver (reviews contributions, signs access grants)" },
  3: { role: "contributor", label: "contributor" },
  4: { role: "builder", label: "builder (train + retrieve on the permissioned Datanet; demo job)" },
  5: { role: "contributor", label: "contributor" },
  6: { role: "contributor", label: "contributor" },
  7: { role: "contributor", label: "contributor" },
  8: { role: "requester", label: "contributor; pending access request to the garden guide" },
};

/** The account of Hardhat key #index (0–9 only). */
export function demoAccount(index: number) {
  if (!Number.isInteger(index) || index < 0 || index > 9) throw new Error(`Demo accounts are Hardhat keys #0–#9, not #${index}.`);
  return mnemonicToAccount(HARDHAT_MNEMONIC, { addressIndex: index });
}

export type DatanetPlan = {
  slug: string;
  /** Contribution file (without .jsonl) → contributor key index. Order is registration order. */
  contributions: Record<string, number>;
  /** Files the approver leaves pending (curated Datanets only). */
  pending: string[];
  /** Whether the seed's demo training job (MF_DEMO_JOB=1) trains on it. */
  inDemoJob: boolean;
};

export const DATANETS: DatanetPlan[] = [
  {
    slug: "home-espresso",
    contributions: {
      "dialing-in-notes": 3,
      "machine-care-log": 5,
      "milk-drinks-handbook": 6,
      "beans-and-water": 7,
      "more-shot-diagnoses": 8,
    },
    pending: ["beans-and-water", "more-shot-diagnoses"],
    inDemoJob: true,
  },
  {
    slug: "community-garden",
    contributions: { "vegetable-calendar-part-1": 6, "vegetable-calendar-part-2": 7, "bed-planning": 3, "plot-holder-handbook": 5 },
    pending: [],
    inDemoJob: true,
  },
  {
    slug: "bicycle-repair",
    contributions: { "workshop-basics": 5, "noises-and-fixes": 3, "tyre-pressure-table": 8, "chain-wear-and-safety": 6 },
    pending: [],
    inDemoJob: false,
  },
];

/** Datanet metadata as stored in the content store (modelfactory.datanet-metadata/1 plus policy and license). */
export type DatanetMetadataFile = {
  schema: "modelfactory.datanet-metadata/1";
  name: string;
  description: string;
  domain: string;
  tags: string[];
  recordKinds: string[];
  license: string;
  accessPolicy: "Open" | "Permissioned";
  contributionPolicy: "Open" | "Curated";
};

export function readMetadata(slug: string): DatanetMetadataFile {
  return JSON.parse(readFileSync(path.join(DEMO_DIR, "datanets", slug, "metadata.json"), "utf8")) as DatanetMetadataFile;
}

export function contributionFile(slug: string, name: string): string {
  return path.join(DEMO_DIR, "datanets", slug, "contributions", `${name}.jsonl`);
}

/** Every contribution file on disk for a Datanet, so a test can check the plan names them all. */
export function contributionFilesOnDisk(slug: string): string[] {
  return readdirSync(path.join(DEMO_DIR, "datanets", slug, "contributions"))
    .filter((f) => f.endsWith(".jsonl"))
    .map((f) => f.slice(0, -".jsonl".length))
    .sort();
}

/** Title and description of a contribution, as its contributor would write them. */
export function contributionTitle(name: string): string {
  const words = name.replace(/-/g, " ");
  return words[0]!.toUpperCase() + words.slice(1);
}

/** The settings of the seed's demo job (MF_DEMO_JOB=1), which bench/train/raft.ts trains too. */
export const DEMO_JOB: Pick<TrainingSpec, "evalFraction" | "evalSplit" | "hyperparameters"> = {
  // Held out: 15 % of every contribution's records. The demo asks each fact several ways, so
  // the report measures whether the model learned the Datanets' facts (demo/README.md).
  evalFraction: 0.15,
  evalSplit: "record",
  hyperparameters: {
    // One pass at a high LoRA rate in small batches: measured with demo/finetune_check.py
    // (perplexity 46 → 2.1 on the held-out questions), and short enough for a first start.
    learningRate: 2e-3,
    batchSize: 4,
    gradientAccumulation: 1,
    epochs: 1,
    maxLength: 256,
    warmupRatio: 0.05,
    scheduler: "cosine",
    weightDecay: 0,
    seed: 42,
    lora: { rank: 16, alpha: 32, dropout: 0, targets: ["all-linear"] },
  },
};
