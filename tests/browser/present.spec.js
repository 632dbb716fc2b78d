import { test, expect } from "@playwright/test";
import { AppPage, MOCK, configureProvider, setInputText, moreItem } from "./pages.js";

test("present mode steps through the flow with the keyboard, runs live, and replays offline", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  await configureProvider(page, "openai");
  await setInputText(app, "Say hello to our customer, please.");
  await (await moreItem(page, "Present")).click();
  const show = page.getByRole("dialog", { name: "Presentation" });
  await expect(show).toBeVisible();
  await expect(show.getByRole("region", { name: "Input: Customer email" })).toContainText("Say hello to our customer");
  await expect(show.getByLabel("Step number")).toHaveText("1 / 3");

  await page.keyboard.press("ArrowRight");
  const prompt = show.getByRole("region", { name: "Prompt: Draft a reply" });
  await expect(prompt).toBeVisible();
  await expect(prompt).toContainText("{{email}}"); // before a run: the template
  await show.getByRole("button", { name: "Run live" }).click();
  await expect(prompt).toContainText("Hello from the mock model!");
  await expect(prompt).toContainText("Say hello to our customer"); // after: the rendered message
  await app.screenshot("present-live");

  await page.keyboard.press("PageDown"); // clickers send PageDown
  await expect(show.getByRole("region", { name: "Output: Reply" })).toContainText("Hello from the mock model!");

  // Replay works with the network gone: no request reaches any provider.
  const requests = [];
  page.on("request", (r) => { if (r.url().startsWith(MOCK)) requests.push(r.url()); });
  await page.keyboard.press("ArrowLeft");
  await show.getByRole("combobox", { name: "Replay speed" }).selectOption("Fast");
  await show.getByRole("button", { name: "Replay last run" }).click();
  await expect(prompt).toContainText("Hello from the mock model! It streamed");
  expect(requests).toEqual([]);

  await page.keyboard.press("Escape");
  await expect(show).toHaveCount(0);
  await expect(app.blocks()).toHaveCount(3);
});
