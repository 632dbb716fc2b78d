// Agent that checks an order: exported from Chainboard.
// A support agent with an order-lookup tool.
//
// Run: npx tsx main.ts --help (see README.md). Keys come from environment variables.
//
// Note “Try this”: Try order B456, or an id that does not exist. Open the Prompt's result to follow each step.

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

// A JSON object (not null, not an array), whose fields can be read by name.
function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
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

// A tool's arguments as the model sent them (a JSON object).
type ToolArgs = Record<string, unknown>;

// A tool the model can call: its name, description and JSON schema, and the function that runs it.
interface ToolSpec {
  name: string;
  description: string;
  parameters: { type: "object"; properties: Record<string, unknown>; required?: string[]; [key: string]: unknown };
  // A method, so each tool's function can take its own argument shape; callTool checks the
  // required arguments are there before it runs.
  run(args: ToolArgs): Promise<string>;
}

// The agent helpers' options: the tools, the most model calls, a forced first choice.
interface AgentExtras<Choice> extends Extras {
  tools: ToolSpec[];
  maxSteps: number;
  toolChoice?: Choice;
}

const stepLimit = (steps: number): string =>
  `Stopped after ${steps} model calls: the model was still calling tools. Raise the step limit, ` +
  "or tell the model in the prompt when it has enough to answer.";

// Runs one tool call; problems go back to the model as text it can act on, as in Chainboard.
async function callTool(tools: ToolSpec[], name: string, input: unknown): Promise<string> {
  const tool = tools.find((t) => t.name === name);
  if (!tool) return `There is no tool named ${name}.`;
  let args = input;
  if (typeof args === "string") {
    try {
      args = args.trim() ? JSON.parse(args) : {};
    } catch (e) {
      return `The arguments were not valid JSON (${e instanceof Error ? e.message : e}). Send a JSON object.`;
    }
  }
  if (!isObject(args)) return 'The arguments must be a JSON object like {"name": value}.';
  for (const required of tool.parameters.required ?? []) {
    if (args[required] == null) return `Missing required argument \u201c${required}\u201d. Call ${name} again with it.`;
  }
  return tool.run(args);
}

// The agent loop: call the model, run the tools it asks for, send the results back, until it
// answers without calling a tool.
async function agentOpenAI(
  client: OpenAI,
  model: string,
  system: string,
  user: string,
  { tools, maxSteps, toolChoice, media = [], turns = [], ...options }: AgentExtras<OpenAI.ChatCompletionToolChoiceOption> & Omit<OpenAIOptions, "tools" | "tool_choice">,
): Promise<string> {
  const messages = openaiMessages(system, user, media, turns);
  const specs = tools.map(({ name, description, parameters }): OpenAI.ChatCompletionTool => ({ type: "function", function: { name, description, parameters } }));
  for (let step = 0; step < maxSteps; step++) {
    // A forced tool choice applies to the first call only, or the model could never answer.
    const choice = toolChoice && step === 0 ? { tool_choice: toolChoice } : {};
    const response = await client.chat.completions.create({ model, messages, tools: specs, ...choice, ...options });
    const message = response.choices[0].message;
    if (!message.tool_calls?.length) return message.content ?? "";
    messages.push({ role: "assistant", content: message.content, tool_calls: message.tool_calls });
    for (const call of message.tool_calls) {
      const result =
        call.type === "function"
          ? await callTool(tools, call.function.name, call.function.arguments)
          : `There is no tool named ${call.custom.name}.`;
      messages.push({ role: "tool", tool_call_id: call.id, content: result });
    }
  }
  throw new Error(stepLimit(maxSteps));
}

function argText(args: ToolArgs, name: string): string {
  const value = args[name];
  if (value == null) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

// Fills {{argument}} placeholders; inside JSON, text is escaped so the result stays JSON.
function mockFill(template: string, args: ToolArgs): string {
  const jsonLike = ["{", "["].includes(template.trimStart()[0]);
  const names = [...template.matchAll(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g)].map((m) => m[1]);
  const values = Object.fromEntries(names.map((n) => [n, jsonLike ? JSON.stringify(argText(args, n)).slice(1, -1) : argText(args, n)]));
  return render(template, values);
}

// Tool “Order lookup”: Look up an order by its id. Returns its status and expected delivery date as JSON.
type LookupOrderArgs = {
  // The order id, like A123
  order_id: string;
};
// In Chainboard this tool is a mock with fixed answers. Replace the body with a call to
// your system.
async function lookupOrder(args: LookupOrderArgs): Promise<string> {
  if (argText(args, "order_id").trim().toLowerCase() === "a123") {
    return mockFill("{\"order\": \"A123\", \"status\": \"shipped\", \"delivery\": \"Thursday\"}", args);
  }
  if (argText(args, "order_id").trim().toLowerCase() === "b456") {
    return mockFill("{\"order\": \"B456\", \"status\": \"delayed\", \"delivery\": \"next week\"}", args);
  }
  return mockFill("{\"order\": \"{{order_id}}\", \"status\": \"not found\"}", args);
}

const LOOKUP_ORDER_TOOL: ToolSpec = {
  name: "lookup_order",
  description: "Look up an order by its id. Returns its status and expected delivery date as JSON.",
  parameters: {
      "properties": {"order_id": {"description": "The order id, like A123", "type": "string"}},
      "required": ["order_id"],
      "type": "object",
  },
  run: lookupOrder,
};

// Prompt “Support agent” (OpenAI, gpt-4o-mini)
async function supportAgent(message: string): Promise<string> {
  const system = "You are a support agent for an online shop. Look orders up with the tool before answering; never guess a status.";
  const user = render("{{message}}", { message });
  return agentOpenAI(
    openaiClient,
    "gpt-4o-mini",
    system,
    user,
    {
      tools: [LOOKUP_ORDER_TOOL],
      maxSteps: 8,
      temperature: 0.2,
      max_completion_tokens: 400,
    },
  );
}

// The flow's inputs: the values of its Input blocks (files by their path).
export interface FlowInputs {
  message: string;
}

export async function runFlow({ message }: FlowInputs): Promise<Answer[]> {
  // Blocks run in the flow's order; blocks that do not depend on each other run at the same time.
  const supportAgentText = await supportAgent(message);
  return [
    { output: "Reply", answer: supportAgentText },
  ];
}

// Each input is an option (--name value); without it the flow's own value is used.
async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      "message": { type: "string", default: "Hi, where is my order A123? I need it before the weekend." },
      json: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (args.help) {
    console.log("Usage: npx tsx main.ts [--message TEXT] [--json]");
    process.exit(0);
  }
  const inputs: FlowInputs = { message: args["message"] };
  const outputs = await runFlow(inputs);
  if (args.json) {
    console.log(JSON.stringify(outputs));
  } else {
    for (const { output, answer } of outputs) console.log(`== ${output} ==\n${answer}\n`);
  }
}

// Run from the command line; `import { runFlow } from "./main.ts"` to use the flow elsewhere.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
