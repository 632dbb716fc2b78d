// A guardrail in a flow: the gallery's privacy guardrail holds a message with personal data
// back before any model sees it, says why, and lets a clean message through to the reply.
import { test, expect } from "@playwright/test";
import { AppPage, useTemplate } from "./pages.js";
import { clickLikeAPerson } from "./person.js";

const GUARD = "Router block: Guardrail";

test("a message with a card number is held back by the guardrail; a clean one gets a reply", async ({ page }) => {
  const app = new AppPage(page);
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  await app.open();
  const origin = new URL(page.url()).origin;
  await useTemplate(page, "Support bot with a privacy guardrail");
  await expect(app.block(GUARD)).toBeVisible();
  await clickLikeAPerson(page, page.getByRole("button", { name: "Run flow" }), "Run");

  await expect(app.block(GUARD)).toHaveAttribute("data-status", "done");
  await expect(app.block(GUARD).locator(".block-body")).toContainText("\u2192 flagged");
  await expect(app.block(GUARD).locator(".block-body")).toContainText("Personal data found: 1 e-mail address and 1 card number.");
  await expect(app.block("Prompt block: Support reply")).toHaveAttribute("data-status", "skipped");
  await expect(app.block("Output block: Held for a person")).toHaveAttribute("data-status", "done");
  await expect(app.block("Output block: Held for a person").locator(".block-body")).toContainText("4111 1111 1111 1111");
  await app.screenshot("guardrail-flagged");

  // Without the personal data the message goes on to the reply prompt.
  await app.block("Input block: Customer message").locator("header").click();
  const value = app.inspector.getByRole("textbox", { name: "Value 1", exact: true });
  await value.fill("Where is my parcel? It was due on Monday.");
  await value.blur();
  await clickLikeAPerson(page, page.getByRole("button", { name: "Run flow" }), "Run");
  await expect(app.block("Output block: Reply")).toHaveAttribute("data-status", "done");
  await expect(app.block("Output block: Reply").locator(".block-body")).toContainText("Thanks for getting in touch");
  await expect(app.block("Output block: Held for a person")).toHaveAttribute("data-status", "skipped");
  // Sample answers and rules: nothing left the page.
  expect(requests.filter((u) => !u.startsWith(origin) && !u.startsWith("data:") && !u.startsWith("blob:"))).toEqual([]);
  expect(app.consoleErrors).toEqual([]);
});
