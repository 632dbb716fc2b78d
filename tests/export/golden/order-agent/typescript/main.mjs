// Agent that checks an order: exported from Chainboard.
// A support agent with an order-lookup tool.
//
// Run: node main.mjs --help (see README.md). Keys come from environment variables.
//
// Note “Try this”: Try order B456, or an id that does not exist. Open the Prompt's result to follow each step.

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

const stepLimit = (steps) =>
  `Stopped after ${steps} model calls: the model was still calling tools. Raise the step limit, ` +
  "or tell the model in the prompt when it has enough to answer.";

// Runs one tool call; problems go back to the model as text it can act on, as in Chainboard.
async function callTool(tools, name, args) {
  const tool = tools.find((t) => t.name === name);
  if (!tool) return `There is no tool named ${name}.`;
  if (typeof args === "string") {
    try {
      args = args.trim() ? JSON.parse(args) : {};
    } catch (e) {
      return `The arguments were not valid JSON (${e.message}). Send a JSON object.`;
    }
  }
  if (!args || typeof args !== "object" || Array.isArray(args)) return 'The arguments must be a JSON object like {"name": value}.';
  for (const required of tool.parameters.required ?? []) {
    if (args[required] == null) return `Missing required argument \u201c${required}\u201d. Call ${name} again with it.`;
  }
  return tool.run(args);
}

// The agent loop: call the model, run the tools it asks for, send the results back, until it
// answers without calling a tool.
async function agentOpenAI(client, model, system, user, { tools, maxSteps, toolChoice, media = [], turns = [], ...options }) {
  const messages = system.trim() ? [{ role: "system", content: system }] : [];
  for (const [role, content] of turns) messages.push({ role, content });
  messages.push({ role: "user", content: openaiUserContent(user, media) });
  const specs = tools.map(({ name, description, parameters }) => ({ type: "function", function: { name, description, parameters } }));
  for (let step = 0; step < maxSteps; step++) {
    // A forced tool choice applies to the first call only, or the model could never answer.
    const choice = toolChoice && step === 0 ? { tool_choice: toolChoice } : {};
    const response = await client.chat.completions.create({ model, messages, tools: specs, ...choice, ...options });
    const message = response.choices[0].message;
    if (!message.tool_calls?.length) return message.content ?? "";
    messages.push({ role: "assistant", content: message.content, tool_calls: message.tool_calls });
    for (const call of message.tool_calls) {
      const result = await callTool(tools, call.function.name, call.function.arguments);
      messages.push({ role: "tool", tool_call_id: call.id, content: result });
    }
  }
  throw new Error(stepLimit(maxSteps));
}

function argText(args, name) {
  const value = args[name];
  if (value == null) return "";
  return typeof value === "string" ? value : JSON.stringify(value);
}

// Fills {{argument}} placeholders; inside JSON, text is escaped so the result stays JSON.
function mockFill(template, args) {
  const jsonLike = ["{", "["].includes(template.trimStart()[0]);
  const names = [...template.matchAll(/\{\{\s*([A-Za-z_][A-Za-z0-9_]*)\s*\}\}/g)].map((m) => m[1]);
  const values = Object.fromEntries(names.map((n) => [n, jsonLike ? JSON.stringify(argText(args, n)).slice(1, -1) : argText(args, n)]));
  return render(template, values);
}

// Tool “Order lookup”: Look up an order by its id. Returns its status and expected delivery date as JSON.
// In Chainboard this tool is a mock with fixed answers. Replace the body with a call to
// your system.
async function lookupOrder(args) {
  if (argText(args, "order_id").trim().toLowerCase() === "a123") {
    return mockFill("{\"order\": \"A123\", \"status\": \"shipped\", \"delivery\": \"Thursday\"}", args);
  }
  if (argText(args, "order_id").trim().toLowerCase() === "b456") {
    return mockFill("{\"order\": \"B456\", \"status\": \"delayed\", \"delivery\": \"next week\"}", args);
  }
  return mockFill("{\"order\": \"{{order_id}}\", \"status\": \"not found\"}", args);
}

const LOOKUP_ORDER_TOOL = {
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
async function supportAgent(message) {
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

export async function runFlow({ message }) {
  // Blocks run in the flow's order; blocks that do not depend on each other run at the same time.
  const supportAgentText = await supportAgent(message);
  return [
    { output: "Reply", answer: supportAgentText },
  ];
}

// Each input is an option (--name value); without it the flow's own value is used.
async function main() {
  const { values: args } = parseArgs({
    options: {
      "message": { type: "string", default: "Hi, where is my order A123? I need it before the weekend." },
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
