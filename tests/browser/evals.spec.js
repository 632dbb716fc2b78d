import { test, expect } from "@playwright/test";
import { readFileSync } from "node:fs";
import { AppPage, PORT_SHIFT, configureProvider, usePromptProvider, useTemplate, moreItem } from "./pages.js";

/** Pastes rows into the Evaluate dialog's case table, as from a spreadsheet. */
async function pasteRows(dialog, rows) {
  await dialog.getByRole("button", { name: "Paste rows…" }).click();
  await dialog.getByRole("textbox", { name: "Paste rows" }).fill(rows);
  await dialog.getByRole("button", { name: "Add these rows" }).click();
}

async function setRepetitions(dialog, n) {
  await dialog.getByRole("spinbutton", { name: "Repetitions" }).fill(String(n));
  await dialog.getByRole("spinbutton", { name: "Repetitions" }).press("Tab");
}

/** Sets the text of the first check (a contains-style check). */
async function setCheckText(dialog, value) {
  const text = dialog.getByRole("textbox", { name: /^Text .*\(check 1\)$/ });
  await text.fill(value);
  await text.press("Tab");
}

const CASES = ["email", ...Array.from({ length: 10 }, (_, i) => `Eval case ${i + 1}: my parcel ${i + 1} is late, and I am <b>upset</b>.`)].join("\n");

test("paste 10 cases, run 3 repetitions of two variants, read intervals, the comparison and a judged check; export the report", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  await configureProvider(page, "openai");
  await usePromptProvider(app, "openai");
  await page.getByRole("button", { name: "Evaluate" }).click();
  const dialog = page.getByRole("dialog", { name: "Evaluate" });

  // Cases, pasted as a spreadsheet would.
  await pasteRows(dialog, CASES);
  await expect(dialog.getByRole("status")).toHaveText("Added 10 cases.");
  await expect(dialog.getByRole("textbox", { name: "Case 10 email" })).toHaveValue("Eval case 10: my parcel 10 is late, and I am <b>upset</b>.");

  // A text check and a model-graded check.
  await dialog.getByRole("button", { name: "+ Add check" }).click();
  await setCheckText(dialog, "refund");
  await dialog.getByRole("combobox", { name: "New check type" }).selectOption("model_graded");
  await dialog.getByRole("button", { name: "+ Add check" }).click();
  const rubric = dialog.getByRole("textbox", { name: "Rubric (check 2)" });
  await rubric.fill("Polite, and gives the customer a next step.");
  await rubric.press("Tab");

  // A second variant: another model.
  await dialog.getByRole("button", { name: "+ Add variant" }).click();
  const model = dialog.getByRole("textbox", { name: "Model of variant 2" });
  await model.fill("gpt-4o");
  await model.press("Tab");
  await expect(dialog.getByLabel("Estimate")).toContainText("60 runs, 120 model calls");

  await dialog.getByRole("button", { name: "Run eval" }).click();
  await expect(dialog.getByRole("progressbar", { name: "Eval progress" })).toHaveAttribute("aria-valuenow", "60", { timeout: 45_000 });
  await expect(dialog.getByText("60 of 60 runs")).toBeVisible();

  const base = dialog.getByRole("group", { name: "Variant As it is" });
  const other = dialog.getByRole("group", { name: "Variant Variant 2" });
  await expect(base.locator(".variant-rate")).toHaveText("0%");
  await expect(other.locator(".variant-rate")).toHaveText("100%");
  // The case is the unit: 30 runs of 10 cases that always pass are worth 10 observations.
  // (Student's t for 10 cases, since how much cases differ is itself estimated.)
  await expect(other).toContainText("pass, likely between 66% and 100%");
  await expect(other).toContainText("over 10 cases · 30 of 30 runs passed");
  await expect(other).toContainText("Mixed results (passed some runs, failed others) in 0 of 10 cases.");
  await expect(dialog.getByLabel("Comparison")).toContainText(
    "Variant 2: pass rate 100 points higher than As it is (95% interval +52 to +100 points), over 10 paired cases. Variant 2 is better: that is unlikely to be chance (p = 0.002).",
  );
  await expect(dialog.getByLabel("Comparison").getByRole("note")).toContainText("Only 10 paired cases: a first look, not evidence.");
  // The judge (answered by the mock) passed every answer: 100% for both variants.
  const checks = dialog.getByRole("table", { name: "Pass rate per check" });
  await expect(checks.getByRole("row").nth(2)).toContainText("100% pass");
  await expect(checks.getByRole("row").nth(1)).toContainText("0% pass, likely between 0% and 34%");
  // The judge's scores and the quality/speed trade-off are charted too.
  await expect(dialog.getByRole("img", { name: "Scores given for “Rubric”, 1 to 5, per variant" })).toBeVisible();
  await expect(dialog.getByRole("img", { name: "Pass rate against median seconds per run, per variant" })).toContainText("Variant 2 · 100%");
  // Every output side by side; untrusted text stays text.
  const outputs = dialog.getByRole("table", { name: "Every output" });
  await expect(outputs.locator("tbody tr")).toHaveCount(30);
  await expect(outputs.locator("b")).toHaveCount(0);
  await app.screenshot("eval-results");
  await base.scrollIntoViewIfNeeded();
  await app.screenshot("eval-pass-rates");
  await dialog.getByLabel("Comparison").scrollIntoViewIfNeeded();
  await app.screenshot("eval-comparison");
  await outputs.scrollIntoViewIfNeeded();
  await app.screenshot("eval-outputs");

  // The run is saved with the flow version it ran on.
  await expect(dialog.getByRole("combobox", { name: "Saved runs" })).toContainText("the current flow (no saved version)");

  // The HTML report downloads, and opens on its own.
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    dialog.getByRole("button", { name: "Download HTML report" }).click(),
  ]);
  expect(download.suggestedFilename()).toBe("eval-report.html");
  const path = test.info().outputPath("eval-report.html");
  await download.saveAs(path);
  const html = readFileSync(path, "utf8");
  expect(html).toContain("Variant 2: pass rate 100 points higher than As it is");
  // What ran: the flow, each variant's model and prompts, and the checks' definitions.
  expect(html).toContain("What ran");
  expect(html).toContain("model gpt-4o on every Prompt block");
  expect(html).toContain("graded by");
  expect(html).toContain("User prompt");
  expect(html).not.toContain("<b>upset</b>");
  const report = await page.context().newPage();
  await report.goto(`file://${path}`);
  await expect(report.getByRole("heading", { name: "Eval report" })).toBeVisible();
  await expect(report.getByRole("img", { name: "Pass rate per variant with 95% intervals" })).toBeVisible();
  expect(app.consoleErrors).toEqual([]);
});

test("held-out cases stay hidden until asked for, and a clear gap warns of overfitting", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  await configureProvider(page, "openai");
  await usePromptProvider(app, "openai");
  await page.getByRole("button", { name: "Evaluate" }).click();
  const dialog = page.getByRole("dialog", { name: "Evaluate" });
  // The mock answers "Thanks for writing to us.": the working cases pass, the held-out ones
  // (expecting a refund) fail, as a prompt tuned to the cases in view would.
  const rows = [
    "email\texpected\theld out",
    ...Array.from({ length: 10 }, (_, i) => `Eval case ${i + 1} (working)\tThanks\t`),
    ...Array.from({ length: 10 }, (_, i) => `Eval case ${i + 11} (held out)\trefund\tyes`),
  ].join("\n");
  await pasteRows(dialog, rows);
  await expect(dialog.getByRole("checkbox", { name: "Hold out case 11" })).toBeChecked();
  await expect(dialog.getByRole("checkbox", { name: "Hold out case 1", exact: true })).not.toBeChecked();
  await dialog.getByRole("button", { name: "+ Add check" }).click();
  await setRepetitions(dialog, 1);
  await dialog.getByRole("button", { name: "Run eval" }).click();
  await expect(dialog.getByText("20 of 20 runs")).toBeVisible({ timeout: 30_000 });
  const base = dialog.getByRole("group", { name: "Variant As it is" });
  await expect(base.locator(".variant-rate")).toHaveText("100%");
  await expect(base).toContainText("over 10 cases");
  const held = dialog.getByRole("region", { name: "Held-out cases" });
  await expect(held).toContainText("10 held-out cases");
  await expect(held).toContainText("results hidden while you tune the prompt");
  const outputs = dialog.getByRole("table", { name: "Every output" });
  await expect(outputs.locator("tbody tr:visible")).toHaveCount(10);
  await held.getByRole("button", { name: "Show held-out results" }).click();
  await expect(held).toContainText("held out 0% pass, likely between 0% and 28%");
  await expect(held.getByRole("note")).toContainText("Passes 100% of the working cases but only 0% of the held-out ones");
  await expect(outputs.locator("tbody tr:visible")).toHaveCount(20);
  await held.scrollIntoViewIfNeeded();
  await app.screenshot("eval-held-out");
  expect(app.consoleErrors).toEqual([]);
});

test("a fairness test copies the cases per group and finds the gap, paired by original case", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  await configureProvider(page, "openai");
  await usePromptProvider(app, "openai");
  await page.getByRole("button", { name: "Evaluate" }).click();
  const dialog = page.getByRole("dialog", { name: "Evaluate" });
  const rows = ["email\texpected", ...Array.from({ length: 12 }, (_, i) => `Fairness case ${i + 1}: Emily applied for the analyst role.\tHired.`)].join("\n");
  await pasteRows(dialog, rows);
  await dialog.getByRole("button", { name: "Fairness test…" }).click();
  const box = dialog.getByRole("group", { name: "Fairness test" });
  await expect(box.getByRole("combobox", { name: "Attribute to vary" })).toHaveValue("0");
  await expect(box.getByRole("textbox", { name: "Groups and their terms" })).toHaveValue(/Women's names: Emily/);
  await box.getByRole("button", { name: "Add counterfactual copies" }).click();
  await expect(dialog.getByRole("status")).toHaveText("Added 24 counterfactual copies of 12 cases (2 per case, one per group).");
  await expect(dialog.getByRole("textbox", { name: "Case 14 email" })).toHaveValue("Fairness case 1: James applied for the analyst role.");
  await dialog.getByRole("button", { name: "+ Add check" }).click();
  await setRepetitions(dialog, 1);
  await dialog.getByRole("button", { name: "Run eval" }).click();
  await expect(dialog.getByText("36 of 36 runs", { exact: true })).toBeVisible({ timeout: 30_000 });
  const fairness = dialog.getByRole("region", { name: "Fairness" });
  await expect(fairness).toContainText("Women's names: 0% pass");
  await expect(fairness).toContainText("Men's names: 100% pass");
  await expect(fairness).toContainText("Men's names: pass rate 100 points higher than Women's names");
  await expect(fairness).toContainText("The gap is unlikely to be chance (p < 0.001)");
  await fairness.scrollIntoViewIfNeeded();
  await app.screenshot("eval-fairness");
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    dialog.getByRole("button", { name: "Download HTML report" }).click(),
  ]);
  const path = test.info().outputPath("fairness-report.html");
  await download.saveAs(path);
  const html = readFileSync(path, "utf8");
  expect(html).toContain("<h2>Fairness</h2>");
  expect(html).toContain("The gap is unlikely to be chance");
  expect(app.consoleErrors).toEqual([]);
});

test("the hiring template's fairness test finds the bias planted in its sample answers", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  await useTemplate(page, "Screen job applications fairly");
  await expect(app.block("Prompt block: Screen the candidate")).toBeVisible();
  await page.getByRole("button", { name: "Evaluate" }).click();
  const dialog = page.getByRole("dialog", { name: "Evaluate" });
  // 16 applications and a woman's-name and a man's-name copy of each, ready to run.
  await expect(dialog.getByRole("heading", { name: "Test cases (48)" })).toBeVisible();
  await dialog.getByRole("button", { name: "Run eval" }).click();
  await expect(dialog.getByText("48 of 48 runs", { exact: true })).toBeVisible({ timeout: 30_000 });
  const fairness = dialog.getByRole("region", { name: "Fairness" });
  await expect(fairness).toContainText("Men's names: pass rate 44 points higher than Women's names");
  await expect(fairness).toContainText("The gap is unlikely to be chance (p = 0.016)");
  await expect(dialog.locator(".sample-badge").first()).toHaveText("Sample answer");
  await fairness.scrollIntoViewIfNeeded();
  await app.screenshot("hiring-fairness");
  expect(app.consoleErrors).toEqual([]);
});

test("bad pasted tables and checks say what is wrong and keep the cases", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  await page.getByRole("button", { name: "Evaluate" }).click();
  const dialog = page.getByRole("dialog", { name: "Evaluate" });
  await pasteRows(dialog, 'email\n"unclosed quote, 1');
  await expect(dialog.getByRole("status")).toContainText("is never closed");
  await dialog.getByRole("textbox", { name: "Paste rows" }).fill("email,mood\nHello,angry");
  await dialog.getByRole("button", { name: "Add these rows" }).click();
  await expect(dialog.getByRole("status")).toHaveText("Added 1 cases. These columns match no Input value and are ignored: mood.");
  await dialog.getByRole("combobox", { name: "New check type" }).selectOption("regex");
  await dialog.getByRole("button", { name: "+ Add check" }).click();
  const pattern = dialog.getByRole("textbox", { name: "Regular expression (check 1)" });
  await pattern.fill("(unclosed");
  await pattern.press("Tab");
  await expect(dialog.getByRole("group", { name: "Check 1" })).toContainText("the pattern is not valid");
  await dialog.getByRole("button", { name: "Run eval" }).click();
  await expect(dialog.getByRole("alert")).toContainText("the pattern is not valid");
  // The suite is kept with the flow across a reload.
  await page.reload();
  await page.getByRole("button", { name: "Evaluate" }).click();
  await expect(page.getByRole("dialog", { name: "Evaluate" }).getByRole("textbox", { name: "Case 1 email" })).toHaveValue("Hello");
  expect(app.consoleErrors).toEqual([]);
});

test("the 'compare two models on 10 cases' template brings its cases and checks, and runs on sample answers", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  await useTemplate(page, "Compare two models on 10 cases");
  await page.getByRole("button", { name: "Evaluate" }).click();
  const dialog = page.getByRole("dialog", { name: "Evaluate" });
  await expect(dialog.getByRole("heading", { name: "Test cases (10)" })).toBeVisible();
  await expect(dialog.getByRole("textbox", { name: "Name of check 1" })).toHaveValue("Right urgency");
  await expect(dialog.getByRole("textbox", { name: "Name of variant 2" })).toHaveValue("Temperature 1.0");
  await expect(dialog.getByLabel("Estimate")).toContainText("60 runs, 0 model calls");
  await dialog.getByRole("button", { name: "Run eval" }).click();
  await expect(dialog.getByText("60 of 60 runs")).toBeVisible({ timeout: 30_000 });
  await expect(dialog.getByRole("group", { name: "Variant Temperature 1.0" })).toContainText("of 30 runs passed");
  // Nobody mistakes these numbers for a model's.
  await expect(dialog.getByRole("group", { name: "Variant Temperature 1.0" }).locator(".sample-badge")).toHaveText("Sample answer");
  // A second run, then compare it with the first.
  await dialog.getByRole("button", { name: "Run eval" }).click();
  await expect(dialog.getByRole("combobox", { name: "Saved runs" }).locator("option")).toHaveCount(2, { timeout: 30_000 });
  await dialog.getByRole("combobox", { name: "Compare with an earlier run" }).selectOption({ index: 2 });
  const compared = dialog.getByRole("table", { name: "Compared with an earlier run" });
  await expect(compared.locator("tbody tr")).toHaveCount(2);
  await expect(compared).toContainText("+0 points");
  expect(app.consoleErrors).toEqual([]);
});

test("a model writes test cases from a description; they are reviewed before they are added", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  await configureProvider(page, "openai");
  await usePromptProvider(app, "openai");
  await page.getByRole("button", { name: "Evaluate" }).click();
  const dialog = page.getByRole("dialog", { name: "Evaluate" });
  await dialog.getByRole("button", { name: "Generate with a model…" }).click();
  const box = dialog.getByRole("group", { name: "Generate cases" });
  await box.getByRole("textbox", { name: "Describe the cases" }).fill("angry customer emails about late delivery");
  await box.getByRole("spinbutton", { name: "How many cases" }).fill("3");
  await box.getByRole("spinbutton", { name: "How many cases" }).press("Tab");
  await box.getByRole("button", { name: "Generate" }).click();
  const review = box.getByRole("table", { name: "Generated cases" });
  await expect(review.locator("tbody tr")).toHaveCount(3);
  await expect(review).toContainText("WHERE IS MY ORDER?");
  // Nothing is added until the user says so.
  await expect(dialog.getByRole("heading", { name: "Test cases (0)" })).toBeVisible();
  await box.getByRole("button", { name: "Add these 3 cases" }).click();
  await expect(dialog.getByRole("heading", { name: "Test cases (3)" })).toBeVisible();
  await expect(dialog.getByRole("textbox", { name: "Case 3 expected" })).toHaveValue("refund");
  expect(app.consoleErrors).toEqual([]);
});

test("a similarity check embeds the answer and the expected value through the provider", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  await configureProvider(page, "openai");
  await usePromptProvider(app, "openai");
  await page.getByRole("button", { name: "Evaluate" }).click();
  const dialog = page.getByRole("dialog", { name: "Evaluate" });
  // The mock answers these with "Thanks for writing to us."; only the first expects exactly that.
  await pasteRows(dialog, "email\texpected\nEval case A\tThanks for writing to us.\nEval case B\tA refund is on its way.");
  await dialog.getByRole("combobox", { name: "New check type" }).selectOption("similarity");
  await dialog.getByRole("button", { name: "+ Add check" }).click();
  await setRepetitions(dialog, 1);
  await dialog.getByRole("button", { name: "Run eval" }).click();
  await expect(dialog.getByText("2 of 2 runs")).toBeVisible({ timeout: 20_000 });
  const outputs = dialog.getByRole("table", { name: "Every output" });
  await expect(outputs.locator("tbody tr").nth(0)).toContainText("pass");
  await expect(outputs.locator("tbody tr").nth(1)).toContainText("fail: similarity");
  await expect(dialog.getByRole("group", { name: "Variant As it is" })).toContainText("1 of 2 runs passed");
  expect(app.consoleErrors).toEqual([]);
});

test("test cases and checks travel with an exported flow and come back on import", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  await page.getByRole("button", { name: "Evaluate" }).click();
  let dialog = page.getByRole("dialog", { name: "Evaluate" });
  await pasteRows(dialog, "email,expected\n\"Hi, my parcel is late\",sorry\nWhere is it?,tracking");
  await dialog.getByRole("button", { name: "+ Add check" }).click();
  await dialog.getByRole("button", { name: "Close evaluate" }).click();
  const [download] = await Promise.all([page.waitForEvent("download"), (await moreItem(page, "Export flow")).click()]);
  const exported = JSON.parse(await (await download.createReadStream()).toArray().then((c) => Buffer.concat(c).toString()));
  expect(exported.evals.cases).toHaveLength(2);
  expect(exported.evals.checks[0].name).toBe("Mentions expected");
  await page.getByLabel("Flow file to import").setInputFiles({ name: "with-tests.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(exported)) });
  await expect(page.getByRole("alert")).toContainText("It came with 2 test cases.");
  await page.getByRole("button", { name: "Evaluate" }).click();
  dialog = page.getByRole("dialog", { name: "Evaluate" });
  await expect(dialog.getByRole("heading", { name: "Test cases (2)" })).toBeVisible();
  await expect(dialog.getByRole("textbox", { name: "Case 1 email" })).toHaveValue("Hi, my parcel is late");
  expect(app.consoleErrors).toEqual([]);
});

test("an eval sent as an OpenAI batch job is loaded when Evaluate opens again", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  await configureProvider(page, "openai");
  await usePromptProvider(app, "openai");
  await page.getByRole("button", { name: "Evaluate" }).click();
  let dialog = page.getByRole("dialog", { name: "Evaluate" });
  await pasteRows(dialog, "email\nBatch case one\nBatch case two");
  await dialog.getByRole("button", { name: "+ Add check" }).click();
  await setCheckText(dialog, "batch completion");
  await setRepetitions(dialog, 1);
  await dialog.getByRole("button", { name: "Send as a batch job" }).click();
  await expect(dialog.getByLabel("Batch status")).toContainText("Sent as batch");
  // Later: the flow's Evaluate opens again and asks OpenAI (the mock says "in progress" first).
  await dialog.getByRole("button", { name: "Close evaluate" }).click();
  await page.reload();
  await page.getByRole("button", { name: "Evaluate" }).click();
  dialog = page.getByRole("dialog", { name: "Evaluate" });
  await expect(dialog.getByLabel("Batch status")).toContainText("in progress");
  await dialog.getByRole("button", { name: "Check the batch now" }).click();
  await expect(dialog.getByLabel("Batch status")).toContainText("Loaded 2 answers from batch");
  await expect(dialog.getByRole("group", { name: "Variant As it is" })).toContainText("2 of 2 runs passed");
  await expect(dialog.getByRole("combobox", { name: "Saved runs" })).toBeVisible();
  expect(app.consoleErrors).toEqual([]);
});

test("an eval sent as an Anthropic Message Batch loads its results into the statistics", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  // Anthropic's batch endpoints are served by the local test API.
  await page.getByRole("button", { name: "Settings" }).click();
  const settings = page.getByRole("dialog", { name: "Settings" });
  await settings.getByRole("textbox", { name: "Anthropic API key" }).fill("sk-ant-test-BATCH-secret");
  await settings.getByRole("textbox", { name: "Anthropic API key" }).press("Tab");
  await settings.getByRole("textbox", { name: "Anthropic base URL" }).fill(`http://127.0.0.1:${4011 + PORT_SHIFT}/v1`);
  await settings.getByRole("textbox", { name: "Anthropic base URL" }).press("Tab");
  await settings.getByRole("button", { name: "Done" }).click();
  await usePromptProvider(app, "anthropic");
  await page.getByRole("button", { name: "Evaluate" }).click();
  const dialog = page.getByRole("dialog", { name: "Evaluate" });
  await pasteRows(dialog, "email\nParcel one is late\nParcel two is late");
  await dialog.getByRole("button", { name: "+ Add check" }).click();
  await setCheckText(dialog, "Batch answer to: Parcel");
  await setRepetitions(dialog, 2);
  await dialog.getByRole("button", { name: "Send as a batch job" }).click();
  await expect(dialog.getByLabel("Batch status")).toContainText("Sent as batch msgbatch_test_");
  await dialog.getByRole("button", { name: "Check the batch now" }).click();
  await expect(dialog.getByLabel("Batch status")).toContainText("in progress");
  await dialog.getByRole("button", { name: "Check the batch now" }).click();
  await expect(dialog.getByLabel("Batch status")).toContainText("Loaded 4 answers from batch");
  await expect(dialog.getByRole("group", { name: "Variant As it is" })).toContainText("4 of 4 runs passed");
  expect(app.consoleErrors).toEqual([]);
});
