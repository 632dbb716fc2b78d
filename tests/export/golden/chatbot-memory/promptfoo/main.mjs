// A chatbot with memory: exported from Chainboard.
// A shop assistant that remembers the conversation.
//
// Run: node main.mjs --help (see README.md). Keys come from environment variables.
//
// Note “Try this”: Open Chat in the top bar and send a few messages: the Prompt remembers the last 20 turns. Save a go…

import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import OpenAI from "openai";

// Keys and addresses come from the environment: never write a key into this file.
const openaiClient = new OpenAI({
  apiKey: process.env.OPENAI_API_KEY,
  baseURL: process.env.OPENAI_BASE_URL ?? "https://api.openai.com/v1",
});

// Fills {{name}} placeholders as Chainboard does; \{{ stands for a literal {{.
function render(template, values) {
  return template.replace(/\\\{\{|\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_, name) => (name ? values[name] : "{{"));
}

function openaiUserContent(user, media = []) {
  if (!media.length) return user;
  const images = media.map(readMedia).map(({ mime, data }) => ({ type: "image_url", image_url: { url: `data:${mime};base64,${data}` } }));
  return [...images, { type: "text", text: user }];
}

// One chat completion; `turns` are earlier [role, text] messages; `options` are the block's
// settings (temperature, max tokens, the response format, ...).
async function askOpenAI(client, model, system, user, { media = [], turns = [], ...options }) {
  const messages = system.trim() ? [{ role: "system", content: system }] : [];
  for (const [role, content] of turns) messages.push({ role, content });
  messages.push({ role: "user", content: openaiUserContent(user, media) });
  const response = await client.chat.completions.create({ model, messages, ...options });
  return response.choices[0].message.content ?? "";
}

// Prompt “Shop assistant” (OpenAI, gpt-4o-mini)
async function shopAssistant(message, history) {
  const system = "You are Sam, the friendly assistant of an online running shop. Answer in two or three short sentences, remember what the customer told you earlier, and ask for an order number before promising anything.";
  const user = render("{{message}}", { message });
  // Example turns, sent between the system message and the user message.
  const examples = [
    ["user", "Do you have trail shoes?"],
    ["assistant", "We do! Our trail range has grippy soles for mud and rock. What distance do you usually run?"],
  ];
  // It remembers the conversation: the last 20 turns go before the new message.
  return askOpenAI(
    openaiClient,
    "gpt-4o-mini",
    system,
    user,
    {
      turns: [...examples, ...history],
      temperature: 0.7,
      max_completion_tokens: 400,
    },
  );
}

export async function runFlow({ message, history = [] }) {
  // Blocks run in the flow's order; blocks that do not depend on each other run at the same time.
  // `history` is the conversation so far: [what the user said, the answer] pairs, oldest first.
  const shopAssistantText = await shopAssistant(message, recentTurns(history, 20));
  return [
    { output: "Reply", answer: shopAssistantText },
  ];
}

// The last `turns` turns of the conversation as user and assistant messages.
function recentTurns(history, turns) {
  return (turns ? history.slice(-turns) : []).flatMap(([user, answer]) => [["user", user], ["assistant", answer]]);
}

// Each line you type is the new message; the first Output's answer is the reply. Ctrl-D ends.
async function chat(args) {
  const history = [];
  const lines = createInterface({ input: process.stdin, output: process.stdout, prompt: "you> " });
  lines.prompt();
  for await (const message of lines) {
    if (!message.trim()) {
      lines.prompt();
      continue;
    }
    const outputs = await runFlow({ message: message, history });
    const answer = outputs[0]?.answer ?? "";
    console.log(`bot> ${answer}`);
    history.push([message, answer]);
    lines.prompt();
  }
}

// Each input is an option (--name value); without it the flow's own value is used.
async function main() {
  const { values: args } = parseArgs({
    options: {
      "message": { type: "string", default: "Hi! I ordered running shoes last week." },
      json: { type: "boolean", default: false },
      chat: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (args.help) {
    console.log("Usage: node main.mjs [--message TEXT] [--json] [--chat]");
    process.exit(0);
  }
  if (args.chat) return chat(args);
  const outputs = await runFlow({ message: args["message"] });
  if (args.json) {
    console.log(JSON.stringify(outputs));
  } else {
    for (const { output, answer } of outputs) console.log(`== ${output} ==\n${answer}\n`);
  }
}

// Run from the command line; `import { runFlow } from "./main.mjs"` to use the flow elsewhere.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
