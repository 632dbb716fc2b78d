// Nothing lost: edits survive a reload mid-typing and a crashed tab, two tabs editing the
// same flow never silently overwrite each other, and a full storage keeps the flow in the tab.
import { test, expect } from "@playwright/test";
import { AppPage } from "./pages.js";

const INPUT = "Input block: Customer email";
const TEXT = "The parcel never arrived and nobody answers the phone. Please call me back today.";

async function valueBox(app) {
  await app.block(INPUT).locator("header").click();
  return app.inspector.getByRole("textbox", { name: "Value 1", exact: true });
}

async function savedValue(page) {
  return page.evaluate(() => {
    const ws = JSON.parse(localStorage.getItem("chainboard.workspace"));
    const flow = JSON.parse(localStorage.getItem(`chainboard.flow.${ws.current}`));
    const input = flow.blocks.find((b) => b.kind === "input");
    return { value: input.config.values[0].value, title: input.title, blocks: flow.blocks.length };
  });
}

test("a reload in the middle of typing keeps what was typed", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  const box = await valueBox(app);
  await box.fill("");
  // Keep typing while the page reloads: the reload happens mid-word.
  const typing = box.pressSequentially(TEXT, { delay: 15 }).catch(() => {});
  // Reload once some words are in, however fast this machine types (a fixed 400 ms gave
  // 4 characters on a loaded machine): wait for a state, never a time.
  await expect(box).toHaveValue(/^.{12,}/, { timeout: 30_000 });
  await page.reload();
  await typing;
  await expect(app.block(INPUT)).toBeVisible();
  const kept = (await (await valueBox(app)).inputValue());
  expect(kept.length).toBeGreaterThan(5);
  expect(TEXT.startsWith(kept)).toBe(true);
  expect(await app.blocks().count()).toBe(3);
});

test("a crashed tab loses nothing that was typed a moment before", async ({ page, context }) => {
  const app = new AppPage(page);
  await app.open();
  const box = await valueBox(app);
  await box.fill(TEXT);
  // Written by the debounced autosave, before anything unloads: a crash now (no pagehide,
  // no flush) keeps it. Waits for that state, however slow the machine.
  await expect.poll(async () => (await savedValue(page)).value, { timeout: 30_000 }).toBe(TEXT);
  await page.close({ runBeforeUnload: false });
  const again = await context.newPage();
  const app2 = new AppPage(again);
  await app2.open();
  expect(await (await valueBox(app2)).inputValue()).toBe(TEXT);
});

test("two tabs editing the same flow are told, and choose which version to keep", async ({ context }) => {
  const a = await context.newPage();
  const appA = new AppPage(a);
  await appA.open();
  const b = await context.newPage();
  const appB = new AppPage(b);
  await appB.open();

  // Tab A changes the flow and saves it.
  await (await valueBox(appA)).fill("Written in tab A");
  const banner = b.getByRole("alert").filter({ hasText: "changed in another tab" });
  await expect(banner).toBeVisible();
  // Tab B's own edit is not saved over A's while the choice is open.
  await (await valueBox(appB)).fill("Written in tab B");
  // Ask B to save now (what leaving the tab does) instead of waiting out its debounce.
  await b.evaluate(() => window.dispatchEvent(new Event("visibilitychange")));
  expect((await savedValue(b)).value).toBe("Written in tab A");

  // B keeps its own version: it is saved, and now A is asked.
  await banner.getByRole("button", { name: "Keep this tab’s version" }).click();
  await expect(banner).toHaveCount(0);
  expect((await savedValue(b)).value).toBe("Written in tab B");
  const bannerA = a.getByRole("alert").filter({ hasText: "changed in another tab" });
  await expect(bannerA).toBeVisible();
  await bannerA.getByRole("button", { name: "Load the other tab’s version" }).click();
  await expect(bannerA).toHaveCount(0);
  expect(await (await valueBox(appA)).inputValue()).toBe("Written in tab B");
});

test("a full storage keeps the flow in the tab and says how to keep it", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  // From now on the browser refuses every write for flows, as a full storage does.
  await page.evaluate(() => {
    const original = Storage.prototype.setItem;
    Storage.prototype.setItem = function (key, value) {
      if (String(key).startsWith("chainboard.flow.")) throw new DOMException("The quota has been exceeded.", "QuotaExceededError");
      return original.call(this, key, value);
    };
  });
  await (await valueBox(app)).fill("Typed while storage is full");
  const banner = page.getByRole("alert").filter({ hasText: "Changes are not being saved" });
  await expect(banner).toContainText("storage for this site is full");
  await expect(banner.getByRole("button", { name: "Export flow" })).toBeVisible();
  // The edit is still there, and the export carries it.
  expect(await (await valueBox(app)).inputValue()).toBe("Typed while storage is full");
  const download = page.waitForEvent("download");
  await banner.getByRole("button", { name: "Export flow" }).click();
  const file = await download;
  const text = await (await file.createReadStream()).toArray().then((c) => Buffer.concat(c).toString("utf8"));
  expect(text).toContain("Typed while storage is full");
});
