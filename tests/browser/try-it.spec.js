// A shared link as a working prototype: the app view a stakeholder opens (on a computer or
// a phone), runs with their own input, rates, and sends feedback that comes back as test
// cases; present mode from a link. Provider calls go over real HTTP to aimock.
import { test, expect } from "@playwright/test";
import { AppPage, MOCK, PORT_SHIFT, PROVIDERS, configureProvider, moreItem, usePromptProvider, useTemplate } from "./pages.js";
import { clickLikeAPerson } from "./person.js";

const APP = `http://127.0.0.1:${4173 + PORT_SHIFT}`;
const PHONE = { width: 390, height: 844 };
const PROVIDERS_KEY = PROVIDERS.openai.key;
const TABLET = { width: 768, height: 1024 };

/** Makes a share link in the Share dialog, opening as `view` (and starting at `start`). */
async function createLink(page, { view = "app", outputs = false, start } = {}) {
  await page.getByRole("button", { name: "Share" }).click();
  const dialog = page.getByRole("dialog", { name: "Share" });
  await dialog.getByRole("combobox", { name: "Opens as" }).selectOption(view);
  if (start) await dialog.getByRole("combobox", { name: "Start at" }).selectOption({ label: start });
  if (outputs) await dialog.getByRole("checkbox", { name: "Include the latest outputs" }).check();
  await dialog.getByRole("button", { name: "Create link" }).click();
  const link = await dialog.getByRole("textbox", { name: "Share link" }).inputValue();
  await dialog.getByRole("button", { name: "Close share" }).click();
  return link;
}

async function journal(request) {
  return (await request.get(`${MOCK}/__aimock/journal`)).json();
}

/** Every request a page sends anywhere but the app's own server. */
function outsideRequests(page) {
  const sent = [];
  page.on("request", (r) => { if (!r.url().startsWith(APP)) sent.push(r.url()); });
  return sent;
}

/** Nothing scrolls sideways, and every control a finger would use is at least 44 px. */
async function expectPhoneFriendly(page, scope) {
  const sideways = await page.evaluate(() => [document.scrollingElement.scrollWidth, window.innerWidth]);
  expect(sideways[0], `page is ${sideways[0]} px wide in a ${sideways[1]} px window`).toBeLessThanOrEqual(sideways[1]);
  const small = await scope.evaluate((root) => {
    const out = [];
    for (const el of root.querySelectorAll("button, select, textarea, input[type=text], a[href], label.tryit-choice")) {
      const r = el.getBoundingClientRect();
      if (r.width === 0 && r.height === 0) continue; // not drawn
      const wide = el.tagName === "TEXTAREA" || el.tagName === "INPUT" ? r.height : Math.min(r.width, r.height);
      if (wide < 44) out.push(`${el.tagName.toLowerCase()} "${(el.getAttribute("aria-label") || el.textContent || "").trim().slice(0, 30)}" ${Math.round(r.width)}x${Math.round(r.height)}`);
    }
    return out;
  });
  expect(small, "touch targets under 44 px").toEqual([]);
}

test.beforeEach(async ({ request }) => {
  await request.post(`${MOCK}/__aimock/reset/journal`);
});

test("a template shared as an app: the viewer types their own input and runs it with their key", async ({ page, browser, request }) => {
  const app = new AppPage(page);
  await app.open();
  await configureProvider(page, "openai");
  await useTemplate(page, "Reply to a customer");
  const link = await createLink(page, { view: "app" });
  expect(link).toMatch(/#v1\.[A-Za-z0-9_-]+$/);
  expect(link).not.toContain(PROVIDERS.openai.key);
  await request.post(`${MOCK}/__aimock/reset/journal`);

  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const viewer = await context.newPage();
  const sent = outsideRequests(viewer);
  await viewer.goto(link);
  const tryIt = viewer.getByRole("main", { name: "Try this flow" });
  await expect(tryIt.getByRole("heading", { level: 1 })).toHaveText("Reply to a customer");
  const input = tryIt.getByRole("textbox", { name: "Customer email" });
  await expect(input).toHaveValue(/order #4821/);
  // The editor is out of the way; the answer waits for Run.
  await expect(viewer.getByRole("button", { name: "Run flow" })).toBeHidden();
  const answer = tryIt.getByRole("region", { name: "Answer: Reply" });
  await expect(answer).toContainText("Press Run to see the answer here.");
  // Nothing was sent on opening.
  await expect(tryIt.getByRole("group", { name: "Who answers" })).toContainText("You have no OpenAI key");
  expect(await journal(request)).toEqual([]);
  expect(sent).toEqual([]);

  await input.fill("Say hello to our customer, please.");
  // Their own key, in their own Settings.
  await clickLikeAPerson(viewer, tryIt.getByRole("button", { name: "Add your OpenAI key" }), "Add your OpenAI key");
  await configureProvider(viewer, "openai");
  await expect(tryIt.getByRole("group", { name: "Who answers" })).toContainText("Runs with your own key");
  await expect(tryIt.getByRole("group", { name: "Who answers" })).toContainText("OpenAI (api.openai.com)");
  expect(await journal(request)).toEqual([]);

  await clickLikeAPerson(viewer, tryIt.getByRole("button", { name: "Run", exact: true }), "Run");
  await expect(answer).toContainText("Hello from the mock model!");
  await expect(answer.locator("strong")).toHaveText("bold");
  await expect(answer).toHaveAttribute("data-status", "done");
  await expect(answer.getByText("sample answer")).toHaveCount(0);
  // Large: the answer is set well above body size.
  const size = await answer.locator(".tryit-answer-body").evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
  expect(size).toBeGreaterThanOrEqual(20);
  const calls = await journal(request);
  expect(calls).toHaveLength(1);
  expect(JSON.stringify(calls[0].body)).toContain("Say hello to our customer, please.");
  // Nothing of the viewer's was saved: not their input, not the shared flow.
  const stored = await viewer.evaluate(() => JSON.stringify({ ...localStorage }));
  expect(stored).not.toContain("Say hello to our customer");
  expect(stored).not.toContain(PROVIDERS_KEY);
  // "How it works": the flow itself, read-only, still holding the sharer's value.
  await clickLikeAPerson(viewer, tryIt.getByRole("button", { name: "How it works" }), "How it works");
  const them = new AppPage(viewer);
  await them.block("Input block: Customer email").locator("header").click();
  await expect(them.inspector.getByRole("textbox", { name: "Value 1", exact: true })).toHaveValue(/order #4821/);
  await viewer.screenshot({ path: "target/screenshots/try-it-how-it-works.png" });
  await viewer.getByRole("button", { name: "Open as an app" }).click();
  await expect(tryIt).toBeVisible();
  await viewer.screenshot({ path: "target/screenshots/try-it-desktop-light.png", fullPage: true });
  await viewer.evaluate(() => document.documentElement.setAttribute("data-theme", "dark"));
  await viewer.screenshot({ path: "target/screenshots/try-it-desktop-dark.png", fullPage: true });
  await context.close();
});

test("a viewer with no key: sample answers labelled, the browser model asks first, a rating comes back as a test case", async ({ page, browser, request }) => {
  const app = new AppPage(page);
  await app.open();
  await configureProvider(page, "openai");
  await useTemplate(page, "Reply to a customer");
  const link = await createLink(page, { view: "app" });
  await request.post(`${MOCK}/__aimock/reset/journal`);

  const context = await browser.newContext({ viewport: { width: 1280, height: 720 }, acceptDownloads: true });
  const viewer = await context.newPage();
  const sent = outsideRequests(viewer);
  await viewer.goto(link);
  const tryIt = viewer.getByRole("main", { name: "Try this flow" });
  const input = tryIt.getByRole("textbox", { name: "Customer email" });
  await input.fill("My parcel for the birthday is late. Can you help?");

  // The in-browser model: its size first, and nothing downloaded without a yes.
  await clickLikeAPerson(viewer, tryIt.getByRole("radio", { name: /A small model in this browser/ }), "browser model");
  await expect(tryIt.getByRole("group", { name: "Who answers" })).toContainText(/\d+ MB/);
  await clickLikeAPerson(viewer, tryIt.getByRole("button", { name: "Run", exact: true }), "Run");
  const ask = viewer.getByRole("dialog", { name: "Download a model?" });
  await expect(ask).toContainText(/\d+ MB/);
  await expect(ask.getByRole("button", { name: /Download \d+ MB and run/ })).toBeVisible();
  await ask.getByRole("button", { name: "Cancel" }).click();
  await expect(ask).toHaveCount(0);
  expect(sent.filter((u) => u.includes("huggingface"))).toEqual([]);

  // Sample answers: instant, no network, labelled.
  await clickLikeAPerson(viewer, tryIt.getByRole("radio", { name: /Sample answers/ }), "sample answers");
  const started = Date.now();
  await clickLikeAPerson(viewer, tryIt.getByRole("button", { name: "Run", exact: true }), "Run");
  const answer = tryIt.getByRole("region", { name: "Answer: Reply" });
  await expect(answer).toHaveAttribute("data-status", "done");
  console.log(`time to first answer on sample answers: ${Date.now() - started} ms`);
  await expect(answer.getByText("sample answer", { exact: true })).toBeVisible();
  await expect(answer).toContainText("birthday");
  expect(sent).toEqual([]);
  expect(await journal(request)).toEqual([]);

  // The verdict: thumbs up with a comment, sent back as a link and a file.
  const good = answer.getByRole("button", { name: "Good answer" });
  await good.scrollIntoViewIfNeeded(); // as a person scrolls down to the answer
  await clickLikeAPerson(viewer, good, "Good answer");
  await expect(good).toHaveAttribute("aria-pressed", "true");
  await expect(answer.getByRole("button", { name: "Bad answer" })).toHaveAttribute("aria-pressed", "false");
  const comment = answer.getByRole("textbox", { name: "Comment on this answer" });
  await comment.fill("Warm, and it names a next step");
  await comment.press("Tab");
  const feedback = tryIt.getByRole("region", { name: "Feedback" });
  await feedback.getByRole("button", { name: "Send feedback" }).scrollIntoViewIfNeeded();
  await clickLikeAPerson(viewer, feedback.getByRole("button", { name: "Send feedback" }), "Send feedback");
  const fbLink = await feedback.getByRole("textbox", { name: "Feedback link" }).inputValue();
  expect(fbLink).toMatch(new RegExp(`^${APP.replaceAll(".", "\\.")}/#fb1\\.[A-Za-z0-9_-]+$`));
  console.log(`feedback link: ${fbLink.length} characters; app link: ${link.length} characters`);
  const [download] = await Promise.all([
    viewer.waitForEvent("download"),
    feedback.getByRole("button", { name: "Download feedback file" }).click(),
  ]);
  const file = JSON.parse(await (await import("node:fs/promises")).readFile(await download.path(), "utf8"));
  expect(file.kind).toBe("chainboard-feedback");
  expect(file.ratings[0].comment).toBe("Warm, and it names a next step");
  await viewer.screenshot({ path: "target/screenshots/try-it-rated.png", fullPage: true });
  await context.close();

  // The PM opens the feedback link in their editor: a test case with the viewer's input.
  await page.goto(fbLink);
  await page.reload();
  await expect(page.getByRole("alert").filter({ hasText: "Added 1 test case" })).toBeVisible();
  expect(page.url()).not.toContain("#fb1");
  await page.getByRole("button", { name: "Evaluate" }).click();
  let evaluate = page.getByRole("dialog", { name: "Evaluate" });
  await expect(evaluate.getByRole("textbox", { name: "Case 1 email" })).toHaveValue("My parcel for the birthday is late. Can you help?");
  await expect(evaluate.getByRole("textbox", { name: "Case 1 note" })).toHaveValue(/^Stakeholder: good \(Reply\) — Warm, and it names a next step/);
  await evaluate.getByRole("button", { name: "Close evaluate" }).click();

  // …or imports the file from the More menu.
  await (await moreItem(page, "Import feedback")).click();
  const importDialog = page.getByRole("dialog", { name: "Import feedback" });
  await importDialog.getByLabel("Feedback file").setInputFiles({ name: "feedback.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(file)) });
  await expect(importDialog.getByRole("status")).toContainText("Added 1 test case");
  // A damaged link says so and adds nothing.
  await importDialog.getByRole("textbox", { name: "Feedback link" }).fill(fbLink.slice(0, -15));
  await importDialog.getByRole("button", { name: "Add as test cases" }).click();
  await expect(importDialog.getByRole("alert")).toContainText("cut off");
  await importDialog.getByRole("button", { name: "Close import feedback" }).click();
  await page.getByRole("button", { name: "Evaluate" }).click();
  evaluate = page.getByRole("dialog", { name: "Evaluate" });
  await expect(evaluate.getByRole("textbox", { name: "Case 2 email" })).toHaveValue("My parcel for the birthday is late. Can you help?");
  await expect(evaluate.getByRole("textbox", { name: "Case 3 email" })).toHaveCount(0);
});

for (const size of [PHONE, TABLET]) {
  test(`the app view at ${size.width}x${size.height}: no sideways scroll, 44 px targets, taps reach the controls`, async ({ page, browser }) => {
    const app = new AppPage(page);
    await app.open();
    await configureProvider(page, "openai");
    await useTemplate(page, "Reply to a customer");
    const link = await createLink(page, { view: "app" });

    const context = await browser.newContext({ viewport: size, hasTouch: true, isMobile: true });
    const viewer = await context.newPage();
    const sent = outsideRequests(viewer);
    await viewer.goto(link);
    const tryIt = viewer.getByRole("main", { name: "Try this flow" });
    await expect(tryIt.getByRole("textbox", { name: "Customer email" })).toBeVisible();
    await expectPhoneFriendly(viewer, tryIt);
    const body = await tryIt.evaluate((el) => parseFloat(getComputedStyle(el).fontSize));
    expect(body).toBeGreaterThanOrEqual(16);

    await tryIt.getByRole("textbox", { name: "Customer email" }).fill("Where is my birthday present?");
    const run = tryIt.getByRole("button", { name: "Run", exact: true });
    await run.scrollIntoViewIfNeeded();
    await clickLikeAPerson(viewer, run, "Run");
    const answer = tryIt.getByRole("region", { name: "Answer: Reply" });
    await expect(answer).toHaveAttribute("data-status", "done");
    await expect(answer.getByText("sample answer", { exact: true })).toBeVisible();
    const good = answer.getByRole("button", { name: "Good answer" });
    await good.scrollIntoViewIfNeeded();
    await clickLikeAPerson(viewer, good, "Good answer");
    await expect(good).toHaveAttribute("aria-pressed", "true");
    await expectPhoneFriendly(viewer, tryIt);
    expect(sent).toEqual([]);
    const tag = size.width < 500 ? "phone" : "tablet";
    await viewer.evaluate(() => document.querySelector(".app").scrollTo(0, 0));
    await viewer.screenshot({ path: `target/screenshots/try-it-${tag}-light.png` });
    await answer.scrollIntoViewIfNeeded();
    await viewer.screenshot({ path: `target/screenshots/try-it-${tag}-answer-light.png` });
    await viewer.evaluate(() => document.documentElement.setAttribute("data-theme", "dark"));
    await viewer.screenshot({ path: `target/screenshots/try-it-${tag}-answer-dark.png` });
    await context.close();
  });
}

test("the canvas view on a phone says it is best on a computer and opens the app view", async ({ page, browser }) => {
  const app = new AppPage(page);
  await app.open();
  const link = await createLink(page, { view: "canvas" });
  const context = await browser.newContext({ viewport: PHONE, hasTouch: true, isMobile: true });
  const viewer = await context.newPage();
  await viewer.goto(link);
  const banner = viewer.getByRole("region", { name: "Best on a computer" });
  await expect(banner).toBeVisible();
  await viewer.screenshot({ path: "target/screenshots/try-it-phone-canvas.png" });
  await clickLikeAPerson(viewer, banner.getByRole("button", { name: "Open the app view" }), "Open the app view");
  await expect(viewer.getByRole("main", { name: "Try this flow" })).toBeVisible();
  await expectPhoneFriendly(viewer, viewer.getByRole("main", { name: "Try this flow" }));
  await context.close();
  // On a computer the banner is not there.
  const desk = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const deskPage = await desk.newPage();
  await deskPage.goto(link);
  await expect(deskPage.getByRole("region", { name: "Shared playground" })).toBeVisible();
  await expect(deskPage.getByRole("region", { name: "Best on a computer" })).toBeHidden();
  await desk.close();
});

test("a present link starts at the chosen block and replays the shared outputs with no network", async ({ page, browser }) => {
  const app = new AppPage(page);
  await app.open();
  // No key: the starter flow runs on sample answers.
  await page.getByRole("button", { name: "Run flow" }).click();
  await expect(app.block("Output block: Reply")).toHaveAttribute("data-status", "done");
  const link = await createLink(page, { view: "present", outputs: true, start: "2. Draft a reply (Prompt)" });

  for (const size of [PHONE, TABLET, { width: 1280, height: 720 }]) {
    const context = await browser.newContext({ viewport: size, hasTouch: size.width < 1000, isMobile: size.width < 1000 });
    const viewer = await context.newPage();
    const sent = outsideRequests(viewer);
    await viewer.goto(link);
    const show = viewer.getByRole("dialog", { name: "Presentation" });
    await expect(show).toBeVisible();
    await expect(show.getByLabel("Step number")).toHaveText("2 / 3");
    const prompt = show.getByRole("region", { name: "Prompt: Draft a reply" });
    await expect(prompt).toContainText(/sample answer/i);
    await show.getByRole("combobox", { name: "Replay speed" }).selectOption("Instant");
    await clickLikeAPerson(viewer, show.getByRole("button", { name: "Replay last run" }), "Replay last run");
    await expect(prompt.locator(".present-out")).toContainText(/\w{4,}/);
    await clickLikeAPerson(viewer, show.getByRole("button", { name: "Next step" }), "Next step");
    await expect(show.getByRole("region", { name: "Output: Reply" })).toBeVisible();
    if (size.width < 1000) await expectPhoneFriendly(viewer, show);
    expect(sent).toEqual([]);
    await viewer.screenshot({ path: `target/screenshots/try-it-present-${size.width}.png` });
    await context.close();
  }
});

test("an embedded app link streams the answer as it arrives, and Stop keeps what came", async ({ page, browser }) => {
  const app = new AppPage(page);
  await app.open();
  await configureProvider(page, "openai");
  await useTemplate(page, "Reply to a customer");
  const link = await createLink(page, { view: "app" });
  const embed = link.replace("/#", "/?embed#");
  const context = await browser.newContext({ viewport: { width: 800, height: 600 } });
  const viewer = await context.newPage();
  await viewer.goto(embed);
  const tryIt = viewer.getByRole("main", { name: "Try this flow" });
  await tryIt.getByRole("textbox", { name: "Customer email" }).fill("Tell a long story about my parcel.");
  await clickLikeAPerson(viewer, tryIt.getByRole("button", { name: "Add your OpenAI key" }), "Add your OpenAI key");
  await configureProvider(viewer, "openai");
  await clickLikeAPerson(viewer, tryIt.getByRole("button", { name: "Run", exact: true }), "Run");
  const answer = tryIt.getByRole("region", { name: "Answer: Reply" });
  // Part of the story is on screen while the rest is still coming.
  await expect(answer.locator(".tryit-answer-body")).toContainText("Once upon a time");
  await expect(tryIt.getByRole("button", { name: "Stop" })).toBeVisible();
  await clickLikeAPerson(viewer, tryIt.getByRole("button", { name: "Stop" }), "Stop");
  await expect(answer).toHaveAttribute("data-status", "stopped");
  await expect(answer.locator(".tryit-answer-body")).toContainText("Once upon a time");
  await expect(tryIt.getByRole("button", { name: "Run", exact: true })).toBeVisible();
  await context.close();
});

test("a shared canvas link: 'a model in this browser' asks before downloading anything", async ({ page, browser }) => {
  const app = new AppPage(page);
  await app.open();
  await configureProvider(page, "openai");
  await useTemplate(page, "Reply to a customer");
  const link = await createLink(page, { view: "canvas" });
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  const viewer = await context.newPage();
  const sent = outsideRequests(viewer);
  await viewer.goto(link);
  await clickLikeAPerson(viewer, viewer.getByRole("button", { name: "Run flow" }), "Run flow");
  const panel = viewer.getByRole("dialog", { name: "Settings" }).getByRole("alert", { name: "No key yet" });
  await clickLikeAPerson(viewer, panel.getByRole("button", { name: "Use a model in this browser" }), "in-browser model");
  const ask = viewer.getByRole("dialog", { name: "Download a model?" });
  await expect(ask).toContainText(/SmolLM2 .* \d+ MB .* from huggingface\.co/);
  await viewer.screenshot({ path: "target/screenshots/try-it-download-ask.png" });
  await ask.getByRole("button", { name: "Cancel" }).click();
  await expect(ask).toHaveCount(0);
  expect(sent).toEqual([]);
  // The shared flow itself was not switched to the browser model.
  await new AppPage(viewer).block("Prompt block: Draft a reply").locator("header").click();
  await expect(new AppPage(viewer).inspector.getByRole("combobox", { name: "Provider" })).toHaveValue("openai");
  await context.close();
});

// A flow whose Prompt remembers the conversation is tried as a chat. The mock answers these
// two messages (tests/browser/mock-provider.mjs), as in chat.spec.js.
const CHAT_FIRST = "Chat turn one: my parcel is late.";
const CHAT_FIRST_ANSWER = "I'm sorry your parcel is late! Could you tell me the order number?";
const CHAT_SECOND = "Chat turn two: it is A123.";

/** Types `text` into the app view's message box and presses Send, like a person. */
async function sendMessage(viewer, scope, text) {
  const box = scope.getByRole("textbox", { name: "Message" });
  await clickLikeAPerson(viewer, box, "the message box");
  await viewer.keyboard.type(text);
  await clickLikeAPerson(viewer, scope.getByRole("button", { name: "Send message" }), "Send");
}

test("a conversational flow shared as an app is a chat: each turn carries the earlier ones, Start over forgets them", async ({ page, browser, request }) => {
  const app = new AppPage(page);
  await app.open();
  await configureProvider(page, "openai");
  await usePromptProvider(app, "openai");
  await app.block("Prompt block: Draft a reply").locator("header").click();
  const remembers = app.inspector.getByRole("checkbox", { name: "Remembers the conversation (Chat panel)" });
  await remembers.scrollIntoViewIfNeeded();
  await remembers.check();
  // It remembers one turn, so the app says when the oldest is no longer sent.
  await app.inspector.getByRole("spinbutton", { name: "Turns remembered" }).fill("1");
  await app.inspector.getByRole("spinbutton", { name: "Turns remembered" }).press("Tab");
  const link = await createLink(page, { view: "app" });
  await request.post(`${MOCK}/__aimock/reset/journal`);

  for (const size of [{ width: 1280, height: 720 }, { width: 1920, height: 1080 }]) {
    const context = await browser.newContext({ viewport: size });
    const viewer = await context.newPage();
    const sent = outsideRequests(viewer);
    await viewer.goto(link);
    const tryIt = viewer.getByRole("main", { name: "Try this flow" });
    const chat = tryIt.getByRole("region", { name: "Chat" });
    await expect(chat).toBeVisible();
    // A chat, not the form: the message is typed below the conversation, there is no Run.
    await expect(tryIt.getByRole("button", { name: "Run", exact: true })).toHaveCount(0);
    await expect(tryIt.getByRole("textbox", { name: "Customer email" })).toHaveCount(0);
    await expect(chat.getByRole("log", { name: "Conversation" })).toContainText("Send a message to start");
    expect(sent).toEqual([]);

    // Their own key.
    await clickLikeAPerson(viewer, chat.getByRole("button", { name: "Add your OpenAI key" }), "Add your OpenAI key");
    await configureProvider(viewer, "openai");
    await expect(chat.getByRole("group", { name: "Who answers" })).toContainText("Runs with your own key. Each message sends the conversation so far to OpenAI (api.openai.com).");

    const log = chat.getByRole("log", { name: "Conversation" });
    const answers = log.getByLabel("Answer", { exact: true });
    await sendMessage(viewer, chat, CHAT_FIRST);
    await expect(answers).toHaveText([CHAT_FIRST_ANSWER]);
    await sendMessage(viewer, chat, CHAT_SECOND);
    await expect(answers).toHaveCount(2);
    await expect(answers.nth(1)).toContainText("Order A123 left our warehouse today.");
    await expect(answers.nth(1).locator("strong")).toHaveText("A123");
    await expect(answers.getByText("Sample answer")).toHaveCount(0);
    // The line sits between the turn no longer sent and the one still remembered.
    const dropped = log.getByRole("note");
    await expect(dropped).toHaveText("The oldest turn is no longer sent: the flow remembers only the last turn.");
    const [noteY, secondY] = await Promise.all([dropped.boundingBox(), log.getByLabel("You said").nth(1).boundingBox()]);
    expect(noteY.y).toBeLessThan(secondY.y);
    await viewer.screenshot({ path: `target/screenshots/try-it-chat-${size.width}.png` });

    // The second request carried the first turn: the message and the answer to it.
    const second = (await journal(request)).filter((e) => JSON.stringify(e.body?.messages?.at(-1)?.content ?? "").includes(CHAT_SECOND));
    expect(second).toHaveLength(1);
    expect(second[0].body.messages.map((m) => m.role)).toEqual(["system", "user", "assistant", "user"]);
    expect(second[0].body.messages[1].content).toBe(CHAT_FIRST);
    expect(second[0].body.messages[2].content).toBe(CHAT_FIRST_ANSWER);

    // A look at "How it works" and back: the conversation is still there.
    await clickLikeAPerson(viewer, tryIt.getByRole("button", { name: "How it works" }), "How it works");
    await clickLikeAPerson(viewer, viewer.getByRole("button", { name: "Open as an app" }), "Open as an app");
    await expect(answers).toHaveCount(2);
    await expect(chat.getByRole("button", { name: "Send message" })).toBeVisible();

    // Start over: the log empties and the next message goes alone.
    await clickLikeAPerson(viewer, chat.getByRole("button", { name: "Start over" }), "Start over");
    await expect(answers).toHaveCount(0);
    await expect(dropped).toHaveCount(0);
    await request.post(`${MOCK}/__aimock/reset/journal`);
    await sendMessage(viewer, chat, CHAT_FIRST);
    await expect(answers).toHaveText([CHAT_FIRST_ANSWER]);
    const alone = await journal(request);
    expect(alone).toHaveLength(1);
    expect(alone[0].body.messages.map((m) => m.role)).toEqual(["system", "user"]);
    // Nothing of the conversation was saved in their browser, and it went only to the provider.
    const stored = await viewer.evaluate(() => JSON.stringify({ ...localStorage }));
    expect(stored).not.toContain("parcel is late");
    expect(sent.every((u) => u.startsWith(`${MOCK}/`))).toBe(true);
    await context.close();
    await request.post(`${MOCK}/__aimock/reset/journal`);
  }
});

test("the chatbot template as an app on a phone: sample answers that remember, 44 px targets, a rated answer comes back with its turns", async ({ page, browser }) => {
  const app = new AppPage(page);
  await app.open();
  await useTemplate(page, "A chatbot with memory");
  const link = await createLink(page, { view: "app" });

  const context = await browser.newContext({ viewport: PHONE, hasTouch: true, isMobile: true });
  const viewer = await context.newPage();
  const sent = outsideRequests(viewer);
  await viewer.goto(link);
  const tryIt = viewer.getByRole("main", { name: "Try this flow" });
  const chat = tryIt.getByRole("region", { name: "Chat" });
  await expect(chat.getByRole("textbox", { name: "Message" })).toBeVisible();
  await expectPhoneFriendly(viewer, tryIt);

  const answers = chat.getByRole("log", { name: "Conversation" }).getByLabel("Answer", { exact: true });
  await sendMessage(viewer, chat, "I ordered running shoes last week but they are too small.");
  await expect(answers).toHaveCount(1);
  await expect(answers.first()).toContainText("they are too small");
  await sendMessage(viewer, chat, "Can you send a bigger pair?");
  await expect(answers).toHaveCount(2);
  await expect(answers.nth(1)).toContainText("About what you said before");
  await expect(answers.nth(1).locator(".sample-badge")).toHaveText("Sample answer");

  // The second answer, rated with a tap: the rating carries the turn before it.
  const rate = chat.getByRole("group", { name: "Rate this answer" }).nth(1);
  const bad = rate.getByRole("button", { name: "Bad answer" });
  await bad.scrollIntoViewIfNeeded();
  await clickLikeAPerson(viewer, bad, "Bad answer");
  await expect(bad).toHaveAttribute("aria-pressed", "true");
  const comment = chat.getByRole("textbox", { name: "Comment on this answer" });
  await comment.fill("It should ask for the order number");
  await comment.press("Tab");
  await expectPhoneFriendly(viewer, tryIt);
  expect(sent).toEqual([]);
  await viewer.screenshot({ path: "target/screenshots/try-it-chat-phone-light.png" });
  await viewer.evaluate(() => document.documentElement.setAttribute("data-theme", "dark"));
  await viewer.screenshot({ path: "target/screenshots/try-it-chat-phone-dark.png" });
  const feedback = tryIt.getByRole("region", { name: "Feedback" });
  await feedback.getByRole("button", { name: "Send feedback" }).scrollIntoViewIfNeeded();
  await clickLikeAPerson(viewer, feedback.getByRole("button", { name: "Send feedback" }), "Send feedback");
  const fbLink = await feedback.getByRole("textbox", { name: "Feedback link" }).inputValue();
  await context.close();

  // The sharer opens it: a test case of the rated message, replaying the turn before it.
  await page.goto(fbLink);
  await page.reload();
  await expect(page.getByRole("alert").filter({ hasText: "Added 1 test case" })).toBeVisible();
  await page.getByRole("button", { name: "Evaluate" }).click();
  const evaluate = page.getByRole("dialog", { name: "Evaluate" });
  await expect(evaluate.getByRole("textbox", { name: "Case 1 message" })).toHaveValue("Can you send a bigger pair?");
  await expect(evaluate.getByText("after 1 turn")).toBeVisible();
  await expect(evaluate.getByRole("textbox", { name: "Case 1 note" })).toHaveValue(/^Stakeholder: bad \(Reply\) in a chat, after 1 earlier turn — It should ask for the order number/);
});
