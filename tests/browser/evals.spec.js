import { test, expect } from "@playwright/test";
import { readFileSync } from "node:fs";
import { AppPage, configureProvider, usePromptProvider, useTemplate, moreItem } from "./pages.js";

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
  await expect(other).toContainText("pass, likely between 89% and 100%");
  await expect(other).toContainText("30 of 30 runs passed");
  await expect(dialog.getByLabel("Comparison")).toContainText(
    "Variant 2 is better than As it is by 100 points, and with 30 paired cases that is unlikely to be chance (p < 0.001).",
  );
  // The judge (answered by the mock) passed every answer: 100% for both variants.
  const checks = dialog.getByRole("table", { name: "Pass rate per check" });
  await expect(checks.getByRole("row").nth(2)).toContainText("100% pass");
  await expect(checks.getByRole("row").nth(1)).toContainText("0% pass, likely between 0% and 11%");
  // The judge's scores and the quality/speed trade-off are charted too.
  await expect(dialog.getByRole("img", { name: "Scores given for “Rubric”, 1 to 5, per variant" })).toBeVisible();
  await expect(dialog.getByRole("img", { name: "Pass rate against median seconds per run, per variant" })).toContainText("Variant 2 · 100%");
  // Every output side by side; untrusted text stays text.
  const outputs = dialog.getByRole("table", { name: "Every output" });
  await expect(outputs.locator("tbody tr")).toHaveCount(30);
  await expect(outputs.locator("b")).toHaveCount(0);
  await app.screenshot("eval-results");
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
  expect(html).toContain("Variant 2 is better than As it is by 100 points");
  expect(html).not.toContain("<b>upset</b>");
  const report = await page.context().newPage();
  await report.goto(`file://${path}`);
  await expect(report.getByRole("heading", { name: "Eval report" })).toBeVisible();
  await expect(report.getByRole("img", { name: "Pass rate per variant with 95% intervals" })).toBeVisible();
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

test("the 'compare two models on 10 cases' template brings its cases and checks, and runs on the Demo provider", async ({ page }) => {
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
  await settings.getByRole("textbox", { name: "Anthropic base URL" }).fill("http://127.0.0.1:4011/v1");
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
