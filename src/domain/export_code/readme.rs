//! The README of each export (how to run it, where keys go, what each block became and
//! what is not the same as in Chainboard) and the documents Retrieve blocks search.

use std::fmt::Write as _;

use super::naming::comment_text;
use super::plan::{Plan, StepKind};
use super::{ExportFile, ExportSource};
use crate::domain::media::MediaKind;
use crate::domain::retrieval::chunk::chunk;

/// Untrusted text inside Markdown: one line, and nothing that makes markup or a table cell.
pub fn md(text: &str) -> String {
    let mut out = String::new();
    for c in comment_text(text).chars() {
        match c {
            '|' | '`' | '*' | '_' | '[' | ']' | '#' | '\\' => {
                out.push('\\');
                out.push(c);
            }
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            c => out.push(c),
        }
    }
    out
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Lang {
    Python,
    Node,
}

pub fn python(plan: &Plan) -> String {
    readme(plan, Lang::Python)
}

pub fn typescript(plan: &Plan) -> String {
    readme(plan, Lang::Node)
}

fn readme(plan: &Plan, lang: Lang) -> String {
    let mut o = String::new();
    let title = if plan.title.trim().is_empty() { "Untitled flow".to_string() } else { md(&plan.title) };
    let _ = writeln!(o, "# {title}\n");
    if !plan.description.trim().is_empty() {
        let _ = writeln!(o, "{}\n", md(&plan.description));
    }
    let (name, file) = match lang {
        Lang::Python => ("Python", "main.py"),
        Lang::Node => ("TypeScript (Node.js)", "main.ts"),
    };
    let _ = writeln!(
        o,
        "Exported from Chainboard as {name}. `{file}` runs the flow with each provider's official SDK: the \
         same prompts, settings and order as on the canvas; blocks that do not depend on each other run at the \
         same time.\n"
    );
    o.push_str("## Run it\n\n```sh\n");
    match lang {
        Lang::Python => o.push_str("python3 -m venv .venv && . .venv/bin/activate\npip install -r requirements.txt\n"),
        Lang::Node => {
            o.push_str("npm install   # Node 20 or newer\nnpx tsc --noEmit   # type-check (strict, tsconfig.json)\n")
        }
    }
    for p in plan.providers() {
        if let Some(key) = p.key_env() {
            let _ = writeln!(o, "export {key}=...   # your {} key", p.label());
        }
    }
    let run = match lang {
        Lang::Python => "python main.py",
        Lang::Node => "npx tsx main.ts",
    };
    let example: Vec<String> = plan
        .inputs
        .iter()
        .map(|i| match i.media {
            Some(MediaKind::Image) => format!("--{} photo.jpg", i.name),
            Some(MediaKind::Audio) => format!("--{} recording.wav", i.name),
            None => format!("--{} \"...\"", i.name),
        })
        .collect();
    let _ = writeln!(o, "{run} {}", example.join(" ")).map(|_| ());
    if plan.conversational() {
        let _ = writeln!(o, "{run} --chat   # talk to it: one message per line, it remembers the conversation");
    }
    if plan.has(|k| matches!(k, StepKind::Approval(_))) {
        let _ = writeln!(o, "{run} --approve   # approve every Approval without asking");
    }
    o.push_str("```\n\n");
    o.push_str(
        "Every input is optional: without it the flow's own value is used. Each Output block's answer is \
         printed under its title; `--json` prints them as JSON instead.\n\n",
    );
    if !plan.inputs.is_empty() {
        o.push_str("| Option | Block | Default |\n|---|---|---|\n");
        for i in &plan.inputs {
            let default = match i.media {
                Some(_) if i.default.is_empty() => "(a file path; required)".to_string(),
                Some(_) => format!("{} (a file path; put the file beside the program)", md(&i.default)),
                None => md(&i.default),
            };
            let _ = writeln!(o, "| `--{}` | {} | {} |", i.name, md(&i.block_title), default);
        }
        o.push('\n');
    }
    let providers = plan.providers();
    if !providers.is_empty() {
        o.push_str(
            "## Keys and addresses\n\nKeys are read from environment variables and never written into the code.\n\n",
        );
        o.push_str("| Provider | Key | Address (default) |\n|---|---|---|\n");
        for p in &providers {
            let (base, default) = p.base_env();
            let _ = writeln!(
                o,
                "| {} | {} | `{base}` ({default}) |",
                p.label(),
                p.key_env().map_or("none".to_string(), |k| format!("`{k}`"))
            );
        }
        o.push('\n');
    }
    o.push_str("## What each block became\n\n");
    for s in &plan.steps {
        let what = match &s.kind {
            StepKind::Prompt(p) if !p.tools.is_empty() => format!(
                "an agent loop on {} `{}` with {} tool(s), at most {} model calls",
                p.provider.label(),
                md(&p.model),
                p.tools.len(),
                p.config.max_steps
            ),
            StepKind::Prompt(p) => {
                let mut what = format!("a call to {} `{}`", p.provider.label(), md(&p.model));
                if !p.config.examples.is_empty() {
                    let _ = write!(what, " with {} example turn(s)", p.config.examples.len());
                }
                if let Some(memory) = p.config.conversation {
                    let _ = write!(what, ", sent the last {} turns of the conversation", memory.turns);
                }
                what
            }
            StepKind::Retrieve(r) => {
                format!("a keyword search (BM25) over `documents/`, the {} best passages", r.top_k)
            }
            StepKind::Transcribe(t) => format!("a transcription by {} `{}`", t.provider.label(), md(&t.model)),
            StepKind::Router(r) if r.config.mode == crate::domain::blocks::RouterMode::Model => format!(
                "a router: {} `{}` picks one of the routes ({}); only that branch runs",
                r.provider.label(),
                md(&r.model),
                r.routes.iter().map(|n| md(n)).collect::<Vec<_>>().join(", ")
            ),
            StepKind::Router(r) => format!(
                "a router: {} rule(s), checked in order, pick one of the routes ({}); only that branch runs",
                r.config.rules.len(),
                r.routes.iter().map(|n| md(n)).collect::<Vec<_>>().join(", ")
            ),
            StepKind::Transform(t) => format!("a transform ({}), no model", md(t.op.kind_id())),
            StepKind::Approval(_) => "an approval: asks on the terminal to approve, edit or reject (`--approve` or \
                                      `CHAINBOARD_AUTO_APPROVE=1` approves everything); rejected, what follows does not run"
                .to_string(),
            StepKind::Loop(l) => format!(
                "a loop: one call to {} `{}` per item of the list, at most {} at a time",
                l.prompt.provider.label(),
                md(&l.prompt.model),
                l.config.concurrency.max(1)
            ),
            StepKind::Todo { kind } => format!("TODO: a {} block, not exported yet", md(kind)),
        };
        let _ = writeln!(o, "- **{}**: `{}()`, {what}", md(&s.title), fn_name(&s.func, lang));
    }
    for t in &plan.tools {
        let what = match &t.config.action {
            crate::domain::blocks::tool::ToolAction::Mock(_) => {
                "a stub that returns the mock's fixed answers: replace it with your system"
            }
            crate::domain::blocks::tool::ToolAction::Http(_) => "a real HTTP request",
            crate::domain::blocks::tool::ToolAction::SubFlow(_) => "TODO: runs another flow",
        };
        let _ = writeln!(o, "- Tool **{}**: `{}()`, {what}", md(&t.title), fn_name(&t.func, lang));
    }
    for out in &plan.outputs {
        let _ = writeln!(o, "- Output **{}**: printed", md(&out.title));
    }
    o.push_str("\n## Not the same as in Chainboard\n\n");
    let mut notes: Vec<String> = plan.todos.iter().map(|t| format!("TODO: {}", md(t))).collect();
    for s in &plan.steps {
        let note = match &s.kind {
            StepKind::Prompt(p) => p.note.as_ref(),
            StepKind::Transcribe(t) => t.note.as_ref(),
            _ => None,
        };
        if let Some(n) = note {
            notes.push(format!("**{}**: {}", md(&s.title), md(n)));
        }
    }
    notes.push(
        "Answers arrive whole (no streaming), and failed calls are retried by the SDK's own rules \
         (Chainboard retries 429 and 5xx up to 3 times with backoff)."
            .to_string(),
    );
    if plan.has_retrieve() {
        notes.push(
            "Retrieval ranks the same passages with a different BM25 library and a simpler tokenizer (no \
             stemming, no stop words), so the order of close matches can differ."
                .to_string(),
        );
    }
    if plan.sends_images() {
        notes.push("Images are sent before the text of the message, wherever the placeholder stands.".to_string());
    }
    notes.extend(control_notes(plan, lang));
    for n in notes {
        let _ = writeln!(o, "- {n}");
    }
    o
}

/// What differs for routers, transforms, approvals, loops and conversations, when the flow
/// has them.
fn control_notes(plan: &Plan, lang: Lang) -> Vec<String> {
    use crate::domain::blocks::{RouterMode, RuleTest};
    let mut notes = Vec::new();
    let (regex, lower) = match lang {
        Lang::Python => ("Python's `re`", "`str.lower()`"),
        Lang::Node => ("JavaScript's `RegExp`", "`toLowerCase()`"),
    };
    if plan.has_branches() {
        notes.push(
            "An Output on a branch that was not taken (a route the router did not pick, a rejected approval) \
             shows as skipped (`null` with `--json`)."
                .to_string(),
        );
    }
    if plan.rules().any(|r| matches!(r.test, RuleTest::Matches { .. })) {
        notes.push(format!(
            "Router patterns run with {regex} instead of Chainboard's regex engine: the common syntax is the same, \
             rarer features can differ."
        ));
    }
    if plan.rules().next().is_some() {
        notes.push(format!(
            "Router rules that ignore case compare with {lower}, which folds a few non-English letters \
             differently from Chainboard."
        ));
    }
    if plan.rules().any(|r| matches!(r.test, RuleTest::PersonalData)) {
        notes.push(
            "\u{201c}Has personal data\u{201d} is a port of Chainboard's detector (the same scanners and checks); it \
             answers yes or no and does not say what it found."
                .to_string(),
        );
    }
    if plan.rules().any(|r| matches!(r.test, RuleTest::Moderation { sample: true, .. })) {
        notes.push(
            "The moderation rule checks Chainboard's sample word list, as the app does with \u{201c}Sample \
             moderation\u{201d} ticked: no request. Untick it in Chainboard and export again to call OpenAI's \
             moderation endpoint."
                .to_string(),
        );
    }
    if plan.has(|k| matches!(k, StepKind::Router(r) if r.config.mode == RouterMode::Model)) {
        notes.push(
            "A router's model answer is read as Chainboard reads it (the label on the first line, else the label \
             the answer names first, else \u{201c}default\u{201d}); the model's reason is not printed."
                .to_string(),
        );
    }
    if plan.has(|k| matches!(k, StepKind::Approval(_))) {
        notes.push(
            "Approvals ask on the terminal (approve, edit, reject; no reason is kept); `--approve` or \
             `CHAINBOARD_AUTO_APPROVE=1` approves everything, and with no terminal (end of input) the value is \
             rejected."
                .to_string(),
        );
    }
    if plan.has(|k| matches!(k, StepKind::Loop(_))) {
        notes.push(
            "A loop runs its items with the block's \u{201c}items at once\u{201d} only (not the provider limit in \
             Settings), without Chainboard's budget check; failed items are reported on stderr."
                .to_string(),
        );
    }
    if lang == Lang::Node && plan.has(|k| matches!(k, StepKind::Loop(_) | StepKind::Transform(_))) {
        notes.push(
            "JSON numbers written with a fraction of zero (`2.0`) come out as `2` when a transform or a loop \
             writes JSON: JavaScript does not keep the difference."
                .to_string(),
        );
    }
    if plan.conversational() {
        notes.push(
            "`--chat` keeps the conversation for the session only. Earlier turns carry the flow's answer (its first \
             Output), as the Chat panel does unless a later block rewords a Prompt's own answer."
                .to_string(),
        );
    }
    notes
}

fn fn_name(snake: &str, lang: Lang) -> String {
    match lang {
        Lang::Python => snake.to_string(),
        Lang::Node => super::naming::camel(snake),
    }
}

/// `documents/passages.json` (the passages Chainboard cut, which the program searches) and
/// each document's text, for flows with a Retrieve block.
pub fn documents(plan: &Plan, source: &ExportSource) -> Vec<ExportFile> {
    if !plan.has_retrieve() {
        return Vec::new();
    }
    let Some(knowledge) = &source.knowledge else {
        return vec![ExportFile::new("documents/passages.json", "[]\n")];
    };
    let mut passages = Vec::new();
    let mut files = Vec::new();
    for doc in &knowledge.documents {
        for (i, c) in chunk(&doc.text, knowledge.options.chunk).into_iter().enumerate() {
            passages.push(serde_json::json!({
                "source": doc.name,
                "heading": c.heading,
                "chunk": i + 1,
                "text": c.text,
            }));
        }
        let name = safe_file_name(&doc.name, files.len());
        files.push(ExportFile::new(format!("documents/{name}.txt"), doc.text.clone()));
    }
    let json = serde_json::to_string_pretty(&passages).unwrap_or_else(|_| "[]".to_string());
    files.push(ExportFile::new("documents/passages.json", json + "\n"));
    files
}

/// A document's name as a file name that cannot leave the folder.
fn safe_file_name(name: &str, n: usize) -> String {
    let cleaned: String =
        name.chars().map(|c| if c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.') { c } else { '-' }).collect();
    let cleaned = cleaned.trim_matches('.').to_string();
    if cleaned.is_empty() {
        format!("document-{}", n + 1)
    } else {
        cleaned
    }
}
