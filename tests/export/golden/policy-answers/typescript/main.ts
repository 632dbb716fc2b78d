// Answer from policy documents: exported from Chainboard.
// Answers grounded in your documents, with citations.
//
// Run: npx tsx main.ts --help (see README.md). Keys come from environment variables.
//
// Note “Try this”: Open Knowledge to add your own policies (PDF, Markdown, text). Select Find passages to see what was…

import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import MiniSearch from "minisearch";
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

// A passage of the flow's documents, as Chainboard cut them.
interface Passage {
  source: string;
  heading?: string | null;
  chunk: number;
  text: string;
}

// The flow's documents, cut into passages as Chainboard cut them (documents/passages.json).
const PASSAGES: Passage[] = JSON.parse(readFileSync(new URL("./documents/passages.json", import.meta.url), "utf8"));

// Chainboard's tokenizer: words of letters and digits (apostrophes dropped), lowercase, common
// English words left out, and a light stemmer so "refunds" and "refunded" meet "refund".
const STOP_WORDS = new Set(
  ("a an and are as at be but by can do does for from had has have how i if in into is it its me my no not of " +
    "on or our so that the their then there these they this to was we what with you").split(" "),
);
const SUFFIXES: [suffix: string, keep: string][] = [["ational", "ate"], ["ies", "y"], ["sses", "ss"], ["ing", ""], ["edly", ""], ["ed", ""], ["ly", ""], ["es", ""], ["s", ""]];

function stem(word: string): string {
  if (word.length <= 3 || !/^[\x00-\x7f]*$/.test(word)) return word;
  for (const [suffix, keep] of SUFFIXES) {
    const base = word.slice(0, -suffix.length);
    if (word.endsWith(suffix) && base.length >= 3 && !(suffix === "s" && base.endsWith("s"))) {
      const last = base[base.length - 1];
      const doubled = ["ing", "ed", "edly"].includes(suffix) && base.length >= 4 && last === base[base.length - 2] && !"aeioulsz".includes(last);
      return (doubled ? base.slice(0, -1) : base) + keep;
    }
  }
  return word;
}

function words(text: string): string[] {
  const found = text.match(/[\p{L}\p{N}]+(?:['\u2019][\p{L}\p{N}]+)*/gu) ?? [];
  return found.map((w) => w.replace(/['\u2019]/g, "").toLowerCase()).filter((w) => !STOP_WORDS.has(w)).map(stem);
}

const index = new MiniSearch<{ id: number; text: string }>({ fields: ["text"], tokenize: words, processTerm: (term) => term });
index.addAll(PASSAGES.map((p, id) => ({ id, text: p.heading ? `${p.heading}\n${p.text}` : p.text })));

// The best passages for `query` by BM25 (k1 = 1.2, b = 0.75, as in Chainboard): a numbered
// context to cite [1], [2], and the passages as JSON. Each query word counts once.
function search(query: string, topK: number, minScore = 0): [context: string, passages: string] {
  const terms = [...new Set(words(query))];
  const hits = index
    .search(terms.join(" "), { tokenize: (q) => q.split(" "), processTerm: (term) => term, bm25: { k: 1.2, b: 0.75, d: 0 } })
    // MiniSearch multiplies by the number of matched words; Chainboard sums the words' scores.
    .map((hit) => ({ id: Number(hit.id), score: hit.score / hit.queryTerms.length }))
    .filter((hit) => hit.score > 0 && hit.score >= minScore)
    .sort((a, b) => b.score - a.score || a.id - b.id)
    .slice(0, topK);
  if (!hits.length) return ["(No passages were found for this question.)", "[]"];
  const found = hits.map((hit, n) => ({ ...PASSAGES[hit.id], number: n + 1, score: Math.round(hit.score * 1000) / 1000 }));
  const context = found.map((p) => `[${p.number}] (${p.source}, ${p.heading ?? `part ${p.chunk}`})\n${p.text}`).join("\n\n");
  return [context, JSON.stringify(found)];
}

// Retrieve “Find passages”: the 3 best passages by keywords (BM25)
async function findPassages(question: string): Promise<[context: string, passages: string]> {
  const query = render("{{question}}", { question });
  return search(query, 3, 0.0);
}

// Prompt “Answer with citations” (OpenAI, gpt-4o-mini)
async function answerWithCitations(context: string, question: string): Promise<string> {
  const system = "You answer customer questions using only the numbered passages you are given. After each fact, cite its passage like [1]. If the passages do not answer the question, say you do not know.";
  const user = render(
    "Passages:\n" +
    "{{context}}\n" +
    "\n" +
    "Question: {{question}}",
    { context, question },
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
  question: string;
}

export async function runFlow({ question }: FlowInputs): Promise<Answer[]> {
  // Blocks run in the flow's order; blocks that do not depend on each other run at the same time.
  const [findPassagesContext, findPassagesPassages] = await findPassages(question);
  const answerWithCitationsText = await answerWithCitations(findPassagesContext, question);
  return [
    { output: "Answer", answer: answerWithCitationsText },
  ];
}

// Each input is an option (--name value); without it the flow's own value is used.
async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      "question": { type: "string", default: "How long do I have to return a jacket, and when do I get my money back?" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (args.help) {
    console.log("Usage: npx tsx main.ts [--question TEXT] [--json]");
    process.exit(0);
  }
  const inputs: FlowInputs = { question: args["question"] };
  const outputs = await runFlow(inputs);
  if (args.json) {
    console.log(JSON.stringify(outputs));
  } else {
    for (const { output, answer } of outputs) console.log(`== ${output} ==\n${answer}\n`);
  }
}

// Run from the command line; `import { runFlow } from "./main.ts"` to use the flow elsewhere.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
