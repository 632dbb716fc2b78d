//! The Python export of the control blocks: Router (rules or a model's pick), Transform,
//! Approval and Loop ("For each item"). Each reproduces the engine's own rules
//! (src/domain/blocks/router.rs, transform.rs, loop_block.rs; engine/control.rs, loop_run.rs),
//! so the program takes the same branch and prints the same text as the app.

use std::fmt::Write as _;

use super::naming::{comment_text, param, py_quote as quote};
use super::plan::{LoopStep, Plan, Provider, RouterStep, Step, StepKind};
use super::python::{prompt_call, render_call};
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
    if rules.iter().any(|r| matches!(r.test, RuleTest::JsonFieldEquals { .. } | RuleTest::NumberInRange { .. })) {
        o.push_str(JSON_FIELD);
    }
    if rules.iter().any(|r| matches!(r.test, RuleTest::NumberInRange { .. })) {
        o.push_str(NUMBER_IN);
    }
    if rules.iter().any(|r| matches!(r.test, RuleTest::PersonalData)) {
        o.push_str(super::pii::PYTHON);
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

fn uses_lists(t: &TransformConfig) -> bool {
    matches!(
        t.op,
        TransformOp::Pick { .. }
            | TransformOp::Split { .. }
            | TransformOp::Join { .. }
            | TransformOp::Count { what: CountWhat::Items }
    )
}

/// `def` line parameters of a step.
fn params(step: &Step) -> String {
    step.args.iter().map(|a| format!("{}: str", param(&a.name))).collect::<Vec<_>>().join(", ")
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
    true
}

fn value_param(step: &Step) -> String {
    step.args.first().map(|a| param(&a.name)).unwrap_or_else(|| "\"\"".into())
}

fn router(step: &Step, r: &RouterStep, o: &mut String) {
    let value = value_param(step);
    let routes = format!("[{}]", r.routes.iter().map(|n| quote(n)).collect::<Vec<_>>().join(", "));
    match r.config.mode {
        RouterMode::Rules => {
            let _ = writeln!(
                o,
                "# Router \u{201c}{}\u{201d}: the first rule that passes names the route; when none does, \
                 \"default\".\n# Only the chosen route carries the value: the blocks on the others do not run.",
                comment_text(&step.title)
            );
            let _ = writeln!(o, "async def {}({}) -> tuple:", step.func, params(step));
            let mut first = true;
            for rule in &r.config.rules {
                let _ = writeln!(
                    o,
                    "    {} {}:\n        route = {}",
                    if first { "if" } else { "elif" },
                    condition(rule, &value),
                    quote(&rule.route)
                );
                first = false;
            }
            if first {
                let _ = writeln!(o, "    route = \"default\"");
            } else {
                o.push_str("    else:\n        route = \"default\"\n");
            }
        }
        RouterMode::Model => {
            let _ = writeln!(
                o,
                "# Router \u{201c}{}\u{201d} ({}, {})\n\
                 # The model picks one route; an answer that names none goes to \"default\". Only the chosen\n\
                 # route carries the value: the blocks on the others do not run.",
                comment_text(&step.title),
                r.provider.label(),
                comment_text(&r.model)
            );
            if let Some(note) = &r.note {
                let _ = writeln!(o, "# {}", comment_text(note));
            }
            let _ = writeln!(o, "async def {}({}) -> tuple:", step.func, params(step));
            let _ = writeln!(o, "    # Chainboard's instructions to the model, with this router's routes.");
            let _ = writeln!(
                o,
                "    system = {}",
                super::naming::multiline_literal(&r.system, "    ", "", ("(", ")"), &quote)
            );
            let helper = match r.provider {
                Provider::OpenAi | Provider::Compatible => "ask_openai",
                Provider::Anthropic => "ask_anthropic",
                Provider::Gemini => "ask_gemini",
                Provider::Ollama => "ask_ollama",
            };
            let extra = if r.provider == Provider::Anthropic {
                format!(", max_tokens={}", super::plan::ANTHROPIC_DEFAULT_MAX_TOKENS)
            } else {
                String::new()
            };
            let _ = writeln!(
                o,
                "    answer = await {helper}({}, {}, system, {value}{extra})",
                r.provider.client(),
                quote(&r.model)
            );
            let _ = writeln!(o, "    route = pick_route(answer, {routes})");
        }
    }
    let _ = writeln!(o, "    return routed({value}, route, {routes})");
}

/// A rule's test as a Python condition on `value`, as `rule_passes` in blocks/router.rs reads
/// it (text tests ignore case unless the rule says otherwise; a test that cannot be checked
/// does not pass).
fn condition(rule: &RouteRule, value: &str) -> String {
    let sensitive = rule.case_sensitive;
    let hay = if sensitive { value.to_string() } else { format!("{value}.lower()") };
    let needle = |t: &str| quote(&if sensitive { t.trim().to_string() } else { t.trim().to_lowercase() });
    match &rule.test {
        RuleTest::Contains { text } if text.trim().is_empty() => "False".into(),
        RuleTest::Contains { text } => format!("{} in {hay}", needle(text)),
        RuleTest::ContainsAny { words } => {
            let words: Vec<String> = words.split(',').filter(|w| !w.trim().is_empty()).map(needle).collect();
            if words.is_empty() {
                "False".into()
            } else {
                format!("any(word in {hay} for word in [{}])", words.join(", "))
            }
        }
        RuleTest::Equals { text } => format!("{hay}.strip() == {}", needle(text)),
        RuleTest::StartsWith { text } if text.trim().is_empty() => "False".into(),
        RuleTest::StartsWith { text } => format!("{hay}.lstrip().startswith({})", needle(text)),
        RuleTest::EndsWith { text } if text.trim().is_empty() => "False".into(),
        RuleTest::EndsWith { text } => format!("{hay}.rstrip().endswith({})", needle(text)),
        RuleTest::Matches { pattern } => {
            format!("matches({}, {value}, ignore_case={})", quote(pattern), if sensitive { "False" } else { "True" })
        }
        RuleTest::JsonFieldEquals { path, value: want } => {
            let field = format!("json_text(json_field({value}, {}))", quote(path));
            let field = if sensitive { field } else { format!("{field}.lower()") };
            format!("{field}.strip() == {}", needle(want))
        }
        RuleTest::NumberInRange { path, min, max } => {
            let bound = |b: &Option<f64>| b.map_or("None".to_string(), |n| format!("{n:?}"));
            format!("number_in({value}, {}, {}, {})", quote(path.trim()), bound(min), bound(max))
        }
        RuleTest::PersonalData => format!("has_personal_data({value})"),
        RuleTest::LongerThan { chars } => format!("len({value}) > {chars}"),
        RuleTest::Moderation { categories, min_score, sample } => {
            let check = if *sample { "sample_moderation" } else { "openai_moderation" };
            let min = min_score.filter(|m| m.is_finite()).map_or("None".to_string(), |m| format!("{m:?}"));
            format!("moderation_trips(await {check}({value}), {}, {min})", quote(categories))
        }
    }
}

fn transform(step: &Step, t: &TransformConfig, o: &mut String) {
    let what = match &t.op {
        TransformOp::Template { .. } => "fills a template".to_string(),
        TransformOp::Pick { path } => format!("the JSON field \u{201c}{}\u{201d}", comment_text(path.trim())),
        TransformOp::Split { by: SplitBy::Lines, .. } => "one list item per line (a JSON array)".into(),
        TransformOp::Split { by: SplitBy::Separator, .. } => "splits on a separator into a JSON array".into(),
        TransformOp::Split { by: SplitBy::JsonArray, .. } => "a JSON array's items as a list of texts".into(),
        TransformOp::Join { .. } => "joins a list's items into text".into(),
        TransformOp::Count { what } => format!(
            "counts the {}",
            match what {
                CountWhat::Items => "list's items",
                CountWhat::Words => "words",
                CountWhat::Characters => "characters",
            }
        ),
        TransformOp::Lowercase => "lowercase".into(),
        TransformOp::Uppercase => "uppercase".into(),
        TransformOp::Trim => "without the spaces around it".into(),
    };
    let _ = writeln!(o, "# Transform \u{201c}{}\u{201d}: {what}", comment_text(&step.title));
    let _ = writeln!(o, "async def {}({}) -> str:", step.func, params(step));
    let value = step
        .args
        .iter()
        .find(|a| a.name == TRANSFORM_INPUT_PORT)
        .map(|a| param(&a.name))
        .unwrap_or_else(|| "\"\"".into());
    let unescape = |s: &str| quote(&s.replace("\\n", "\n").replace("\\t", "\t"));
    let body = match &t.op {
        TransformOp::Template { template } => render_call(template, &step.args, "    "),
        TransformOp::Pick { path } => format!("pick_field({value}, {})", quote(path)),
        TransformOp::Split { by: SplitBy::Lines, .. } => {
            format!("as_json_list(line.strip() for line in {value}.split(\"\\n\"))")
        }
        TransformOp::Split { by: SplitBy::Separator, separator } => {
            format!("as_json_list(part.strip() for part in {value}.split({}))", unescape(separator))
        }
        TransformOp::Split { by: SplitBy::JsonArray, .. } => {
            format!("json.dumps(list_items({value}), ensure_ascii=False, separators=(\",\", \":\"))")
        }
        TransformOp::Join { separator } => format!("{}.join(list_items({value}))", unescape(separator)),
        TransformOp::Count { what: CountWhat::Items } => format!("str(len(list_items({value})))"),
        TransformOp::Count { what: CountWhat::Words } => format!("str(len({value}.split()))"),
        TransformOp::Count { what: CountWhat::Characters } => format!("str(len({value}))"),
        TransformOp::Lowercase => format!("{value}.lower()"),
        TransformOp::Uppercase => format!("{value}.upper()"),
        TransformOp::Trim => format!("{value}.strip()"),
    };
    let _ = writeln!(o, "    return {body}");
}

fn approval(step: &Step, a: &ApprovalConfig, o: &mut String) {
    let _ = writeln!(
        o,
        "# Approval \u{201c}{}\u{201d}: a person approves, edits or rejects the value; rejected, the blocks after\n\
         # it do not run.",
        comment_text(&step.title)
    );
    let _ = writeln!(o, "async def {}({}) -> str | None:", step.func, params(step));
    let _ = writeln!(
        o,
        "    return await ask_approval({}, {}, {})",
        quote(&step.title),
        quote(a.instructions.trim()),
        value_param(step)
    );
}

fn loop_fn(step: &Step, l: &LoopStep, plan: &Plan, o: &mut String) {
    let c = &l.config;
    let p = &l.prompt;
    let join = match c.join {
        JoinMode::JsonArray => "as a JSON array (a failed item is null)".to_string(),
        JoinMode::Text => "as text (failed items left out)".to_string(),
    };
    let _ = writeln!(
        o,
        "# For each item \u{201c}{}\u{201d} ({}, {})\n\
         # The prompt runs once per item of the list, at most {} at a time; the results are joined\n\
         # {join}. A failed item does not stop the others.",
        comment_text(&step.title),
        p.provider.label(),
        comment_text(&p.model),
        c.concurrency.max(1)
    );
    if let Some(note) = &p.note {
        let _ = writeln!(o, "# {}", comment_text(note));
    }
    let _ = writeln!(o, "async def {}({}) -> str:", step.func, params(step));
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
    let _ = writeln!(o, "    items = split_items({list}, {}, {})", quote(split), quote(rows));
    let _ = writeln!(
        o,
        "    if len(items) > {max}:\n        raise ValueError(f\"The list has {{len(items)}} items; this loop runs at most {max}.\")",
        max = c.max_items
    );
    let _ = writeln!(o, "    limit = asyncio.Semaphore({})\n", c.concurrency.max(1));
    // The item's prompt sees `item` and `index` besides the loop's own inputs.
    let mut args = step.args.clone();
    for var in [ITEM_VAR, INDEX_VAR] {
        args.push(super::plan::Arg { name: var.to_string(), source: Some(var.to_string()), media: None });
    }
    o.push_str("    async def ask(item: str, index: str) -> str:\n");
    prompt_call(p, plan, &args, "        ", o);
    o.push('\n');
    o.push_str("    async def run_item(number: int, item: str) -> str | None:\n");
    o.push_str("        async with limit:\n            try:\n                return await ask(item, str(number))\n");
    o.push_str("            except Exception as e:\n                print(f\"Item {number} failed: {e}\", file=sys.stderr)\n                return None\n\n");
    o.push_str("    results = await asyncio.gather(*(run_item(n, item) for n, item in enumerate(items, start=1)))\n");
    o.push_str(
        "    if items and all(r is None for r in results):\n        raise RuntimeError(\"Every item failed.\")\n",
    );
    match c.join {
        JoinMode::JsonArray => o.push_str("    return join_as_json(results)\n"),
        JoinMode::Text => {
            let _ = writeln!(o, "    return {}.join(r for r in results if r is not None)", quote(&c.separator));
        }
    }
}

const WHEN_TAKEN: &str = r#"
async def when_taken(step, *args, outputs: int = 1):
    # A block on a branch that was not taken (a route the router did not pick, a rejected
    # approval) gets None instead of a value: it does not run, and neither do the blocks after it.
    if any(arg is None for arg in args):
        return None if outputs == 1 else (None,) * outputs
    return await step(*args)


def first_taken(*values):
    # An Output fed by several branches shows the one that ran.
    return next((v for v in values if v is not None), None)

"#;

const ROUTED: &str = r#"
def routed(value: str, route: str, routes: list) -> tuple:
    # The value on the chosen route, None (not taken) on the others.
    return tuple(value if r == route else None for r in routes)

"#;

pub const PICK_ROUTE: &str = r#"
def pick_route(answer: str, routes: list) -> str:
    # Reads the model's pick as Chainboard does: the label on the first line (in any case),
    # else the label the answer names first (whole words), else "default".
    text = answer.strip()
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    head = re.sub(r"^\W+|\W+$", "", lines[0] if lines else "")
    head = head.removeprefix("label:").removeprefix("Label:").strip()
    for route in routes:
        if route == head:
            return route
    for route in routes:
        if route.lower() == head.lower():
            return route
    found = [(m.start(), r) for r in routes if (m := re.search(rf"(?<!\w){re.escape(r.lower())}(?!\w)", text.lower()))]
    return min(found)[1] if found else "default"

"#;

const MODERATION: &str = r#"
def moderation_trips(result: dict, categories: str, min_score) -> bool:
    # As Chainboard reads a moderation result: a watched category (every one when none are
    # listed) that is flagged, or that scores at least `min_score` when one is given; with
    # neither, the overall flag.
    watched = [c.strip().lower() for c in categories.split(",") if c.strip()]
    hits = [
        c
        for c in result["categories"]
        if (not watched or c["name"].lower() in watched) and (c["score"] >= min_score if min_score is not None else c["flagged"])
    ]
    return bool(hits) or (not watched and min_score is None and result["flagged"])

"#;

const SAMPLE_MODERATION: &str = r#"
# Chainboard's sample moderation: a small word list, no request sent.
SAMPLE_WORDS = {
    "harassment": ["idiot", "stupid", "moron", "shut up", "loser", "hate you"],
    "violence": ["kill", "hurt you", "shoot", "attack", "beat you", "bomb"],
    "self-harm": ["hurt myself", "kill myself", "suicide", "end my life"],
    "hate": ["racist", "subhuman"],
}


async def sample_moderation(text: str) -> dict:
    # A category scores 0.9 when one of its words is in the text (whole words; a plural s is fine).
    lower = text.lower()
    found = lambda w: re.search(rf"(?<![^\W_]){re.escape(w)}s?(?![^\W_])", lower) is not None
    categories = [
        {"name": name, "flagged": hit, "score": 0.9 if hit else 0.0}
        for name, words in SAMPLE_WORDS.items()
        for hit in [any(found(w) for w in words)]
    ]
    return {"flagged": any(c["flagged"] for c in categories), "categories": categories}

"#;

const OPENAI_MODERATION: &str = r#"
async def openai_moderation(text: str) -> dict:
    # OpenAI's moderation endpoint, with the model Chainboard asks.
    response = await openai_client.moderations.create(model="omni-moderation-latest", input=text)
    result = response.results[0]
    flags = result.categories.model_dump(by_alias=True)
    scores = result.category_scores.model_dump(by_alias=True)
    categories = [
        {"name": name, "flagged": bool(flags.get(name)), "score": min(max(float(scores.get(name) or 0.0), 0.0), 1.0)}
        for name in {**flags, **scores}
    ]
    return {"flagged": result.flagged, "categories": categories}

"#;

const MATCHES: &str = r#"
def matches(pattern: str, text: str, ignore_case: bool) -> bool:
    # A regular expression anywhere in the text; a pattern that does not compile does not pass.
    try:
        return re.search(pattern, text, re.IGNORECASE if ignore_case else 0) is not None
    except re.error:
        return False

"#;

const JSON_FIELD: &str = r#"
MISSING = object()


def json_field(text: str, path: str):
    # The JSON value at a dotted path ("customer.plan", "items.0"), or MISSING when the text
    # is not JSON or has no such field.
    try:
        value = json.loads(text.strip())
    except ValueError:
        return MISSING
    for key in path.strip().lstrip("$").lstrip(".").split("."):
        if not key:
            continue
        if isinstance(value, dict) and key in value:
            value = value[key]
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            return MISSING
    return value


def json_text(value) -> str:
    # A JSON string without its quotes, anything else as compact JSON (MISSING never equals).
    if value is MISSING:
        return "\0missing"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, separators=(",", ":"), sort_keys=True)

"#;

const NUMBER_IN: &str = r#"
def number_in(text: str, path: str, low, high) -> bool:
    # The text (or its JSON field at `path`) is a number within [low, high]; an absent bound is open.
    value = json_field(text, path) if path else text
    if isinstance(value, bool) or not isinstance(value, (int, float, str)):
        return False
    try:
        number = float(value.strip()) if isinstance(value, str) else float(value)
    except ValueError:
        return False
    return math.isfinite(number) and (low is None or number >= low) and (high is None or number <= high)

"#;

const TRANSFORM_JSON: &str = r#"
def json_value(text: str):
    # Models often wrap JSON in a ```json fence; the fence is not part of the value.
    text = text.strip()
    if text.startswith("```"):
        text = text[3:].removeprefix("json")
        text = text.removesuffix("```").strip()
    return json.loads(text)


def as_text(value) -> str:
    # A JSON value as text: strings without quotes, null as nothing, the rest as indented JSON.
    if isinstance(value, str):
        return value
    return "" if value is None else json.dumps(value, ensure_ascii=False, indent=2, sort_keys=True)


def as_json_list(items) -> str:
    # A list of texts as a JSON array, blank entries dropped.
    return json.dumps([item for item in items if item], ensure_ascii=False, separators=(",", ":"))


def list_items(text: str) -> list:
    # A JSON array's entries as texts.
    try:
        value = json_value(text)
    except ValueError:
        raise ValueError('The input is not a list: expected a JSON array like ["a", "b"]. Split it into a list first.')
    if not isinstance(value, list):
        raise ValueError('The input is JSON but not a list (a JSON array like ["a", "b"]).')
    return [as_text(item) for item in value]


def pick_field(text: str, path: str) -> str:
    # The JSON field at a dotted path ("customer.name", "items.0.title").
    try:
        value = json_value(text)
    except ValueError:
        raise ValueError("The input is not JSON, so there is no field to pick. Ask the block before it for JSON.")
    for key in path.strip().lstrip("$").lstrip(".").split("."):
        if not key:
            continue
        if isinstance(value, dict) and key in value:
            value = value[key]
        elif isinstance(value, list) and key.isdigit() and int(key) < len(value):
            value = value[int(key)]
        else:
            raise ValueError(f"The input has no field \u201c{path.strip()}\u201d.")
    return as_text(value)

"#;

const APPROVAL: &str = r#"
APPROVAL_TURN = asyncio.Lock()


def review(title: str, instructions: str, value: str) -> str | None:
    # Asks on the terminal: approve as is, edit (type the new text), or reject.
    print(f"\n== Approval: {title} ==", file=sys.stderr)
    if instructions:
        print(instructions, file=sys.stderr)
    print(f"\n{value}\n", file=sys.stderr)
    while True:
        print("Approve, edit or reject? [a/e/r] ", end="", file=sys.stderr, flush=True)
        line = sys.stdin.readline()
        if not line:
            print("\nNo answer (end of input): rejected.", file=sys.stderr)
            return None
        choice = line.strip().lower()
        if choice in ("a", "approve"):
            return value
        if choice in ("r", "reject"):
            return None
        if choice in ("e", "edit"):
            print("Type the new text; end with a line holding only a dot.", file=sys.stderr)
            lines = []
            while (line := sys.stdin.readline()) and line.rstrip("\n") != ".":
                lines.append(line.rstrip("\n"))
            return "\n".join(lines)


async def ask_approval(title: str, instructions: str, value: str) -> str | None:
    # The approved (maybe edited) value, or None when rejected. CHAINBOARD_AUTO_APPROVE=1 (or
    # --approve) approves everything without asking, for scripts and tests.
    if os.environ.get("CHAINBOARD_AUTO_APPROVE") == "1":
        return value
    async with APPROVAL_TURN:
        return await asyncio.to_thread(review, title, instructions, value)

"#;

pub const LOOP: &str = r#"
def looks_like_csv(rows: list) -> bool:
    # A header of two or more columns, and every row as wide as the header.
    return len(rows) >= 2 and len(rows[0]) >= 2 and all(len(r) == len(rows[0]) for r in rows)


def csv_delimiter(text: str) -> str | None:
    # The header's delimiter, counting only those outside quotes, as Chainboard guesses it:
    # tabs, else semicolons when there are more of them than commas, else commas; None when
    # the header has a single column.
    counts = {"\t": 0, ",": 0, ";": 0}
    quoted = closed = False
    start = True
    for c in text:
        if quoted:
            quoted = c != '"'
            closed = not quoted
            continue
        if c == '"' and (start or closed):
            quoted = True
        elif c in "\r\n":
            break
        elif c in counts:
            counts[c] += 1
        start, closed = c in counts, False
    if counts["\t"]:
        return "\t"
    if counts[";"] > counts[","]:
        return ";"
    return "," if counts[","] else None


def unguard(field: str) -> str:
    # Chainboard writes a ' before a value that a spreadsheet would run as a formula; reading
    # a comma or semicolon CSV, it takes it off again.
    rest = field[1:]
    if field.startswith("'") and rest.lstrip("'")[:1] in ("=", "+", "-", "@", "\t", "\r"):
        return rest
    return field


def csv_rows(text: str) -> list:
    # Rows of a CSV as Chainboard reads them: the header's delimiter; quoted fields may hold
    # delimiters, doubled quotes and line breaks; blank rows dropped; a quote left open is an error.
    delimiter = csv_delimiter(text) or "\x1f"
    rows, row, field = [], [], ""
    quoted, at_start, i = False, True, 0

    def end_field():
        nonlocal field
        row.append(unguard(field) if delimiter in ",;" else field)
        field = ""

    while i < len(text):
        c, following = text[i], text[i + 1 : i + 2]
        if quoted:
            if c == '"' and following == '"':
                field, i = field + '"', i + 1
            elif c == '"':
                quoted = False
            else:
                field += c
        elif c == '"' and at_start:
            quoted, at_start = True, False
        elif c == delimiter:
            end_field()
            at_start = True
        elif c in "\r\n":
            if c == "\r" and following == "\n":
                i += 1
            end_field()
            rows.append(row)
            row, at_start = [], True
        else:
            field, at_start = field + c, False
        i += 1
    if quoted:
        raise ValueError("The list is not readable as CSV: a quote is not closed.")
    if field or row:
        end_field()
        rows.append(row)
    return [row for row in rows if any(field.strip() for field in row)]


def csv_items(rows: list, row_as: str) -> list:
    # Each row after the header as "column: value" lines, or as a JSON object.
    header = [name.strip() or f"column {i + 1}" for i, name in enumerate(rows[0])] if rows else []
    items = []
    for row in rows[1:]:
        pairs = [(name, row[i] if i < len(row) else "") for i, name in enumerate(header)]
        if row_as == "json":
            items.append(json.dumps(dict(pairs), ensure_ascii=False, separators=(",", ":"), sort_keys=True))
        else:
            items.append("\n".join(f"{k}: {v}" for k, v in pairs))
    return items


def json_items(text: str) -> list:
    value = json.loads(text.strip())
    if not isinstance(value, list):
        raise ValueError("The list is JSON but not an array: put the items in [ ... ].")
    compact = {"ensure_ascii": False, "separators": (",", ":"), "sort_keys": True}
    return [v if isinstance(v, str) else json.dumps(v, **compact) for v in value]


def split_items(text: str, mode: str, row_as: str) -> list:
    # Cuts the list into items as Chainboard does: "auto" reads a JSON array when the text is
    # one, CSV rows when the first line is a header of two or more columns, lines otherwise.
    text = text.removeprefix("\ufeff")
    lines = [line.strip() for line in text.split("\n") if line.strip()]
    if mode == "lines":
        return lines
    if mode == "json_array":
        return json_items(text)
    if mode == "csv":
        return csv_items(csv_rows(text), row_as)
    if text.lstrip().startswith("["):
        try:
            return json_items(text)
        except ValueError:
            pass
    try:
        rows = csv_rows(text) if csv_delimiter(text) else []
    except ValueError:
        rows = []  # not readable as CSV: lines
    return csv_items(rows, row_as) if looks_like_csv(rows) else lines


def join_as_json(results: list) -> str:
    # One entry per item, in order: a result that is a JSON object or array stays JSON, other
    # text is a string, a failed item is null (so positions still match the list).
    def entry(result):
        if result is None:
            return None
        try:
            value = json.loads(result.strip())
        except ValueError:
            return result
        return value if isinstance(value, (dict, list)) else result

    return json.dumps([entry(r) for r in results], ensure_ascii=False, indent=2, sort_keys=True)

"#;
