// A chatbot with memory: exported from Chainboard.
// A shop assistant that remembers the conversation.
//
// Run: npx tsx main.ts --help (see README.md). Keys come from environment variables.
//
// Note “Try this”: Open Chat in the top bar and send a few messages: the Prompt remembers the last 20 turns. Save a go…

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

// One exchange of a conversation: what the user said, and the flow's answer.
export type Exchange = [message: string, answer: string];

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

// Prompt “Shop assistant” (OpenAI, gpt-4o-mini)
async function shopAssistant(message: string, history: Turn[]): Promise<string> {
  const system = "You are Sam, the friendly assistant of an online running shop. Answer in two or three short sentences, remember what the customer told you earlier, and ask for an order number before promising anything.";
  const user = render("{{message}}", { message });
  // Example turns, sent between the system message and the user message.
  const examples: Turn[] = [
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

// The flow's inputs: the values of its Input blocks (files by their path).
export interface FlowInputs {
  message: string;
  history?: Exchange[];
}

export async function runFlow({ message, history = [] }: FlowInputs): Promise<Answer[]> {
  // Blocks run in the flow's order; blocks that do not depend on each other run at the same time.
  // `history` is the conversation so far: [what the user said, the answer] pairs, oldest first.
  const shopAssistantText = await shopAssistant(message, recentTurns(history, 20));
  return [
    { output: "Reply", answer: shopAssistantText },
  ];
}

// The last `turns` turns of the conversation as user and assistant messages.
function recentTurns(history: Exchange[], turns: number): Turn[] {
  return (turns ? history.slice(-turns) : []).flatMap(([user, answer]): Turn[] => [["user", user], ["assistant", answer]]);
}

// Each line you type is the new message; the first Output's answer is the reply. Ctrl-D ends.
async function chat(inputs: FlowInputs): Promise<void> {
  const history: Exchange[] = [];
  const lines = createInterface({ input: process.stdin, output: process.stdout, prompt: "you> " });
  lines.prompt();
  for await (const message of lines) {
    if (!message.trim()) {
      lines.prompt();
      continue;
    }
    const outputs = await runFlow({ ...inputs, message: message, history });
    const answer = outputs[0]?.answer ?? "";
    console.log(`bot> ${answer}`);
    history.push([message, answer]);
    lines.prompt();
  }
}

// Each input is an option (--name value); without it the flow's own value is used.
async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      "message": { type: "string", default: "Hi! I ordered running shoes last week." },
      json: { type: "boolean", default: false },
      chat: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (args.help) {
    console.log("Usage: npx tsx main.ts [--message TEXT] [--json] [--chat]");
    process.exit(0);
  }
  const inputs: FlowInputs = { message: args["message"] };
  if (args.chat) return chat(inputs);
  const outputs = await runFlow(inputs);
  if (args.json) {
    console.log(JSON.stringify(outputs));
  } else {
    for (const { output, answer } of outputs) console.log(`== ${output} ==\n${answer}\n`);
  }
}

// Run from the command line; `import { runFlow } from "./main.ts"` to use the flow elsewhere.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
