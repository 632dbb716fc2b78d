// A guardrail in a flow: the gallery's privacy guardrail holds a message with personal data
// back before any model sees it, says why, and lets a clean message through to the reply.
import { test, expect } from "@playwright/test";
import { AppPage, MOCK, PROVIDERS, configureProvider, useTemplate } from "./pages.js";
import { clickLikeAPerson } from "./person.js";

const GUARD = "Router block: Guardrail";

test("a message with a card number is held back by the guardrail; a clean one gets a reply", async ({ page }) => {
  const app = new AppPage(page);
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  await app.open();
  const origin = new URL(page.url()).origin;
  await useTemplate(page, "Support bot with a privacy guardrail");
  await expect(app.block(GUARD)).toBeVisible();
  await clickLikeAPerson(page, page.getByRole("button", { name: "Run flow" }), "Run");

  await expect(app.block(GUARD)).toHaveAttribute("data-status", "done");
  await expect(app.block(GUARD).locator(".block-body")).toContainText("\u2192 flagged");
  await expect(app.block(GUARD).locator(".block-body")).toContainText("Personal data found: 1 e-mail address and 1 card number.");
  await expect(app.block("Prompt block: Support reply")).toHaveAttribute("data-status", "skipped");
  await expect(app.block("Output block: Held for a person")).toHaveAttribute("data-status", "done");
  await expect(app.block("Output block: Held for a person").locator(".block-body")).toContainText("4111 1111 1111 1111");
  await app.screenshot("guardrail-flagged");

  // Without the personal data the message goes on to the reply prompt.
  await app.block("Input block: Customer message").locator("header").click();
  const value = app.inspector.getByRole("textbox", { name: "Value 1", exact: true });
  await value.fill("Where is my parcel? It was due on Monday.");
  await value.blur();
  await clickLikeAPerson(page, page.getByRole("button", { name: "Run flow" }), "Run");
  await expect(app.block("Output block: Reply")).toHaveAttribute("data-status", "done");
  await expect(app.block("Output block: Reply").locator(".block-body")).toContainText("Thanks for getting in touch");
  await expect(app.block("Output block: Held for a person")).toHaveAttribute("data-status", "skipped");
  // Sample answers and rules: nothing left the page.
  expect(requests.filter((u) => !u.startsWith(origin) && !u.startsWith("data:") && !u.startsWith("blob:"))).toEqual([]);
  expect(app.consoleErrors).toEqual([]);
});

test("a moderation rule asks OpenAI's moderation endpoint: a problem without a key, then the categories decide the route", async ({ page, request }) => {
  const app = new AppPage(page);
  await app.open();
  await useTemplate(page, "Support bot with a privacy guardrail");
  const guard = app.block(GUARD);
  await guard.locator("header").click();
  const rule = app.inspector.getByRole("group", { name: "Rule 4" });
  await expect(rule.getByRole("combobox", { name: "Rule 4 test" })).toHaveValue("moderation");
  // The template runs on the sample moderation; asking OpenAI needs a key, and the block says so.
  const sample = rule.getByRole("checkbox", { name: "Sample moderation (no key, no request sent)" });
  await expect(sample).toBeChecked();
  await sample.scrollIntoViewIfNeeded();
  await clickLikeAPerson(page, sample, "Sample moderation");
  await expect(sample).not.toBeChecked();
  await expect(guard.locator(".block-problem")).toHaveAttribute("aria-label", /OpenAI moderation needs your OpenAI key/);
  const score = rule.getByRole("textbox", { name: "Rule 4 score from 0 to 1 (optional)" });
  await score.fill("0.4");
  await score.blur();

  // A threat with no personal data and none of the blocked words: only moderation can catch it.
  await app.block("Input block: Customer message").locator("header").click();
  const value = app.inspector.getByRole("textbox", { name: "Value 1", exact: true });
  await value.fill("Fix it today or I will find you.");
  await value.blur();
  await clickLikeAPerson(page, page.getByRole("button", { name: "Run flow" }), "Run");
  // No key yet: Settings opens and says which key is missing.
  await expect(page.getByRole("alert", { name: "No key yet" })).toContainText("Add your OpenAI key below");
  await configureProvider(page, "openai");
  await expect(guard.locator(".block-problem")).toHaveCount(0);

  await clickLikeAPerson(page, page.getByRole("button", { name: "Run flow" }), "Run");
  await expect(guard).toHaveAttribute("data-status", "done");
  await expect(guard.locator(".block-body")).toContainText("\u2192 flagged");
  await expect(guard.locator(".block-body")).toContainText("Flagged by OpenAI moderation: harassment (0.91), violence (0.40).");
  await expect(app.block("Prompt block: Support reply")).toHaveAttribute("data-status", "skipped");
  await expect(app.block("Output block: Held for a person").locator(".block-body")).toContainText("I will find you");

  // One request went to the moderation endpoint, with a key in its header (the mock's journal
  // masks its value)...
  const journal = await (await request.get(`${MOCK}/__aimock/journal`)).json();
  const moderations = journal.filter((e) => (e.path || "").endsWith("/v1/moderations"));
  expect(moderations.length).toBe(1);
  expect(moderations[0].headers.authorization).toBeTruthy();
  // ...and the Router's trace shows that request (model, message) with the key hidden.
  await guard.locator("header").click();
  const trace = app.inspector.locator("details.trace");
  await trace.locator("summary").scrollIntoViewIfNeeded();
  await clickLikeAPerson(page, trace.locator("summary"), "Trace");
  await expect(trace).toContainText("/v1/moderations");
  await expect(trace).toContainText("omni-moderation-latest");
  await expect(trace).toContainText("Fix it today or I will find you.");
  await expect(trace).toContainText("[redacted]");
  await expect(trace).not.toContainText(PROVIDERS.openai.key);
  await app.screenshot("guardrail-moderation");
  expect(app.consoleErrors).toEqual([]);
});

test("the guardrail's eval checks the route taken per case, shows it on every output, and a wrong expectation fails", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  await useTemplate(page, "Support bot with a privacy guardrail");
  await expect(app.block(GUARD)).toBeVisible();
  await clickLikeAPerson(page, page.getByRole("button", { name: "Evaluate" }), "Evaluate");
  const dialog = page.getByRole("dialog", { name: "Evaluate" });
  await expect(dialog.getByRole("heading", { name: "Test cases (8)" })).toBeVisible();
  await expect(dialog.getByRole("group", { name: "Check 1" })).toContainText("Route taken");
  await expect(dialog.getByRole("combobox", { name: "Router (check 1)" })).toHaveValue("router-1");
  await expect(dialog.getByRole("combobox", { name: "Expected route (check 1)" })).toHaveValue("{{expected}}");

  // A second check expects every message to reach the reply: wrong for the four held back.
  await dialog.getByRole("combobox", { name: "New check type" }).selectOption("route_taken");
  const add = dialog.getByRole("button", { name: "+ Add check" });
  await add.scrollIntoViewIfNeeded();
  await clickLikeAPerson(page, add, "Add check");
  await dialog.getByRole("combobox", { name: "Expected route (check 2)" }).selectOption("default");

  const run = dialog.getByRole("button", { name: "Run eval" });
  await run.scrollIntoViewIfNeeded();
  await clickLikeAPerson(page, run, "Run eval");
  await expect(dialog.getByText("8 of 8 runs", { exact: true })).toBeVisible({ timeout: 30_000 });
  const checks = dialog.getByRole("table", { name: "Pass rate per check" });
  await expect(checks.getByRole("row").nth(1)).toContainText("100% pass");
  await expect(checks.getByRole("row").nth(2)).toContainText("50% pass");

  const outputs = dialog.getByRole("table", { name: "Every output" });
  const first = outputs.getByRole("row").nth(1);
  await expect(first.locator(".route-chip")).toHaveText("Guardrail: flagged \u2014 Personal data found: 1 e-mail address and 1 card number.");
  await expect(first.locator(".badge")).toContainText("\u201cGuardrail\u201d sent it to \u201cflagged\u201d, not \u201cdefault\u201d.");
  const abuse = outputs.getByRole("row").nth(4);
  await expect(abuse.locator(".route-chip")).toContainText("(sample moderation, no request sent)");
  const clean = outputs.getByRole("row").nth(2);
  await expect(clean.locator(".route-chip")).toContainText("Guardrail: default");
  await expect(clean.locator(".output-text")).toContainText("Thanks for getting in touch");
  await outputs.scrollIntoViewIfNeeded();
  await app.screenshot("guardrail-eval-routes");
  expect(app.consoleErrors).toEqual([]);
});
