//! The Node export of the control blocks: Router (rules or a model's pick), Transform,
//! Approval and Loop ("For each item"), with the same rules as the engine (see
//! python_control.rs for the Python twin).

use std::fmt::Write as _;

use super::naming::{comment_text, multiline_literal, param, quote};
use super::plan::{LoopStep, Plan, Provider, RouterStep, Step, StepKind};
use super::typescript::{prompt_call, render_call, v};
use crate::domain::blocks::loop_block::{CsvRowAs, JoinMode, SplitMode, INDEX_VAR, ITEM_VAR, LIST_PORT};
use crate::domain::blocks::router::{RouteRule, RuleTest};
use crate::domain::blocks::transform::{CountWhat, SplitBy, TRANSFORM_INPUT_PORT};
use crate::domain::blocks::{ApprovalConfig, RouterMode, TransformConfig, TransformOp};

/// The helper functions the control blocks of `plan` need, each once.
pub fn helpers(plan: &Plan, o: &mut String) {
    if plan.has_branches() {
        o.push_str(WHEN_TAKEN);
    }
    if plan.has(|k| matches!(k, StepKind::Router(_))) {
        o.push_str(ROUTED);
    }
    if plan.has(|k| matches!(k, StepKind::Router(r) if r.config.mode == RouterMode::Model)) {
        o.push_str(PICK_ROUTE);
    }
    let rules: Vec<&RouteRule> = plan.rules().collect();
    if rules.iter().any(|r| matches!(r.test, RuleTest::Matches { .. })) {
        o.push_str(MATCHES);
    }
    let json_rules =
        rules.iter().any(|r| matches!(r.test, RuleTest::JsonFieldEquals { .. } | RuleTest::NumberInRange { .. }));
    if sorts_keys(plan) {
        o.push_str(SORT_KEYS);
    }
    if json_rules {
        o.push_str(JSON_FIELD);
    }
    if rules.iter().any(|r| matches!(r.test, RuleTest::NumberInRange { .. })) {
        o.push_str(NUMBER_IN);
    }
    if rules.iter().any(|r| matches!(r.test, RuleTest::PersonalData)) {
        o.push_str(super::pii::JS);
    }
    if rules.iter().any(|r| matches!(r.test, RuleTest::Moderation { .. })) {
        o.push_str(MODERATION);
    }
    if rules.iter().any(|r| matches!(r.test, RuleTest::Moderation { sample: true, .. })) {
        o.push_str(SAMPLE_MODERATION);
    }
    if rules.iter().any(|r| matches!(r.test, RuleTest::Moderation { sample: false, .. })) {
        o.push_str(OPENAI_MODERATION);
    }
    if plan.has(|k| matches!(k, StepKind::Transform(_) | StepKind::Loop(_))) {
        o.push_str(TRIM);
    }
    if plan.has(|k| matches!(k, StepKind::Transform(t) if uses_lists(t))) {
        o.push_str(TRANSFORM_JSON);
    }
    if plan.has(|k| matches!(k, StepKind::Approval(_))) {
        o.push_str(APPROVAL);
    }
    if plan.has(|k| matches!(k, StepKind::Loop(_))) {
        o.push_str(LOOP);
    }
}

/// Whether the program writes JSON with sorted keys (`sortKeys`, which reads objects with `isObject`).
pub fn sorts_keys(plan: &Plan) -> bool {
    let json_rules =
        plan.rules().any(|r| matches!(r.test, RuleTest::JsonFieldEquals { .. } | RuleTest::NumberInRange { .. }));
    let lists = plan.has(|k| matches!(k, StepKind::Transform(t) if uses_lists(t)))
        || plan.has(|k| matches!(k, StepKind::Loop(_)));
    json_rules || lists
}

fn uses_lists(t: &TransformConfig) -> bool {
    matches!(
        t.op,
        TransformOp::Pick { .. }
            | TransformOp::Split { .. }
            | TransformOp::Join { .. }
            | TransformOp::Count { what: CountWhat::Items }
    )
}

fn params(step: &Step) -> String {
    step.args.iter().map(|a| format!("{}: string", param(&a.name))).collect::<Vec<_>>().join(", ")
}

fn value_param(step: &Step) -> String {
    step.args.first().map(|a| param(&a.name)).unwrap_or_else(|| "\"\"".into())
}

/// The function of a Router, Transform, Approval or Loop step; `false` for other kinds.
pub fn step_fn(step: &Step, plan: &Plan, o: &mut String) -> bool {
    match &step.kind {
        StepKind::Router(r) => router(step, r, o),
        StepKind::Transform(t) => transform(step, t, o),
        StepKind::Approval(a) => approval(step, a, o),
        StepKind::Loop(l) => loop_fn(step, l, plan, o),
        _ => return false,
    }
    o.push_str("}\n\n");
    true
}

fn router(step: &Step, r: &RouterStep, o: &mut String) {
    let value = value_param(step);
    let routes = format!("[{}]", r.routes.iter().map(|n| quote(n)).collect::<Vec<_>>().join(", "));
    let func = v(&step.func);
    match r.config.mode {
        RouterMode::Rules => {
            let _ = writeln!(
                o,
                "// Router \u{201c}{}\u{201d}: the first rule that passes names the route; when none does, \
                 \"default\".\n// Only the chosen route carries the value: the blocks on the others do not run.",
                comment_text(&step.title)
            );
            let _ = writeln!(o, "async function {func}({}): Promise<(string | null)[]> {{", params(step));
            o.push_str("  let route = \"default\";\n");
            let mut first = true;
            for rule in &r.config.rules {
                let _ = writeln!(
                    o,
                    "  {}if ({}) route = {};",
                    if first { "" } else { "else " },
                    condition(rule, &value),
                    quote(&rule.route)
                );
                first = false;
            }
        }
        RouterMode::Model => {
            let _ = writeln!(
                o,
                "// Router \u{201c}{}\u{201d} ({}, {})\n\
                 // The model picks one route; an answer that names none goes to \"default\". Only the chosen\n\
                 // route carries the value: the blocks on the others do not run.",
                comment_text(&step.title),
                r.provider.label(),
                comment_text(&r.model)
            );
            if let Some(note) = &r.note {
                let _ = writeln!(o, "// {}", comment_text(note));
            }
            let _ = writeln!(o, "async function {func}({}): Promise<(string | null)[]> {{", params(step));
            o.push_str("  // Chainboard's instructions to the model, with this router's routes.\n");
            let _ = writeln!(o, "  const system = {};", multiline_literal(&r.system, "  ", " +", ("(", ")"), &quote));
            let (helper, extra) = match r.provider {
                Provider::OpenAi | Provider::Compatible => ("askOpenAI", String::new()),
                Provider::Anthropic => {
                    ("askAnthropic", format!("max_tokens: {} ", super::plan::ANTHROPIC_DEFAULT_MAX_TOKENS))
                }
                Provider::Gemini => ("askGemini", String::new()),
                Provider::Ollama => ("askOllama", String::new()),
            };
            let extra = if extra.is_empty() { "{}".to_string() } else { format!("{{ {extra}}}") };
            let _ = writeln!(
                o,
                "  const answer = await {helper}({}, {}, system, {value}, {extra});",
                v(r.provider.client()),
                quote(&r.model)
            );
            let _ = writeln!(o, "  const route = pickRoute(answer, {routes});");
        }
    }
    let _ = writeln!(o, "  return routed({value}, route, {routes});");
}

/// A rule's test as a JavaScript condition on `value`, as `rule_passes` in blocks/router.rs
/// reads it (text tests ignore case unless the rule says otherwise).
fn condition(rule: &RouteRule, value: &str) -> String {
    let sensitive = rule.case_sensitive;
    let hay = if sensitive { value.to_string() } else { format!("{value}.toLowerCase()") };
    let needle = |t: &str| quote(&if sensitive { t.trim().to_string() } else { t.trim().to_lowercase() });
    match &rule.test {
        RuleTest::Contains { text } if text.trim().is_empty() => "false".into(),
        RuleTest::Contains { text } => format!("{hay}.includes({})", needle(text)),
        RuleTest::ContainsAny { words } => {
            let words: Vec<String> = words.split(',').filter(|w| !w.trim().is_empty()).map(needle).collect();
            if words.is_empty() {
                "false".into()
            } else {
                format!("[{}].some((word) => {hay}.includes(word))", words.join(", "))
            }
        }
        RuleTest::Equals { text } => format!("{hay}.trim() === {}", needle(text)),
        RuleTest::StartsWith { text } if text.trim().is_empty() => "false".into(),
        RuleTest::StartsWith { text } => format!("{hay}.trimStart().startsWith({})", needle(text)),
        RuleTest::EndsWith { text } if text.trim().is_empty() => "false".into(),
        RuleTest::EndsWith { text } => format!("{hay}.trimEnd().endsWith({})", needle(text)),
        RuleTest::Matches { pattern } => format!("matches({}, {value}, {})", quote(pattern), !sensitive),
        RuleTest::JsonFieldEquals { path, value: want } => {
            let field = format!("jsonText(jsonField({value}, {}))", quote(path));
            let field = if sensitive { field } else { format!("{field}.toLowerCase()") };
            format!("{field}.trim() === {}", needle(want))
        }
        RuleTest::NumberInRange { path, min, max } => {
            let bound = |b: &Option<f64>| b.map_or("null".to_string(), |n| format!("{n}"));
            format!("numberIn({value}, {}, {}, {})", quote(path.trim()), bound(min), bound(max))
        }
        RuleTest::PersonalData => format!("hasPersonalData({value})"),
        RuleTest::LongerThan { chars } => format!("[...{value}].length > {chars}"),
        RuleTest::Moderation { categories, min_score, sample } => {
            let check = if *sample { "sampleModeration" } else { "openaiModeration" };
            let min = min_score.filter(|m| m.is_finite()).map_or("null".to_string(), |m| format!("{m}"));
            format!("moderationTrips(await {check}({value}), {}, {min})", quote(categories))
        }
    }
}

fn transform(step: &Step, t: &TransformConfig, o: &mut String) {
    let _ = writeln!(o, "// Transform \u{201c}{}\u{201d}: {}", comment_text(&step.title), t.op.kind_id());
    let _ = writeln!(o, "async function {}({}): Promise<string> {{", v(&step.func), params(step));
    let value = step
        .args
        .iter()
        .find(|a| a.name == TRANSFORM_INPUT_PORT)
        .map(|a| param(&a.name))
        .unwrap_or_else(|| "\"\"".into());
    let unescape = |s: &str| quote(&s.replace("\\n", "\n").replace("\\t", "\t"));
    let body = match &t.op {
        TransformOp::Template { template } => render_call(template, &step.args, "  "),
        TransformOp::Pick { path } => format!("pickField({value}, {})", quote(path)),
        TransformOp::Split { by: SplitBy::Lines, .. } => format!("asJsonList({value}.split(\"\\n\"))"),
        TransformOp::Split { by: SplitBy::Separator, separator } => {
            format!("asJsonList({value}.split({}))", unescape(separator))
        }
        TransformOp::Split { by: SplitBy::JsonArray, .. } => format!("JSON.stringify(listItems({value}))"),
        TransformOp::Join { separator } => format!("listItems({value}).join({})", unescape(separator)),
        TransformOp::Count { what: CountWhat::Items } => format!("String(listItems({value}).length)"),
        TransformOp::Count { what: CountWhat::Words } => {
            format!("String({value}.split(new RegExp(SPACE)).filter(Boolean).length)")
        }
        TransformOp::Count { what: CountWhat::Characters } => format!("String([...{value}].length)"),
        TransformOp::Lowercase => format!("{value}.toLowerCase()"),
        TransformOp::Uppercase => format!("{value}.toUpperCase()"),
        TransformOp::Trim => format!("trimmed({value})"),
    };
    let _ = writeln!(o, "  return {body};");
}

fn approval(step: &Step, a: &ApprovalConfig, o: &mut String) {
    let _ = writeln!(
        o,
        "// Approval \u{201c}{}\u{201d}: a person approves, edits or rejects the value; rejected, the blocks after\n\
         // it do not run.",
        comment_text(&step.title)
    );
    let _ = writeln!(o, "async function {}({}): Promise<string | null> {{", v(&step.func), params(step));
    let _ = writeln!(
        o,
        "  return askApproval({}, {}, {});",
        quote(&step.title),
        quote(a.instructions.trim()),
        value_param(step)
    );
}

fn loop_fn(step: &Step, l: &LoopStep, plan: &Plan, o: &mut String) {
    let c = &l.config;
    let p = &l.prompt;
    let join = match c.join {
        JoinMode::JsonArray => "as a JSON array (a failed item is null)",
        JoinMode::Text => "as text (failed items left out)",
    };
    let _ = writeln!(
        o,
        "// For each item \u{201c}{}\u{201d} ({}, {})\n\
         // The prompt runs once per item of the list, at most {} at a time; the results are joined\n\
         // {join}. A failed item does not stop the others.",
        comment_text(&step.title),
        p.provider.label(),
        comment_text(&p.model),
        c.concurrency.max(1)
    );
    if let Some(note) = &p.note {
        let _ = writeln!(o, "// {}", comment_text(note));
    }
    let _ = writeln!(o, "async function {}({}): Promise<string> {{", v(&step.func), params(step));
    let list = step.args.iter().find(|a| a.name == LIST_PORT).map(|a| param(&a.name)).unwrap_or_else(|| "\"\"".into());
    let split = match c.split {
        SplitMode::Auto => "auto",
        SplitMode::Lines => "lines",
        SplitMode::JsonArray => "json_array",
        SplitMode::Csv => "csv",
    };
    let rows = match c.csv_rows {
        CsvRowAs::Text => "text",
        CsvRowAs::Json => "json",
    };
    let _ = writeln!(o, "  const items = splitItems({list}, {}, {});", quote(split), quote(rows));
    let _ = writeln!(
        o,
        "  if (items.length > {max}) throw new Error(`The list has ${{items.length}} items; this loop runs at most {max}.`);\n",
        max = c.max_items
    );
    let mut args = step.args.clone();
    for var in [ITEM_VAR, INDEX_VAR] {
        args.push(super::plan::Arg { name: var.to_string(), source: Some(var.to_string()), media: None });
    }
    o.push_str("  const ask = async (item: string, index: string): Promise<string> => {\n");
    prompt_call(p, plan, &args, "    ", o);
    o.push_str("  };\n");
    let _ =
        writeln!(o, "  const results = await mapLimited(items, {}, async (item, number) => {{", c.concurrency.max(1));
    o.push_str("    try {\n      return await ask(item, String(number));\n    } catch (e) {\n      console.error(`Item ${number} failed: ${e instanceof Error ? e.message : e}`);\n      return null;\n    }\n  });\n");
    o.push_str("  if (items.length && results.every((r) => r === null)) throw new Error(\"Every item failed.\");\n");
    match c.join {
        JoinMode::JsonArray => o.push_str("  return joinAsJson(results);\n"),
        JoinMode::Text => {
            let _ = writeln!(o, "  return results.filter((r) => r !== null).join({});", quote(&c.separator));
        }
    }
}

const WHEN_TAKEN: &str = r#"// A block on a branch that was not taken (a route the router did not pick, a rejected
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

"#;

const ROUTED: &str = r#"// The value on the chosen route, null (not taken) on the others.
const routed = (value: string, route: string, routes: string[]): (string | null)[] => routes.map((r) => (r === route ? value : null));

"#;

pub const PICK_ROUTE: &str = r#"// Reads the model's pick as Chainboard does: the label on the first line (in any case), else
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

"#;

const MODERATION: &str = r#"// As Chainboard reads a moderation result: a watched category (every one when none are listed)
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

"#;

const SAMPLE_MODERATION: &str = r#"// Chainboard's sample moderation: a small word list, no request sent.
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

"#;

const OPENAI_MODERATION: &str = r#"// OpenAI's moderation endpoint, with the model Chainboard asks.
async function openaiModeration(text: string): Promise<Moderation> {
  const response = await openaiClient.moderations.create({ model: "omni-moderation-latest", input: text });
  const result = response.results[0];
  // By category name: flagged or not, and the score.
  const flags: Record<string, unknown> = { ...result.categories };
  const scores: Record<string, unknown> = { ...result.category_scores };
  const names = new Set([...Object.keys(flags), ...Object.keys(scores)]);
  const categories = [...names].map((name) => ({
    name,
    flagged: Boolean(flags[name]),
    score: Math.min(Math.max(Number(scores[name] ?? 0) || 0, 0), 1),
  }));
  return { flagged: result.flagged, categories };
}

"#;

const MATCHES: &str = r#"// A regular expression anywhere in the text; a pattern that does not compile does not pass.
function matches(pattern: string, text: string, ignoreCase: boolean): boolean {
  try {
    return new RegExp(pattern, ignoreCase ? "i" : "").test(text);
  } catch {
    return false;
  }
}

"#;

pub const SORT_KEYS: &str = r#"// Chainboard writes JSON objects with their keys in sorted order; so does this program.
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (isObject(value)) {
    return Object.fromEntries(Object.keys(value).sort().map((k) => [k, sortKeys(value[k])]));
  }
  return value;
}

"#;

const JSON_FIELD: &str = r#"const MISSING: unique symbol = Symbol("missing");

// The JSON value at a dotted path ("customer.plan", "items.0"), or MISSING when the text is
// not JSON or has no such field.
function jsonField(text: string, path: string): unknown {
  let value: unknown;
  try {
    value = JSON.parse(text.trim());
  } catch {
    return MISSING;
  }
  for (const key of path.trim().replace(/^\$*\.*/, "").split(".").filter(Boolean)) {
    if (isObject(value) && Object.hasOwn(value, key)) value = value[key];
    else if (Array.isArray(value) && /^\d+$/.test(key) && Number(key) < value.length) value = value[Number(key)];
    else return MISSING;
  }
  return value;
}

// A JSON string without its quotes, anything else as compact JSON (MISSING never equals).
const jsonText = (value: unknown): string =>
  value === MISSING ? "\0missing" : typeof value === "string" ? value : JSON.stringify(sortKeys(value));

"#;

const NUMBER_IN: &str = r#"// The text (or its JSON field at `path`) is a number within [low, high]; an absent bound is open.
function numberIn(text: string, path: string, low: number | null, high: number | null): boolean {
  const value = path ? jsonField(text, path) : text;
  if (typeof value !== "number" && typeof value !== "string") return false;
  const number = typeof value === "string" ? (value.trim() === "" ? NaN : Number(value.trim())) : value;
  return Number.isFinite(number) && (low === null || number >= low) && (high === null || number <= high);
}

"#;

const TRANSFORM_JSON: &str = r#"// Models often wrap JSON in a ```json fence; the fence is not part of the value.
function jsonValue(text: string): unknown {
  let t = text.trim();
  if (t.startsWith("```")) {
    t = t.slice(3);
    if (t.startsWith("json")) t = t.slice(4);
    if (t.endsWith("```")) t = t.slice(0, -3);
    t = t.trim();
  }
  return JSON.parse(t);
}

// A JSON value as text: strings without quotes, null as nothing, the rest as indented JSON.
const asText = (value: unknown): string => (typeof value === "string" ? value : value === null ? "" : JSON.stringify(sortKeys(value), null, 2));

// A list of texts as a JSON array, trimmed, blank entries dropped.
const asJsonList = (items: string[]): string => JSON.stringify(items.map(trimmed).filter(Boolean));

// A JSON array's entries as texts.
function listItems(text: string): string[] {
  let value: unknown;
  try {
    value = jsonValue(text);
  } catch {
    throw new Error('The input is not a list: expected a JSON array like ["a", "b"]. Split it into a list first.');
  }
  if (!Array.isArray(value)) throw new Error('The input is JSON but not a list (a JSON array like ["a", "b"]).');
  return value.map(asText);
}

// The JSON field at a dotted path ("customer.name", "items.0.title").
function pickField(text: string, path: string): string {
  let value: unknown;
  try {
    value = jsonValue(text);
  } catch {
    throw new Error("The input is not JSON, so there is no field to pick. Ask the block before it for JSON.");
  }
  for (const key of path.trim().replace(/^\$*\.*/, "").split(".").filter(Boolean)) {
    if (isObject(value) && Object.hasOwn(value, key)) value = value[key];
    else if (Array.isArray(value) && /^\d+$/.test(key) && Number(key) < value.length) value = value[Number(key)];
    else throw new Error(`The input has no field \u201c${path.trim()}\u201d.`);
  }
  return asText(value);
}

"#;

const APPROVAL: &str = r#"// Asks on the terminal: approve as is, edit (type the new text), or reject.
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

"#;

pub const TRIM: &str = r#"// White space as Chainboard trims it (JavaScript's trim() also takes U+FEFF, which it keeps).
const SPACE = "[\t\n\v\f\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+";
const trimmed = (text: string): string => text.replace(new RegExp(`^${SPACE}|${SPACE}$`, "g"), "");

"#;

pub const LOOP: &str = r#"// The header's delimiter, counting only those outside quotes, as Chainboard guesses it: tabs,
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

"#;
