// Summarise every row of a list: exported from Chainboard.
// One line per row of customer feedback.
//
// Run: npx tsx main.ts --help (see README.md). Keys come from environment variables.
//
// Note “Try this”: Paste your own rows (CSV with a header, one item per line, or a JSON array). Watch the progress on …

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

// One chat completion; `turns` are earlier [role, text] messages; `options` are the block's
// settings (temperature, max tokens, the response format, ...).
async function askOpenAI(client: OpenAI, model: string, system: string, user: string, { media = [], turns = [], ...options }: OpenAIOptions): Promise<string> {
  const messages = openaiMessages(system, user, media, turns);
  const response = await client.chat.completions.create({ model, messages, ...options });
  return response.choices[0].message.content ?? "";
}

// Chainboard writes JSON objects with their keys in sorted order; so does this program.
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (isObject(value)) {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys(value[k])]));
  }
  return value;
}

// White space as Chainboard trims it (JavaScript's trim() also takes U+FEFF, which it keeps).
const SPACE = "[\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+";
const trimmed = (text: string): string => text.replace(new RegExp(`^${SPACE}|${SPACE}$`, "g"), "");

// The header's delimiter, counting only those outside quotes, as Chainboard guesses it: tabs,
// else semicolons when there are more of them than commas, else commas; null when the header
// has a single column.
function csvDelimiter(text: string): string | null {
  const counts: Record<string, number> = { "\t": 0, ",": 0, ";": 0 };
  let quoted = false, closed = false, start = true;
  for (const c of text) {
    if (quoted) {
      quoted = c !== '"';
      closed = !quoted;
      continue;
    }
    if (c === '"' && (start || closed)) quoted = true;
    else if (c === "\r" || c === "\n") break;
    else if (c in counts) counts[c]++;
    start = c in counts;
    closed = false;
  }
  if (counts["\t"]) return "\t";
  if (counts[";"] > counts[","]) return ";";
  return counts[","] ? "," : null;
}

// Rows of a CSV with the header's delimiter (quoted fields may hold delimiters, quotes and line
// breaks), blank rows dropped.
function csvRows(text: string): string[][] {
  const delimiter = csvDelimiter(text) ?? "\x1f";
  // Chainboard writes a ' before a value that a spreadsheet would run as a formula; reading a
  // comma or semicolon CSV, it takes it off again.
  const unguard = (f: string) => (delimiter !== "\x1f" && delimiter !== "\t" && /^'+[=+\-@\t\r]/.test(f) ? f.slice(1) : f);
  const rows: string[][] = [];
  let row: string[] = [], field = "", quoted = false, atStart = true;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && atStart) {
      quoted = true;
      atStart = false;
    } else if (c === delimiter) {
      row.push(unguard(field));
      field = "";
      atStart = true;
    } else if (c === "\r" || c === "\n") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(unguard(field));
      rows.push(row);
      [row, field, atStart] = [[], "", true];
    } else {
      field += c;
      atStart = false;
    }
  }
  if (quoted) throw new Error("The list is not readable as CSV: a quote is not closed.");
  if (field || row.length) rows.push([...row, unguard(field)]);
  return rows.filter((r) => r.some((f) => trimmed(f)));
}

// Each row after the header as "column: value" lines, or as a JSON object.
function csvItems(rows: string[][], rowAs: string): string[] {
  const header = (rows[0] ?? []).map((name, i) => trimmed(name) || `column ${i + 1}`);
  return rows.slice(1).map((row) => {
    const pairs = header.map((name, i): [string, string] => [name, row[i] ?? ""]);
    if (rowAs === "json") return JSON.stringify(sortKeys(Object.fromEntries(pairs)));
    return pairs.map(([k, v]) => `${k}: ${v}`).join("\n");
  });
}

function jsonItems(text: string): string[] {
  const value: unknown = JSON.parse(trimmed(text));
  if (!Array.isArray(value)) throw new Error("The list is JSON but not an array: put the items in [ ... ].");
  return value.map((v) => (typeof v === "string" ? v : JSON.stringify(sortKeys(v))));
}

// Cuts the list into items as Chainboard does: "auto" reads a JSON array when the text is one,
// CSV rows when the first line is a header of two or more columns, lines otherwise.
function splitItems(text: string, mode: string, rowAs: string): string[] {
  if (text.startsWith("\ufeff")) text = text.slice(1);
  const lines = text.split("\n").map(trimmed).filter(Boolean);
  if (mode === "lines") return lines;
  if (mode === "json_array") return jsonItems(text);
  if (mode === "csv") return csvItems(csvRows(text), rowAs);
  if (text.replace(new RegExp(`^${SPACE}`), "").startsWith("[")) {
    try {
      return jsonItems(text);
    } catch {}
  }
  let rows: string[][] = [];
  try {
    if (csvDelimiter(text)) rows = csvRows(text);
  } catch {} // not readable as CSV: lines
  const isCsv = rows.length >= 2 && rows[0].length >= 2 && rows.every((r) => r.length === rows[0].length);
  return isCsv ? csvItems(rows, rowAs) : lines;
}

// Runs `task` over the items, at most `limit` at a time; the results in the items' order.
async function mapLimited<T, R>(items: T[], limit: number, task: (item: T, number: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i], i + 1);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

// One entry per item, in order: a result that is a JSON object or array stays JSON, other
// text is a string, a failed item is null (so positions still match the list).
function joinAsJson(results: (string | null)[]): string {
  const entry = (result: string | null): unknown => {
    if (result === null) return null;
    try {
      const value: unknown = JSON.parse(result.trim());
      return value && typeof value === "object" ? sortKeys(value) : result;
    } catch {
      return result;
    }
  };
  return JSON.stringify(results.map(entry), null, 2);
}

// For each item “Summarise each row” (OpenAI, gpt-4o-mini)
// The prompt runs once per item of the list, at most 4 at a time; the results are joined
// as text (failed items left out). A failed item does not stop the others.
async function summariseEachRow(list_: string): Promise<string> {
  const items = splitItems(list_, "auto", "text");
  if (items.length > 100) throw new Error(`The list has ${items.length} items; this loop runs at most 100.`);

  const ask = async (item: string, index: string): Promise<string> => {
    const system = "You summarise customer feedback for a product team: the problem or praise, in plain words.";
    const user = render(
      "Summarise this customer feedback in one sentence:\n" +
      "\n" +
      "{{item}}",
      { item },
    );
    return askOpenAI(
      openaiClient,
      "gpt-4o-mini",
      system,
      user,
      {
        temperature: 0.2,
        max_completion_tokens: 80,
      },
    );
  };
  const results = await mapLimited(items, 4, async (item, number) => {
    try {
      return await ask(item, String(number));
    } catch (e) {
      console.error(`Item ${number} failed: ${e instanceof Error ? e.message : e}`);
      return null;
    }
  });
  if (items.length && results.every((r) => r === null)) throw new Error("Every item failed.");
  return results.filter((r) => r !== null).join("\n");
}

// The flow's inputs: the values of its Input blocks (files by their path).
export interface FlowInputs {
  rows: string;
}

export async function runFlow({ rows }: FlowInputs): Promise<Answer[]> {
  // Blocks run in the flow's order; blocks that do not depend on each other run at the same time.
  const summariseEachRowResults = await summariseEachRow(rows);
  return [
    { output: "Summaries", answer: summariseEachRowResults },
  ];
}

// Each input is an option (--name value); without it the flow's own value is used.
async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      "rows": { type: "string", default: (
          "customer,plan,feedback\n" +
          "Ana Silva,Pro,\"The new dashboard is fast, but exporting to PDF fails every time I try.\"\n" +
          "Ben Okafor,Free,Support answered within minutes and fixed my billing issue. Great service.\n" +
          "Chloe Martin,Team,\"I can't find the dark mode setting anymore; please bring it back.\"\n" +
          "Dev Patel,Pro,The mobile app crashes when I upload a photo larger than 10 MB.\n" +
          "Emma Rossi,Team,\"Love the new templates, but sharing a flow with my team is confusing.\"\n"
      ) },
      json: { type: "boolean", default: false },
      help: { type: "boolean", default: false },
    },
  });
  if (args.help) {
    console.log("Usage: npx tsx main.ts [--rows TEXT] [--json]");
    process.exit(0);
  }
  const inputs: FlowInputs = { rows: args["rows"] };
  const outputs = await runFlow(inputs);
  if (args.json) {
    console.log(JSON.stringify(outputs));
  } else {
    for (const { output, answer } of outputs) console.log(`== ${output} ==\n${answer}\n`);
  }
}

// Run from the command line; `import { runFlow } from "./main.ts"` to use the flow elsewhere.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
