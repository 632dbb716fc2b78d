// Triage support requests: exported from Chainboard.
// Route each request to the reply prompt written for its kind.
//
// Run: npx tsx main.ts --help (see README.md). Keys come from environment variables.
//
// Note “Try this”: Try a bug (“The app crashes when I upload a photo”) or a question. Only the chosen branch runs; the…

import { readFileSync } from "node:fs";
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

// The value on the chosen route, null (not taken) on the others.
const routed = (value: string, route: string, routes: string[]): (string | null)[] => routes.map((r) => (r === route ? value : null));

// Reads the model's pick as Chainboard does: the label on the first line (in any case), else
// the label the answer names first (whole words), else "default".
function pickRoute(answer: string, routes: string[]): string {
  const text = answer.trim();
  const lines = text.split("\n").map((line) => line.trim()).filter(Boolean);
  let head = (lines[0] ?? "").replace(/^[^\p{L}\p{N}_]+|[^\p{L}\p{N}_]+$/gu, "");
  for (const prefix of ["label:", "Label:"]) if (head.startsWith(prefix)) head = head.slice(prefix.length);
  head = head.trim();
  const exact = routes.find((r) => r === head) ?? routes.find((r) => r.toLowerCase() === head.toLowerCase());
  if (exact) return exact;
  let best: { at: number; route: string } | null = null;
  for (const route of routes) {
    const word = route.toLowerCase().replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    const found = new RegExp(`(?<![\\p{L}\\p{N}_])${word}(?![\\p{L}\\p{N}_])`, "u").exec(text.toLowerCase());
    if (found && (!best || found.index < best.at)) best = { at: found.index, route };
  }
  return best ? best.route : "default";
}

// Router “Route by topic” (OpenAI, gpt-4o-mini)
// The model picks one route; an answer that names none goes to "default". Only the chosen
// route carries the value: the blocks on the others do not run.
async function routeByTopic(value: string): Promise<(string | null)[]> {
  // Chainboard's instructions to the model, with this router's routes.
  const system = (
      "You route requests. Read the user's message and pick exactly one label from this list:\n" +
      "- billing\n" +
      "- bug\n" +
      "- default\n" +
      "\n" +
      "billing: charges, invoices, refunds, payment cards, subscriptions\n" +
      "bug: the app crashes, shows an error or does not work as it should\n" +
      "default: anything else\n" +
      "\n" +
      "Answer with the label on the first line and one short sentence saying why on the second line, like:\n" +
      "label\n" +
      "reason"
  );
  const answer = await askOpenAI(openaiClient, "gpt-4o-mini", system, value, {});
  const route = pickRoute(answer, ["billing", "bug", "default"]);
  return routed(value, route, ["billing", "bug", "default"]);
}

// Prompt “Billing reply” (OpenAI, gpt-4o-mini)
async function billingReply(request: string): Promise<string> {
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
async function bugReply(request: string): Promise<string> {
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
async function otherReply(request: string): Promise<string> {
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

// The flow's inputs: the values of its Input blocks (files by their path).
export interface FlowInputs {
  request: string;
}

export async function runFlow({ request }: FlowInputs): Promise<Answer[]> {
  // Blocks run in the flow's order; blocks that do not depend on each other run at the same time.
  // null marks a branch that was not taken: the blocks on it do not run.
  const [routeByTopicBilling, routeByTopicBug, routeByTopicDefault] = await routeByTopic(request);
  const [billingReplyText, bugReplyText, otherReplyText] = await Promise.all([
    whenTaken(billingReply, 1, [routeByTopicBilling]),
    whenTaken(bugReply, 1, [routeByTopicBug]),
    whenTaken(otherReply, 1, [routeByTopicDefault]),
  ]);
  return [
    { output: "Reply", answer: firstTaken(billingReplyText, bugReplyText, otherReplyText) },
  ];
}

// Each input is an option (--name value); without it the flow's own value is used.
async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      "request": { type: "string", default: "Hi, I was charged twice for my subscription this month. Can you refund the extra payment?" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (args.help) {
    console.log("Usage: npx tsx main.ts [--request TEXT] [--json]");
    process.exit(0);
  }
  const inputs: FlowInputs = { request: args["request"] };
  const outputs = await runFlow(inputs);
  if (args.json) {
    console.log(JSON.stringify(outputs));
  } else {
    for (const { output, answer } of outputs) console.log(`== ${output} ==\n${answer ?? "(skipped: the branch that leads here was not taken)"}\n`);
  }
}

// Run from the command line; `import { runFlow } from "./main.ts"` to use the flow elsewhere.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
