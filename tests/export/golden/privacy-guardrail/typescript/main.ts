// Support bot with a privacy guardrail: exported from Chainboard.
// Messages with personal data are held back before any model sees them.
//
// Run: npx tsx main.ts --help (see README.md). Keys come from environment variables.
//
// Note “Try this”: Run it: the card number and e-mail address send the message to “flagged”, so no model sees it. Remo…

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

// "Has personal data", as Chainboard checks it (src/domain/privacy/detect.rs): e-mail
// addresses, IBANs (mod 97), card numbers (Luhn), phone numbers, US SSN, UK National Insurance
// and Spanish DNI/NIE numbers, French NIR, street addresses. Hand-written scanners, no model.
const isDigit = (c: string): boolean => c >= "0" && c <= "9";
const isUpper = (c: string): boolean => c >= "A" && c <= "Z";
const isAlnum = (c: string | undefined): boolean => /^[A-Za-z0-9]$/.test(c ?? "");
const isWord = (c: string): boolean => isAlnum(c) || c === "_";

function hasEmail(text: string): boolean {
  const localOk = (c: string) => isAlnum(c) || "._%+-'".includes(c);
  const domainOk = (c: string) => isAlnum(c) || c === "-" || c === ".";
  for (let at = text.indexOf("@"); at >= 0; at = text.indexOf("@", at + 1)) {
    let s = at;
    while (s > 0 && localOk(text[s - 1])) s--;
    while (s < at && !isAlnum(text[s])) s++;
    let e = at + 1;
    while (e < text.length && domainOk(text[e])) e++;
    while (e > at + 1 && !isAlnum(text[e - 1])) e--;
    const domain = text.slice(at + 1, e);
    const tld = domain.split(".").pop() ?? "";
    if (s < at && domain.includes(".") && tld.length >= 2 && /^[A-Za-z]+$/.test(tld)) return true;
  }
  return false;
}

function ibanValid(chars: string): boolean {
  let rem = 0;
  for (const c of chars.slice(4) + chars.slice(0, 4)) {
    const v = isDigit(c) ? Number(c) : c.charCodeAt(0) - 55;
    rem = v >= 10 ? (rem * 100 + v) % 97 : (rem * 10 + v) % 97;
  }
  return rem === 1;
}

function hasIban(text: string): boolean {
  for (let i = 0; i + 4 <= text.length; i++) {
    if ((i > 0 && isWord(text[i - 1])) || !(isUpper(text[i]) && isUpper(text[i + 1]) && isDigit(text[i + 2]) && isDigit(text[i + 3]))) continue;
    let chars = "", j = i, end = i;
    while (j < text.length && chars.length < 34) {
      const c = text[j];
      if (isUpper(c) || isDigit(c)) {
        chars += c;
        end = ++j;
      } else if (c === " " && j + 1 < text.length && isAlnum(text[j + 1]) && chars.length % 4 === 0) {
        j++;
      } else break;
    }
    if (chars.length >= 15 && chars.length <= 34 && (end >= text.length || !isWord(text[end])) && ibanValid(chars)) return true;
  }
  return false;
}

function luhnValid(digits: number[]): boolean {
  let sum = 0;
  [...digits].reverse().forEach((d, i) => {
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  });
  return sum % 10 === 0;
}

function frenchNirValid(d: number[]): boolean {
  if (d.length !== 15 || !(d[0] === 1 || d[0] === 2)) return false;
  const number = BigInt(d.slice(0, 13).join(""));
  return 97n - (number % 97n) === BigInt(d[13] * 10 + d[14]);
}

function ssnShape(raw: string): boolean {
  const g = raw.split("-");
  if (g.length !== 3 || g[0].length !== 3 || g[1].length !== 2 || g[2].length !== 4) return false;
  return !(g[0] === "000" || g[0] === "666" || g[0].startsWith("9") || g[1] === "00" || g[2] === "0000");
}

function dateOrVersion(raw: string): boolean {
  const parts = raw.split(/[-./]/);
  const n = parts.map((p) => p.length);
  return (n.length === 3 && ((n[0] === 4 && n[1] <= 2 && n[2] <= 2) || (n[0] <= 2 && n[1] <= 2 && n[2] === 4))) ||
    (raw.includes(".") && !raw.includes(" ") && parts.length <= 4 && parts.every((p) => p.length <= 3));
}

const PHONE_WORDS = ["phone", "tel", "call", "mobile", "cell", "fax", "ring", "whatsapp", "number is"];

function personalNumber(raw: string, digits: number[], seps: string, text: string, start: number): boolean {
  const n = digits.length;
  if (n === 15 && [...seps].every((c) => c === " ") && frenchNirValid(digits)) return true;
  const groups = raw.split(/[ -]/).map((g) => g.length);
  const cardGrouping = groups.length === 1 || groups.every((g) => g === 4) || groups.join() === "4,6,5" || groups.slice(0, -1).every((g) => g === 4);
  if (n >= 13 && n <= 19 && !raw.startsWith("+") && !/[(.]/.test(raw) && cardGrouping && luhnValid(digits)) return true;
  if (ssnShape(raw)) return true;
  if (dateOrVersion(raw)) return false;
  // The 24 bytes (UTF-8) before the number, lowercased in ASCII only, as Chainboard reads them.
  const before = Buffer.from(text.slice(0, start)).subarray(-24).toString("utf8").replace(/[A-Z]/g, (c) => c.toLowerCase());
  const context = PHONE_WORDS.some((w) => before.includes(w));
  const g = raw.split(/[-. ]/);
  const nanp = (raw.startsWith("(") && n === 10) || (g.length === 3 && g[0].length === 3 && g[1].length === 3 && g[2].length === 4);
  const international = raw.startsWith("+") && n >= 8 && n <= 15;
  const national = raw.startsWith("0") && n >= 10 && n <= 11 && seps !== "";
  return international || nanp || national || (context && n >= 7 && n <= 15);
}

// Runs of digits with the separators people type between groups: a card, an ID or a phone.
function hasPersonalNumber(text: string): boolean {
  let i = 0;
  while (i < text.length) {
    const starts = isDigit(text[i]) || ("+(".includes(text[i]) && isDigit(text[i + 1] ?? ""));
    if (!starts || (i > 0 && (isWord(text[i - 1]) || "./-".includes(text[i - 1])))) {
      i++;
      continue;
    }
    let j = i, seps = "";
    const digits: number[] = [];
    while (j < text.length) {
      const c = text[j], next = text[j + 1] ?? "";
      if (isDigit(c)) {
        digits.push(Number(c));
        j++;
      } else if ("+(".includes(c) && j === i) {
        j++;
      } else if (" -.)(".includes(c) && next && (isDigit(next) || (next === " " && c === ")"))) {
        seps += c;
        j++;
      } else break;
    }
    const end = j;
    // A number glued to letters (a product code) or a decimal is not personal data.
    const glued = end < text.length && (isWord(text[end]) || (text[end] === "." && isDigit(text[end + 1] ?? "")));
    if (!glued && personalNumber(text.slice(i, end), digits, seps, text, i)) return true;
    i = Math.max(end, i + 1);
  }
  return false;
}

function hasUkNino(text: string): boolean {
  const firstOk = (c: string) => isUpper(c) && !"DFIQUV".includes(c);
  const secondOk = (c: string) => isUpper(c ?? "") && !"DFIQUVO".includes(c);
  for (let i = 0; i + 1 < text.length; i++) {
    if ((i > 0 && isWord(text[i - 1])) || !firstOk(text[i]) || !secondOk(text[i + 1])) continue;
    if (["BG", "GB", "NK", "KN", "TN", "NT", "ZZ"].includes(text.slice(i, i + 2))) continue;
    let j = i + 2, digits = 0;
    while (j < text.length && digits < 6) {
      if (isDigit(text[j])) {
        digits++;
        j++;
      } else if (text[j] === " " && digits % 2 === 0) j++;
      else break;
    }
    if (digits !== 6) continue;
    if (text[j] === " ") j++;
    if (j < text.length && "ABCD".includes(text[j]) && (j + 1 >= text.length || !isWord(text[j + 1]))) return true;
  }
  return false;
}

function hasSpanishId(text: string): boolean {
  const letters = "TRWAGMYFPDXBNJZSQVHLCKE";
  for (let i = 0; i < text.length; i++) {
    if (i > 0 && isWord(text[i - 1])) continue;
    const c = text[i];
    let prefix: number, start: number, want: number;
    if ("XYZ".includes(c)) [prefix, start, want] = ["XYZ".indexOf(c), i + 1, 7];
    else if (isDigit(c)) [prefix, start, want] = [0, i, 8];
    else continue;
    const end = start + want;
    if (end >= text.length || ![...text.slice(start, end)].every(isDigit)) continue;
    const letter = text[end];
    if (!isUpper(letter) || (end + 1 < text.length && isWord(text[end + 1]))) continue;
    if (letters[Number(String(prefix) + text.slice(start, end)) % 23] === letter) return true;
  }
  return false;
}

const STREET_WORDS = new Set(["street", "st", "avenue", "ave", "road", "rd", "boulevard", "blvd", "lane", "ln", "drive", "dr",
  "court", "ct", "way", "place", "pl", "terrace", "close", "crescent", "square", "highway"]);
const GERMAN_STREET_ENDINGS = ["straße", "strasse", "str.", "weg", "gasse", "allee"];
const bytes = (s: string): number => Buffer.byteLength(s);
const startsUpper = (w: string): boolean => /^\p{Lu}/u.test(w);

// "221B Baker Street", "Hauptstraße 5": a house number and capitalised words ending in a
// street word, or a German street name and a number.
function hasAddress(text: string): boolean {
  // Words with their offsets in UTF-8 bytes, as Chainboard measures them.
  const words = [...text.matchAll(/[\p{L}\p{N}][\p{L}\p{N}.]*/gu)].map((m): [number, string] => {
    const w = m[0];
    return [bytes(text.slice(0, m.index)), w.endsWith(".") && !w.endsWith("str.") && bytes(w) > 3 ? w.replace(/\.+$/, "") : w];
  });
  for (let k = 0; k < words.length; k++) {
    const [start, word] = words[k];
    if (/^[0-9][A-Za-z0-9]{0,4}$/.test(word)) {
      for (let n = 2; n <= 4 && k + n < words.length; n++) {
        const last = words[k + n][1];
        const names = words.slice(k + 1, k + n);
        if (names.every(([, w]) => startsUpper(w)) && startsUpper(last) && STREET_WORDS.has(last.replace(/\.+$/, "").toLowerCase())) return true;
      }
    }
    const lower = word.toLowerCase();
    if (startsUpper(word) && GERMAN_STREET_ENDINGS.some((e) => lower.endsWith(e) && bytes(lower) > bytes(e) + 2) && k + 1 < words.length) {
      const [nStart, n] = words[k + 1];
      if (nStart === start + bytes(word) + 1 && bytes(n) <= 4 && isDigit(n[0])) return true;
    }
  }
  return false;
}

function hasPersonalData(text: string): boolean {
  return [hasEmail, hasIban, hasPersonalNumber, hasUkNino, hasSpanishId, hasAddress].some((check) => check(text));
}

// As Chainboard reads a moderation result: a watched category (every one when none are listed)
// that is flagged, or that scores at least `minScore` when one is given; with neither, the
// overall flag.
interface Moderation {
  flagged: boolean;
  categories: { name: string; flagged: boolean; score: number }[];
}

function moderationTrips(result: Moderation, categories: string, minScore: number | null): boolean {
  const watched = categories.split(",").map((c) => c.trim().toLowerCase()).filter(Boolean);
  const hits = result.categories.filter(
    (c) => (!watched.length || watched.includes(c.name.toLowerCase())) && (minScore !== null ? c.score >= minScore : c.flagged),
  );
  return hits.length > 0 || (!watched.length && minScore === null && result.flagged);
}

// Chainboard's sample moderation: a small word list, no request sent.
const SAMPLE_WORDS: Record<string, string[]> = {
  harassment: ["idiot", "stupid", "moron", "shut up", "loser", "hate you"],
  violence: ["kill", "hurt you", "shoot", "attack", "beat you", "bomb"],
  "self-harm": ["hurt myself", "kill myself", "suicide", "end my life"],
  hate: ["racist", "subhuman"],
};

// A category scores 0.9 when one of its words is in the text (whole words; a plural s is fine).
async function sampleModeration(text: string): Promise<Moderation> {
  const lower = text.toLowerCase();
  const found = (w: string) => new RegExp(`(?<![\\p{L}\\p{N}])${w}s?(?![\\p{L}\\p{N}])`, "u").test(lower);
  const categories = Object.entries(SAMPLE_WORDS).map(([name, words]) => {
    const hit = words.some(found);
    return { name, flagged: hit, score: hit ? 0.9 : 0 };
  });
  return { flagged: categories.some((c) => c.flagged), categories };
}

// Router “Guardrail”: the first rule that passes names the route; when none does, "default".
// Only the chosen route carries the value: the blocks on the others do not run.
async function guardrail(value: string): Promise<(string | null)[]> {
  let route = "default";
  if (hasPersonalData(value)) route = "flagged";
  else if (["password", "passcode", "social security"].some((word) => value.toLowerCase().includes(word))) route = "flagged";
  else if ([...value].length > 4000) route = "flagged";
  else if (moderationTrips(await sampleModeration(value), "", null)) route = "flagged";
  return routed(value, route, ["flagged", "default"]);
}

// Prompt “Support reply” (OpenAI, gpt-4o-mini)
async function supportReply(message: string): Promise<string> {
  const system = "You answer customers of an online shop, warmly and in three sentences or fewer.";
  const user = render(
    "Customer message:\n" +
    "{{message}}\n" +
    "\n" +
    "Write the reply.",
    { message },
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
  message: string;
}

export async function runFlow({ message }: FlowInputs): Promise<Answer[]> {
  // Blocks run in the flow's order; blocks that do not depend on each other run at the same time.
  // null marks a branch that was not taken: the blocks on it do not run.
  const [guardrailFlagged, guardrailDefault] = await guardrail(message);
  const supportReplyText = await whenTaken(supportReply, 1, [guardrailDefault]);
  return [
    { output: "Reply", answer: supportReplyText },
    { output: "Held for a person", answer: guardrailFlagged },
  ];
}

// Each input is an option (--name value); without it the flow's own value is used.
async function main(): Promise<void> {
  const { values: args } = parseArgs({
    options: {
      "message": { type: "string", default: "Hi, please change my card to 4111 1111 1111 1111 and confirm to ana.ruiz@example.com." },
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
    for (const { output, answer } of outputs) console.log(`== ${output} ==\n${answer ?? "(skipped: the branch that leads here was not taken)"}\n`);
  }
}

// Run from the command line; `import { runFlow } from "./main.ts"` to use the flow elsewhere.
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
