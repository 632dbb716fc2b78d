// Support bot with a privacy guardrail: exported from Chainboard.
// Messages with personal data are held back before any model sees them.
//
// Run: node main.mjs --help (see README.md). Keys come from environment variables.
//
// Note “Try this”: Run it: the card number and e-mail address send the message to “flagged”, so no model sees it. Remo…
// TODO: “Guardrail” is a Router block, which this exporter cannot write yet: its outputs are empty in the c…

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

// TODO: “Guardrail” is a Router block, which the exporter cannot write yet.
async function guardrail(value) {
  return ["", ""];
}

// Prompt “Support reply” (OpenAI, gpt-4o-mini)
async function supportReply(message) {
  const system = "You answer customers of an online shop, warmly and in three sentences or fewer.";
  const user = render(
    "Customer message:\n" +
    "{{message}}\n" +
    "\n" +
    "Write the reply.",
    { message },
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

export async function runFlow({ message }) {
  // Blocks run in the flow's order; blocks that do not depend on each other run at the same time.
  const [guardrailFlagged, guardrailDefault] = await guardrail(message);
  const supportReplyText = await supportReply(guardrailDefault);
  return [
    { output: "Reply", answer: supportReplyText },
    { output: "Held for a person", answer: guardrailFlagged },
  ];
}

// Each input is an option (--name value); without it the flow's own value is used.
async function main() {
  const { values: args } = parseArgs({
    options: {
      "message": { type: "string", default: "Hi, please change my card to 4111 1111 1111 1111 and confirm to ana.ruiz@example.com." },
      json: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (args.help) {
    console.log("Usage: node main.mjs [--message TEXT] [--json]");
    process.exit(0);
  }
  const outputs = await runFlow({ message: args["message"] });
  if (args.json) {
    console.log(JSON.stringify(outputs));
  } else {
    for (const { output, answer } of outputs) console.log(`== ${output} ==\n${answer}\n`);
  }
}

// Run from the command line; `import { runFlow } from "./main.mjs"` to use the flow elsewhere.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
