import { test, expect } from "@playwright/test";
import { AppPage, dragBetween, dragBy, transformOf, moreItem } from "./pages.js";
import { clickLikeAPerson } from "./person.js";

const PROMPT = "Prompt block: Draft a reply";

test("add blocks from the palette; the new block is selected in the inspector", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  await page.getByRole("button", { name: "Add Prompt block" }).click();
  await expect(app.blocks()).toHaveCount(4);
  await expect(app.block("Prompt block: Prompt")).toBeVisible();
  await expect(app.inspector.getByText("Prompt block", { exact: true })).toBeVisible();
  await page.getByRole("button", { name: "Add Note block" }).click();
  await expect(app.blocks()).toHaveCount(5);
  await app.screenshot("canvas-added-blocks");
  expect(app.consoleErrors).toEqual([]);
});

for (const size of [{ width: 1280, height: 720 }, { width: 1920, height: 1080 }]) {
test.describe(`at ${size.width}x${size.height}`, () => {
test.use({ viewport: size });
test("connect two ports by dragging; a loop is refused with the reason", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  await page.getByRole("button", { name: "Add Prompt block" }).click();
  const critique = app.block("Prompt block: Prompt");
  // Move the new block out of the way so both ports are reachable.
  await dragBy(page, critique.locator("header"), 0, 200);

  await dragBetween(page, app.block(PROMPT).getByRole("button", { name: "Output text" }), critique.getByRole("button", { name: "Input text" }));
  await expect(app.edges()).toHaveCount(3);
  await expect(app.canvas.locator('path[data-from="prompt-1.text"][data-to="prompt-2.text"]')).toHaveCount(1);

  // Give the first prompt a {{feedback}} variable: a new input port appears at once.
  await app.block(PROMPT).locator("header").click();
  const user = app.inspector.getByRole("textbox", { name: "User message" });
  await user.click();
  await user.press("End");
  await user.pressSequentially("\n\nFeedback: {{feedback}}");
  const feedback = app.block(PROMPT).getByRole("button", { name: "Input feedback" });
  await expect(feedback).toBeVisible();
  await expect(app.inspector.getByRole("list", { name: "Variables" }).getByText("{{feedback}}")).toBeVisible();

  // Feeding the critique back into the draft would make a loop.
  await dragBetween(page, critique.getByRole("button", { name: "Output text" }), feedback);
  await expect(page.getByRole("status").filter({ hasText: "That would make a loop" })).toContainText(
    "Draft a reply → Prompt → Draft a reply",
  );
  await expect(app.edges()).toHaveCount(3);
  // The whole reason can be read: nothing of the canvas (the view controls) is drawn over it.
  const hint = page.locator(".canvas-hint");
  const reason = hint.locator("span");
  const covered = await reason.evaluate((el) => {
    const r = el.getBoundingClientRect();
    const corners = [[r.left + 2, r.top + 2], [r.right - 2, r.top + 2], [r.left + 2, r.bottom - 2], [r.right - 2, r.bottom - 2]];
    return corners.filter(([x, y]) => !el.contains(document.elementFromPoint(x, y))).length;
  });
  expect(covered, "corners of the loop message hidden under something").toBe(0);
  if (size.width === 1280) await app.screenshot("canvas-loop-refused");
  await clickLikeAPerson(page, hint.getByRole("button", { name: "Dismiss" }), "the message's Dismiss button");
  await expect(hint).toHaveCount(0);
});
});
}

test("moving a block is one undo step", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  const block = app.block(PROMPT);
  const before = await transformOf(block);
  await dragBy(page, block.locator("header"), 120, 80);
  const after = await transformOf(block);
  expect(after).not.toEqual(before);
  await page.keyboard.press("Control+z");
  await expect.poll(() => transformOf(block)).toEqual(before);
  await page.keyboard.press("Control+Shift+z");
  await expect.poll(() => transformOf(block)).toEqual(after);
});

test("delete a block, then undo brings it back with its connections", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  await app.block(PROMPT).locator("header").click();
  await page.keyboard.press("Delete");
  await expect(app.blocks()).toHaveCount(2);
  await expect(app.edges()).toHaveCount(0);
  await page.keyboard.press("Control+z");
  await expect(app.blocks()).toHaveCount(3);
  await expect(app.edges()).toHaveCount(2);
});

test("select a connection and delete it", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  const edge = app.canvas.locator('path[data-from="input-1.email"]');
  const box = await edge.boundingBox();
  await page.mouse.click(box.x + box.width / 2, box.y + box.height / 2);
  await page.keyboard.press("Delete");
  await expect(app.edges()).toHaveCount(1);
  await expect(page.getByRole("button", { name: /^1 problem/ })).toBeVisible();
});

test("copy in one flow, paste into another", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  await app.block(PROMPT).locator("header").click();
  await page.keyboard.press("Shift+ArrowDown"); // harmless nudge proves keys reach the canvas
  await app.block("Input block: Customer email").locator("header").click({ modifiers: ["Shift"] });
  await page.keyboard.press("Control+c");

  await page.getByRole("button", { name: /Flows/ }).click();
  await page.getByRole("button", { name: "New flow" }).click();
  await expect(app.blocks()).toHaveCount(0);
  await page.keyboard.press("Control+v");
  await expect(app.blocks()).toHaveCount(2);
  await expect(app.block("Input block: Customer email")).toBeVisible();
  await expect(app.edges()).toHaveCount(1);
  await app.screenshot("canvas-pasted-into-new-flow");
});

test("reload restores the flow, the view and the selection", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  await page.getByRole("textbox", { name: "Flow title" }).fill("Refund triage");
  await page.getByRole("textbox", { name: "Flow title" }).press("Enter");
  await dragBy(page, app.block(PROMPT).locator("header"), 64, 48);
  await page.getByRole("button", { name: "Zoom in" }).click();
  await app.block("Output block: Reply").locator("header").click();
  const transform = await transformOf(app.block(PROMPT));
  const zoom = await page.getByLabel("Zoom level").textContent();
  // Autosave is debounced: wait until the flow and the view are saved, not for a time.
  await expect.poll(() => page.evaluate(() => {
    const ws = JSON.parse(localStorage.getItem("chainboard.workspace"));
    const flow = localStorage.getItem(`chainboard.flow.${ws.current}`) || "";
    const view = localStorage.getItem(`chainboard.view.${ws.current}`) || "";
    return flow.includes("Refund triage") && view.includes("output-1");
  }), { timeout: 30_000 }).toBe(true);

  await page.reload();
  await expect(app.blocks()).toHaveCount(3);
  await expect(page.getByRole("textbox", { name: "Flow title" })).toHaveValue("Refund triage");
  expect(await transformOf(app.block(PROMPT))).toEqual(transform);
  await expect(page.getByLabel("Zoom level")).toHaveText(zoom);
  await expect(app.block("Output block: Reply")).toHaveClass(/selected/);
});

test("a malformed file gets a message and leaves the open flow untouched", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  await page.getByLabel("Flow file to import").setInputFiles({
    name: "broken.json",
    mimeType: "application/json",
    buffer: Buffer.from('{"format": "chainboard.flow", "version": 2, "blocks": [{"id": "a", "kind": "input", "position": {"x": "left"'),
  });
  const alert = page.getByRole("alert");
  await expect(alert).toContainText("Could not import “broken.json”");
  await expect(alert).toContainText("ends too early");
  await expect(alert).toContainText("Your open flow is unchanged.");
  await expect(app.blocks()).toHaveCount(3);
  await expect(page.getByRole("textbox", { name: "Flow title" })).toHaveValue("Reply to a customer");
  await app.screenshot("canvas-import-error");
});

test("export, import, and the flows are the same", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    (await moreItem(page, "Export flow")).click(),
  ]);
  expect(download.suggestedFilename()).toBe("reply-to-a-customer.chainboard.json");
  const exported = JSON.parse(await (await download.createReadStream()).toArray().then((c) => Buffer.concat(c).toString()));
  expect(exported.format).toBe("chainboard.flow");
  expect(exported.blocks).toHaveLength(3);
  expect(JSON.stringify(exported)).not.toMatch(/api[_-]?key|sk-/i);

  await page.getByLabel("Flow file to import").setInputFiles({
    name: "again.json",
    mimeType: "application/json",
    buffer: Buffer.from(JSON.stringify(exported)),
  });
  await expect(page.getByRole("alert")).toContainText("Imported “again.json” as a new flow.");
  const [again] = await Promise.all([
    page.waitForEvent("download"),
    (await moreItem(page, "Export flow")).click(),
  ]);
  const reimported = JSON.parse(await (await again.createReadStream()).toArray().then((c) => Buffer.concat(c).toString()));
  // Same content; only the timestamps of the copy may differ.
  for (const f of [exported, reimported]) {
    delete f.updated;
  }
  expect(reimported).toEqual(exported);
});

test("the flow list: rename, duplicate, delete and undo", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  await page.getByRole("button", { name: /Flows/ }).click();
  const menu = page.getByRole("dialog", { name: "Flows" });
  await menu.getByRole("button", { name: "Duplicate Reply to a customer" }).click();
  await expect(page.getByRole("textbox", { name: "Flow title" })).toHaveValue("Copy of Reply to a customer");
  await page.getByRole("button", { name: /Flows/ }).click();
  await menu.getByRole("button", { name: "Rename Copy of Reply to a customer" }).click();
  await menu.getByRole("textbox", { name: "New name" }).fill("Second try");
  await menu.getByRole("textbox", { name: "New name" }).press("Enter");
  await expect(page.getByRole("textbox", { name: "Flow title" })).toHaveValue("Second try");
  await menu.getByRole("button", { name: "Delete Second try" }).click();
  await expect(page.getByRole("status").filter({ hasText: "Deleted “Second try”." })).toBeVisible();
  await expect(menu.getByRole("button", { name: "Open Second try" })).toHaveCount(0);
  await page.getByRole("button", { name: "Undo delete" }).click();
  await expect(page.getByRole("textbox", { name: "Flow title" })).toHaveValue("Second try");
});

test("keyboard help opens with ? and lists shortcuts", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  await page.keyboard.press("?");
  const dialog = page.getByRole("dialog", { name: "Keyboard shortcuts" });
  await expect(dialog).toBeVisible();
  await expect(dialog).toContainText("Duplicate");
  await page.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);
});

test("palette: search by name, and drag a block onto the canvas", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  await page.getByRole("searchbox", { name: "Search blocks" }).fill("sticky");
  await expect(page.getByRole("button", { name: "Add Note block" })).toBeVisible();
  await expect(page.getByRole("button", { name: "Add Prompt block" })).toBeHidden();
  await page.getByRole("searchbox", { name: "Search blocks" }).fill("");

  const canvasBox = await app.canvas.boundingBox();
  await page.getByRole("button", { name: "Add Output block" }).dragTo(app.canvas, {
    targetPosition: { x: 120, y: canvasBox.height - 120 },
  });
  await expect(app.blocks()).toHaveCount(4);
  const added = app.block("Output block: Output");
  const box = await added.boundingBox();
  // Dropped where the pointer was (the block's top-centre), not in the middle.
  expect(Math.abs(box.x + box.width / 2 - (canvasBox.x + 120))).toBeLessThan(40);
});

test("when storage is full, a banner says so and the open flow keeps working", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  // From now on the browser refuses every write, as a full or blocked storage does.
  await page.evaluate(() => {
    Storage.prototype.setItem = function () {
      throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
    };
  });
  await page.getByRole("button", { name: "Add Note block" }).click();
  const banner = page.getByRole("alert").filter({ hasText: "Changes are not being saved" });
  await expect(banner).toContainText("storage for this site is full");
  await expect(banner.getByRole("button", { name: "Export flow" })).toBeVisible();
  await expect(app.blocks()).toHaveCount(4);
  await page.keyboard.press("Control+z");
  await expect(app.blocks()).toHaveCount(3);
  await app.screenshot("canvas-storage-full");
});
