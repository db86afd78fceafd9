// `npm run bench -- frontend`: initial JS and CSS (gzip) of the production build, time to
// interactive of the Datanets and chat pages in headless Chromium on the local stack, and the
// time from a streamed chat token arriving in the page to the frame that paints it.
// Writes bench/results/frontend.json and prints a table.
import { spawnSync } from "node:child_process";
import { readFile } from "node:fs/promises";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { createPublicClient, createWalletClient, http, parseEventLogs, type Address } from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { hardhat } from "viem/chains";
import { AccessPolicy, ContributionPolicy, datanetRegistryAbi } from "@modelfactory/sdk";
import { writeSuiteResult, type Metric } from "../lib/results.ts";
import { launchBrowser } from "../../frontend/e2e/browser.ts";
import { startStack, FRONTEND } from "../../frontend/e2e/stack.ts";
import { testWalletScript } from "../../frontend/e2e/test-wallet.ts";
import { startStreamStub } from "./stream-stub.ts";

const RUNS = Number(process.env.BENCH_RUNS ?? 5);
const OWNER_KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d" as const;
const OWNER = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8";
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const pct = (xs: number[], p: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * p))] ?? NaN;
const round = (v: number, d = 1) => Math.round(v * 10 ** d) / 10 ** d;

// 1. Bundle: what index.html loads before any route chunk (entry script, modulepreloads, CSS).
const build = spawnSync("npx", ["vite", "build", "--logLevel", "warn"], { cwd: FRONTEND, stdio: "inherit" });
if (build.status !== 0) process.exit(1);
const dist = path.join(FRONTEND, "dist");
const html = await readFile(path.join(dist, "index.html"), "utf8");
const refs = (re: RegExp) => [...html.matchAll(re)].map((m) => m[1]!);
const js = [...new Set([...refs(/<script[^>]+src="([^"]+\.js)"/g), ...refs(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g)])];
const css = refs(/<link[^>]+rel="stylesheet"[^>]+href="([^"]+\.css)"/g);
const gz = async (files: string[]) => {
  let raw = 0;
  let zipped = 0;
  for (const f of files) {
    const bytes = await readFile(path.join(dist, f));
    raw += bytes.length;
    zipped += gzipSync(bytes, { level: 9 }).length;
  }
  return { raw, zipped };
};
const initialJs = await gz(js);
const initialCss = await gz(css);

// 2. The local stack with a few Datanets, and a stub node that streams tokens.
const stub = await startStreamStub({ tokens: 150, intervalMs: 15 });
const stack = await startStack({ trainer: false, trainerNodes: [stub.url] });
const metrics: Record<string, Metric> = {
  initialJsGzip: { value: round(initialJs.zipped / 1024), unit: "KB", better: "lower" },
  initialCssGzip: { value: round(initialCss.zipped / 1024), unit: "KB", better: "lower" },
  initialJsRaw: { value: round(initialJs.raw / 1024), unit: "KB", better: "lower" },
};
try {
  const deployment = JSON.parse(await readFile(stack.deploymentFile, "utf8")) as { contracts: { DatanetRegistry: { address: Address } } };
  const wallet = createWalletClient({ account: privateKeyToAccount(OWNER_KEY), chain: hardhat, transport: http(stack.rpcUrl) });
  const pub = createPublicClient({ chain: hardhat, transport: http(stack.rpcUrl) });
  for (let i = 0; i < 12; i++) {
    const form = new FormData();
    const doc = {
      schema: "modelfactory.datanet-metadata/1",
      name: `Benchmark Datanet ${i}`,
      description: `Seeded Datanet number ${i} for the frontend benchmark.`,
      domain: ["medicine", "law", "finance"][i % 3],
      tags: ["bench", `t${i % 4}`],
      recordKinds: ["instruction"],
    };
    form.append("file", new Blob([JSON.stringify(doc)]), "datanet.json");
    const added = (await (
      await fetch(`${stack.contentApiUrl}/api/v0/add?cid-version=1&raw-leaves=true`, { method: "POST", body: form })
    ).json()) as { Hash: string };
    const hash = await wallet.writeContract({
      address: deployment.contracts.DatanetRegistry.address,
      abi: datanetRegistryAbi,
      functionName: "createDatanet",
      args: [`ipfs://${added.Hash}`, "CC-BY-4.0", AccessPolicy.Permissioned, ContributionPolicy.Curated],
    });
    const receipt = await pub.waitForTransactionReceipt({ hash });
    parseEventLogs({ abi: datanetRegistryAbi, logs: receipt.logs, eventName: "DatanetCreated" });
  }
  // Let the index catch up.
  for (let i = 0; i < 100; i++) {
    const r = (await (
      await fetch(stack.graphqlUrl!, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: '{"query":"{ datanets(first: 100) { id } }"}',
      })
    ).json()) as { data: { datanets: unknown[] } };
    if (r.data.datanets.length >= 12) break;
    await new Promise((r) => setTimeout(r, 200));
  }

  const browser = await launchBrowser();
  const tti = async (route: string, ready: string) => {
    const times: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
      const page = await context.newPage();
      await page.goto(`${stack.appUrl}${route}`, { waitUntil: "commit" });
      await page.waitForSelector(ready, { timeout: 30_000 });
      // Interactive: the content is there and the main thread has gone idle.
      times.push(
        await page.evaluate(
          () => new Promise<number>((resolve) => requestIdleCallback(() => resolve(performance.now()), { timeout: 2000 })),
        ),
      );
      await context.close();
    }
    return times;
  };
  const datanetsTti = await tti("/datanets", '[data-testid="datanet-card"]');
  const chatTti = await tti("/chat/1", "#main button");
  metrics.ttiDatanetsMedian = { value: round(median(datanetsTti), 0), unit: "ms", better: "lower" };
  metrics.ttiChatMedian = { value: round(median(chatTti), 0), unit: "ms", better: "lower" };

  // 3. Streamed token → paint.
  const context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
  await context.addInitScript(testWalletScript(stack.rpcUrl, OWNER));
  await context.addInitScript(() => {
    const w = window as unknown as { __arrive: Record<string, number>; __paint: Record<string, number> };
    w.__arrive = {};
    w.__paint = {};
    const read = ReadableStreamDefaultReader.prototype.read;
    ReadableStreamDefaultReader.prototype.read = function (this: ReadableStreamDefaultReader) {
      return read.call(this).then((r) => {
        if (typeof r.value === "string") {
          const t = performance.now();
          for (const m of r.value.matchAll(/tok(\d+)/g)) w.__arrive[m[1]!] ??= t;
        }
        return r;
      }) as ReturnType<typeof read>;
    } as typeof read;
    new MutationObserver(() => {
      const el = document.querySelector('[data-testid="answer"]:last-of-type');
      if (!el) return;
      const fresh: string[] = [];
      for (const m of (el.textContent ?? "").matchAll(/tok(\d+)/g))
        if (w.__paint[m[1]!] === undefined && w.__arrive[m[1]!] !== undefined) (w.__paint[m[1]!] = -1), fresh.push(m[1]!);
      if (fresh.length)
        requestAnimationFrame(() => {
          const t = performance.now();
          for (const k of fresh) w.__paint[k] = t;
        });
    }).observe(document, { subtree: true, childList: true, characterData: true });
  });
  const page = await context.newPage();
  await page.goto(`${stack.appUrl}/chat/1`);
  await page.getByRole("button", { name: "Connect Wallet" }).first().click();
  await page.getByText("E2E Test Wallet").click();
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByLabel("Question").fill("Stream please");
  await page.getByRole("button", { name: "Send" }).click();
  await page.getByTestId("citations").waitFor({ timeout: 60_000 });
  await page.waitForTimeout(200);
  const { arrive, paint } = await page.evaluate(() => {
    const w = window as unknown as { __arrive: Record<string, number>; __paint: Record<string, number> };
    return { arrive: w.__arrive, paint: w.__paint };
  });
  const deltas = Object.keys(arrive)
    .filter((k) => (paint[k] ?? -1) >= 0)
    .map((k) => paint[k]! - arrive[k]!);
  metrics.tokenToPaintMedian = { value: round(median(deltas)), unit: "ms", better: "lower" };
  metrics.tokenToPaintP95 = { value: round(pct(deltas, 0.95)), unit: "ms", better: "lower" };
  metrics.tokensMeasured = { value: deltas.length, unit: "tokens", better: "higher" };
  await browser.close();

  const file = await writeSuiteResult("frontend", metrics, {
    notes: {
      initial: "entry script + modulepreloads + stylesheets referenced by dist/index.html, gzip level 9",
      tti: `median of ${RUNS} cold loads (fresh browser context) from navigation start to content rendered and the first idle callback; Datanets page with 12 indexed Datanets; chat page /chat/1 without a connected wallet`,
      tokenToPaint:
        "per streamed token: from the chunk leaving the fetch stream reader to the next animation frame after it is in the DOM; 150 tokens at 15 ms from a stub node",
      targets: { initialJsGzipKB: 350, ttiMs: 1500 },
    },
    files: { js, css },
  });
  console.log(`\nfrontend benchmark (${path.relative(process.cwd(), file)})`);
  console.log("metric".padEnd(22), "value".padStart(10), " unit", " better");
  for (const [k, m] of Object.entries(metrics)) console.log(k.padEnd(22), String(m.value).padStart(10), ` ${m.unit.padEnd(6)}`, m.better);
} finally {
  await stack.stop();
  await stub.close();
}
