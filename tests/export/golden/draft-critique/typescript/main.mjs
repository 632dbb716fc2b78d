// Draft, then critique: exported from Chainboard.
// A writer and a reviewer in a chain.
//
// Run: node main.mjs --help (see README.md). Keys come from environment variables.

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

// Prompt “Draft” (OpenAI, gpt-4o-mini)
async function draft(brief) {
  const system = "You write short, friendly release notes.";
  const user = render(
    "Write a three-sentence release note:\n" +
    "\n" +
    "{{brief}}",
    { brief },
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

// Prompt “Critique” (OpenAI, gpt-4o-mini)
async function critique(draft) {
  const system = "You review release notes.";
  const user = render(
    "Check this draft: is it under 60 words, does it say how to turn the feature on, is it friendly? List what to fix.\n" +
    "\n" +
    "{{draft}}",
    { draft },
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

export async function runFlow({ brief }) {
  // Blocks run in the flow's order; blocks that do not depend on each other run at the same time.
  const draftText = await draft(brief);
  const critiqueText = await critique(draftText);
  return [
    { output: "Draft", answer: draftText },
    { output: "Review", answer: critiqueText },
  ];
}

// Each input is an option (--name value); without it the flow's own value is used.
async function main() {
  const { values: args } = parseArgs({
    options: {
      "brief": { type: "string", default: "Announce that dark mode is now available in the mobile app." },
      json: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (args.help) {
    console.log("Usage: node main.mjs [--brief TEXT] [--json]");
    process.exit(0);
  }
  const outputs = await runFlow({ brief: args["brief"] });
  if (args.json) {
    console.log(JSON.stringify(outputs));
  } else {
    for (const { output, answer } of outputs) console.log(`== ${output} ==\n${answer}\n`);
  }
}

// Run from the command line; `import { runFlow } from "./main.mjs"` to use the flow elsewhere.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
