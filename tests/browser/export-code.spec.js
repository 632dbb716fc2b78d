// Export as code (docs/export.md): the dialog shows the generated files as text and downloads
// them as a zip; a Prompt's "Get code" shows cURL, Python and Node with the key as an
// environment variable. That the exported programs run is tested by tests/export/run-exports.mjs.
import { test, expect } from "@playwright/test";
import { readFileSync } from "node:fs";
import { AppPage, moreItem, useTemplate } from "./pages.js";
import { clickLikeAPerson } from "./person.js";

test("export the agent template as Python and Node, preview the files, download a zip", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  await useTemplate(page, "Agent that checks an order");
  await clickLikeAPerson(page, await moreItem(page, "Export as code"), "Export as code");
  const dialog = page.getByRole("dialog", { name: "Export as code" });
  const files = dialog.getByRole("list", { name: "Files" });
  await expect(files).toContainText("main.py");
  await expect(files).toContainText("requirements.txt");
  const preview = dialog.getByLabel("File preview");
  // The agent loop and the mock tool as a stub, and the key read from the environment only.
  await expect(preview).toContainText("async def lookup_order(args: dict) -> str:");
  await expect(preview).toContainText('os.environ.get("OPENAI_API_KEY")');
  await app.screenshot("export-code-python");

  await clickLikeAPerson(page, dialog.getByRole("radio", { name: "TypeScript (Node)" }), "TypeScript");
  await expect(files).toContainText("main.ts");
  await clickLikeAPerson(page, dialog.getByRole("button", { name: "Show README.md" }), "README");
  await expect(preview).toContainText("npx tsx main.ts --message");

  const [download] = await Promise.all([
    page.waitForEvent("download"),
    clickLikeAPerson(page, dialog.getByRole("button", { name: "Download .zip" }), "Download .zip"),
  ]);
  expect(download.suggestedFilename()).toBe("agent-that-checks-an-order-typescript.zip");
  const zip = readFileSync(await download.path());
  expect(zip.subarray(0, 4).toString("latin1")).toBe("PK\u0003\u0004");
  expect(zip.toString("utf8")).toContain("agent-that-checks-an-order-typescript/main.ts");
  await page.emulateMedia({ colorScheme: "dark" });
  await app.screenshot("export-code-node");
});

test("a Prompt's Get code shows cURL, Python and Node with the key as a variable", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  await app.block("Prompt block: Draft a reply").locator("header").click();
  // It sits below the prompt's settings: scroll the inspector to it, as a person would.
  const getCode = app.inspector.getByRole("button", { name: "Get code" });
  await getCode.scrollIntoViewIfNeeded();
  await clickLikeAPerson(page, getCode, "Get code");
  const curl = app.inspector.getByRole("region", { name: "cURL code" });
  await expect(curl).toContainText('-H "authorization: Bearer $OPENAI_API_KEY"');
  await expect(app.inspector.getByRole("region", { name: "Python code" })).toContainText("client.chat.completions.create(");
  await expect(app.inspector.getByRole("region", { name: "TypeScript code" })).toContainText("process.env.OPENAI_API_KEY");
  await app.screenshot("get-code");
});
