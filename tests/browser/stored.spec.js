// Stored records: a damaged list of flows, or an eval suite saved by a newer Chainboard, is
// named in words the person can act on, and its stored text is kept — never silently replaced
// by an empty default that the next save writes over.
import { test, expect } from "@playwright/test";
import { AppPage } from "./pages.js";

// Cut off in the middle, as a crash during a write or a hand edit would leave it.
const BROKEN_LIST = '{"flows": [{"id": "f1", "title": "Cut off';
// A shape this build does not know, from a later version.
const FUTURE_SUITE = JSON.stringify({ v: 99, cases: "a shape from the future", note: "keep me" });

/** Writes `entries` to localStorage before the app's code runs on the next load only (later
 * reloads see whatever the app itself wrote). */
async function seedOnNextLoad(page, entries) {
  await page.addInitScript((e) => {
    if (sessionStorage.getItem("cb-test-seeded")) return;
    sessionStorage.setItem("cb-test-seeded", "1");
    for (const [k, v] of Object.entries(e)) localStorage.setItem(k, v);
  }, entries);
}

/** The open flow's id, once the app has saved its list. */
async function openFlowId(page) {
  await expect
    .poll(() => page.evaluate(() => localStorage.getItem("chainboard.workspace")), { timeout: 30_000 })
    .not.toBeNull();
  return page.evaluate(() => JSON.parse(localStorage.getItem("chainboard.workspace")).current);
}

/** Every stored entry whose key starts with `prefix`, as [key, text]. */
async function entriesStartingWith(page, prefix) {
  return page.evaluate((p) => Object.entries(localStorage).filter(([k]) => k.startsWith(p)), prefix);
}

test("a damaged list of flows is named, kept as it was, and rebuilt from the saved flows", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  const id = await openFlowId(page);
  const blocks = await app.blocks().count();

  await seedOnNextLoad(page, { "chainboard.workspace": BROKEN_LIST });
  await page.reload();
  await expect(app.canvas).toBeVisible();

  const alert = page.getByRole("alert").filter({ hasText: "Chainboard could not load the list of your flows" });
  await expect(alert).toBeVisible();
  await expect(alert).toContainText("it is not valid JSON");
  await expect(alert).toContainText("Nothing was lost");
  await expect(alert).toContainText("The list was rebuilt from the 1 flow saved in this browser.");

  // The damaged text is kept, exactly, under the key the message names.
  const kept = await entriesStartingWith(page, "chainboard.workspace.unreadable-");
  expect(kept).toHaveLength(1);
  expect(kept[0][1]).toBe(BROKEN_LIST);
  await expect(alert).toContainText(kept[0][0]);

  // The flow saved before is open again: same id, same blocks.
  await expect.poll(() => openFlowId(page)).toBe(id);
  await expect(app.blocks()).toHaveCount(blocks);

  await alert.getByRole("button", { name: "Dismiss" }).click();
  await expect(alert).toHaveCount(0);
});

test("an eval suite saved by a newer Chainboard is refused in words and its text is not written over", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  const id = await openFlowId(page);
  const key = `chainboard.evalsuite.${id}`;

  await seedOnNextLoad(page, { [key]: FUTURE_SUITE });
  await page.reload();
  await expect(app.blocks().first()).toBeVisible();

  await page.getByRole("button", { name: "Evaluate" }).click();
  const dialog = page.getByRole("dialog", { name: "Evaluate" });
  const message = dialog.getByRole("alert").filter({ hasText: "could not load the test cases of this flow" });
  await expect(message).toBeVisible();
  await expect(message).toContainText("it was saved by a newer Chainboard (version 99; this app reads up to version 1)");
  await expect(message).toContainText("Nothing was lost");
  await expect(message).toContainText("To use it, open Chainboard's latest version.");
  await dialog.getByRole("button", { name: "Close evaluate" }).click();

  // The record is still there, unchanged, and a copy is kept beside it.
  expect(await page.evaluate((k) => localStorage.getItem(k), key)).toBe(FUTURE_SUITE);
  const kept = await entriesStartingWith(page, `${key}.unreadable-`);
  expect(kept).toHaveLength(1);
  expect(kept[0][1]).toBe(FUTURE_SUITE);

  // A reload (with the saves that leaving the page makes) writes nothing over it either.
  await page.reload();
  await expect(app.blocks().first()).toBeVisible();
  expect(await page.evaluate((k) => localStorage.getItem(k), key)).toBe(FUTURE_SUITE);
});
