// Draft an email, approve before sending: exported from Chainboard.
// A person approves, edits or rejects the draft.
//
// Run: node main.mjs --help (see README.md). Keys come from environment variables.
//
// Note “Try this”: Run it: the flow stops at Approve before sending. Approve, edit the text and approve, or reject. Re…

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

// A block on a branch that was not taken (a route the router did not pick, a rejected
// approval) gets null instead of a value: it does not run, and neither do the blocks after it.
async function whenTaken(step, outputs, args) {
  if (args.some((arg) => arg === null)) return outputs === 1 ? null : new Array(outputs).fill(null);
  return step(...args);
}

// An Output fed by several branches shows the one that ran.
const firstTaken = (...values) => values.find((v) => v !== null) ?? null;

// Asks on the terminal: approve as is, edit (type the new text), or reject.
async function review(title, instructions, value) {
  const terminal = createInterface({ input: process.stdin });
  const typed = terminal[Symbol.asyncIterator]();
  // The next line typed; null at the end of the input (no one to ask: rejected).
  const ask = async (question) => {
    process.stderr.write(question);
    const { value: line, done } = await typed.next();
    return done ? null : line;
  };
  try {
    console.error(`\n== Approval: ${title} ==`);
    if (instructions) console.error(instructions);
    console.error(`\n${value}\n`);
    for (;;) {
      const line = await ask("Approve, edit or reject? [a/e/r] ");
      if (line === null) return null;
      const choice = line.trim().toLowerCase();
      if (choice === "a" || choice === "approve") return value;
      if (choice === "r" || choice === "reject") return null;
      if (choice === "e" || choice === "edit") {
        console.error("Type the new text; end with a line holding only a dot.");
        const lines = [];
        for (let line = await ask(""); line !== null && line !== "."; line = await ask("")) lines.push(line);
        return lines.join("\n");
      }
    }
  } finally {
    terminal.close();
  }
}

// The approved (maybe edited) value, or null when rejected. CHAINBOARD_AUTO_APPROVE=1 (or
// --approve) approves everything without asking, for scripts and tests. One question at a time.
let approvalTurn = Promise.resolve();
function askApproval(title, instructions, value) {
  if (process.env.CHAINBOARD_AUTO_APPROVE === "1") return value;
  const turn = approvalTurn.then(() => review(title, instructions, value));
  approvalTurn = turn.catch(() => {});
  return turn;
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

// Approval “Approve before sending”: a person approves, edits or rejects the value; rejected, the blocks after
// it do not run.
async function approveBeforeSending(value) {
  return askApproval("Approve before sending", "Check the facts, the tone and the name before this email goes out.", value);
}

export async function runFlow({ recipient, points }) {
  // Blocks run in the flow's order; blocks that do not depend on each other run at the same time.
  // null marks a branch that was not taken: the blocks on it do not run.
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
      approve: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (args.help) {
    console.log("Usage: node main.mjs [--recipient TEXT] [--points TEXT] [--json] [--approve]");
    process.exit(0);
  }
  // --approve (or CHAINBOARD_AUTO_APPROVE=1) approves every Approval without asking.
  if (args.approve) process.env.CHAINBOARD_AUTO_APPROVE = "1";
  const outputs = await runFlow({ recipient: args["recipient"], points: args["points"] });
  if (args.json) {
    console.log(JSON.stringify(outputs));
  } else {
    for (const { output, answer } of outputs) console.log(`== ${output} ==\n${answer ?? "(skipped: the branch that leads here was not taken)"}\n`);
  }
}

// Run from the command line; `import { runFlow } from "./main.mjs"` to use the flow elsewhere.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
