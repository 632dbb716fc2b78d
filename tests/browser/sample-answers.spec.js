// Sample answers: the no-key provider gives believable answers, labelled "Sample answer" on
// the card, in the inspector and in present mode; a PM writes their own rules in the
// inspector and sees them answer.
import { test, expect } from "@playwright/test";
import { AppPage, moreItem, setInputText, useTemplate } from "./pages.js";

const PROMPT = "Prompt block: Draft a reply";
const OUTPUT = "Output block: Reply";

test("a gallery template runs on sample answers: cited, believable, labelled everywhere", async ({ page }) => {
  const app = new AppPage(page);
  const requests = [];
  page.on("request", (r) => requests.push(r.url()));
  await app.open();
  const origin = new URL(page.url()).origin;
  await useTemplate(page, "Answer from policy documents");
  const answer = app.block("Prompt block: Answer with citations");
  await expect(answer).toBeVisible();
  await page.getByRole("button", { name: "Run flow" }).click();
  const output = app.block("Output block: Answer");
  await expect(output).toHaveAttribute("data-status", "done");
  // Believable: sentences from the policies, with their citations.
  await expect(output.locator(".block-body")).toContainText("30 days");
  await expect(output.locator(".block-body")).toContainText("[1]");
  await expect(output.locator(".sample-badge")).toHaveText("Sample answer");
  await expect(answer.locator(".sample-badge")).toHaveText("Sample answer");
  // The inspector says where the answer came from; [n] opens the passage.
  await answer.locator("header").click();
  const result = app.inspector.getByRole("region", { name: "Result" });
  await expect(result.locator(".sample-note")).toContainText("not by a model");
  await result.getByRole("button", { name: /^Source 1: / }).first().click();
  await expect(result.getByRole("complementary", { name: "Passage 1" })).toBeVisible();
  // "Where the answer comes from": the sentences it took from the passages are highlighted.
  await result.getByText("Where the answer comes from").click();
  await expect(result.locator(".explain-summary")).toContainText(/\d+% of the answer's words are quoted from: passage \[\d\]/);
  const quoted = result.locator(".explain-answer mark.quoted").first();
  await expect(quoted).toHaveAttribute("title", /^Quoted from passage \[\d\]/);
  expect(((await quoted.textContent()) || "").split(/\s+/).length).toBeGreaterThanOrEqual(4);
  await expect(result.getByRole("list", { name: "Sources quoted" })).toContainText("words quoted");
  await app.screenshot("template-on-sample-answers");
  // Present mode labels it too.
  await (await moreItem(page, "Present")).click();
  const show = page.getByRole("dialog", { name: "Presentation" });
  await show.getByRole("button", { name: /Step \d+: Answer with citations/ }).click();
  const card = show.getByRole("region", { name: "Prompt: Answer with citations" });
  await expect(card.locator(".sample-badge")).toHaveText("Sample answer");
  await expect(card).toContainText("30 days");
  await page.keyboard.press("Escape");
  // Nothing left the page: no model, no provider.
  expect(requests.filter((u) => !u.startsWith(origin) && !u.startsWith("data:") && !u.startsWith("blob:"))).toEqual([]);
  expect(app.consoleErrors).toEqual([]);
});

test("a PM writes a sample answer in the inspector and the flow answers with it", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  await setInputText(app, "Do you ship to Iceland? I live in Reykjavik.");
  await app.block(PROMPT).locator("header").click();
  await expect(app.inspector.getByRole("combobox", { name: "Provider" })).toHaveValue("demo");
  // The starter flow ships rules; add one more, before them in effect by being specific.
  const section = app.inspector.locator("details.sample-answers");
  await expect(section).toHaveAttribute("open", "");
  const rules = section.getByRole("list", { name: "Sample answers" }).locator("li");
  const before = await rules.count();
  await section.getByRole("button", { name: "+ Add sample answer" }).click();
  await expect(rules).toHaveCount(before + 1);
  const n = before + 1;
  await section.getByRole("combobox", { name: `Sample answer ${n}: when` }).selectOption("matches");
  await section.getByRole("textbox", { name: `Sample answer ${n}: text to match` }).fill("(?i)iceland|norway");
  const answer = section.getByRole("textbox", { name: `Sample answer ${n}: answer` });
  await answer.fill("Yes! We ship to Iceland in 5-7 days. Your message was: {{email}}");
  await answer.blur();
  await page.getByRole("button", { name: "Run flow" }).click();
  await expect(app.block(OUTPUT)).toHaveAttribute("data-status", "done");
  await expect(app.block(OUTPUT).locator(".block-body")).toContainText("Yes! We ship to Iceland in 5-7 days. Your message was: Do you ship to Iceland?");
  await expect(app.block(OUTPUT).locator(".sample-badge")).toHaveText("Sample answer");
  const result = app.inspector.getByRole("region", { name: "Result" });
  await expect(result.locator(".sample-note")).toContainText(`Sample answer ${n} of this block answered`);
  await app.screenshot("sample-answer-rule");
  // Removing it brings back the answer built from the input.
  await section.getByRole("button", { name: `Remove sample answer ${n}` }).click();
  await expect(rules).toHaveCount(before);
  await page.getByRole("button", { name: "Run flow" }).click();
  await expect(app.block(OUTPUT).locator(".block-body")).not.toContainText("5-7 days");
  await expect(app.block(OUTPUT).locator(".block-body")).toContainText("Iceland");
  expect(app.consoleErrors).toEqual([]);
});
