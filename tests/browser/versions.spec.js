import { test, expect } from "@playwright/test";
import { AppPage, moreItem } from "./pages.js";

test("save a named version, change the prompt, compare in words, restore", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  await (await moreItem(page, "Versions")).click();
  const dialog = page.getByRole("dialog", { name: "Versions" });
  await dialog.getByRole("textbox", { name: "Version name" }).fill("Before the demo");
  await dialog.getByRole("button", { name: "Save version" }).click();
  await expect(dialog.getByRole("list", { name: "Saved versions" })).toContainText("Before the demo");
  await dialog.getByRole("button", { name: "Close versions" }).click();

  await app.block("Prompt block: Draft a reply").locator("header").click();
  const model = app.inspector.getByRole("combobox", { name: "Model" });
  await model.fill("gpt-4.1-mini");
  await model.blur();

  await (await moreItem(page, "Versions")).click();
  await dialog.getByRole("button", { name: "Compare Before the demo with now" }).click();
  await expect(dialog.getByRole("region", { name: "Differences" })).toContainText("Draft a reply: model “demo” → “gpt-4.1-mini”.");
  await app.screenshot("versions-compare");
  await dialog.getByRole("button", { name: "Restore Before the demo" }).click();
  await expect(page.getByRole("alert")).toContainText("Restored “Before the demo”");
  await page.getByRole("alert").getByRole("button", { name: "Dismiss" }).click();
  await app.block("Prompt block: Draft a reply").locator("header").click();
  // The starter flow is on sample answers (no key in this test), whose model is "demo".
  await expect(app.inspector.getByRole("combobox", { name: "Model" })).toHaveValue("demo");
  // The state before restoring is kept as a version too.
  await (await moreItem(page, "Versions")).click();
  await expect(dialog.getByRole("list", { name: "Saved versions" })).toContainText("Before restoring Before the demo");
});
