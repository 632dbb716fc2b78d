// Triage support requests: exported from Chainboard.
// Route each request to the reply prompt written for its kind.
//
// Run: node main.mjs --help (see README.md). Keys come from environment variables.
//
// Note “Try this”: Try a bug (“The app crashes when I upload a photo”) or a question. Only the chosen branch runs; the…
// TODO: “Route by topic” is a Router block, which this exporter cannot write yet: its outputs are empty in …

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

// One chat completion; `options` are temperature, max tokens and the response format.
async function askOpenAI(client, model, system, user, { media = [], ...options }) {
  const messages = system.trim() ? [{ role: "system", content: system }] : [];
  messages.push({ role: "user", content: openaiUserContent(user, media) });
  const response = await client.chat.completions.create({ model, messages, ...options });
  return response.choices[0].message.content ?? "";
}

// TODO: “Route by topic” is a Router block, which the exporter cannot write yet.
async function routeByTopic(value) {
  return ["", "", ""];
}

// Prompt “Billing reply” (OpenAI, gpt-4o-mini)
async function billingReply(request) {
  const system = "You answer billing questions for a software company. Be precise about money, say what happens next and when.";
  const user = render(
    "Customer request:\n" +
    "{{request}}\n" +
    "\n" +
    "Write the reply.",
    { request },
  );
  return askOpenAI(
    openaiClient,
    "gpt-4o-mini",
    system,
    user,
    {
      temperature: 0.2,
      max_completion_tokens: 400,
    },
  );
}

// Prompt “Bug reply” (OpenAI, gpt-4o-mini)
async function bugReply(request) {
  const system = "You answer bug reports. Thank the person, ask for the one detail an engineer needs (device, version, steps), and promise nothing you cannot keep.";
  const user = render(
    "Customer request:\n" +
    "{{request}}\n" +
    "\n" +
    "Write the reply.",
    { request },
  );
  return askOpenAI(
    openaiClient,
    "gpt-4o-mini",
    system,
    user,
    {
      temperature: 0.2,
      max_completion_tokens: 400,
    },
  );
}

// Prompt “Other reply” (OpenAI, gpt-4o-mini)
async function otherReply(request) {
  const system = "You answer general questions for a software company, warmly and in three sentences or fewer.";
  const user = render(
    "Customer request:\n" +
    "{{request}}\n" +
    "\n" +
    "Write the reply.",
    { request },
  );
  return askOpenAI(
    openaiClient,
    "gpt-4o-mini",
    system,
    user,
    {
      temperature: 0.2,
      max_completion_tokens: 400,
    },
  );
}

export async function runFlow({ request }) {
  // Blocks run in the flow's order; blocks that do not depend on each other run at the same time.
  const [routeByTopicBilling, routeByTopicBug, routeByTopicDefault] = await routeByTopic(request);
  const [billingReplyText, bugReplyText, otherReplyText] = await Promise.all([
    billingReply(routeByTopicBilling),
    bugReply(routeByTopicBug),
    otherReply(routeByTopicDefault),
  ]);
  return [
    { output: "Reply", answer: billingReplyText },
  ];
}

// Each input is an option (--name value); without it the flow's own value is used.
async function main() {
  const { values: args } = parseArgs({
    options: {
      "request": { type: "string", default: "Hi, I was charged twice for my subscription this month. Can you refund the extra payment?" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (args.help) {
    console.log("Usage: node main.mjs [--request TEXT] [--json]");
    process.exit(0);
  }
  const outputs = await runFlow({ request: args["request"] });
  if (args.json) {
    console.log(JSON.stringify(outputs));
  } else {
    for (const { output, answer } of outputs) console.log(`== ${output} ==\n${answer}\n`);
  }
}

// Run from the command line; `import { runFlow } from "./main.mjs"` to use the flow elsewhere.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
