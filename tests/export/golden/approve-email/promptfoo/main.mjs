// Draft an email, approve before sending: exported from Chainboard.
// A person approves, edits or rejects the draft.
//
// Run: node main.mjs --help (see README.md). Keys come from environment variables.
//
// Note “Try this”: Run it: the flow stops at Approve before sending. Approve, edit the text and approve, or reject. Re…
// TODO: “Approve before sending” is a Approval block, which this exporter cannot write yet: its outputs are…

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

// Prompt “Draft the email” (OpenAI, gpt-4o-mini)
async function draftTheEmail(recipient, points) {
  const system = "You write short, friendly customer emails. Plain words, no exclamation marks, sign off as “The Support Team”.";
  const user = render(
    "Write an email to {{recipient}} covering:\n" +
    "{{points}}",
    { recipient, points },
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

// TODO: “Approve before sending” is a Approval block, which the exporter cannot write yet.
async function approveBeforeSending(value) {
  return "";
}

export async function runFlow({ recipient, points }) {
  // Blocks run in the flow's order; blocks that do not depend on each other run at the same time.
  const draftTheEmailText = await draftTheEmail(recipient, points);
  const approveBeforeSendingApproved = await approveBeforeSending(draftTheEmailText);
  return [
    { output: "Email to send", answer: approveBeforeSendingApproved },
  ];
}

// Each input is an option (--name value); without it the flow's own value is used.
async function main() {
  const { values: args } = parseArgs({
    options: {
      "recipient": { type: "string", default: "Ana Ruiz" },
      "points": { type: "string", default: "Her order 4821 ships on Monday, not Friday. Offer free express shipping on her next order as an apology." },
      json: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (args.help) {
    console.log("Usage: node main.mjs [--recipient TEXT] [--points TEXT] [--json]");
    process.exit(0);
  }
  const outputs = await runFlow({ recipient: args["recipient"], points: args["points"] });
  if (args.json) {
    console.log(JSON.stringify(outputs));
  } else {
    for (const { output, answer } of outputs) console.log(`== ${output} ==\n${answer}\n`);
  }
}

// Run from the command line; `import { runFlow } from "./main.mjs"` to use the flow elsewhere.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
