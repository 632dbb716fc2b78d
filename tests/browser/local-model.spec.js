// A real small LLM in the page: SmolLM2-135M-Instruct (from PyPI, served on 127.0.0.1 by
// model-server.mjs) run by the "In this browser" provider through wllama, in headless
// Chromium against the release build. No hub, no key, no mock.
import { test, expect } from "@playwright/test";
import { AppPage, PORT_SHIFT, setInputText, useTemplate } from "./pages.js";

const MODEL_HOST = `http://127.0.0.1:${4012 + PORT_SHIFT}`;
const MODEL_URL = `${MODEL_HOST}/SmolLM2-135M-Instruct.Q4_1.gguf`;
const PROMPT = "Prompt block: Draft a reply";
const OUTPUT = "Output block: Reply";

test.setTimeout(240_000);

async function useLocalModel(app, address, maxTokens) {
  await app.block(PROMPT).locator("header").click();
  await app.inspector.getByRole("combobox", { name: "Provider" }).selectOption("browser");
  const picker = app.inspector.getByRole("combobox", { name: "Model in this browser" });
  await expect(picker).toBeVisible();
  await picker.selectOption("other");
  const field = app.inspector.getByRole("textbox", { name: "Model address (GGUF)" });
  await field.fill(address);
  await field.blur();
  const max = app.inspector.getByRole("spinbutton", { name: "Max tokens" });
  await max.fill(String(maxTokens));
  await max.blur();
}

/** A run that loads a model not yet in this browser asks first, with its size; say yes. */
async function confirmDownload(page) {
  const ask = page.getByRole("dialog", { name: "Download a model?" });
  await expect(ask).toBeVisible();
  await ask.getByRole("button", { name: /^Download .*and run$/ }).click();
  await expect(ask).toHaveCount(0);
}

async function modelRequests(request) {
  return (await (await request.get(`${MODEL_HOST}/__log`)).json()).filter((r) => r.path.endsWith(".gguf") && r.method === "GET");
}

test("a small model runs in the page: streamed answer, token counts, stop, cached for the next load", async ({ page, request }) => {
  await request.get(`${MODEL_HOST}/__reset`);
  const app = new AppPage(page);
  await app.open();
  await setInputText(app, "Hi, my parcel arrived damaged. Can you help?");
  await useLocalModel(app, MODEL_URL, 48);
  await page.getByRole("button", { name: "Run flow" }).click();
  // Nothing is fetched before the person agrees to the download.
  await expect(page.getByRole("dialog", { name: "Download a model?" })).toContainText("127.0.0.1");
  expect(await modelRequests(request)).toEqual([]);
  await confirmDownload(page);
  // The download shows its progress, then the answer streams in.
  await expect(app.block(OUTPUT)).toHaveAttribute("data-status", "done", { timeout: 120_000 });
  const answer = (await app.block(OUTPUT).locator(".block-body").textContent()).trim();
  expect(answer.length).toBeGreaterThan(5);
  await app.block(PROMPT).locator("header").click();
  const result = app.inspector.getByRole("region", { name: "Result" });
  await expect(result).toContainText("SmolLM2-135M-Instruct.Q4_1.gguf, in this browser");
  await expect(result.getByText("Tokens out")).toBeVisible();
  await expect(result.getByText("Speed")).toBeVisible();
  await app.screenshot("local-model-answer");
  expect((await modelRequests(request)).length).toBeGreaterThan(0);

  // Stop mid-generation: what streamed is kept, nothing more arrives.
  await useLocalModel(app, MODEL_URL, 400);
  await setInputText(app, "Write a long story about a lost parcel and a patient support agent.");
  await page.getByRole("button", { name: "Run flow" }).click();
  await expect(app.block(PROMPT).locator(".block-body")).not.toHaveText("", { timeout: 60_000 });
  await expect(app.block(PROMPT)).toHaveAttribute("data-status", "running");
  // Mid-answer: more has streamed since the first words.
  const first = (await app.block(PROMPT).locator(".block-body").textContent()).length;
  await expect.poll(async () => (await app.block(PROMPT).locator(".block-body").textContent()).length, { timeout: 60_000 }).toBeGreaterThan(first);
  await page.getByRole("button", { name: "Stop run" }).click();
  await expect(app.block(PROMPT)).toHaveAttribute("data-status", "stopped");
  const kept = await app.block(PROMPT).locator(".block-body").textContent();
  // The model itself has stopped (not only the app listening), and nothing more arrived.
  await expect(page.locator("html")).toHaveAttribute("data-local-model", "idle");
  expect(await app.block(PROMPT).locator(".block-body").textContent()).toEqual(kept);

  // Reload: the model comes from the browser's cache, with no request for it.
  await request.get(`${MODEL_HOST}/__reset`);
  await page.reload();
  await expect(app.block(PROMPT)).toBeVisible();
  await useLocalModel(app, MODEL_URL, 24);
  await page.getByRole("button", { name: "Run flow" }).click();
  await expect(app.block(OUTPUT)).toHaveAttribute("data-status", "done", { timeout: 120_000 });
  expect(await modelRequests(request)).toEqual([]);
  // Settings lists it under "Models on this device".
  await page.getByRole("button", { name: "Settings" }).click();
  const settings = page.getByRole("dialog", { name: "Settings" });
  await settings.getByText("In this browser", { exact: true }).click();
  await expect(settings.getByRole("list", { name: "Models on this device" })).toContainText("MB");
  expect(app.consoleErrors).toEqual([]);
});

test("a truncated model file gives a clear error and the flow is untouched", async ({ page }) => {
  const requested = [];
  page.on("request", (r) => requested.push(r.url()));
  const app = new AppPage(page);
  await app.open();
  // The model library is not part of the start-up download: it loads on first use.
  expect(requested.filter((u) => u.includes("/wllama/"))).toEqual([]);
  const blocksBefore = await app.blocks().count();
  await useLocalModel(app, `${MODEL_HOST}/truncated.gguf`, 16);
  await page.getByRole("button", { name: "Run flow" }).click();
  await confirmDownload(page);
  await expect(app.block(PROMPT)).toHaveAttribute("data-status", "error", { timeout: 60_000 });
  await app.block(PROMPT).locator("header").click();
  await expect(app.inspector.getByRole("region", { name: "Result" })).toContainText("could not be loaded");
  await expect(app.blocks()).toHaveCount(blocksBefore);
  expect(requested.filter((u) => u.includes("/wllama/")).length).toBeGreaterThan(0);
  await app.screenshot("local-model-error");
});

test("meaning search embeds the documents with a model in the page, no key", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  await useTemplate(page, "Answer from policy documents");
  const find = app.block("Retrieve block: Find passages");
  await find.locator("header").click();
  await app.inspector.getByRole("combobox", { name: "Match by" }).selectOption("semantic");
  await app.inspector.getByRole("combobox", { name: "Embeddings by" }).selectOption("browser");
  const model = app.inspector.getByRole("textbox", { name: "Embeddings model" });
  await model.fill(MODEL_URL);
  await model.blur();
  await page.getByRole("button", { name: "Run flow" }).click();
  await confirmDownload(page);
  await expect(find).toHaveAttribute("data-status", "done", { timeout: 120_000 });
  await find.locator("header").click();
  const passages = app.inspector.getByRole("list", { name: "Retrieved passages" });
  await expect(passages.locator("li")).toHaveCount(3);
  await expect(passages.locator("li").first()).toContainText("score");
  expect(app.consoleErrors).toEqual([]);
});
