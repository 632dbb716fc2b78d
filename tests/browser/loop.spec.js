// A Loop ("For each item") block over real HTTP: the gallery's "Summarise every row of a
// list" template on OpenAI, answered by aimock one request per CSV row (tests/browser/
// mock-provider.mjs). Progress shows on the card, items are browsable in the inspector, a
// failed row is marked, and Stop keeps the items that finished.
import { test, expect } from "@playwright/test";
import { AppPage, configureProvider } from "./pages.js";
import { clickLikeAPerson } from "./person.js";

const LOOP = "For each item block: Summarise each row";
const OUTPUT = "Output block: Summaries";

async function openLoopTemplate(page, app) {
  await configureProvider(page, "openai");
  await clickLikeAPerson(page, page.getByRole("button", { name: /Flows/ }), "Flows");
  await clickLikeAPerson(page, page.getByRole("button", { name: "Templates…" }), "Templates…");
  const gallery = page.getByRole("dialog", { name: "Templates" });
  await gallery.getByRole("combobox", { name: "Run templates with" }).selectOption("openai");
  // A person scrolls the gallery down to it.
  const use = gallery.getByRole("button", { name: "Use template Summarise every row of a list", exact: true });
  await use.scrollIntoViewIfNeeded();
  await clickLikeAPerson(page, use, "the loop template");
  await expect(app.block(LOOP)).toBeVisible();
}

test("a loop over five rows shows progress, lists each item's result and marks the failed one", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  const app = new AppPage(page);
  await app.open();
  await openLoopTemplate(page, app);
  // Before Run, the estimate counts a call per row.
  await expect(page.locator(".run-info")).toContainText(/about \$[\d.]+, 5 calls/);
  await clickLikeAPerson(page, page.getByRole("button", { name: "Run flow" }), "Run flow");

  // While it runs, the card says how far it got and draws a bar.
  const bar = app.block(LOOP).getByRole("progressbar", { name: "Items done" });
  await expect(bar).toHaveAttribute("aria-valuemax", "5");
  await expect(app.block(LOOP)).toHaveAttribute("data-status", "running");
  await expect(app.block(LOOP).locator(".block-body")).toContainText(/\d of 5 items/);
  await app.screenshot("loop-card-running");

  await expect(app.block(LOOP)).toHaveAttribute("data-status", "done");
  await expect(bar).toHaveAttribute("aria-valuenow", "5");
  await expect(app.block(LOOP).locator(".block-body")).toContainText("5 of 5 items · 1 failed");
  // The failure count is said once on the card; under it, the result of the four that worked.
  await expect(app.block(LOOP).locator(".block-body")).not.toContainText("1 of 5 failed.");
  await expect(app.block(LOOP).locator(".block-body")).toContainText("Ana Silva summarised by the mock model.");
  // Text join: four summaries, the failed row left out, in the list's order.
  const out = app.block(OUTPUT).locator(".block-body");
  await expect(app.block(OUTPUT)).toHaveAttribute("data-status", "done");
  await expect(out).toContainText("Ana Silva summarised by the mock model.");
  await expect(out).not.toContainText("Dev Patel");

  // The inspector lists every item; open one, and the failed one says why.
  await clickLikeAPerson(page, app.block(LOOP).locator("header"), "the loop's header");
  const items = app.inspector.getByRole("region", { name: "Items" });
  await expect(items.getByRole("status")).toHaveText("5 of 5 items finished");
  await expect(items.locator(".result-warning")).toHaveText("1 of 5 failed.");
  await expect(items.locator("li.loop-item")).toHaveCount(5);
  const second = items.getByLabel("Item 2: done");
  await second.scrollIntoViewIfNeeded();
  await clickLikeAPerson(page, second, "item 2");
  await expect(items.locator("li.loop-item").nth(1)).toContainText("Ben Okafor summarised by the mock model.");
  await expect(items.locator("li.loop-item").nth(1)).toContainText("Support answered within minutes");
  const failed = items.getByLabel("Item 4: failed");
  await failed.scrollIntoViewIfNeeded();
  await clickLikeAPerson(page, failed, "item 4");
  await expect(items.locator("li.loop-item").nth(3)).toHaveAttribute("data-status", "failed");
  await expect(items.locator("li.loop-item").nth(3)).toContainText("This row could not be processed.");
  // Only the failed ones, when asked.
  await items.getByRole("checkbox", { name: "Only failed items" }).check();
  await expect(items.locator("li.loop-item")).toHaveCount(1);
  await items.getByRole("checkbox", { name: "Only failed items" }).uncheck();
  await app.screenshot("loop-results-list");
  await clickLikeAPerson(page, page.getByRole("button", { name: "Switch to dark theme" }), "the theme button");
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await app.screenshot("loop-results-list-dark");
  // The browser logs the refused row's 400 itself; nothing else may be logged.
  expect(app.consoleErrors.filter((e) => !e.includes("status of 400"))).toEqual([]);
});

test("Stop in the middle of a loop keeps the items that finished", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  const app = new AppPage(page);
  await app.open();
  await openLoopTemplate(page, app);
  // One item at a time, so Stop lands in the middle.
  await clickLikeAPerson(page, app.block(LOOP).locator("header"), "the loop's header");
  const atOnce = app.inspector.getByRole("spinbutton", { name: "Items at once" });
  await atOnce.fill("1");
  await atOnce.press("Tab");
  await clickLikeAPerson(page, page.getByRole("button", { name: "Run flow" }), "Run flow");
  await expect(app.block(LOOP).locator(".block-body")).toContainText("2 of 5 items");
  await clickLikeAPerson(page, page.getByRole("button", { name: "Stop run" }), "Stop run");

  await expect(app.block(LOOP)).toHaveAttribute("data-status", "stopped");
  const body = app.block(LOOP).locator(".block-body");
  await expect(body).toContainText("Stopped.");
  const kept = Number((await body.innerText()).match(/(\d) of 5 items have results/)[1]);
  expect(kept).toBeGreaterThanOrEqual(2);
  expect(kept).toBeLessThan(5);
  await expect(app.block(OUTPUT)).toHaveAttribute("data-status", "stopped");

  const items = app.inspector.getByRole("region", { name: "Items" });
  await expect(items.locator('li.loop-item[data-status="done"]')).toHaveCount(kept);
  await expect(items.locator('li.loop-item[data-status="stopped"]')).toHaveCount(5 - kept);
  // The joined results so far are the loop's result.
  const result = app.inspector.getByRole("region", { name: "Result" });
  await expect(result).toContainText("Ana Silva summarised by the mock model.");
  await expect(page.getByRole("button", { name: "Run flow" })).toBeVisible();
  await app.screenshot("loop-stopped");
  expect(app.consoleErrors).toEqual([]);
});

test("a loop over 200 items on sample answers lists them a page at a time", async ({ page }) => {
  await page.setViewportSize({ width: 1280, height: 720 });
  const app = new AppPage(page);
  await app.open();
  await clickLikeAPerson(page, page.getByRole("button", { name: /Flows/ }), "Flows");
  await clickLikeAPerson(page, page.getByRole("button", { name: "Templates…" }), "Templates…");
  const gallery = page.getByRole("dialog", { name: "Templates" });
  await expect(gallery.getByRole("combobox", { name: "Run templates with" })).toHaveValue("demo");
  const use = gallery.getByRole("button", { name: "Use template Summarise every row of a list", exact: true });
  await use.scrollIntoViewIfNeeded();
  await clickLikeAPerson(page, use, "the loop template");

  // 200 lines of feedback instead of the CSV, and room for them.
  await clickLikeAPerson(page, app.block("Input block: Feedback (CSV)").locator("header"), "the input's header");
  const lines = Array.from({ length: 200 }, (_, i) => `Customer ${i + 1} says the export button is hard to find.`);
  const value = app.inspector.getByRole("textbox", { name: "Value 1", exact: true });
  await value.fill(lines.join("\n"));
  await value.blur();
  await clickLikeAPerson(page, app.block(LOOP).locator("header"), "the loop's header");
  const max = app.inspector.getByRole("spinbutton", { name: "Max items" });
  await max.fill("200");
  await max.press("Tab");
  await expect(page.locator(".run-info")).toHaveText("no calls");

  await clickLikeAPerson(page, page.getByRole("button", { name: "Run flow" }), "Run flow");
  await expect(app.block(LOOP)).toHaveAttribute("data-status", "done");
  await expect(app.block(LOOP).locator(".block-body")).toContainText("200 of 200 items");
  const items = app.inspector.getByRole("region", { name: "Items" });
  await expect(items.locator("li.loop-item")).toHaveCount(25);
  const pages = items.getByRole("navigation", { name: "Item pages" });
  await expect(pages).toContainText("Page 1 of 8");
  const next = pages.getByRole("button", { name: "Next" });
  await next.scrollIntoViewIfNeeded();
  await clickLikeAPerson(page, next, "Next page");
  await expect(pages).toContainText("Page 2 of 8");
  await expect(items.locator("li.loop-item").first()).toContainText("Customer 26 says");
  expect(app.consoleErrors).toEqual([]);
});
