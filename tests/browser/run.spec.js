import { test, expect } from "@playwright/test";
import { AppPage, PROVIDERS, configureProvider, setInputText, usePromptProvider, moreItem } from "./pages.js";
import { clickLikeAPerson } from "./person.js";

const PROMPT = "Prompt block: Draft a reply";
const OUTPUT = "Output block: Reply";
const HELLO = "Hello from the mock model! It streamed in small pieces, **bold** and all.";

for (const id of ["openai", "anthropic", "gemini", "ollama"]) {
  test(`runs Input → Prompt → Output against ${PROVIDERS[id].label} over real HTTP streaming`, async ({ page }) => {
    const app = new AppPage(page);
    await app.open();
    await configureProvider(page, id);
    await usePromptProvider(app, id);
    await setInputText(app, "Say hello to our customer, please.");
    await page.getByRole("button", { name: "Run flow" }).click();

    await expect(app.block(PROMPT)).toHaveAttribute("data-status", "done");
    await expect(app.block(OUTPUT)).toHaveAttribute("data-status", "done");
    // The card shows the answer's words without its markdown marks.
    await expect(app.block(OUTPUT).locator(".block-body")).toHaveText(HELLO.replace("**bold**", "bold"));
    // The inspector renders the markdown as DOM: **bold** became <strong>.
    await app.block(PROMPT).locator("header").click();
    const result = app.inspector.getByRole("region", { name: "Result" });
    await expect(result.locator("strong")).toHaveText("bold");
    await result.getByText("Trace").click();
    await expect(result).toContainText("POST");
    await expect(result).not.toContainText(PROVIDERS[id].key || "no-key-to-leak");
    if (id === "openai") await app.screenshot("run-openai-done");
    expect(app.consoleErrors).toEqual([]);
  });
}

test("Stop cancels the request and keeps what already streamed", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  await configureProvider(page, "openai");
  await setInputText(app, "Tell a long story about patience.");
  // The model request's end, either way: finished, or cut off by Stop.
  const ended = new Promise((resolve) => {
    const done = (r) => { if (r.url().includes("/chat/completions")) resolve(r.failure() ? "cut off" : "finished"); };
    page.on("requestfailed", done);
    page.on("requestfinished", done);
  });
  await page.getByRole("button", { name: "Run flow" }).click();
  await expect(app.block(PROMPT)).toHaveAttribute("data-status", "running");
  await expect(app.block(PROMPT).locator(".block-body")).toContainText("Once upon a time");
  await app.screenshot("run-streaming");
  await page.getByRole("button", { name: "Stop run" }).click();
  await expect(app.block(PROMPT)).toHaveAttribute("data-status", "stopped");
  const kept = await app.block(PROMPT).locator(".block-body").textContent();
  expect(kept).toContain("Once upon a time");
  // Stop cut the request off (the mock was still streaming), and nothing more arrived.
  expect(await ended).toBe("cut off");
  expect(await app.block(PROMPT).locator(".block-body").textContent()).toEqual(kept);
  await expect(page.getByRole("button", { name: "Run flow" })).toBeVisible();
  // The top bar says what happened: stopped, not "done".
  await expect(page.locator(".run-info")).toContainText("stopped");
  await expect(page.locator(".run-info")).not.toContainText("done");
});

test("a 429 is retried after a wait, then succeeds", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  await configureProvider(page, "openai");
  await setInputText(app, "Rate limit me, then answer.");
  await page.getByRole("button", { name: "Run flow" }).click();
  await expect(app.block(OUTPUT).locator(".block-body")).toHaveText("It worked after waiting.", { timeout: 20_000 });
  await app.block(PROMPT).locator("header").click();
  const result = app.inspector.getByRole("region", { name: "Result" });
  await expect(result.getByText("Attempts")).toBeVisible();
  await result.getByText("Trace").click();
  await expect(result).toContainText("429");
});

test("a 401 is not retried and says what to do", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  await configureProvider(page, "openai");
  await setInputText(app, "Bad key please.");
  await page.getByRole("button", { name: "Run flow" }).click();
  await expect(app.block(PROMPT)).toHaveAttribute("data-status", "error");
  await expect(app.block(PROMPT).locator(".block-body")).toContainText("OpenAI rejected the key (401)");
  await expect(app.block(PROMPT).locator(".block-body")).toContainText("Settings");
  await expect(app.block(OUTPUT)).toHaveAttribute("data-status", "skipped");
  await app.screenshot("run-401");
});

test("a dropped stream keeps the partial answer and says it is incomplete", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  await configureProvider(page, "openai");
  await setInputText(app, "Drop the line halfway.");
  await page.getByRole("button", { name: "Run flow" }).click();
  await expect(app.block(PROMPT)).toHaveAttribute("data-status", "error");
  await expect(app.block(PROMPT).locator(".block-body")).toContainText("This answer will be");
  await app.block(PROMPT).locator("header").click();
  await expect(app.inspector.getByText("Incomplete: the answer stopped early")).toBeVisible();
});

test("with no key, the starter flow runs on labelled sample answers; OpenAI without a key says where to add one", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  // No key: the starter flow starts on sample answers and runs at once.
  await app.block(PROMPT).locator("header").click();
  await expect(app.inspector.getByRole("combobox", { name: "Provider" })).toHaveValue("demo");
  await page.getByRole("button", { name: "Run flow" }).click();
  await expect(app.block(OUTPUT)).toHaveAttribute("data-status", "done");
  await expect(app.block(OUTPUT).locator(".block-body")).toContainText("birthday");
  await expect(app.block(OUTPUT).locator(".sample-badge")).toHaveText("Sample answer");
  await expect(app.block(PROMPT).locator(".sample-badge")).toHaveText("Sample answer");
  // A hosted provider without a key: Run says where to add one.
  await usePromptProvider(app, "openai");
  await page.getByRole("button", { name: "Run flow" }).click();
  // Said in the Settings dialog, in front (a banner behind the dialog could not be read).
  const settings = page.getByRole("dialog", { name: "Settings" });
  await expect(settings.getByRole("alert").filter({ hasText: "Add your OpenAI key below" })).toBeVisible();
  await page.getByRole("button", { name: "Close settings" }).click();
  expect(app.consoleErrors).toEqual([]);
});

test("keys never reach localStorage (unless remembered), exports or the URL", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  for (const id of ["openai", "anthropic", "gemini"]) await configureProvider(page, id);
  await setInputText(app, "Say hello to our customer, please.");
  await page.getByRole("button", { name: "Run flow" }).click();
  await expect(app.block(PROMPT)).toHaveAttribute("data-status", "done");
  // Everything there is to save is saved (autosave is debounced): wait for it, not for a time.
  await expect.poll(() => page.evaluate(() => Object.values(localStorage).some((v) => v.includes("Say hello to our customer"))), { timeout: 30_000 }).toBe(true);
  const keys = ["openai", "anthropic", "gemini"].map((id) => PROVIDERS[id].key);

  const local = await page.evaluate(() => JSON.stringify({ ...localStorage }));
  for (const k of keys) expect(local).not.toContain(k);
  const session = await page.evaluate(() => JSON.stringify({ ...sessionStorage }));
  expect(session).toContain(keys[0]); // kept for this tab only, as promised
  expect(page.url()).not.toMatch(/sk-|AIza/);

  const [download] = await Promise.all([page.waitForEvent("download"), (await moreItem(page, "Export flow")).click()]);
  const text = Buffer.concat(await (await download.createReadStream()).toArray()).toString();
  for (const k of keys) expect(text).not.toContain(k);

  // "Remember on this device" moves them to localStorage, and back out when unticked.
  await page.getByRole("button", { name: "Settings" }).click();
  await page.getByRole("checkbox", { name: /Remember keys/ }).check();
  expect(await page.evaluate(() => JSON.stringify({ ...localStorage }))).toContain(keys[0]);
  await page.getByRole("checkbox", { name: /Remember keys/ }).uncheck();
  expect(await page.evaluate(() => JSON.stringify({ ...localStorage }))).not.toContain(keys[0]);
});

for (const size of [{ width: 1280, height: 720 }, { width: 1920, height: 1080 }]) {
  test.describe(`at ${size.width}x${size.height}`, () => {
    test.use({ viewport: size });
    test("Test connection reports success and a bad base URL clearly", async ({ page }) => {
      const app = new AppPage(page);
      await app.open();
      await configureProvider(page, "ollama");
      await page.getByRole("button", { name: "Settings" }).click();
      const dialog = page.getByRole("dialog", { name: "Settings" });
      const test = dialog.getByRole("button", { name: "Test connection to Ollama" });
      // A button the width of its words beside the model field, clicked where it is drawn.
      await test.scrollIntoViewIfNeeded();
      const [button, model] = await Promise.all([test.boundingBox(), dialog.getByRole("combobox", { name: /Ollama default model/ }).boundingBox()]);
      expect(button.width).toBeLessThan(model.width);
      await clickLikeAPerson(page, test, "Test connection to Ollama");
      await expect(dialog.getByRole("status").filter({ hasText: "Connected." })).toBeVisible();
      await dialog.getByRole("textbox", { name: "Ollama base URL" }).fill("http://127.0.0.1:9");
      await dialog.getByRole("textbox", { name: "Ollama base URL" }).press("Tab");
      await clickLikeAPerson(page, test, "Test connection to Ollama");
      await expect(dialog.getByRole("alert")).toContainText("OLLAMA_ORIGINS=");
      if (size.width === 1280) await app.screenshot("settings-dialog");
    });
  });
}
