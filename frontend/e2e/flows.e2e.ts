// About 450 lines: one browser session walks the whole product path in order, each step building
// on the last, so the flows share one file.
// End-to-end flows in real headless Chromium against the local stack, with an injected test
// wallet: create a Datanet, contribute (a bad file refused with its errors, then a good one),
// review, request and grant access by signature, redeem; with a trainer node: train, follow
// live progress, read the evaluation, chat and verify a citation on chain, then train a second
// run, compare the two, and read the Datanet's training insights as its approver.
import { readFile } from "node:fs/promises";
import assert from "node:assert/strict";
import { after, afterEach, before, describe, test } from "node:test";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { launchBrowser, screenshot } from "./browser.ts";
import { startStack, type Stack } from "./stack.ts";
import { testWalletScript } from "./test-wallet.ts";

const ACCOUNTS = {
  owner: "0x70997970C51812dc3A010C7d01b50e0d17dc79C8",
  approver: "0x3C44CdDdB6a900fa2b585dd299e03d12FA4293BC",
  contributor: "0x90F79bf6EB2c4f870365E785982E1f101E93b906",
  builder: "0x15d34AAf54267DB7D7c367839AAf71A00a2C6A65",
} as const;
type Role = keyof typeof ACCOUNTS;

const GOOD =
  [
    {
      instruction: "What is the first step when a patient arrives with chest pain?",
      output: "Assess airway, breathing and circulation, then take a 12-lead ECG within ten minutes.",
    },
    {
      instruction: "When should a sprained ankle be X-rayed?",
      output: "When the Ottawa ankle rules are positive: bone tenderness at the malleoli or inability to bear weight.",
    },
    { instruction: "What does <b>triage</b> mean?", output: "Sorting patients by urgency so that the sickest are treated first." },
    {
      instruction: "How is dehydration in children assessed?",
      output: "By capillary refill, skin turgor, mucous membranes, tears and urine output.",
    },
    { instruction: "What is a normal adult resting heart rate?", output: "Between 60 and 100 beats per minute." },
    { instruction: "Which sign suggests meningitis?", output: "Neck stiffness with fever and a non-blanching rash." },
  ]
    .map((r) => JSON.stringify(r))
    .join("\n") + "\n";
const BAD = '{"instruction": "ok", "output": "fine"}\n{"instruction": "missing output"}\n{not json}\n{"instruction": "", "output": "x"}\n';

const withTrainer = process.env.E2E_TRAINER !== "0";
let stack: Stack;
let browser: Browser;
let context: BrowserContext;
let page: Page;

async function as(role: Role) {
  await page.evaluate(
    (a) => (window as unknown as { __e2eWallet: { setAccount(a: string): void } }).__e2eWallet.setAccount(a),
    ACCOUNTS[role],
  );
  const tail = ACCOUNTS[role].slice(-4);
  await page
    .getByRole("button", { name: new RegExp(tail, "i") })
    .first()
    .waitFor({ timeout: 10_000 });
}

async function go(path: string) {
  await page.goto(`${stack.appUrl}${path}`);
}

async function waitToast(text: RegExp, timeout = 30_000) {
  await page.getByTestId("toast-success").filter({ hasText: text }).first().waitFor({ timeout });
}

describe("ModelFactory GUI end to end", { timeout: 900_000 }, () => {
  before(async () => {
    stack = await startStack({ trainer: withTrainer });
    browser = await launchBrowser();
    context = await browser.newContext({ viewport: { width: 1280, height: 860 } });
    await context.addInitScript(testWalletScript(stack.rpcUrl, ACCOUNTS.owner));
    page = await context.newPage();
    page.on("pageerror", (e) => console.error("page error:", e.message));
  });
  afterEach(async (t) => {
    if (page && (t as unknown as { passed?: boolean }).passed === false)
      await screenshot(page, `failed-${t.name.slice(0, 40).replace(/\W+/g, "-")}`).catch(() => undefined);
  });
  after(async () => {
    await browser?.close();
    await stack?.stop();
  });

  test("browse Datanets (empty) and connect the injected wallet", async () => {
    await go("/datanets");
    await page.getByText("No Datanets yet.").waitFor();
    await page.getByRole("button", { name: "Connect Wallet" }).first().click();
    await page.getByText("E2E Test Wallet").click();
    await page.getByRole("button", { name: /79C8/i }).waitFor({ timeout: 15_000 });
    await screenshot(page, "01-datanets-empty");
  });

  test("create a Datanet: validation, then metadata → content store → createDatanet", async () => {
    await go("/datanets/new");
    await page.getByRole("button", { name: "Create Datanet" }).click();
    await page.getByText("Give the Datanet a name.").waitFor();
    await screenshot(page, "02-create-datanet-errors");
    await page.getByLabel("Name").fill("Emergency triage Q&A");
    await page
      .getByLabel("Description")
      .fill("Short question-and-answer pairs written by emergency nurses about first assessment and triage.");
    await page.getByLabel("Domain").fill("medicine");
    await page.getByLabel("Tags").fill("triage, emergency, nursing");
    await page.getByRole("button", { name: "Create Datanet" }).click();
    await waitToast(/Create Datanet: confirmed/);
    await page.waitForURL(/\/datanets\/1$/);
    await page.getByRole("heading", { name: "Emergency triage Q&A" }).waitFor({ timeout: 30_000 });
    await page.getByLabel("Approver address").fill(ACCOUNTS.approver);
    await page.getByRole("button", { name: "Add approver" }).click();
    await waitToast(/Add approver: confirmed/);
    await page.getByText(ACCOUNTS.approver.toLowerCase()).waitFor({ timeout: 20_000 });
    // Permissioned: the owner binds its key service's key on chain before anyone contributes.
    await page.getByTestId("encryption-key").getByText("No encryption key is bound yet").waitFor({ timeout: 20_000 });
    await page.getByLabel("Key service URL").fill(stack.keyServiceUrl);
    await page.getByRole("button", { name: "Bind this key service's key" }).click();
    await waitToast(/Bind encryption key: confirmed/);
    await page.getByTestId("encryption-key").getByText("Public key (version 1)").waitFor({ timeout: 20_000 });
    await screenshot(page, "03-datanet-detail");
    await go("/datanets?q=triage");
    await page.getByTestId("datanet-card").first().waitFor();
    await screenshot(page, "04-datanets-list");
  });

  test("contribute: a bad file is refused with its errors, a good one is uploaded, registered and indexed", async () => {
    await as("contributor");
    await go("/datanets/1/contribute");
    await page.getByTestId("file-input").setInputFiles({ name: "bad.jsonl", mimeType: "application/jsonl", buffer: Buffer.from(BAD) });
    const problems = page.getByTestId("dataset-problems");
    await problems.waitFor();
    const text = await problems.innerText();
    assert.match(text, /Line 2/);
    assert.match(text, /Line 3/);
    await screenshot(page, "05-contribute-bad-file");
    await page.getByTestId("file-input").setInputFiles({ name: "triage.jsonl", mimeType: "application/jsonl", buffer: Buffer.from(GOOD) });
    await page.getByTestId("record-preview").waitFor();
    // Dataset text is rendered as text: the <b> in a record is visible literally.
    await page.getByText("What does <b>triage</b> mean?").waitFor();
    await screenshot(page, "06-contribute-preview");
    await page.getByTestId("encryption-notice").waitFor();
    await page.getByRole("button", { name: "Encrypt, upload and register" }).click();
    await waitToast(/Register contribution to Datanet #1: confirmed/);
    await page.getByTestId("contribution-status").getByText("Pending").waitFor({ timeout: 30_000 });
    await screenshot(page, "07-contribute-indexed");
    // An outsider reading the CID the chain names for it gets an envelope, no record text.
    const indexed = (await (
      await fetch(stack.graphqlUrl!, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ query: "{ contributions(first: 5) { contentId metadataURI } }" }),
      })
    ).json()) as { data: { contributions: { contentId: string; metadataURI: string }[] } };
    assert.equal(indexed.data.contributions.length, 1);
    const stored = Buffer.from(
      await (
        await fetch(`${stack.contentApiUrl}/api/v0/cat?arg=${indexed.data.contributions[0]!.contentId}`, { method: "POST" })
      ).arrayBuffer(),
    );
    assert.equal(stored.subarray(0, 5).toString("latin1"), "MFENV");
    assert.ok(!stored.includes("triage"), "the stored contribution holds record text");
    await go("/contributions");
    await page.getByTestId("contribution-row").first().waitFor();
    await screenshot(page, "08-my-contributions");
  });

  test("access: request, approver reviews the contribution and signs a grant, builder redeems it", async () => {
    await as("builder");
    await go("/datanets/1");
    await page.getByRole("tab", { name: "Access" }).click();
    await page.getByLabel("Purpose").fill("Fine-tune a triage assistant for nurse training.");
    await page.getByRole("button", { name: "Request access" }).click();
    await waitToast(/Request access to Datanet #1: confirmed/);

    await as("approver");
    await go("/inbox");
    await page.getByTestId("access-request").first().waitFor({ timeout: 30_000 });
    // The approver reads what they accept: the encrypted records, decrypted in their browser
    // through the key service ("curate"), checked against the chain, searchable, as text.
    await page.getByRole("button", { name: "Preview #1" }).click();
    const preview = page.getByTestId("contribution-preview");
    await preview.getByText("decrypted in this browser").waitFor({ timeout: 30_000 });
    assert.match(
      await preview.getByTestId("preview-summary").innerText(),
      new RegExp(`^${GOOD.trim().split("\n").length} records, verified against the on-chain content hash`),
    );
    // Duplicates are also looked for among the Datanet's accepted records (none yet here), and the preview says so.
    assert.equal(
      await preview.getByTestId("preview-compared").innerText(),
      "The Datanet has no accepted contributions to compare against.",
    );
    await preview.getByText("What does <b>triage</b> mean?").waitFor();
    await preview.getByLabel("Search records").fill("ankle");
    assert.equal(await preview.getByTestId("preview-record").count(), 1);
    await screenshot(page, "09-approver-preview");
    await page.getByRole("checkbox", { name: /Select contribution 1/ }).check();
    await screenshot(page, "09-approver-inbox");
    await page.getByRole("button", { name: /Accept selected/ }).click();
    await waitToast(/Accept 1 contribution\(s\): confirmed/);
    await page.getByTestId("access-request").first().getByRole("button", { name: "Grant…" }).click();
    await page
      .getByRole("button", { name: /Sign grant/ })
      .first()
      .click();
    const signed = await page.getByLabel("Signed grant", { exact: true }).inputValue({ timeout: 15_000 });
    assert.match(signed, /"signature":"0x[0-9a-f]+"/);
    await screenshot(page, "10-signed-grant");

    await as("builder");
    await go("/access");
    await page.getByLabel(/Paste the signed grant/).fill(signed);
    await page.getByText("signature valid").waitFor();
    await screenshot(page, "11-redeem-grant");
    await page.getByRole("button", { name: "Redeem on chain" }).click();
    await waitToast(/Redeem grant for Datanet #1: confirmed/);
    await page.getByTestId("my-grants").getByText("active").waitFor({ timeout: 30_000 });
    await screenshot(page, "12-my-access");

    // An approver cancels a signed grant nobody has redeemed yet: its nonce is burnt on chain.
    await as("approver");
    await go("/inbox");
    await page.getByLabel("Builder (grantee)").fill(ACCOUNTS.contributor);
    await page
      .getByRole("button", { name: /Sign grant/ })
      .last()
      .click();
    await page.getByRole("button", { name: "Cancel this signed grant" }).click({ timeout: 15_000 });
    await waitToast(/Cancel signed grant: confirmed/);
    await page.getByText("Cancelled on chain: this signed grant can no longer be redeemed.").waitFor();

    // A request the approver denies: the reason comes from an inline form (required, bounded),
    // not a browser prompt, and the requester sees the request denied.
    await as("contributor");
    await go("/datanets/1");
    await page.getByRole("tab", { name: "Access" }).click();
    await page.getByLabel("Purpose").fill("Benchmark triage models against the nurses' answers.");
    await page.getByRole("button", { name: "Request access" }).click();
    await waitToast(/Request access to Datanet #1: confirmed/);
    await as("approver");
    await go("/inbox");
    const denied = page.getByTestId("access-request").filter({ hasText: "Request #2" });
    await denied.getByRole("button", { name: "Deny…" }).click({ timeout: 30_000 });
    const reason = denied.getByLabel("Reason for denying (shown to the builder)");
    await reason.fill("");
    await denied.getByRole("button", { name: "Deny request #2" }).click();
    await denied.getByRole("alert").getByText("Give a reason; the other side reads it.").waitFor();
    await reason.fill("The purpose is outside this Datanet's license.");
    await screenshot(page, "12b-deny-reason");
    await denied.getByRole("button", { name: "Deny request #2" }).click();
    await waitToast(/Deny request #2: confirmed/);
    await as("contributor");
    await go("/access");
    await page.getByRole("cell", { name: "Denied" }).waitFor({ timeout: 30_000 });
    await as("builder");
  });

  test("train, follow live progress and read the evaluation", { skip: !withTrainer && "E2E_TRAINER=0" }, async () => {
    assert.ok(stack.trainerUrl, "the trainer node did not start (worker venv missing?)");
    await go("/train");
    await page.getByRole("radio").first().check({ timeout: 30_000 });
    await page.getByRole("button", { name: /Next: Datanets/ }).click();
    await page.getByRole("checkbox").first().check({ timeout: 20_000 });
    await page.getByRole("button", { name: /Next: Method/ }).click();
    await page.getByRole("radio", { name: /LoRA/ }).first().check();
    await page.getByRole("button", { name: /Next: Hyperparameters/ }).click();
    await page.getByRole("button", { name: "Quick" }).click();
    await page.getByLabel("Max length (tokens)").fill("128");
    await page.getByLabel("Batch size").fill("2");
    await screenshot(page, "13-train-hyperparameters");
    await page.getByRole("button", { name: /Next: Pre-flight/ }).click();
    await page.getByText("estimated memory").waitFor({ timeout: 60_000 });
    await screenshot(page, "14-train-preflight");
    await page.getByRole("button", { name: "Store spec and create job" }).click();
    await waitToast(/Create training job: confirmed/);
    await page.waitForURL(/\/jobs\/1$/);
    await page.getByText("live").first().waitFor({ timeout: 60_000 });
    await page.locator(".timeline li.reached", { hasText: "training" }).waitFor({ timeout: 240_000 });
    await screenshot(page, "15-job-dashboard-live");
    await page.getByRole("link", { name: "Evaluation report" }).waitFor({ timeout: 420_000 });
    await screenshot(page, "16-job-dashboard-completed");
    await page.getByRole("link", { name: "Evaluation report" }).click();
    await page.getByTestId("quality-table").waitFor({ timeout: 60_000 });
    await page.getByText("matches the chain").waitFor({ timeout: 30_000 });
    // What the training ran in: float32, or bf16 autocast where this CPU multiplies bf16 natively.
    assert.match(
      (await page.getByTestId("training-compute").textContent()) ?? "",
      /^(float32|bf16 matmuls \(autocast\), float32 weights and optimizer)$/,
    );
    await screenshot(page, "17-evaluation-report");
    // Export: the node merges the adapter and writes GGUF q8_0; the one-time link downloads it.
    const exportRow = page.getByTestId("export-gguf-q8_0");
    await exportRow.getByRole("button", { name: "Prepare" }).click();
    const exportDownload = exportRow.getByRole("button", { name: "Download model-1-q8_0.gguf" });
    await exportDownload.waitFor({ timeout: 240_000 });
    const [gguf] = await Promise.all([page.waitForEvent("download", { timeout: 60_000 }), exportDownload.click()]);
    assert.equal(gguf.suggestedFilename(), "model-1-q8_0.gguf");
    assert.equal((await readFile((await gguf.path())!)).subarray(0, 4).toString("latin1"), "GGUF");
    await screenshot(page, "17c-export");
    await go("/explore/model/1");
    await page.getByText("Manifest root (on chain)").waitFor();
    await page.getByTestId("contribution-row").first().waitFor({ timeout: 30_000 });
    await screenshot(page, "20-explorer-model");
    await go("/explore/contributor/0x90f79bf6eb2c4f870365e785982e1f101e93b906");
    await page.getByText("Contributions").first().waitFor();
    await screenshot(page, "21-explorer-contributor");
  });

  test("chat with the model and verify a citation on chain", { skip: !withTrainer && "E2E_TRAINER=0" }, async () => {
    await go("/chat/1");
    // The export above signed the builder in to this node already (kept for the tab's session).
    const signIn = page.getByRole("button", { name: "Sign in" });
    await Promise.race([signIn.waitFor({ timeout: 30_000 }), page.getByLabel("Question").waitFor({ timeout: 30_000 })]);
    if (await signIn.isVisible()) await signIn.click();
    await page.getByLabel("Question").fill("What is the first step when a patient arrives with chest pain?");
    await page.getByRole("button", { name: "Send" }).click();
    await page.getByTestId("citations").waitFor({ timeout: 120_000 });
    await screenshot(page, "18-chat-citations");
    assert.ok((await page.getByTestId("citations").locator("article.citation").count()) > 0, "the answer cites no contribution");
    // "Shaped by training on": the node's training influences, each linked to its contributor's page, or the reason there are none.
    const influences = page.getByTestId("training-influences");
    const cards = influences.getByTestId("training-influence");
    const listed = await cards.count();
    assert.match(await influences.locator("h3").innerText(), new RegExp(`^Shaped by training on \\(${listed}\\)$`));
    if (listed === 0)
      assert.ok((await influences.getByTestId("training-influence-note").innerText()).length > 0, "no influences and no reason given");
    for (const href of await cards.locator('a[href*="/explore/contributor/0x"]').evaluateAll((as) => as.map((a) => a.getAttribute("href"))))
      assert.match(href ?? "", /\/explore\/contributor\/0x[0-9a-f]{40}$/);
    await page.getByRole("button", { name: "Verify on chain" }).click({ timeout: 60_000 });
    await page.getByTestId("verify-result").waitFor({ timeout: 30_000 });
    assert.equal(await page.getByTestId("verify-summary").innerText(), "Verified: what is shown is what the chain holds.");
    const checks = page.getByTestId("verify-result").locator("dd[data-check]");
    assert.deepEqual(await checks.evaluateAll((dds) => dds.map((d) => `${d.getAttribute("data-check")}=${d.getAttribute("data-ok")}`)), [
      "document=true",
      "leaf=true",
      "citations=true",
      "passages=true",
      "training=true",
      "question=true",
      "answer=true",
      "model=true",
      "root=true",
      "proof=true",
      "ledger=true",
    ]);
    await screenshot(page, "19-chat-verified");

    // The public receipt names the question, answer and passages by hash only.
    const receiptDoc = (await page.evaluate(
      async (u) => (await fetch(u)).json(),
      `${stack.trainerUrl}/v1/receipts/${await page.getByTestId("verify-receipt").getAttribute("data-receipt-id")}`,
    )) as { receipt: Record<string, unknown> };
    const publicJson = JSON.stringify(receiptDoc.receipt);
    assert.ok(!publicJson.includes("chest pain") && !("question" in receiptDoc.receipt), "the public receipt holds the question's text");
    assert.match(String(receiptDoc.receipt.questionHash), /^0x[0-9a-f]{64}$/);

    // A dishonest node: it serves a receipt document whose first citation's reason differs from
    // what it committed (and still hands over the committed leaf and its valid proof). The GUI
    // must say so.
    const firstReceipt = await page.getByTestId("verify-receipt").getAttribute("data-receipt-id");
    assert.match(firstReceipt ?? "", /^0x[0-9a-f]{64}$/);
    await page.route(/\/v1\/receipts\/0x[0-9a-fA-F]{64}$/, async (route) => {
      const response = await route.fetch();
      const body = (await response.json()) as { receipt: { citations: { reason: string }[] } };
      body.receipt.citations = body.receipt.citations.map((c, i) => (i === 0 ? { ...c, reason: `${c.reason} (edited by the node)` } : c));
      await route.fulfill({ response, json: body });
    });
    await page.getByLabel("Question").fill("What does the guide say about a patient with chest pain?");
    await page.getByRole("button", { name: "Send" }).click();
    await page.locator(`[data-testid=verify-receipt]:not([data-receipt-id="${firstReceipt}"])`).waitFor({ timeout: 120_000 });
    await page.getByRole("button", { name: "Verify on chain" }).click({ timeout: 60_000 });
    const summary = page.getByTestId("verify-summary");
    await summary.waitFor({ timeout: 30_000 });
    assert.match(await summary.innerText(), /^Does not match: leaf the node committed does not match the document \(detailsHash differ\)/);
    assert.equal(await page.locator("dd[data-check=leaf]").getAttribute("data-ok"), "false");
    await screenshot(page, "22-tampered-receipt-refused");
    await page.unroute(/\/v1\/receipts\//);

    // An auditor with no trainer node: the index finds the batch, the content store has its
    // document, and the browser computes the proof itself.
    await go(`/explore/answer/0/${firstReceipt}`);
    await page.getByText("no trainer node").waitFor({ timeout: 30_000 });
    await page.getByRole("button", { name: "Verify on chain" }).click({ timeout: 60_000 });
    await page.getByTestId("verify-summary").waitFor({ timeout: 30_000 });
    assert.equal(await page.getByTestId("verify-summary").innerText(), "Verified: what is shown is what the chain holds.");
    await screenshot(page, "23-receipt-verified-from-the-index");
  });

  test("compare two runs, and an approver reads how the Datanet's contributions trained", {
    skip: !withTrainer && "E2E_TRAINER=0",
  }, async () => {
    // A second run of the first job's settings at another learning rate (tiny model: seconds).
    await go("/train");
    await as("builder");
    await page.getByRole("radio").first().check({ timeout: 30_000 });
    await page.getByRole("button", { name: /Next: Datanets/ }).click();
    await page.getByRole("checkbox").first().check({ timeout: 20_000 });
    await page.getByRole("button", { name: /Next: Method/ }).click();
    await page.getByRole("radio", { name: /LoRA/ }).first().check();
    await page.getByRole("button", { name: /Next: Hyperparameters/ }).click();
    await page.getByRole("button", { name: "Quick" }).click();
    await page.getByLabel("Max length (tokens)").fill("128");
    await page.getByLabel("Batch size").fill("2");
    await page.getByLabel("Learning rate").fill("0.001");
    await page.getByRole("button", { name: /Next: Pre-flight/ }).click();
    await page.getByText("estimated memory").waitFor({ timeout: 60_000 });
    await page.getByRole("button", { name: "Store spec and create job" }).click();
    await waitToast(/Create training job: confirmed/);
    await page.waitForURL(/\/jobs\/2$/);
    await page.getByRole("link", { name: "Evaluation report" }).waitFor({ timeout: 420_000 });

    // Jobs list → tick both → Compare: the URL is the shareable state.
    await go("/jobs");
    await page.getByRole("checkbox", { name: "Compare job #1" }).check({ timeout: 30_000 });
    await page.getByRole("checkbox", { name: "Compare job #2" }).check();
    await page.getByTestId("compare-jobs").click();
    await page.waitForURL(/\/compare\?jobs=1%2C2$|\/compare\?jobs=1,2$/);
    const spec = page.getByTestId("compare-spec");
    await spec.waitFor({ timeout: 30_000 });
    const lr = spec.getByRole("row", { name: /hyperparameters\.learningRate/ });
    assert.deepEqual(await lr.getByRole("cell").allInnerTexts(), ["hyperparameters.learningRate", "0.0003", "0.001"]);
    assert.equal(await lr.locator("td.diff").count(), 1, "the changed value is marked");
    const metrics = page.getByTestId("compare-metrics");
    await metrics.getByRole("row", { name: /Perplexity/ }).waitFor({ timeout: 60_000 });
    assert.equal(
      await metrics
        .getByRole("row", { name: /Perplexity/ })
        .getByRole("cell")
        .count(),
      3,
      "a perplexity for each job",
    );
    // The loss curves of both runs, overlaid.
    await page
      .getByTestId("compare-charts")
      .getByRole("img", { name: /^Loss: latest job #1 [\d.]+, job #2 [\d.]+$/ })
      .waitFor({ timeout: 30_000 });
    await screenshot(page, "24-compare-runs");

    // The Datanet's approver sees its contributions' losses after training, from both reports.
    await go("/datanets/1");
    await as("approver");
    await page.getByRole("tab", { name: "Training insights" }).click({ timeout: 30_000 });
    await page.getByTestId("insights-model-2").getByTestId("insights-table").waitFor({ timeout: 60_000 });
    assert.equal(
      await page.getByTestId("insights-model-1").getByTestId("insights-table").getByRole("row").count(),
      2,
      "one contribution, one row",
    );
    await screenshot(page, "25-datanet-training-insights");
  });
});
