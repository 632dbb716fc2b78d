// Answer from policy documents: exported from Chainboard.
// Answers grounded in your documents, with citations.
//
// Run: node main.mjs --help (see README.md). Keys come from environment variables.
//
// Note “Try this”: Open Knowledge to add your own policies (PDF, Markdown, text). Select Find passages to see what was…

import { createReadStream, readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import MiniSearch from "minisearch";
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

// The flow's documents, cut into passages as Chainboard cut them (documents/passages.json).
const PASSAGES = JSON.parse(readFileSync(new URL("./documents/passages.json", import.meta.url), "utf8"));

// Chainboard's tokenizer: words of letters and digits (apostrophes dropped), lowercase, common
// English words left out, and a light stemmer so "refunds" and "refunded" meet "refund".
const STOP_WORDS = new Set(
  ("a an and are as at be but by can do does for from had has have how i if in into is it its me my no not of " +
    "on or our so that the their then there these they this to was we what with you").split(" "),
);
const SUFFIXES = [["ational", "ate"], ["ies", "y"], ["sses", "ss"], ["ing", ""], ["edly", ""], ["ed", ""], ["ly", ""], ["es", ""], ["s", ""]];

function stem(word) {
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

function words(text) {
  const found = text.match(/[\p{L}\p{N}]+(?:['\u2019][\p{L}\p{N}]+)*/gu) ?? [];
  return found.map((w) => w.replace(/['\u2019]/g, "").toLowerCase()).filter((w) => !STOP_WORDS.has(w)).map(stem);
}

const index = new MiniSearch({ fields: ["text"], tokenize: words, processTerm: (term) => term });
index.addAll(PASSAGES.map((p, id) => ({ id, text: p.heading ? `${p.heading}\n${p.text}` : p.text })));

// The best passages for `query` by BM25 (k1 = 1.2, b = 0.75, as in Chainboard): a numbered
// context to cite [1], [2], and the passages as JSON. Each query word counts once.
function search(query, topK, minScore = 0) {
  const terms = [...new Set(words(query))];
  const hits = index
    .search(terms.join(" "), { tokenize: (q) => q.split(" "), processTerm: (term) => term, bm25: { k: 1.2, b: 0.75, d: 0 } })
    // MiniSearch multiplies by the number of matched words; Chainboard sums the words' scores.
    .map((hit) => ({ id: hit.id, score: hit.score / hit.queryTerms.length }))
    .filter((hit) => hit.score > 0 && hit.score >= minScore)
    .sort((a, b) => b.score - a.score || a.id - b.id)
    .slice(0, topK);
  if (!hits.length) return ["(No passages were found for this question.)", "[]"];
  const found = hits.map((hit, n) => ({ ...PASSAGES[hit.id], number: n + 1, score: Math.round(hit.score * 1000) / 1000 }));
  const context = found.map((p) => `[${p.number}] (${p.source}, ${p.heading ?? `part ${p.chunk}`})\n${p.text}`).join("\n\n");
  return [context, JSON.stringify(found)];
}

// Retrieve “Find passages”: the 3 best passages by keywords (BM25)
async function findPassages(question) {
  const query = render("{{question}}", { question });
  return search(query, 3, 0.0);
}

// Prompt “Answer with citations” (OpenAI, gpt-4o-mini)
async function answerWithCitations(context, question) {
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

export async function runFlow({ question }) {
  // Blocks run in the flow's order; blocks that do not depend on each other run at the same time.
  const [findPassagesContext, findPassagesPassages] = await findPassages(question);
  const answerWithCitationsText = await answerWithCitations(findPassagesContext, question);
  return [
    { output: "Answer", answer: answerWithCitationsText },
  ];
}

// Each input is an option (--name value); without it the flow's own value is used.
async function main() {
  const { values: args } = parseArgs({
    options: {
      "question": { type: "string", default: "How long do I have to return a jacket, and when do I get my money back?" },
      json: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (args.help) {
    console.log("Usage: node main.mjs [--question TEXT] [--json]");
    process.exit(0);
  }
  const outputs = await runFlow({ question: args["question"] });
  if (args.json) {
    console.log(JSON.stringify(outputs));
  } else {
    for (const { output, answer } of outputs) console.log(`== ${output} ==\n${answer}\n`);
  }
}

// Run from the command line; `import { runFlow } from "./main.mjs"` to use the flow elsewhere.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
