// Retrieval end to end: documents added by picker (a PDF printed by Chromium) and by drop
// (Markdown), a question answered by the mock provider from the retrieved passages, the
// citation opening its passage, and the knowledge base still there after a reload.
import { test, expect } from "@playwright/test";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { AppPage, configureProvider, dropFile, PROVIDERS, useTemplate, moreItem } from "./pages.js";

const FIND = "Retrieve block: Find passages";
const ANSWER = "Prompt block: Answer with citations";

async function openPolicyTemplate(app, page) {
  await useTemplate(page, "Answer from policy documents");
  await expect(app.block(FIND)).toBeVisible();
}

test("documents added by picker and drop answer a question with citations, and survive a reload", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  await openPolicyTemplate(app, page);
  await expect((await moreItem(page, "Knowledge"))).toContainText("3");

  // Add a PDF through the picker and a Markdown file by dropping it.
  await (await moreItem(page, "Knowledge")).click();
  const dialog = page.getByRole("dialog", { name: "Knowledge" });
  await dialog.getByLabel("Documents to add").setInputFiles({
    name: "travel-policy.pdf",
    mimeType: "application/pdf",
    buffer: readFileSync("tests/fixtures/travel-policy.pdf"),
  });
  await expect(dialog.getByRole("status", { name: "What happened" })).toContainText("Added \u201ctravel-policy.pdf\u201d.");
  await dropFile(dialog.locator(".drop-zone"), "office-hours.md", "text/markdown",
    "# Office hours\n\nThe support desk is open from 8:00 to 18:00 on weekdays.\n\n# Holidays\n\nClosed on public holidays.");
  await expect(dialog.getByRole("status", { name: "What happened" })).toContainText("Added \u201coffice-hours.md\u201d.");
  const table = dialog.getByRole("table", { name: "Documents" });
  await expect(table.locator("tbody tr")).toHaveCount(5);
  const pdfRow = table.locator("tr", { hasText: "travel-policy.pdf" });
  await expect(pdfRow).toContainText("PDF");
  // A preview shows the passages the PDF was cut into, with its real text.
  await dialog.getByRole("button", { name: "Preview travel-policy.pdf" }).click();
  await expect(dialog.getByRole("region", { name: "Passages of travel-policy.pdf" })).toContainText("The daily meal allowance is 45 euros in Europe");
  // A file the app cannot read is refused with the reason; nothing else changes.
  await dialog.getByLabel("Documents to add").setInputFiles({ name: "scan.pdf", mimeType: "application/pdf", buffer: Buffer.from("%PDF-1.4\n1 0 obj << /Type /Page >> endobj\n%%EOF") });
  await expect(dialog.getByRole("status", { name: "What happened" })).toContainText("no text layer");
  await expect(table.locator("tbody tr")).toHaveCount(5);
  // A 50 MB file is refused from its size, before it is read (the tab stays responsive).
  mkdirSync("target/fixtures", { recursive: true });
  writeFileSync("target/fixtures/huge.txt", Buffer.alloc(50_000_000, 97));
  await dialog.getByLabel("Documents to add").setInputFiles("target/fixtures/huge.txt");
  await expect(dialog.getByRole("status", { name: "What happened" })).toContainText("\u201chuge.txt\u201d is 50.0 MB; the limit is 20.0 MB");
  await expect(table.locator("tbody tr")).toHaveCount(5);
  await app.screenshot("knowledge-dialog");
  await dialog.getByRole("button", { name: "Close knowledge" }).click();

  // Ask a question the PDF answers, on the mock provider.
  await configureProvider(page, "openai");
  await app.block(ANSWER).locator("header").click();
  await app.inspector.getByRole("combobox", { name: "Provider" }).selectOption("openai");
  const model = app.inspector.getByRole("combobox", { name: "Model" });
  await model.fill(PROVIDERS.openai.model);
  await model.blur();
  await app.block("Input block: Question").locator("header").click();
  const question = app.inspector.getByRole("textbox", { name: "Value 1", exact: true });
  await question.fill("What is the daily meal allowance in Europe?");
  await question.blur();
  await page.getByRole("button", { name: "Run flow" }).click();
  await expect(app.block("Output block: Answer")).toHaveAttribute("data-status", "done");

  // The Retrieve block shows what it found and why.
  await app.block(FIND).locator("header").click();
  const passages = app.inspector.getByRole("list", { name: "Retrieved passages" });
  await expect(passages.locator("li").first()).toHaveAttribute("data-source", "travel-policy.pdf");
  await expect(passages.locator("li").first()).toContainText("Matched: ");
  await expect(passages.locator("li").first().locator("mark").first()).toBeVisible();
  await app.screenshot("retrieve-inspector");

  // The answer's [1] opens the passage it cites.
  await app.block(ANSWER).locator("header").click();
  const result = app.inspector.getByRole("region", { name: "Result" });
  await expect(result).toContainText("45 euros");
  await result.getByRole("button", { name: "Source 1: travel-policy.pdf" }).first().click();
  await expect(result.getByRole("complementary", { name: "Passage 1" })).toContainText("daily meal allowance");
  await app.screenshot("cited-answer");

  // Compare two settings on the same question.
  await app.block(FIND).locator("header").click();
  await app.inspector.getByText("Compare two settings").click();
  await app.inspector.getByRole("button", { name: "Compare" }).click();
  await expect(app.inspector.getByRole("list", { name: "Passages with setting A" })).toBeVisible();
  await expect(app.inspector.getByRole("list", { name: "Passages with setting B" })).toBeVisible();

  // Reload: the knowledge base is intact, straight from IndexedDB.
  await page.reload();
  await expect(app.block(FIND)).toBeVisible();
  await expect((await moreItem(page, "Knowledge"))).toContainText("5");
  await (await moreItem(page, "Knowledge")).click();
  await expect(page.getByRole("dialog", { name: "Knowledge" }).getByRole("table", { name: "Documents" })).toContainText("office-hours.md");
  expect(app.consoleErrors).toEqual([]);
});
