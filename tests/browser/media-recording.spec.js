// Recording from the microphone, with Chromium's fake audio device (a beep) and its fake
// permission prompt: the recording becomes a WAV value of the Input, with a player.
import { test, expect } from "@playwright/test";
import { AppPage } from "./pages.js";

test.use({
  launchOptions: {
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--use-fake-device-for-media-stream", "--use-fake-ui-for-media-stream"],
  },
});

test("recording from the microphone becomes a WAV value", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  await app.block("Input block: Customer email").locator("header").click();
  await app.inspector.getByRole("textbox", { name: "Value 1", exact: true }).fill("");
  await app.inspector.getByRole("button", { name: "● Record" }).click();
  await expect(app.inspector.getByRole("button", { name: "■ Stop recording" })).toBeVisible();
  // The time recorded so far counts up; a second of audio is in once it reads 0:01.
  const timer = app.inspector.getByRole("timer", { name: "Recorded so far" });
  await expect(timer).toHaveText("0:01");
  await app.screenshot("media-recording");
  await app.inspector.getByRole("button", { name: "■ Stop recording" }).click();
  const caption = app.inspector.locator("figcaption");
  await expect(caption).toContainText(/Recording \d\d-\d\d\.wav/);
  await expect(timer).toHaveCount(0);
  await expect(app.inspector.locator("audio")).toHaveCount(1);
  expect(app.consoleErrors).toEqual([]);
});
