// Page objects: tests speak in what a user sees (roles and names), not CSS paths.
import { expect } from "@playwright/test";

export class AppPage {
  constructor(page) {
    this.page = page;
    this.consoleErrors = [];
    page.on("console", (msg) => {
      if (msg.type() === "error") this.consoleErrors.push(msg.text());
    });
    page.on("pageerror", (err) => this.consoleErrors.push(String(err)));
    this.canvas = page.getByRole("region", { name: "Flow canvas" });
    this.inspector = page.getByRole("complementary", { name: "Inspector" });
  }

  async open() {
    await this.page.goto("/");
    await expect(this.canvas).toBeVisible();
    await expect(this.blocks().first()).toBeVisible();
  }

  blocks() {
    return this.canvas.locator("[data-block-id][data-kind]");
  }

  block(name) {
    return this.canvas.getByRole("group", { name });
  }

  edges() {
    return this.canvas.locator("path[data-edge-id]");
  }

  async screenshot(name) {
    await this.page.screenshot({ path: `target/screenshots/${name}.png` });
  }
}

/** An item of the top bar's More menu (Present, Knowledge, Versions, Import/Export flow,
 * Keyboard shortcuts), with the menu opened first as a person would. */
export async function moreItem(page, name) {
  const item = page.getByRole("menuitem", { name, exact: true });
  if (!(await item.isVisible())) await page.getByRole("button", { name: "More actions" }).click();
  return item;
}

/** Opens a template from the gallery (Flows → Templates…) as a new flow. */
export async function useTemplate(page, title) {
  await page.getByRole("button", { name: /Flows/ }).click();
  await page.getByRole("button", { name: "Templates…" }).click();
  await page.getByRole("dialog", { name: "Templates" }).getByRole("button", { name: `Use template ${title}` }).click();
}

/** Drops a file (text or bytes) onto an element with a real DataTransfer, as a browser does. */
export async function dropFile(target, name, type, body, at = {}) {
  const bytes = typeof body === "string" ? body : Array.from(body);
  const data = await target.evaluateHandle((_, [n, t, b]) => {
    const dt = new DataTransfer();
    const content = typeof b === "string" ? b : new Uint8Array(b);
    dt.items.add(new File([content], n, { type: t }));
    return dt;
  }, [name, type, bytes]);
  await target.dispatchEvent("dragover", { dataTransfer: data, ...at });
  await target.dispatchEvent("drop", { dataTransfer: data, ...at });
}

/** Drags with real mouse events from the centre of one element to the centre of another. */
export async function dragBetween(page, from, to) {
  const a = await from.boundingBox();
  const b = await to.boundingBox();
  await page.mouse.move(a.x + a.width / 2, a.y + a.height / 2);
  await page.mouse.down();
  await page.mouse.move((a.x + b.x) / 2 + 10, (a.y + b.y) / 2 + 10, { steps: 5 });
  await page.mouse.move(b.x + b.width / 2, b.y + b.height / 2, { steps: 5 });
  await page.mouse.up();
}

/** Drags an element by (dx, dy) screen pixels. */
export async function dragBy(page, el, dx, dy) {
  const a = await el.boundingBox();
  const x = a.x + Math.min(40, a.width / 2);
  const y = a.y + a.height / 2;
  await page.mouse.move(x, y);
  await page.mouse.down();
  await page.mouse.move(x + dx, y + dy, { steps: 12 });
  await page.mouse.up();
}

/** A block's position on the canvas, as its style says. */
export function transformOf(locator) {
  return locator.evaluate((el) => `${el.style.left},${el.style.top}`);
}

export const PORT_SHIFT = Number(process.env.CB_PORT_BASE || 0);
export const MOCK = `http://127.0.0.1:${4010 + PORT_SHIFT}`;
/** The failing provider (tests/browser/fault-provider.mjs); a path segment picks the fault. */
export const FAULTS = `http://127.0.0.1:${4013 + PORT_SHIFT}`;
export const PROVIDERS = {
  openai: { label: "OpenAI", baseUrl: `${MOCK}/v1`, model: "gpt-4o-mini", key: "sk-test-OPENAI-0000-secret" },
  anthropic: { label: "Anthropic", baseUrl: `${MOCK}/v1`, model: "claude-3-5-haiku-latest", key: "sk-ant-test-ANTHROPIC-1111-secret" },
  gemini: { label: "Google Gemini", baseUrl: `${MOCK}/v1beta`, model: "gemini-2.5-flash", key: "AIza-test-GEMINI-2222-secret" },
  ollama: { label: "Ollama", baseUrl: MOCK, model: "llama3.2", key: "" },
  "openai-compatible": { label: "OpenAI-compatible", baseUrl: `${FAULTS}/ok/v1`, model: "fault-model", key: "" },
};

/** Sets a provider's key and base URL in the Settings dialog, as a user would. `baseUrl`
 * replaces the provider's usual one (the fault tests point it at one fault at a time). */
export async function configureProvider(page, id, { baseUrl } = {}) {
  const p = { ...PROVIDERS[id], ...(baseUrl ? { baseUrl } : {}) };
  const dialog = page.getByRole("dialog", { name: "Settings" });
  if (!(await dialog.isVisible())) await page.getByRole("button", { name: "Settings" }).click();
  if (p.key) {
    await dialog.getByRole("textbox", { name: `${p.label} API key` }).fill(p.key);
    await dialog.getByRole("textbox", { name: `${p.label} API key` }).press("Tab");
  }
  await dialog.getByRole("textbox", { name: `${p.label} base URL` }).fill(p.baseUrl);
  await dialog.getByRole("textbox", { name: `${p.label} base URL` }).press("Tab");
  await dialog.getByRole("button", { name: "Done" }).click();
}

/** Types the customer email of the starter flow. */
export async function setInputText(app, text) {
  await app.block("Input block: Customer email").locator("header").click();
  const value = app.inspector.getByRole("textbox", { name: "Value 1", exact: true });
  await value.fill(text);
  await value.blur();
}

/** Points the starter flow's prompt at a provider and model. */
export async function usePromptProvider(app, id) {
  await app.block("Prompt block: Draft a reply").locator("header").click();
  await app.inspector.getByRole("combobox", { name: "Provider" }).selectOption(id === "demo" ? "demo" : id);
  if (id !== "demo") {
    const model = app.inspector.getByRole("combobox", { name: "Model" });
    await model.fill(PROVIDERS[id].model);
    await model.blur();
  }
}

/** An open share link (`#v1.…`) for `envelope` ({ flow, outputs?, evals? }), made the way the app makes one. */
export async function shareLinkFor(envelope, base = `http://127.0.0.1:${4173 + PORT_SHIFT}/`) {
  const { deflateSync } = await import("node:zlib");
  return `${base}#v1.${deflateSync(Buffer.from(JSON.stringify(envelope)), { level: 9 }).toString("base64url")}`;
}

/** The JSON text inside an open share link (to search it: the link itself is compressed). */
export async function shareLinkText(link) {
  const { inflateSync } = await import("node:zlib");
  const body = link.split("#v1.")[1];
  return inflateSync(Buffer.from(body, "base64url")).toString("utf8");
}
