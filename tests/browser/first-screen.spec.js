import { test, expect } from "@playwright/test";
import { AppPage } from "./pages.js";

test("opens on the example flow: three blocks, two edges, no console errors", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();

  await expect(app.blocks()).toHaveCount(3);
  await expect(app.block("Input block: Customer email")).toHaveAttribute("data-kind", "input");
  await expect(app.block("Prompt block: Draft a reply")).toHaveAttribute("data-kind", "prompt");
  await expect(app.block("Output block: Reply")).toHaveAttribute("data-kind", "output");
  for (const b of await app.blocks().all()) {
    await expect(b).toHaveAttribute("data-status", "idle");
  }

  await expect(app.edges()).toHaveCount(2);
  // Each edge is actually drawn: a real curve, not an empty path.
  for (const e of await app.edges().all()) {
    await expect(e).toHaveAttribute("d", /^M [-\d.]+ [-\d.]+ C /);
  }

  // Ports come from data: the prompt's {{email}} is an input port.
  await expect(app.block("Prompt block: Draft a reply").getByRole("button", { name: "Input email" })).toBeVisible();
  await expect(app.inspector.getByText("Nothing selected")).toBeVisible();
  await expect(page.getByRole("status").filter({ hasText: "Ready" })).toBeVisible();

  await app.screenshot("first-screen-light");
  expect(app.consoleErrors).toEqual([]);
});

test("the dark theme applies and is remembered", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  await page.getByRole("button", { name: "Switch to dark theme" }).click();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await page.reload();
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await expect(app.blocks()).toHaveCount(3);
  await app.screenshot("first-screen-dark");
});

test("index.html ships a Content-Security-Policy that forbids inline script", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  const csp = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute("content");
  expect(csp).toContain("default-src 'self'");
  expect(csp).toMatch(/script-src 'self' 'sha256-[A-Za-z0-9+/=]+'/);
  expect(csp).not.toContain("'unsafe-inline' 'unsafe-eval'");
  expect(csp).not.toMatch(/script-src[^;]*'unsafe-inline'/);
  expect(csp).toContain("object-src 'none'");
});
