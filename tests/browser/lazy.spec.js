// Features loaded on first use: the start-up download holds no feature module; opening a
// feature fetches its module, and a failed fetch says so and can be retried, losing nothing.
import { test, expect } from "@playwright/test";
import { AppPage, moreItem, shareLinkFor } from "./pages.js";
import { clickLikeAPerson } from "./person.js";

const isFeatureModule = (url) => /\/split-[0-9a-f]+\/((split|chunk)_[^/]+|shared)\.wasm$/.test(url);

test("start-up fetches no feature module; Evaluate fetches its own when first opened", async ({ page }) => {
  const fetched = [];
  page.on("request", (r) => fetched.push(r.url()));
  const app = new AppPage(page);
  await app.open();
  await expect(page.getByRole("status").filter({ hasText: "Ready" })).toBeVisible();
  expect(fetched.filter(isFeatureModule), "feature modules fetched at start-up").toEqual([]);

  await clickLikeAPerson(page, page.getByRole("button", { name: "Evaluate" }), "Evaluate");
  const dialog = page.getByRole("dialog", { name: "Evaluate" });
  await expect(dialog.getByRole("button", { name: "Run eval" })).toBeVisible();
  expect(fetched.filter(isFeatureModule).some((u) => u.endsWith("/split_evals.wasm"))).toBe(true);
  // A few files, not one per piece of shared code (scripts/merge-chunks.mjs).
  const evalFiles = fetched.filter(isFeatureModule);
  expect(evalFiles.length, `files fetched to open Evaluate: ${evalFiles.join(", ")}`).toBeLessThanOrEqual(6);

  // Closed and opened again, it is the same dialog: nothing is fetched a second time.
  const before = fetched.filter(isFeatureModule).length;
  await page.keyboard.press("Escape");
  await expect(dialog).toBeHidden();
  await clickLikeAPerson(page, page.getByRole("button", { name: "Evaluate" }), "Evaluate");
  await expect(dialog.getByRole("button", { name: "Run eval" })).toBeVisible();
  expect(fetched.filter(isFeatureModule).length).toBe(before);
  expect(app.consoleErrors).toEqual([]);
});

for (const size of [{ width: 1280, height: 720 }, { width: 1920, height: 1080 }]) test(`a feature module that fails to arrive gets a message and Try again; the flow is untouched (${size.width} px)`, async ({ page }) => {
  await page.setViewportSize(size);
  const app = new AppPage(page);
  await app.open();
  const blocksBefore = await app.blocks().count();
  // The connection drops for the Evaluate module only.
  await page.route("**/split_evals.wasm", (route) => route.abort("internetdisconnected"));
  await clickLikeAPerson(page, page.getByRole("button", { name: "Evaluate" }), "Evaluate");
  const dialog = page.getByRole("dialog", { name: "Evaluate" });
  await expect(dialog.getByRole("alert")).toContainText("Evaluate could not be loaded. Check the connection");
  await expect(app.blocks()).toHaveCount(blocksBefore);
  await app.screenshot(`lazy-load-failed-${size.width}`);

  // Back online: Try again opens the real dialog.
  await page.unroute("**/split_evals.wasm");
  await clickLikeAPerson(page, dialog.getByRole("button", { name: "Try again" }), "Try again");
  await expect(dialog.getByRole("button", { name: "Run eval" })).toBeVisible();
  await expect(dialog.getByRole("alert").filter({ hasText: "could not be loaded" })).toHaveCount(0);
  // The app is still alive: the canvas answers.
  await expect(app.blocks()).toHaveCount(blocksBefore);
});

test("the document reader loads when a file is first added; if it cannot arrive, the file is not added and the message says why", async ({ page }) => {
  const fetched = [];
  page.on("request", (r) => fetched.push(r.url()));
  const app = new AppPage(page);
  await app.open();
  await (await moreItem(page, "Knowledge")).click();
  const dialog = page.getByRole("dialog", { name: "Knowledge" });
  await expect(dialog.getByLabel("Documents to add")).toBeAttached();
  expect(fetched.filter((u) => u.endsWith("/split_documents.wasm")), "fetched before a file was added").toEqual([]);

  // Offline for the reader's module: the file is refused with the reason, nothing half-added.
  await page.route("**/split_documents.wasm", (route) => route.abort("internetdisconnected"));
  await dialog.getByLabel("Documents to add").setInputFiles({ name: "notes.md", mimeType: "text/markdown", buffer: Buffer.from("# Notes\n\nRefunds take 14 days.") });
  const status = dialog.getByRole("status", { name: "What happened" });
  await expect(status).toContainText("\u201cnotes.md\u201d was not added: the document reader could not be loaded.");
  await expect(dialog.locator("tr", { hasText: "notes.md" })).toHaveCount(0);

  // Back online, the same file goes in.
  await page.unroute("**/split_documents.wasm");
  await dialog.getByLabel("Documents to add").setInputFiles({ name: "notes.md", mimeType: "text/markdown", buffer: Buffer.from("# Notes\n\nRefunds take 14 days.") });
  await expect(status).toContainText("Added \u201cnotes.md\u201d.");
  await expect(dialog.locator("tr", { hasText: "notes.md" })).toHaveCount(1);
  expect(fetched.some((u) => u.endsWith("/split_documents.wasm"))).toBe(true);
});

test("a block's settings load when a block is first selected; if they cannot arrive, the panel says so and Try again works", async ({ page }) => {
  const fetched = [];
  page.on("request", (r) => fetched.push(r.url()));
  const app = new AppPage(page);
  await app.open();
  await expect(app.inspector).toContainText("Nothing selected");
  expect(fetched.filter((u) => u.endsWith("/split_inspector.wasm")), "fetched before a block was selected").toEqual([]);

  await page.route("**/split_inspector.wasm", (route) => route.abort("internetdisconnected"));
  const prompt = app.canvas.locator('[data-kind="prompt"]').first();
  await clickLikeAPerson(page, prompt.locator(".block-title"), "the Prompt block's title");
  await expect(app.inspector.getByRole("alert")).toContainText("The settings could not be loaded. Check the connection");
  const blocksBefore = await app.blocks().count();

  await page.unroute("**/split_inspector.wasm");
  await clickLikeAPerson(page, app.inspector.getByRole("button", { name: "Try again" }), "Try again");
  await expect(app.inspector.getByLabel("Title", { exact: true })).toBeVisible();
  await expect(app.blocks()).toHaveCount(blocksBefore);
  expect(fetched.some((u) => u.endsWith("/split_inspector.wasm"))).toBe(true);
});

test("the first run fetches the run module; if it cannot arrive, the run says so, nothing changes, and the next run works", async ({ page }) => {
  const fetched = [];
  page.on("request", (r) => fetched.push(r.url()));
  const app = new AppPage(page);
  await app.open();
  expect(fetched.filter((u) => u.endsWith("/split_run.wasm")), "fetched before a run").toEqual([]);
  const output = app.canvas.locator('[data-kind="output"]').first();
  const statusBefore = await output.getAttribute("data-status");

  await page.route("**/split_run.wasm", (route) => route.abort("internetdisconnected"));
  await clickLikeAPerson(page, page.getByRole("button", { name: "Run flow" }), "Run flow");
  await expect(page.getByRole("alert").filter({ hasText: "The run could not start: part of the app did not load." })).toBeVisible();
  await expect(page.getByRole("button", { name: "Run flow" })).toBeVisible();
  await expect(output).toHaveAttribute("data-status", statusBefore);

  // Back online on a slow line: until the module is here the run says it is starting, and
  // Stop is there. Then the same button has run the flow (the starter flow runs on sample answers).
  await page.unroute("**/split_run.wasm");
  let release;
  const held = new Promise((resolve) => { release = resolve; });
  await page.route("**/split_run.wasm", async (route) => { await held; await route.continue(); });
  await clickLikeAPerson(page, page.getByRole("button", { name: "Run flow" }), "Run flow");
  await expect(page.locator(".run-info")).toHaveText("starting\u2026");
  await expect(page.getByRole("button", { name: "Stop run" })).toBeVisible();
  release();
  await expect(output).toHaveAttribute("data-status", "done");
  await expect(page.locator(".run-info")).not.toContainText("starting");
  await expect(page.getByRole("alert").filter({ hasText: "could not start" })).toHaveCount(0);
  expect(fetched.some((u) => u.endsWith("/split_run.wasm"))).toBe(true);
});

test("flow files are written and read by the files module, fetched on first use; if it cannot arrive, export and import say so and nothing changes", async ({ page }) => {
  const fetched = [];
  page.on("request", (r) => fetched.push(r.url()));
  const app = new AppPage(page);
  await app.open();
  expect(fetched.filter((u) => u.endsWith("/split_files.wasm")), "fetched before a file was written or read").toEqual([]);
  const title = page.getByRole("textbox", { name: "Flow title" });
  const titleBefore = await title.inputValue();
  const blocksBefore = await app.blocks().count();

  // Offline for that module: Export says why, and no file is downloaded.
  await page.route("**/split_files.wasm", (route) => route.abort("internetdisconnected"));
  const downloads = [];
  page.on("download", (d) => downloads.push(d.suggestedFilename()));
  await clickLikeAPerson(page, await moreItem(page, "Export flow"), "Export flow");
  await expect(page.getByRole("alert")).toContainText("Export failed: the part of Chainboard that writes flow files could not be loaded.");
  // Import says why too, and the open flow stays the one that was open.
  const file = JSON.stringify({ format: "chainboard.flow", version: 3, title: "From a file", blocks: [], edges: [] });
  await page.getByLabel("Flow file to import").setInputFiles({ name: "offline.json", mimeType: "application/json", buffer: Buffer.from(file) });
  await expect(page.getByRole("alert")).toContainText("Could not import “offline.json”: the part of Chainboard that reads flow files could not be loaded.");
  await expect(page.getByRole("alert")).toContainText("Your open flow is unchanged.");
  await expect(title).toHaveValue(titleBefore);
  await expect(app.blocks()).toHaveCount(blocksBefore);
  expect(downloads).toEqual([]);

  // Back online: the same actions work.
  await page.unroute("**/split_files.wasm");
  const [download] = await Promise.all([page.waitForEvent("download"), clickLikeAPerson(page, await moreItem(page, "Export flow"), "Export flow")]);
  expect(download.suggestedFilename()).toMatch(/\.chainboard\.json$/);
  await page.getByLabel("Flow file to import").setInputFiles({ name: "online.json", mimeType: "application/json", buffer: Buffer.from(file) });
  await expect(page.getByRole("alert")).toContainText("Imported “online.json” as a new flow.");
  await expect(title).toHaveValue("From a file");
  expect(fetched.some((u) => u.endsWith("/split_files.wasm"))).toBe(true);
});

test("a shared link's reader loads when a link is opened; if it cannot arrive, the viewer's own flow stays theirs, and a reload opens the link", async ({ page }) => {
  const flow = {
    format: "chainboard.flow", version: 2, title: "Shared greeter",
    blocks: [
      { id: "input-1", kind: "input", title: "Name", position: { x: 0, y: 0 }, config: { values: [{ name: "name", value: "Ada" }] } },
      { id: "output-1", kind: "output", title: "Greeting", position: { x: 340, y: 0 }, config: {} },
    ],
    edges: [{ id: "e-1", from: { block: "input-1", port: "name" }, to: { block: "output-1", port: "value" } }],
  };
  const fetched = [];
  page.on("request", (r) => fetched.push(r.url()));
  const app = new AppPage(page);
  await app.open();
  const own = await app.blocks().count();
  expect(fetched.filter((u) => u.endsWith("/split_modes.wasm")), "fetched without a link").toEqual([]);

  await page.route("**/split_modes.wasm", (route) => route.abort("internetdisconnected"));
  await page.goto(await shareLinkFor({ flow }));
  await page.reload();
  await expect(page.getByRole("alert").filter({ hasText: "This link could not be opened: part of the app did not load." })).toBeVisible();
  await expect(app.blocks()).toHaveCount(own);
  // Their own flow is editable again (a shared flow would hide the palette).
  await expect(page.getByRole("button", { name: "Add Prompt block" })).toBeVisible();

  await page.unroute("**/split_modes.wasm");
  await page.reload();
  await expect(page.getByRole("region", { name: "Shared playground" })).toBeVisible();
  await expect(app.block("Output block: Greeting")).toBeVisible();
  await expect(page.getByRole("button", { name: "Add Prompt block" })).toHaveCount(0);
});

test("a flow's stored documents are read by the documents module when the flow opens; if it cannot arrive, the banner says so and nothing is saved over them", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  await (await moreItem(page, "Knowledge")).click();
  const dialog = page.getByRole("dialog", { name: "Knowledge" });
  await dialog.getByLabel("Documents to add").setInputFiles({ name: "notes.md", mimeType: "text/markdown", buffer: Buffer.from("# Notes\n\nRefunds take 14 days.") });
  await expect(dialog.locator("tr", { hasText: "notes.md" })).toHaveCount(1);

  // Offline for the documents module: the flow opens, the banner says its documents did not.
  await page.route("**/split_documents.wasm", (route) => route.abort("internetdisconnected"));
  await page.reload();
  await expect(page.getByRole("alert").filter({ hasText: "This flow's documents could not be loaded: part of the app did not arrive." })).toBeVisible();
  await expect(app.blocks().first()).toBeVisible();
  await (await moreItem(page, "Knowledge")).click();
  await expect(dialog.getByRole("alert")).toContainText("Nothing was changed");
  await page.keyboard.press("Escape");

  // Back online, without a reload: opening another flow and coming back reads them (nothing
  // was written over them), and the banner, no longer true, is gone.
  await page.unroute("**/split_documents.wasm");
  const flows = page.getByRole("dialog", { name: "Flows" });
  await page.getByRole("button", { name: "Flows" }).click();
  await flows.getByRole("button", { name: "New flow" }).click();
  await page.getByRole("button", { name: "Flows" }).click();
  await flows.getByRole("button", { name: "Open Reply to a customer" }).click();
  await expect(page.getByRole("textbox", { name: "Flow title" })).toHaveValue("Reply to a customer");
  await expect(page.getByRole("alert").filter({ hasText: "could not be loaded" })).toHaveCount(0);
  await (await moreItem(page, "Knowledge")).click();
  await expect(dialog.locator("tr", { hasText: "notes.md" })).toHaveCount(1);
  await expect(dialog.getByRole("alert")).toHaveCount(0);
});
