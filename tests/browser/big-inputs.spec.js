// Big inputs: files, flows, templates and links far beyond what anyone should use are refused
// with a message that names the limit, or open, and the tab stays responsive either way. The
// page records its long tasks (main-thread work over 50 ms) so a freeze fails the test, and
// which files it read (a file refused by its size must never be read); each test writes its
// figures to the report (annotations, and FIGURE lines) for docs/robustness.md.
import { test, expect } from "@playwright/test";
import { randomBytes } from "node:crypto";
import { AppPage, setInputText, shareLinkFor, usePromptProvider, moreItem } from "./pages.js";

const MB = 1024 * 1024;

test.beforeEach(async ({ page }) => {
  await page.addInitScript(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.__longTasks.push(e.duration);
    }).observe({ type: "longtask", buffered: true });
    // Every read of a file's bytes, by whatever API the app uses.
    window.__reads = [];
    for (const m of ["text", "arrayBuffer", "stream", "bytes"]) {
      const original = Blob.prototype[m];
      if (!original) continue;
      Blob.prototype[m] = function (...args) {
        window.__reads.push(this.size);
        return original.apply(this, args);
      };
    }
    for (const m of ["readAsText", "readAsArrayBuffer", "readAsDataURL", "readAsBinaryString"]) {
      const original = FileReader.prototype[m];
      FileReader.prototype[m] = function (blob, ...args) {
        window.__reads.push(blob.size);
        return original.call(this, blob, ...args);
      };
    }
  });
});

/** The size of the largest file the page read so far. */
const largestRead = (page) => page.evaluate(() => Math.max(0, ...window.__reads));

/** Runs `act` and waits for `done`; returns how long that took and the longest main-thread task meanwhile. */
async function measure(page, what, act, done) {
  await page.evaluate(() => window.__longTasks.splice(0));
  const start = Date.now();
  await act();
  await done();
  const ms = Date.now() - start;
  const longest = Math.round(Math.max(0, ...(await page.evaluate(() => window.__longTasks.splice(0)))));
  // Still responsive: a frame gets painted promptly.
  const frameStart = Date.now();
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => r())));
  const frame = Date.now() - frameStart;
  const figure = `${what}: ${ms} ms, longest task ${longest} ms, next frame ${frame} ms`;
  test.info().annotations.push({ type: "figure", description: figure });
  console.log(`FIGURE ${figure}`);
  expect(frame, `${what}: next frame`).toBeLessThan(1000);
  return { ms, longest };
}

/**
 * Makes a file of `bytes` zero bytes in the page (no 100 MB crosses the wire), ahead of the
 * measured step: filling 100 MB is itself a long task, and it is the test's, not the app's.
 */
async function makeBigFile(page, name, type, bytes) {
  await page.evaluate(([n, t, size]) => {
    window.__bigFile = new File([new Uint8Array(size)], n, { type: t });
  }, [name, type, bytes]);
}

/** Drops the file made by makeBigFile on `selector`, as a browser does. */
function dropBigFile(page, selector) {
  return page.evaluate((sel) => {
    const dt = new DataTransfer();
    dt.items.add(window.__bigFile);
    const el = document.querySelector(sel);
    el.dispatchEvent(new DragEvent("dragover", { dataTransfer: dt, bubbles: true, cancelable: true }));
    el.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, selector);
}

/** Picks the file made by makeBigFile in the file input labelled `label`. */
function pickBigFile(page, label) {
  return page.evaluate((l) => {
    const dt = new DataTransfer();
    dt.items.add(window.__bigFile);
    const input = document.querySelector(`input[type=file][aria-label="${l}"]`);
    input.files = dt.files;
    input.dispatchEvent(new Event("change", { bubbles: true }));
  }, label);
}

/** Names the open flow, so a test can show it was left alone. */
async function nameOwnFlow(page, title) {
  await page.getByRole("textbox", { name: "Flow title" }).fill(title);
  await page.getByRole("textbox", { name: "Flow title" }).blur();
}

test("a 100 MB file dropped on Knowledge is refused by its size, without reading it", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  await (await moreItem(page, "Knowledge")).click();
  const dialog = page.getByRole("dialog", { name: "Knowledge" });
  const status = dialog.getByRole("status", { name: "What happened" });
  await makeBigFile(page, "huge.md", "text/markdown", 100 * MB);
  const { longest } = await measure(page, "100 MB .md dropped on Knowledge",
    () => dropBigFile(page, ".drop-zone"),
    () => expect(status).toContainText("\u201chuge.md\u201d is 104.9 MB; the limit is 20.0 MB per document."));
  expect(longest).toBeLessThan(500);
  await makeBigFile(page, "huge.pdf", "application/pdf", 100 * MB);
  await measure(page, "100 MB .pdf picked in Knowledge",
    () => pickBigFile(page, "Documents to add"),
    () => expect(status).toContainText("\u201chuge.pdf\u201d is 104.9 MB; the limit is 20.0 MB per document."));
  await expect(dialog.getByRole("table", { name: "Documents" })).toHaveCount(0);
  expect(await largestRead(page)).toBeLessThan(MB);
});

// Bug found here: a document dropped on the canvas opened Knowledge, but what happened to it
// (added, or refused and why) went to a signal nothing showed. Fixed in src/ui (needs a wasm
// build to pass).
test("a 100 MB document dropped on the canvas opens Knowledge with the refusal", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  const dialog = page.getByRole("dialog", { name: "Knowledge" });
  await makeBigFile(page, "huge.md", "text/markdown", 100 * MB);
  await measure(page, "100 MB .md dropped on the canvas",
    () => dropBigFile(page, ".stage"),
    () => expect(dialog).toBeVisible());
  await expect(dialog.getByRole("status", { name: "What happened" })).toContainText("\u201chuge.md\u201d is 104.9 MB; the limit is 20.0 MB per document.");
  expect(await largestRead(page)).toBeLessThan(MB);
});

test("a 100 MB image or recording dropped on an Input value is refused by its size; the value is kept", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  await setInputText(app, "My parcel is late.");
  const value = app.inspector.getByRole("textbox", { name: "Value 1", exact: true });
  for (const [name, type] of [["huge.png", "image/png"], ["huge.wav", "audio/wav"]]) {
    await makeBigFile(page, name, type, 100 * MB);
    const { longest } = await measure(page, `100 MB ${type} dropped on an Input value`,
      () => dropBigFile(page, ".input-value-body"),
      () => expect(app.inspector.getByRole("status").filter({ hasText: name })).toHaveText(
        `\u201c${name}\u201d is 104.9 MB; images and audio can be at most 25.0 MB.`));
    expect(longest).toBeLessThan(500);
    await expect(value).toHaveValue("My parcel is late.");
  }
  expect(await largestRead(page)).toBeLessThan(MB);
});

// Bug found here: Import read the whole file (100 MB into a string, then into wasm memory)
// before checking its size: a 1 s freeze here, an out-of-memory crash for bigger files.
// Fixed in src/ui/share/files.rs with flow_file::check_file_size (needs a wasm build to pass).
test("a 100 MB flow file is refused by its size, without reading it; the open flow is unchanged", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  await nameOwnFlow(page, "My own flow");
  await makeBigFile(page, "huge.json", "application/json", 100 * MB);
  const { longest } = await measure(page, "100 MB .json picked with Import",
    () => pickBigFile(page, "Flow file to import"),
    () => expect(page.getByRole("alert").filter({ hasText: "huge.json" })).toContainText("Your open flow is unchanged."));
  await expect(page.getByRole("alert").filter({ hasText: "huge.json" })).toContainText("25 MB");
  expect(longest).toBeLessThan(500);
  expect(await largestRead(page)).toBeLessThan(MB);
  await expect(page.getByRole("textbox", { name: "Flow title" })).toHaveValue("My own flow");
  await expect(app.blocks()).toHaveCount(3);
});

/** A flow of `n` blocks: Input → Prompt (sample answers) → Output chains, filled up with notes. */
function bigFlow(n) {
  const blocks = [];
  const edges = [];
  const pos = (i) => ({ x: (i % 100) * 300, y: Math.floor(i / 100) * 220 });
  for (let c = 0; blocks.length + 3 <= n; c++) {
    const [a, b, o] = [`input-${c}`, `prompt-${c}`, `output-${c}`];
    blocks.push({ id: a, kind: "input", title: `Input ${c}`, position: pos(blocks.length), config: { values: [{ name: "text", value: `Case ${c}` }] } });
    blocks.push({ id: b, kind: "prompt", title: `Prompt ${c}`, position: pos(blocks.length), config: { provider: "demo", model: "demo", user: "Reply to {{text}}" } });
    blocks.push({ id: o, kind: "output", title: `Output ${c}`, position: pos(blocks.length), config: {} });
    edges.push({ id: `e-${c}-1`, from: { block: a, port: "text" }, to: { block: b, port: "text" } });
    edges.push({ id: `e-${c}-2`, from: { block: b, port: "text" }, to: { block: o, port: "value" } });
  }
  while (blocks.length < n) blocks.push({ id: `note-${blocks.length}`, kind: "note", title: "Note", position: pos(blocks.length), config: { text: "filler" } });
  return { format: "chainboard.flow", version: 2, title: `${n} blocks`, blocks, edges };
}

test("a flow file of 10,000 blocks opens and the app stays responsive; 10,001 are refused", async ({ page }) => {
  test.setTimeout(180_000);
  const app = new AppPage(page);
  await app.open();
  await nameOwnFlow(page, "My own flow");
  const over = JSON.stringify(bigFlow(10_001));
  await measure(page, "10,001-block flow file imported",
    () => page.getByLabel("Flow file to import").setInputFiles({ name: "over.json", mimeType: "application/json", buffer: Buffer.from(over) }),
    () => expect(page.getByRole("alert").filter({ hasText: "over.json" })).toContainText("The file has 10001 blocks; Chainboard opens flows with up to 10000."));
  await expect(page.getByRole("textbox", { name: "Flow title" })).toHaveValue("My own flow");

  const file = JSON.stringify(bigFlow(10_000));
  test.info().annotations.push({ type: "figure", description: `10,000-block flow file: ${(file.length / MB).toFixed(1)} MB` });
  const { longest } = await measure(page, "10,000-block flow file imported",
    () => page.getByLabel("Flow file to import").setInputFiles({ name: "big.json", mimeType: "application/json", buffer: Buffer.from(file) }),
    () => expect(page.getByRole("alert").filter({ hasText: "Imported" })).toBeVisible({ timeout: 120_000 }));
  await expect(page.getByRole("textbox", { name: "Flow title" })).toHaveValue("10000 blocks");
  // Measured 1.5 s (release build, 2-core machine; 7.6 s before the run plan became linear
  // and the minimap stopped drawing a rect per block): parsing, checks and cards in one task.
  // The bound catches a regression, not a target.
  expect(longest).toBeLessThan(20_000);
  // Still usable afterwards: select a block on screen, add one, undo it.
  const onScreen = await page.evaluate(() => {
    const headers = [...document.querySelectorAll("[data-block-id] header")];
    const inView = headers.find((h) => { const r = h.getBoundingClientRect(); return r.top > 80 && r.left > 250 && r.bottom < innerHeight - 40 && r.right < innerWidth - 360; });
    return inView?.closest("[data-block-id]").dataset.blockId;
  });
  expect(onScreen, "a block is on screen").toBeTruthy();
  const block = app.canvas.locator(`[data-block-id="${onScreen}"]`);
  await measure(page, "select a block in the 10,000-block flow",
    () => block.locator("header").click(),
    () => expect(app.inspector.getByRole("textbox", { name: "Title", exact: true })).toHaveValue(/^(Input|Prompt|Output) \d+$/));
  await measure(page, "add a block to the 10,000-block flow",
    () => page.getByRole("button", { name: "Add Note block" }).click(),
    () => expect(app.inspector.getByText("Note block")).toBeVisible());
  await measure(page, "undo in the 10,000-block flow",
    () => page.getByRole("button", { name: "Undo" }).click(),
    () => expect(app.inspector.getByText("Note block")).toHaveCount(0));
});

// Bug found here: every port, problem and card asked the template for its variables, and
// each answer searched a list per name, so 10,000 placeholders froze the tab for 20 s and
// listed 10,000 problems. Fixed in src/domain (template::variables is linear, validation
// names ten unconnected variables and counts the rest; host tests) and in the inspector
// (100 chips, then a count). The browser numbers need a wasm build to improve.
test("a Prompt template with 10,000 {{variables}} keeps the app responsive and reports its ports sensibly", async ({ page }) => {
  test.setTimeout(120_000);
  const app = new AppPage(page);
  await app.open();
  // Sample answers need no key, so Run reaches validation.
  await usePromptProvider(app, "demo");
  const template = Array.from({ length: 10_000 }, (_, i) => `{{v${i}}}`).join(" ");
  const user = app.inspector.getByRole("textbox", { name: "User message", exact: true });
  const { longest } = await measure(page, "10,000 {{variables}} typed into a Prompt template",
    () => user.fill(template),
    () => expect(app.inspector.getByRole("list", { name: "Problems" })).toBeVisible({ timeout: 60_000 }));
  await user.blur();
  const problems = app.inspector.getByRole("list", { name: "Problems" }).locator("li");
  const ports = await app.block("Prompt block: Draft a reply").getByRole("button", { name: /^Input / }).count();
  test.info().annotations.push({ type: "figure", description: `10,000 variables: ${await problems.count()} problems listed, ${ports} input ports drawn` });
  console.log(`FIGURE 10,000 variables: ${await problems.count()} problems listed, ${ports} input ports drawn`);
  expect(ports).toBe(10_001); // every variable is a port, plus "tools"
  // Ten variables named, the rest counted (plus the old "email" connection, now dangling).
  await expect(problems).toHaveCount(12);
  await expect(problems.filter({ hasText: "9,990 more {{variables}}" })).toHaveCount(1);
  await expect(app.inspector.getByRole("list", { name: "Variables" }).locator("li")).toHaveCount(101);
  expect(longest).toBeLessThan(10_000);
  await measure(page, "Run pressed with 10,000 unconnected variables",
    () => page.getByRole("button", { name: "Run flow" }).click(),
    () => expect(page.getByRole("alert").filter({ hasText: "cannot run yet" })).toBeVisible());
  const refusal = await page.getByRole("alert").filter({ hasText: "cannot run yet" }).innerText();
  expect(refusal.length).toBeLessThan(3_000);
});

test("a share link of about 1 MB opens read-only (or is refused) with the own flow untouched; a zip bomb is refused", async ({ page }) => {
  test.setTimeout(120_000);
  const app = new AppPage(page);
  await app.open();
  await nameOwnFlow(page, "My own flow");
  // Random text hardly compresses, so the link stays about as long as its content.
  const noise = randomBytes(790_000).toString("base64");
  const flow = { format: "chainboard.flow", version: 2, title: "Big shared flow", blocks: [{ id: "note-1", kind: "note", title: "Big note", position: { x: 0, y: 0 }, config: { text: noise } }], edges: [] };
  const link = await shareLinkFor({ flow });
  test.info().annotations.push({ type: "figure", description: `share link: ${(link.length / MB).toFixed(2)} MB` });
  expect(link.length).toBeGreaterThan(0.9 * MB);

  await measure(page, `${(link.length / MB).toFixed(2)} MB share link opened`,
    async () => { await page.goto(link); await page.reload(); },
    () => expect(page.getByRole("region", { name: "Shared playground" }).or(page.getByRole("alert").filter({ hasText: "shared link" }))).toBeVisible({ timeout: 60_000 }));
  const banner = page.getByRole("region", { name: "Shared playground" });
  if (await banner.isVisible()) {
    await expect(app.block("Note block: Big note")).toBeVisible();
    await banner.getByRole("button", { name: "Back to my flows" }).click();
  }
  await expect(page.getByRole("textbox", { name: "Flow title" })).toHaveValue("My own flow");
  await expect(app.blocks()).toHaveCount(3);

  // 40 MB of one letter compresses to a short link; it is refused before it is expanded.
  const bomb = await shareLinkFor({ flow: { ...flow, blocks: [{ ...flow.blocks[0], config: { text: "a".repeat(40 * MB) } }] } });
  test.info().annotations.push({ type: "figure", description: `zip bomb link: ${(bomb.length / 1024).toFixed(0)} kB expanding to 40 MB` });
  await measure(page, "zip-bomb share link opened",
    async () => { await page.goto(bomb); await page.reload(); },
    () => expect(page.getByRole("alert").filter({ hasText: "This shared link could not be opened" })).toBeVisible());
  await expect(page.getByRole("alert").filter({ hasText: "This shared link could not be opened" })).toContainText("20 MB");
  await expect(page.getByRole("textbox", { name: "Flow title" })).toHaveValue("My own flow");
});
