// The Chat panel: one run of the flow per message, over real HTTP streaming to aimock; the
// conversational Prompt is sent the earlier turns (checked in aimock's journal), Reset
// forgets them, and a turn saved as a test case shows up in Evaluate with its history.
import { test, expect } from "@playwright/test";
import { AppPage, MOCK, configureProvider, setInputText, usePromptProvider, useTemplate } from "./pages.js";
import { clickLikeAPerson } from "./person.js";

const PROMPT = "Prompt block: Draft a reply";
const FIRST = "Chat turn one: my parcel is late.";
const FIRST_ANSWER = "I'm sorry your parcel is late! Could you tell me the order number?";
const SECOND = "Chat turn two: it is A123.";

async function journal(request) {
  return (await (await request.get(`${MOCK}/__aimock/journal`)).json());
}

/** The chat requests aimock received whose last message carries `text`, oldest first. */
async function requestsEndingWith(request, text) {
  const entries = await journal(request);
  return entries.filter((e) => {
    const messages = (e.body && e.body.messages) || [];
    const last = messages[messages.length - 1];
    return last && JSON.stringify(last.content).includes(text);
  });
}

async function send(page, chat, text) {
  const box = chat.getByRole("textbox", { name: "Message" });
  await clickLikeAPerson(page, box, "the message box");
  await page.keyboard.type(text);
  await clickLikeAPerson(page, chat.getByRole("button", { name: "Send message" }), "Send");
}

test("chat with a conversational prompt: history reaches the model, Reset forgets it, a turn becomes a test case", async ({ page, request }) => {
  const app = new AppPage(page);
  await app.open();
  await configureProvider(page, "openai");
  await usePromptProvider(app, "openai");
  // The Prompt remembers the conversation (a person ticks it in the inspector).
  await clickLikeAPerson(page, app.block(PROMPT).locator("header"), "the prompt");
  const remembers = app.inspector.getByRole("checkbox", { name: "Remembers the conversation (Chat panel)" });
  // It sits below the user message: a person scrolls the inspector down to it.
  await remembers.scrollIntoViewIfNeeded();
  await clickLikeAPerson(page, remembers, "Remembers the conversation");
  await expect(remembers).toBeChecked();
  await expect(app.inspector.getByRole("spinbutton", { name: "Turns remembered" })).toHaveValue("20");

  await clickLikeAPerson(page, page.getByRole("button", { name: "Chat", exact: true }), "Chat in the top bar");
  const chat = page.getByRole("complementary", { name: "Chat" });
  await expect(chat).toBeVisible();
  const log = chat.getByRole("log", { name: "Conversation" });

  await send(page, chat, FIRST);
  await expect(log.getByLabel("Answer", { exact: true })).toHaveText(FIRST_ANSWER);
  // The run is a normal run: the blocks show it, the top bar says what it cost.
  await expect(app.block(PROMPT)).toHaveAttribute("data-status", "done");

  await send(page, chat, SECOND);
  const answers = log.getByLabel("Answer", { exact: true });
  await expect(answers).toHaveCount(2);
  await expect(answers.nth(1)).toContainText("Order A123 left our warehouse today.");
  await expect(answers.nth(1).locator("strong")).toHaveText("A123");

  // The second request carried the first turn: the user's message and the answer to it.
  const [second] = await requestsEndingWith(request, SECOND);
  expect(second, "aimock got the second turn").toBeTruthy();
  const roles = second.body.messages.map((m) => m.role);
  expect(roles).toEqual(["system", "user", "assistant", "user"]);
  expect(second.body.messages[1].content).toBe(FIRST);
  expect(second.body.messages[2].content).toBe(FIRST_ANSWER);

  await app.screenshot("chat-panel-light");
  await clickLikeAPerson(page, page.getByRole("button", { name: /Switch to dark theme/ }), "theme");
  await expect(page.locator("html")).toHaveAttribute("data-theme", "dark");
  await app.screenshot("chat-panel-dark");
  await clickLikeAPerson(page, page.getByRole("button", { name: /Switch to light theme/ }), "theme");

  // Save the second turn as a test case: it keeps the first turn as history.
  await clickLikeAPerson(page, chat.getByRole("button", { name: "Save turn 2 as test case" }), "Save as test case");
  await expect(chat.getByRole("status").filter({ hasText: "Saved as test case" })).toBeVisible();
  await expect(chat.getByRole("button", { name: "Save turn 2 as test case" })).toBeDisabled();

  // Reset: the log is empty and the next request has no history.
  await clickLikeAPerson(page, chat.getByRole("button", { name: "Reset conversation" }), "Reset");
  await expect(log.getByLabel("Answer", { exact: true })).toHaveCount(0);
  await send(page, chat, FIRST);
  await expect(log.getByLabel("Answer", { exact: true })).toHaveText(FIRST_ANSWER);
  const firsts = await requestsEndingWith(request, FIRST);
  expect(firsts.length).toBe(2);
  expect(firsts[1].body.messages.map((m) => m.role)).toEqual(["system", "user"]);

  // Evaluate lists the saved case: the new turn as its input, one turn before it.
  await clickLikeAPerson(page, page.getByRole("button", { name: "Evaluate" }), "Evaluate");
  const dialog = page.getByRole("dialog", { name: "Evaluate" });
  await expect(dialog.getByRole("textbox", { name: "Case 1 email" })).toHaveValue(SECOND);
  await expect(dialog.getByText("after 1 turn")).toBeVisible();
  await expect(dialog.getByRole("textbox", { name: "Case 1 note" })).toHaveValue("From the chat (1 earlier turn)");
  expect(app.consoleErrors).toEqual([]);
});

test("Stop ends a streaming answer and the turn is not remembered", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  await configureProvider(page, "openai");
  await usePromptProvider(app, "openai");
  await clickLikeAPerson(page, page.getByRole("button", { name: "Chat", exact: true }), "Chat");
  const chat = page.getByRole("complementary", { name: "Chat" });
  // Not conversational yet: the panel says so.
  await expect(chat).toContainText("No Prompt remembers the conversation");
  await send(page, chat, "Tell a long story about patience.");
  const writing = chat.getByLabel("Answer (writing)");
  await expect(writing).toContainText("Once upon a time");
  await clickLikeAPerson(page, chat.getByRole("button", { name: "Stop answer" }), "Stop");
  await expect(chat.getByRole("alert")).toContainText(/stopped|Stopped/);
  await expect(chat.getByRole("button", { name: "Send message" })).toBeVisible();
});

test("the chatbot template chats with sample answers, no key needed", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  await useTemplate(page, "A chatbot with memory");
  await expect(app.block("Prompt block: Shop assistant")).toBeVisible();
  await clickLikeAPerson(page, page.getByRole("button", { name: "Chat", exact: true }), "Chat");
  const chat = page.getByRole("complementary", { name: "Chat" });
  await send(page, chat, "I ordered running shoes last week but they are too small.");
  const answers = chat.getByLabel("Answer", { exact: true });
  await expect(answers).toHaveCount(1);
  await expect(answers.first()).toContainText("they are too small");
  await send(page, chat, "Can you send a bigger pair?");
  await expect(answers).toHaveCount(2);
  await expect(answers.nth(1)).toContainText("send a bigger pair");
  await expect(answers.nth(1)).toContainText("About what you said before");
  await expect(answers.nth(1).locator(".sample-badge")).toHaveText("Sample answer");
  await app.screenshot("chat-template-sample-answers");
  expect(app.consoleErrors).toEqual([]);
});

test("example turns and advanced settings go to the model in its own format", async ({ page, request }) => {
  const app = new AppPage(page);
  await app.open();
  await configureProvider(page, "openai");
  await usePromptProvider(app, "openai");
  await setInputText(app, "Say hello to our customer, please.");
  await clickLikeAPerson(page, app.block(PROMPT).locator("header"), "the prompt");
  const turns = app.inspector.getByRole("group", { name: "Example turns" });
  const add = turns.getByRole("button", { name: "+ Add example turn" });
  await add.scrollIntoViewIfNeeded();
  await clickLikeAPerson(page, add, "Add example turn");
  await clickLikeAPerson(page, add, "Add example turn");
  // The second turn starts as the assistant's answer to the first.
  await expect(turns.getByRole("combobox", { name: "Role of example 2" })).toHaveValue("assistant");
  await turns.getByRole("textbox", { name: "Example 1 (user)" }).fill("Example answer please: where is my order?");
  await turns.getByRole("textbox", { name: "Example 2 (assistant)" }).fill("Sorry for the wait! It ships today.");
  await turns.getByRole("textbox", { name: "Example 2 (assistant)" }).blur();
  // Reorder and back: the assistant turn moves up, then down again.
  await clickLikeAPerson(page, turns.getByRole("button", { name: "Move example 2 up" }), "Move up");
  await expect(turns.getByRole("combobox", { name: "Role of example 1" })).toHaveValue("assistant");
  await clickLikeAPerson(page, turns.getByRole("button", { name: "Move example 2 up" }), "Move up");
  await expect(turns.getByRole("combobox", { name: "Role of example 1" })).toHaveValue("user");

  const advanced = app.inspector.getByText("Advanced model settings");
  await advanced.scrollIntoViewIfNeeded();
  await clickLikeAPerson(page, advanced, "Advanced model settings");
  const seed = app.inspector.getByRole("spinbutton", { name: "Seed" });
  await seed.fill("7");
  await seed.press("Tab");
  const budget = app.inspector.getByRole("spinbutton", { name: "Thinking budget (tokens)" });
  await budget.fill("2048");
  await budget.press("Tab");
  // OpenAI takes a seed but no thinking budget: said, not sent.
  await expect(app.inspector.getByRole("list", { name: "Settings not sent" })).toContainText("Thinking budget is not sent: OpenAI does not take it.");
  await app.screenshot("prompt-examples-and-advanced");

  await clickLikeAPerson(page, page.getByRole("button", { name: "Run flow" }), "Run");
  await expect(app.block(PROMPT)).toHaveAttribute("data-status", "done");
  const entries = (await journal(request)).filter((e) => JSON.stringify(e.body || {}).includes("It ships today"));
  expect(entries.length).toBe(1);
  const body = entries[0].body;
  expect(body.messages.map((m) => m.role)).toEqual(["system", "user", "assistant", "user"]);
  expect(body.messages[1].content).toBe("Example answer please: where is my order?");
  expect(body.seed).toBe(7);
  expect(body.thinking).toBeUndefined();
  expect(app.consoleErrors).toEqual([]);
});
