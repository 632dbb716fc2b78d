// Draft an email, approve before sending: exported from Chainboard.
// A person approves, edits or rejects the draft.
//
// Run: npx tsx main.ts --help (see README.md). Keys come from environment variables.
//
// Note “Try this”: Run it: the flow stops at Approve before sending. Approve, edit the text and approve, or reject. Re…

import { readFileSync } from "node:fs";
import { createInterface } from "node:readline";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import OpenAI from "openai";

// Keys and addresses come from the environment: never write a key into this file.
const openaiClient = new OpenAI({
  apiKey: process.env.OPENAI_API_KEY,
  baseURL: process.env.OPENAI_BASE_URL ?? "https://api.openai.com/v1",
});

// One Output block's answer; null when the branch that leads to it was not taken.
export interface Answer {
  output: string;
  answer: string | null;
}

// An earlier message (an example turn, or the conversation so far): who said it, and what.
type Turn = [role: "user" | "assistant", text: string];

// What a Prompt sends besides its own messages: image or audio files, and earlier turns.
interface Extras {
  media?: string[];
  turns?: Turn[];
}

// Fills {{name}} placeholders as Chainboard does; \{{ stands for a literal {{.
function render(template: string, values: Record<string, string>): string {
  return template.replace(/\\\{\{|\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g, (_, name?: string) => (name ? values[name] : "{{"));
}

// An image or audio file: its type (from the file name) and its bytes as base64.
const MIME: Record<string, string> = { png: "image/png", jpg: "image/jpeg", jpeg: "image/jpeg", webp: "image/webp", gif: "image/gif", mp3: "audio/mpeg", wav: "audio/wav", m4a: "audio/mp4", webm: "audio/webm", ogg: "audio/ogg" };
function readMedia(path: string): { mime: string; data: string } {
  const mime = MIME[(path.split(".").pop() ?? "").toLowerCase()] ?? "application/octet-stream";
  return { mime, data: readFileSync(path).toString("base64") };
}

// The block's settings as the SDK takes them (temperature, max tokens, the response format, ...).
type OpenAIOptions = Extras & Omit<OpenAI.ChatCompletionCreateParamsNonStreaming, "model" | "messages">;

function openaiUserContent(user: string, media: string[] = []): string | OpenAI.ChatCompletionContentPart[] {
  if (!media.length) return user;
  const images = media.map(readMedia).map(({ mime, data }): OpenAI.ChatCompletionContentPart => ({ type: "image_url", image_url: { url: `data:${mime};base64,${data}` } }));
  return [...images, { type: "text", text: user }];
}

function openaiMessages(system: string, user: string, media: string[], turns: Turn[]): OpenAI.ChatCompletionMessageParam[] {
  const messages: OpenAI.ChatCompletionMessageParam[] = system.trim() ? [{ role: "system", content: system }] : [];
  for (const [role, content] of turns) messages.push({ role, content });
  messages.push({ role: "user", content: openaiUserContent(user, media) });
  return messages;
}

// One chat completion; `turns` are earlier [role, text] messages; `options` are the block's
// settings (temperature, max tokens, the response format, ...).
async function askOpenAI(client: OpenAI, model: string, system: string, user: string, { media = [], turns = [], ...options }: OpenAIOptions): Promise<string> {
  const messages = openaiMessages(system, user, media, turns);
  const response = await client.chat.completions.create({ model, messages, ...options });
  return response.choices[0].message.content ?? "";
}

// A block on a branch that was not taken (a route the router did not pick, a rejected
// approval) gets null instead of a value: it does not run, and neither do the blocks after it.
type Taken<T> = T extends unknown[] ? { [K in keyof T]: T[K] | null } : T | null;

async function whenTaken<A extends unknown[], T>(
  step: (...args: A) => Promise<T>,
  outputs: number,
  args: { [K in keyof A]: A[K] | null },
): Promise<Taken<T>> {
  if (args.some((arg) => arg === null)) return (outputs === 1 ? null : new Array(outputs).fill(null)) as Taken<T>;
  return (await step(...(args as A))) as Taken<T>;
}

// An Output fed by several branches shows the one that ran.
const firstTaken = (...values: (string | null)[]): string | null => values.find((v) => v !== null) ?? null;

// Asks on the terminal: approve as is, edit (type the new text), or reject.
async function review(title: string, instructions: string, value: string): Promise<string | null> {
  const terminal = createInterface({ input: process.stdin });
  const typed = terminal[Symbol.asyncIterator]();
  // The next line typed; null at the end of the input (no one to ask: rejected).
  const ask = async (question: string): Promise<string | null> => {
    process.stderr.write(question);
    const next = await typed.next();
    return next.done ? null : next.value;
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
        const lines: string[] = [];
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
let approvalTurn: Promise<unknown> = Promise.resolve();
function askApproval(title: string, instructions: string, value: string): Promise<string | null> {
  if (process.env.CHAINBOARD_AUTO_APPROVE === "1") return Promise.resolve(value);
  const turn = approvalTurn.then(() => review(title, instructions, value));
  approvalTurn = turn.catch(() => {});
  return turn;
}

// Prompt “Draft the email” (OpenAI, gpt-4o-mini)
async function draftTheEmail(recipient: string, points: string): Promise<string> {
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
async function approveBeforeSending(value: string): Promise<string | null> {
  return askApproval("Approve before sending", "Check the facts, the tone and the name before this email goes out.", value);
}

// The flow's inputs: the values of its Input blocks (files by their path).
export interface FlowInputs {
  recipient: string;
  points: string;
}

export async function runFlow({ recipient, points }: FlowInputs): Promise<Answer[]> {
  // Blocks run in the flow's order; blocks that do not depend on each other run at the same time.
  // null marks a branch that was not taken: the blocks on it do not run.
  const draftTheEmailText = await draftTheEmail(recipient, points);
  const approveBeforeSendingApproved = await approveBeforeSending(draftTheEmailText);
  return [
    { output: "Email to send", answer: approveBeforeSendingApproved },
  ];
}

// Each input is an option (--name value); without it the flow's own value is used.
async function main(): Promise<void> {
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
    console.log("Usage: npx tsx main.ts [--recipient TEXT] [--points TEXT] [--json] [--approve]");
    process.exit(0);
  }
  // --approve (or CHAINBOARD_AUTO_APPROVE=1) approves every Approval without asking.
  if (args.approve) process.env.CHAINBOARD_AUTO_APPROVE = "1";
  const inputs: FlowInputs = { recipient: args["recipient"], points: args["points"] };
  const outputs = await runFlow(inputs);
  if (args.json) {
    console.log(JSON.stringify(outputs));
  } else {
    for (const { output, answer } of outputs) console.log(`== ${output} ==\n${answer ?? "(skipped: the branch that leads here was not taken)"}\n`);
  }
}

// Run from the command line; `import { runFlow } from "./main.ts"` to use the flow elsewhere.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
