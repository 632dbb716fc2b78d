import { test, expect } from "@playwright/test";
import { AppPage, configureProvider, setInputText } from "./pages.js";
import { PAYLOADS } from "./hostile-payloads.js";

/** Fails the test on any dialog, and records requests that leave 127.0.0.1. */
function guard(page) {
  const outside = [];
  page.on("dialog", async (d) => { outside.push(`dialog: ${d.message()}`); await d.dismiss(); });
  page.on("request", (r) => { if (!/^http:\/\/127\.0\.0\.1:/.test(r.url()) && !r.url().startsWith("data:")) outside.push(r.url()); });
  return {
    async check() {
      await page.waitForTimeout(300);
      expect(await page.evaluate(() => window.__pwned)).toBeUndefined();
      expect(outside).toEqual([]);
    },
  };
}

function hostileFlow() {
  const blocks = PAYLOADS.slice(0, 12).map((p, i) => ({
    id: `b-${i}`, kind: i % 3 === 0 ? "input" : i % 3 === 1 ? "prompt" : "note",
    title: p, note: p, position: { x: (i % 4) * 320, y: Math.floor(i / 4) * 260 },
    config: i % 3 === 0 ? { values: [{ name: "v", value: p }] }
      : i % 3 === 1 ? { provider: "demo", model: "demo", system: p, user: `${p} {{v}}` }
      : { text: p },
  }));
  return { format: "chainboard.flow", version: 2, title: PAYLOADS[0], description: PAYLOADS[1], blocks, edges: [] };
}

test(`model output with ${PAYLOADS.length} XSS payloads renders as text: no script, no dialog, no outside request`, async ({ page }) => {
  const app = new AppPage(page);
  const g = guard(page);
  await app.open();
  await configureProvider(page, "openai");
  await setInputText(app, "Hostile output please");
  await page.getByRole("button", { name: "Run flow" }).click();
  await expect(app.block("Prompt block: Draft a reply")).toHaveAttribute("data-status", "done");
  await app.block("Prompt block: Draft a reply").locator("header").click();
  const result = app.inspector.getByRole("region", { name: "Result" });
  await expect(result).toContainText("<script>window.__pwned=1</script>");
  // Only safe links survive; hostile ones are shown as plain text.
  const hrefs = await result.locator("a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
  for (const h of hrefs) expect(h).toMatch(/^(https?:|mailto:)/);
  expect(await result.locator("img, iframe, object, embed, svg, script, style, form, video").count()).toBe(0);
  await result.getByText("Trace").click();
  await page.getByRole("button", { name: "Present" }).click();
  await page.keyboard.press("ArrowRight");
  await page.keyboard.press("Escape");
  await g.check();
});

test("titles, notes, templates and values from a hostile flow file stay text", async ({ page }) => {
  const app = new AppPage(page);
  const g = guard(page);
  await app.open();
  await page.getByLabel("Flow file to import").setInputFiles({ name: "hostile.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(hostileFlow())) });
  await expect(page.getByRole("alert")).toContainText("Imported");
  await expect(page.getByRole("textbox", { name: "Flow title" })).toHaveValue(PAYLOADS[0]);
  for (const b of await app.blocks().all()) {
    await b.locator("header").click();
  }
  await page.getByRole("button", { name: "Run flow" }).click();
  await page.getByRole("button", { name: /Flows/ }).click();
  await g.check();
});

test("a shared link carrying hostile text opens safely in a fresh browser", async ({ page, browser }) => {
  const app = new AppPage(page);
  await app.open();
  await page.getByLabel("Flow file to import").setInputFiles({ name: "hostile.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(hostileFlow())) });
  await expect(page.getByRole("alert")).toContainText("Imported");
  await page.getByRole("button", { name: "Share" }).click();
  await page.getByRole("dialog", { name: "Share" }).getByRole("button", { name: "Create link" }).click();
  const link = await page.getByRole("textbox", { name: "Share link" }).inputValue();
  const context = await browser.newContext();
  const viewer = await context.newPage();
  const g = guard(viewer);
  await viewer.goto(link);
  await expect(viewer.getByRole("region", { name: "Shared playground" })).toBeVisible();
  for (const b of await new AppPage(viewer).blocks().all()) await b.locator("header").click();
  await g.check();
  await context.close();
});
