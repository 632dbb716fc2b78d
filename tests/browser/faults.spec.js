// Failing providers (issue #9): the starter flow runs against tests/browser/fault-provider.mjs,
// which fails in one way per test. Each test checks what a user would: the run ends in
// bounded time, the Prompt block ends in error with a sentence that says what happened, text
// that streamed before a failure is kept and marked incomplete, retries stay within the
// engine's cap (counted on the server), the page answers clicks meanwhile, and the next run
// against a healthy server works.
import { test, expect } from "@playwright/test";
import { AppPage, FAULTS, configureProvider, setInputText, usePromptProvider } from "./pages.js";
import { OK_TEXT, PARTIAL_TEXT, hugePieces } from "./fault-provider.mjs";

const PROMPT = "Prompt block: Draft a reply";
const OUTPUT = "Output block: Reply";
/** One attempt plus EngineConfig::default().max_retries (3). */
const MAX_ATTEMPTS = 4;
/** "Request timeout (seconds)" accepts nothing lower. */
const MIN_TIMEOUT_S = 5;
const INCOMPLETE = "Incomplete: the answer stopped early; the text so far is kept.";

test.beforeEach(async ({ request }) => {
  // Clears the log and re-arms `429-retry-after`'s single 429.
  await request.get(`${FAULTS}/__reset`);
});

/** Points the OpenAI-compatible provider at `fault` in Settings, and the starter Prompt at it. */
async function useFault(app, fault) {
  await configureProvider(app.page, "openai-compatible", { baseUrl: `${FAULTS}/${fault}/v1` });
  await usePromptProvider(app, "openai-compatible");
}

/** Opens the app on `fault` with a customer email typed in (the Input block is then selected). */
async function openOn(page, fault) {
  const app = new AppPage(page);
  await app.open();
  await useFault(app, fault);
  await setInputText(app, "My order is late. Where is it?");
  return app;
}

async function run(app) {
  await app.page.getByRole("button", { name: "Run flow" }).click();
}

/** The chat requests the fault server received for `fault`: [{ at, closed }, …]. */
async function requestsFor(request, fault) {
  const log = await (await request.get(`${FAULTS}/__log`)).json();
  return log[fault] || [];
}

/** Milliseconds between consecutive requests. */
const gaps = (entries) => entries.slice(1).map((e, i) => e.at - entries[i].at);

/** Clicks a block's header and waits until it is selected; returns how long that took. */
async function selectTiming(app, name, timeout = 5_000) {
  const started = Date.now();
  await app.block(name).locator("header").click({ timeout });
  await expect(app.block(name)).toHaveClass(/selected/, { timeout });
  return Date.now() - started;
}

/** Opens the Prompt block's result in the inspector. */
async function inspectPrompt(app) {
  await app.block(PROMPT).locator("header").click();
  return app.inspector.getByRole("region", { name: "Result" });
}

/** Waits for the Prompt to end in error and checks the sentence the inspector shows (the
 * card clamps it to two lines, so it is read in full there). Returns the Result region. */
async function expectPromptError(app, phrases, timeout = 10_000) {
  await expect(app.block(PROMPT)).toHaveAttribute("data-status", "error", { timeout });
  const result = await inspectPrompt(app);
  const sentence = result.getByRole("alert");
  for (const phrase of phrases) await expect(sentence).toContainText(phrase);
  await expect(sentence).toHaveText(/\.\)?$/); // ends as a sentence
  return result;
}

/** After a failure, a run against a healthy server goes through as usual. */
async function expectHealthyRunWorks(app) {
  await useFault(app, "ok");
  await run(app);
  await expect(app.block(OUTPUT)).toHaveAttribute("data-status", "done");
  await expect(app.block(OUTPUT).locator(".block-body")).toHaveText(OK_TEXT);
}

/** A wasm panic would leave the page dead; failed requests themselves do log console errors. */
function expectNoPanic(app) {
  expect(app.consoleErrors.filter((e) => /panicked|RuntimeError|unreachable executed/i.test(e))).toEqual([]);
}

// Statuses that are retried until the cap, then reported with the sentence for the status.
const RETRIED = [
  { fault: "429", says: ["is rate limiting requests", "Wait a little and try again."] },
  { fault: "500", says: ["had a server error (HTTP 500)", "Try again in a moment"] },
  { fault: "503", says: ["is overloaded right now", "Try again in a minute."] },
  // Anthropic's "overloaded" status, in an OpenAI-shaped body.
  { fault: "529", says: ["is overloaded right now", "Try again in a minute."] },
  // The socket is destroyed before any response: fetch fails as for a server that is down.
  { fault: "reset-before", says: ["Could not reach the OpenAI-compatible server at", "/reset-before/v1/chat/completions"] },
];

for (const { fault, says } of RETRIED) {
  test(`${fault}: retried with backoff up to the cap, then a clear error`, async ({ page, request }) => {
    const app = await openOn(page, fault);
    await run(app);

    // While the engine waits between attempts, the page still answers clicks.
    await expect.poll(async () => (await requestsFor(request, fault)).length).toBeGreaterThanOrEqual(2);
    await selectTiming(app, OUTPUT);
    await expect(app.block(PROMPT)).toHaveAttribute("data-status", /queued|running/);

    const result = await expectPromptError(app, [...says, `(Gave up after ${MAX_ATTEMPTS} attempts.)`], 15_000);
    await expect(app.block(OUTPUT)).toHaveAttribute("data-status", "skipped");
    await result.getByText("Trace").click();
    await expect(result.getByText(/^Retrying in [\d.]+ s/)).toHaveCount(MAX_ATTEMPTS - 1);

    const sent = await requestsFor(request, fault);
    expect(sent).toHaveLength(MAX_ATTEMPTS);
    // Backoff is 0.5, 1, 2 s less up to 25 % jitter: never a burst.
    for (const gap of gaps(sent)) expect(gap).toBeGreaterThan(300);

    await expectHealthyRunWorks(app);
    // No stray retry arrived after giving up.
    expect(await requestsFor(request, fault)).toHaveLength(MAX_ATTEMPTS);
    expectNoPanic(app);
  });
}

test("429 with retry-after: 1 waits about a second, then succeeds", async ({ page, request }) => {
  const app = await openOn(page, "429-retry-after");
  await run(app);
  await expect(app.block(OUTPUT)).toHaveAttribute("data-status", "done");
  await expect(app.block(OUTPUT).locator(".block-body")).toHaveText(OK_TEXT);
  const sent = await requestsFor(request, "429-retry-after");
  expect(sent).toHaveLength(2);
  // The provider's wait wins over the 0.5 s first backoff step (jitter never applies to it).
  expect(gaps(sent)[0]).toBeGreaterThanOrEqual(900);
  expect(gaps(sent)[0]).toBeLessThan(5_000);
  const result = await inspectPrompt(app);
  await result.getByText("Trace").click();
  await expect(result.getByText("Retrying in 1 s (429 rate limit)")).toBeVisible();
  expectNoPanic(app);
});

test("the connection test goes through the same retries and says when it needed them", async ({ page, request }) => {
  const app = new AppPage(page);
  await app.open();
  await configureProvider(page, "openai-compatible", { baseUrl: `${FAULTS}/429-retry-after/v1` });
  await page.getByRole("button", { name: "Settings" }).click();
  const dialog = page.getByRole("dialog", { name: "Settings" });
  await dialog.getByRole("button", { name: "Test connection to OpenAI-compatible" }).click();
  // One 429 with retry-after: 1, then the model list: a pass, and the person is told it was not clean.
  await expect(dialog.getByRole("status").filter({ hasText: "Connected." }))
    .toHaveText("Connected. 1 model available. Answered on attempt 2, after 429 rate limit.");
  const sent = await requestsFor(request, "429-retry-after");
  expect(sent.map((r) => r.path)).toEqual(["/429-retry-after/v1/models", "/429-retry-after/v1/models"]);
  expect(gaps(sent)[0]).toBeGreaterThanOrEqual(900);
  expectNoPanic(app);
});

test("reset-mid: the partial answer is kept and marked, and not retried", async ({ page, request }) => {
  const app = await openOn(page, "reset-mid");
  await run(app);
  const result = await expectPromptError(app, ["The connection dropped mid-answer; the text so far is kept."]);
  await expect(app.block(PROMPT).locator(".block-body")).toContainText(PARTIAL_TEXT.trim());
  await expect(result.locator(".output-view")).toContainText(PARTIAL_TEXT.trim());
  await expect(result.getByText(INCOMPLETE)).toBeVisible();
  // Text had streamed: a retry would throw it away, so there is none.
  expect(await requestsFor(request, "reset-mid")).toHaveLength(1);
  await expectHealthyRunWorks(app);
  expectNoPanic(app);
});

test("malformed: garbage lines are skipped, invalid JSON ends the answer with a clear error", async ({ page, request }) => {
  const app = await openOn(page, "malformed");
  await run(app);
  const result = await expectPromptError(app, ["sent a reply Chainboard could not read", "not valid JSON", "speaks the OpenAI format"]);
  // The line without a field and the comment are legal SSE and are ignored; nothing after
  // the invalid chunk is taken.
  const output = result.locator(".output-view");
  await expect(output).toContainText("The first part is fine. Still fine.");
  await expect(output).not.toContainText("Never shown");
  await expect(result.getByText(INCOMPLETE)).toBeVisible();
  expect(await requestsFor(request, "malformed")).toHaveLength(1);
  await expectHealthyRunWorks(app);
  expectNoPanic(app);
});

test("stall: the request times out after the minimum timeout, keeping the first words", async ({ page, request }) => {
  const app = new AppPage(page);
  await app.open();
  await page.getByRole("button", { name: "Settings" }).click();
  const timeout = page.getByRole("dialog", { name: "Settings" }).getByRole("spinbutton", { name: "Request timeout in seconds" });
  await timeout.fill(String(MIN_TIMEOUT_S));
  await timeout.press("Tab");
  await useFault(app, "stall"); // closes the dialog with Done
  await setInputText(app, "My order is late. Where is it?");

  const started = Date.now();
  await run(app);
  await expect(app.block(PROMPT).locator(".block-body")).toContainText(PARTIAL_TEXT.trim());
  await selectTiming(app, OUTPUT);
  await expect(app.block(PROMPT)).toHaveAttribute("data-status", "running");

  const result = await expectPromptError(
    app,
    [`No new text for ${MIN_TIMEOUT_S} s: the request was stopped. The text so far is kept.`],
    20_000,
  );
  const elapsed = Date.now() - started;
  test.info().annotations.push({ type: "stall ended after (ms)", description: String(elapsed) });
  console.log(`stall: ended after ${elapsed} ms`);
  expect(elapsed).toBeGreaterThanOrEqual(MIN_TIMEOUT_S * 1000 - 500);
  expect(elapsed).toBeLessThan(MIN_TIMEOUT_S * 1000 + 10_000);
  await expect(result.locator(".output-view")).toContainText(PARTIAL_TEXT.trim());
  await expect(result.getByText(INCOMPLETE)).toBeVisible();
  // The app closed the connection rather than leaving it open.
  await expect.poll(async () => (await requestsFor(request, "stall"))[0]?.closed).not.toBeNull();
  expect(await requestsFor(request, "stall")).toHaveLength(1);
  await expectHealthyRunWorks(app);
  expectNoPanic(app);
});

test("stall: Stop ends the run at once and closes the connection", async ({ page, request }) => {
  const app = await openOn(page, "stall");
  await run(app);
  await expect(app.block(PROMPT).locator(".block-body")).toContainText(PARTIAL_TEXT.trim());
  await page.getByRole("button", { name: "Stop run" }).click();
  await expect(app.block(PROMPT)).toHaveAttribute("data-status", "stopped");
  await expect(app.block(PROMPT).locator(".block-body")).toContainText(PARTIAL_TEXT.trim());
  await expect.poll(async () => (await requestsFor(request, "stall"))[0]?.closed).not.toBeNull();
  await expectHealthyRunWorks(app);
  expectNoPanic(app);
});

test("huge: a 10 MB streamed answer completes without freezing the page", async ({ page, request }) => {
  test.setTimeout(90_000);
  const app = await openOn(page, "huge");
  // A timer ticks every 50 ms in the page; the longest gap between ticks is the longest time
  // the page could not answer the user.
  await page.evaluate(() => {
    let last = performance.now();
    window.longestFreezeMs = 0;
    setInterval(() => {
      const now = performance.now();
      window.longestFreezeMs = Math.max(window.longestFreezeMs, now - last);
      last = now;
    }, 50);
  });
  const started = Date.now();
  await run(app);
  await expect(app.block(PROMPT).locator(".block-body")).toContainText("All work and no play");
  // A click as the answer streams in. Times are reported, and judged only against generous
  // bounds. Before the fix in src/ui/canvas/block_card.rs and src/ui/widgets/markdown_view.rs the page froze
  // for 10–20 s at a time, laying out the whole answer in the block cards, and these failed.
  const click = await selectTiming(app, OUTPUT, 5_000);

  await expect(app.block(PROMPT)).toHaveAttribute("data-status", "done", { timeout: 60_000 });
  await expect(app.block(OUTPUT)).toHaveAttribute("data-status", "done");
  const elapsed = Date.now() - started;
  const freeze = Math.round(await page.evaluate(() => window.longestFreezeMs));
  console.log(`huge: done after ${elapsed} ms; longest freeze ${freeze} ms; a click during the stream took ${click} ms`);
  test.info().annotations.push({ type: "huge", description: `done after ${elapsed} ms; longest freeze ${freeze} ms; click ${click} ms` });
  expect(freeze).toBeLessThan(5_000);
  // The cards show only the start (before the fix they held it all).
  const cardChars = await app.block(OUTPUT).locator(".block-body").evaluate((el) => el.textContent.length);
  expect(cardChars).toBeLessThan(10_000);
  // The inspector renders the first 200 kB and says how much arrived: all of it, to the byte
  // count the server sent (before the fix it rendered it all).
  const bytes = hugePieces().reduce((sum, p) => sum + Buffer.byteLength(p), 0);
  await selectTiming(app, PROMPT, 5_000);
  await expect(app.inspector.getByRole("region", { name: "Result" }))
    .toContainText(`Showing the first 200.0 kB of this ${(bytes / 1e6).toFixed(1)} MB answer`);
  expect(await requestsFor(request, "huge")).toHaveLength(1);
  await expectHealthyRunWorks(app);
  expectNoPanic(app);
});
