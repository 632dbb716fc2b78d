import { test, expect } from "@playwright/test";
import { AppPage, MOCK, configureProvider, moreItem, setInputText } from "./pages.js";

const OUTPUT = "Output block: Reply";

test("personal data is flagged before the run, redacted on the wire with one click, and restored in the answer", async ({ page, request }) => {
  const app = new AppPage(page);
  await app.open();
  await configureProvider(page, "openai");
  await setInputText(app, "Privacy check: please answer jane.doe@example.com about the refund.");
  const check = page.getByRole("status", { name: "Personal data check" });
  await expect(check).toContainText("Personal data would go to OpenAI: 1 e-mail address.");
  await app.screenshot("privacy-check");
  await check.getByRole("button", { name: "Redact before sending" }).click();
  await expect(check).toContainText("replaced with placeholders like [EMAIL_1] before sending");

  await page.getByRole("button", { name: "Run flow" }).click();
  await expect(app.block(OUTPUT)).toHaveAttribute("data-status", "done");
  // The reader sees the address again; the provider never did.
  await expect(app.block(OUTPUT).locator(".block-body")).toHaveText("Thanks, I will write to jane.doe@example.com today.");
  const journal = await (await request.get(`${MOCK}/__aimock/journal`)).json();
  const sent = JSON.stringify(journal.filter((e) => JSON.stringify(e.body || {}).includes("Privacy check")));
  expect(sent).toContain("[EMAIL_1]");
  expect(sent).not.toContain("jane.doe@example.com");

  // After the run, "Data sent" lists the provider and shows only the placeholder went out.
  const host = new URL(MOCK).host;
  await (await moreItem(page, "Data sent")).click();
  let dialog = page.getByRole("dialog", { name: "Data sent" });
  let entry = dialog.getByRole("list", { name: "Destinations" }).getByRole("listitem").filter({ hasText: host });
  await expect(entry).toContainText("1 request from Draft a reply: no personal data found in what was sent; replaced by placeholders: 1 e-mail address.");
  await page.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);

  // "Send as it is" turns it off again, and the check stays visible so nothing goes unnoticed.
  await check.getByRole("button", { name: "Send as it is" }).click();
  await expect(check).toContainText("Replace it with placeholders before sending?");
  // Run again unredacted: the dialog now says the address itself went to the provider.
  await page.getByRole("button", { name: "Run flow" }).click();
  await expect(app.block(OUTPUT)).toHaveAttribute("data-status", "done");
  await (await moreItem(page, "Data sent")).click();
  dialog = page.getByRole("dialog", { name: "Data sent" });
  entry = dialog.getByRole("list", { name: "Destinations" }).getByRole("listitem").filter({ hasText: host });
  await expect(entry).toContainText("personal data sent: 1 e-mail address");
  await app.screenshot("data-sent");
  await page.keyboard.press("Escape");
  expect(app.consoleErrors).toEqual([]);
});
