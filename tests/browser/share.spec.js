import { test, expect } from "@playwright/test";
import { AppPage, PORT_SHIFT, PROVIDERS, configureProvider, setInputText } from "./pages.js";

const APP = `http://127.0.0.1:${4173 + PORT_SHIFT}`;

async function createLink(page, { password = "", outputs = false } = {}) {
  await page.getByRole("button", { name: "Share" }).click();
  const dialog = page.getByRole("dialog", { name: "Share" });
  if (outputs) await dialog.getByRole("checkbox", { name: "Include the latest outputs" }).check();
  if (password) await dialog.getByRole("textbox", { name: "Link password" }).fill(password);
  await dialog.getByRole("button", { name: "Create link" }).click();
  const link = await dialog.getByRole("textbox", { name: "Share link" }).inputValue();
  await expect(dialog).toContainText(/Link \(\d+ characters\)/);
  return link;
}

test("share → open in a fresh browser → read-only, nothing sent → make a copy → run", async ({ page, browser }) => {
  const app = new AppPage(page);
  await app.open();
  await configureProvider(page, "openai");
  await setInputText(app, "Say hello to our customer, please.");
  await page.getByRole("button", { name: "Run flow" }).click();
  await expect(app.block("Output block: Reply")).toHaveAttribute("data-status", "done");
  const link = await createLink(page, { outputs: true });
  expect(link).toMatch(/#v1\.[A-Za-z0-9_-]+$/);
  expect(link).not.toContain(PROVIDERS.openai.key);
  await app.screenshot("share-dialog");

  // A stakeholder opens it in their own browser: no keys, no flows.
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const viewer = await context.newPage();
  const sent = [];
  viewer.on("request", (r) => { if (!r.url().startsWith(APP)) sent.push(r.url()); });
  const them = new AppPage(viewer);
  await viewer.goto(link);
  const banner = viewer.getByRole("region", { name: "Shared playground" });
  await expect(banner).toContainText("Nothing runs until you press Run");
  await expect(banner).toContainText("OpenAI (api.openai.com)");
  await expect(them.blocks()).toHaveCount(3);
  await expect(them.block("Output block: Reply").locator(".block-body")).toContainText("Hello from the mock model!");
  await expect(viewer.getByRole("button", { name: "Add Prompt block" })).toHaveCount(0);
  expect(sent).toEqual([]);
  await them.screenshot("share-opened");

  await banner.getByRole("button", { name: "Make a copy" }).click();
  await expect(banner).toHaveCount(0);
  expect(viewer.url()).not.toContain("#");
  await configureProvider(viewer, "openai");
  await viewer.getByRole("button", { name: "Run flow" }).click();
  await expect(them.block("Output block: Reply")).toHaveAttribute("data-status", "done");
  // All the viewer's browser ever sent out is the run they started: opening the link sent
  // nothing, not even later.
  expect(sent.map((u) => new URL(u).pathname)).toEqual(["/v1/chat/completions"]);
  await context.close();
});

test("a password-locked link needs the password; a wrong one is refused", async ({ page, browser }) => {
  const app = new AppPage(page);
  await app.open();
  const link = await createLink(page, { password: "tea-time" });
  expect(link).toMatch(/#v1e\./);
  const context = await browser.newContext();
  const viewer = await context.newPage();
  await viewer.goto(link);
  const lock = viewer.getByRole("dialog", { name: "Locked shared playground" });
  // Esc cancels the box like any dialog; opening the link again brings it back.
  await expect(lock.getByRole("textbox", { name: "Password" })).toBeVisible();
  await viewer.keyboard.press("Escape");
  await expect(lock).toHaveCount(0);
  await viewer.goto("about:blank");
  await viewer.goto(link);
  await lock.getByRole("textbox", { name: "Password" }).fill("coffee");
  await lock.getByRole("button", { name: "Unlock" }).click();
  await expect(lock.getByRole("alert")).toContainText("Wrong password");
  await lock.getByRole("textbox", { name: "Password" }).fill("tea-time");
  await lock.getByRole("button", { name: "Unlock" }).click();
  await expect(viewer.getByRole("region", { name: "Shared playground" })).toBeVisible();
  await expect(new AppPage(viewer).blocks()).toHaveCount(3);
  await context.close();
});

test("a damaged link says what went wrong and the app still works", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  const link = await createLink(page);
  await page.goto(link.slice(0, link.length - 40));
  await page.reload();
  await expect(page.getByRole("alert")).toContainText("This shared link could not be opened");
  await expect(page.getByRole("alert")).toContainText("cut off");
  await expect(app.blocks()).toHaveCount(3);
  await expect(page.getByRole("button", { name: "Add Prompt block" })).toBeVisible();
});

test("the embed code opens a slim read-only view for iframes", async ({ page, browser }) => {
  const app = new AppPage(page);
  await app.open();
  await createLink(page);
  const code = await page.getByRole("textbox", { name: "Embed code" }).inputValue();
  expect(code).toMatch(new RegExp(`^<iframe src="${APP.replaceAll(".", "\\.")}/\\?embed#v1\\.[A-Za-z0-9_-]+" `));
  const src = code.match(/src="([^"]+)"/)[1].replaceAll("&amp;", "&");
  const context = await browser.newContext({ viewport: { width: 800, height: 520 } });
  const viewer = await context.newPage();
  await viewer.goto(src);
  await expect(new AppPage(viewer).blocks()).toHaveCount(3);
  await expect(viewer.getByRole("complementary", { name: "Inspector" })).toBeHidden();
  await expect(viewer.getByRole("navigation", { name: "Block palette" })).toHaveCount(0);
  await expect(viewer.getByRole("button", { name: "Run flow" })).toBeVisible();
  await viewer.screenshot({ path: "target/screenshots/share-embed.png" });
  await context.close();
});

test("a shared link brings the flow's test cases: shown read-only, kept by Make a copy", async ({ page, browser }) => {
  const app = new AppPage(page);
  await app.open();
  await page.getByRole("button", { name: "Evaluate" }).click();
  const dialog = page.getByRole("dialog", { name: "Evaluate" });
  await dialog.getByRole("button", { name: "Paste rows…" }).click();
  await dialog.getByRole("textbox", { name: "Paste rows" }).fill("email\nShared case about a late parcel");
  await dialog.getByRole("button", { name: "Add these rows" }).click();
  await dialog.getByRole("button", { name: "Close evaluate" }).click();
  const link = await createLink(page);

  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const viewer = await context.newPage();
  await viewer.goto(link);
  const banner = viewer.getByRole("region", { name: "Shared playground" });
  await expect(banner).toBeVisible();
  await viewer.getByRole("button", { name: "Evaluate" }).click();
  let theirs = viewer.getByRole("dialog", { name: "Evaluate" });
  await expect(theirs.getByRole("textbox", { name: "Case 1 email" })).toHaveValue("Shared case about a late parcel");
  await theirs.getByRole("button", { name: "Close evaluate" }).click();
  await banner.getByRole("button", { name: "Make a copy" }).click();
  await viewer.reload();
  await viewer.getByRole("button", { name: "Evaluate" }).click();
  theirs = viewer.getByRole("dialog", { name: "Evaluate" });
  await expect(theirs.getByRole("textbox", { name: "Case 1 email" })).toHaveValue("Shared case about a late parcel");
  await context.close();
});
