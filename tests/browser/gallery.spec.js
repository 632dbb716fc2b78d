import { test, expect } from "@playwright/test";
import { AppPage } from "./pages.js";
import { clickLikeAPerson } from "./person.js";

test("every template opens and runs on labelled sample answers without a key", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  await page.getByRole("button", { name: /Flows/ }).click();
  await page.getByRole("button", { name: "Templates…" }).click();
  const gallery = page.getByRole("dialog", { name: "Templates" });
  await expect(gallery.getByRole("combobox", { name: "Run templates with" })).toHaveValue("demo");
  const names = await gallery.getByRole("button", { name: /^Use template / }).evaluateAll((els) => els.map((e) => e.getAttribute("aria-label")));
  expect(names.length).toBeGreaterThanOrEqual(7);
  await app.screenshot("gallery");
  await gallery.getByRole("button", { name: "Close templates" }).click();

  for (const name of names) {
    await page.getByRole("button", { name: /Flows/ }).click();
    await page.getByRole("button", { name: "Templates…" }).click();
    await page.getByRole("dialog", { name: "Templates" }).getByRole("button", { name, exact: true }).click();
    await expect(page.getByRole("status").filter({ hasText: "Ready" })).toBeVisible();
    if (name === "Use template Summarise a support ticket") {
      // input-1 existed in the previous flow as "Customer email": the card must show the new block.
      await expect(app.block("Input block: Ticket")).toBeVisible();
      await expect(app.block("Input block: Customer email")).toHaveCount(0);
    }
    await page.getByRole("button", { name: "Run flow" }).click();
    // A template with an Approval block waits for a person: approve it as one would.
    const approvals = app.canvas.locator('[data-kind="approval"]');
    for (let i = 0; i < (await approvals.count()); i++) {
      await expect(approvals.nth(i)).toHaveAttribute("data-status", "waiting");
      await clickLikeAPerson(page, approvals.nth(i).getByRole("button", { name: "Approve", exact: true }), "Approve");
    }
    const outputs = app.canvas.locator('[data-kind="output"]');
    const n = await outputs.count();
    expect(n).toBeGreaterThan(0);
    let shown = 0;
    for (let i = 0; i < n; i++) {
      // An Output on a branch not taken (a guardrail's held message, a route) is skipped and
      // says why; every other Output shows a labelled sample answer.
      await expect(outputs.nth(i)).toHaveAttribute("data-status", /^(done|skipped)$/);
      const text = await outputs.nth(i).locator(".block-body").innerText();
      if ((await outputs.nth(i).getAttribute("data-status")) === "skipped") {
        expect(text).toMatch(/Skipped: /);
        continue;
      }
      shown += 1;
      expect(text).not.toMatch(/Demo|You wrote|real provider/);
      expect(text.replace("Sample answer", "").trim().length).toBeGreaterThan(3);
      // A guardrail's held message is the customer's own text, not a sample answer.
      if (name !== "Use template Support bot with a privacy guardrail") {
        await expect(outputs.nth(i).locator(".sample-badge")).toHaveText("Sample answer");
      }
    }
    expect(shown).toBeGreaterThan(0);
  }
  expect(app.consoleErrors).toEqual([]);
});
