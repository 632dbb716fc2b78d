//! The words a block card shows: the block's summary before a run, the start of its result
//! (or its route, approval, loop progress, agent step, error) after one, the status in its
//! header, and the title cut short when the card is drawn simplified. Text only, no view.

use crate::domain::blocks::BlockConfig;
use crate::domain::engine::{BlockRun, BlockStatus};
use crate::domain::flow::Block;
use crate::domain::providers::ProviderKind;

pub(super) fn summary(block: &Block) -> String {
    match &block.config {
        BlockConfig::Input(c) => c
            .values
            .first()
            .map(|v| {
                if let Some(m) = &v.media {
                    format!(
                        "{}\n{}",
                        crate::domain::media::describe(m),
                        if c.values.len() > 1 { "and more values" } else { "" }
                    )
                } else if v.value.trim().is_empty() {
                    "Empty: type a value in the inspector".to_string()
                } else {
                    v.value.clone()
                }
            })
            .unwrap_or_else(|| "No values yet".into()),
        BlockConfig::Prompt(p) => {
            let provider = ProviderKind::from_id(&p.provider).map_or(p.provider.as_str(), |k| k.label());
            let first_line = p.user.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
            format!("{provider} \u{b7} {}\n{first_line}", if p.model.is_empty() { "no model" } else { &p.model })
        }
        BlockConfig::Output(_) => "The result appears here after a run.".into(),
        BlockConfig::Note(n) => n.text.clone(),
        BlockConfig::Tool(t) => {
            let action = match &t.action {
                crate::domain::blocks::tool::ToolAction::Mock(_) => "mock response".to_string(),
                crate::domain::blocks::tool::ToolAction::Http(h) => {
                    format!("{} {}", h.method.id(), t.http_host().unwrap_or_else(|| "(no host yet)".into()))
                }
                crate::domain::blocks::tool::ToolAction::SubFlow(_) => "runs another flow".to_string(),
            };
            format!("{} \u{b7} {action}\n{}", t.name, t.description)
        }
        BlockConfig::Transcribe(t) => {
            let provider = ProviderKind::from_id(&t.provider).map_or(t.provider.as_str(), |k| k.label());
            format!("{provider} \u{b7} {}\nSpeech to text", if t.model.is_empty() { "no model" } else { &t.model })
        }
        BlockConfig::Retrieve(r) => {
            let first_line = r.query.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
            format!("{} \u{b7} top {}\n{first_line}", r.mode.label(), r.top_k)
        }
        BlockConfig::Router(r) => {
            let how = match r.mode {
                crate::domain::blocks::RouterMode::Rules => {
                    format!("{} rule{}", r.rules.len(), if r.rules.len() == 1 { "" } else { "s" })
                }
                crate::domain::blocks::RouterMode::Model => {
                    let provider = ProviderKind::from_id(&r.provider).map_or(r.provider.as_str(), |k| k.label());
                    format!("{provider} picks")
                }
            };
            format!("{how}\n{}", r.route_names().join(" \u{b7} "))
        }
        BlockConfig::Transform(t) => {
            let label = crate::domain::blocks::TransformOp::KINDS
                .iter()
                .find(|(id, _)| *id == t.op.kind_id())
                .map_or("", |(_, l)| l);
            match &t.op {
                crate::domain::blocks::TransformOp::Template { template } => {
                    format!("{label}\n{}", template.lines().next().unwrap_or_default())
                }
                crate::domain::blocks::TransformOp::Pick { path } => format!("{label}\n{path}"),
                _ => label.to_string(),
            }
        }
        BlockConfig::Approval(a) => {
            if a.instructions.trim().is_empty() {
                "Waits for a person to approve".to_string()
            } else {
                a.instructions.clone()
            }
        }
        BlockConfig::Loop(l) => {
            let body = match &l.body {
                crate::domain::blocks::loop_block::LoopBody::Prompt(p) => {
                    let provider = ProviderKind::from_id(&p.provider).map_or(p.provider.as_str(), |k| k.label());
                    let first_line = p.user.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
                    format!("{provider} \u{b7} {first_line}")
                }
                crate::domain::blocks::loop_block::LoopBody::Flow { .. } => "runs another flow".to_string(),
            };
            format!("{} at once, up to {} items\n{body}", l.concurrency, l.max_items)
        }
        BlockConfig::Unknown(u) => format!("Unknown kind \u{201c}{}\u{201d}: kept, not run.", u.kind),
    }
}

/// Simplified cards have no clip on their title (see canvas.css), so long titles are cut here.
pub(super) fn short_title(name: &str) -> String {
    const MAX: usize = 28;
    if name.chars().count() <= MAX {
        name.to_string()
    } else {
        format!("{}\u{2026}", name.chars().take(MAX - 1).collect::<String>().trim_end())
    }
}

/// The card shows two lines of a result. Only this much of it goes to the page: a 10 MB
/// answer given whole froze the page for 10–20 s while the browser laid it out
/// (tests/browser/faults.spec.js, `huge`).
const CARD_TEXT_BYTES: usize = 2_000;

/// The words under a block's header after a run: the start of its output, or what went wrong.
pub(super) fn run_text(run: &BlockRun) -> String {
    if let Some(activity) = agent_activity(run) {
        return activity;
    }
    if let Some(l) = &run.loop_run {
        return loop_text(run, l);
    }
    // Answers are markdown; the card shows their words, not their marks (the result panel
    // renders them). Cut first: a streaming answer can be megabytes.
    let preview =
        |out: &str| crate::domain::markdown::without_marks(&crate::domain::media::preview(out, CARD_TEXT_BYTES));
    if let Some(choice) = &run.route {
        let why = match (&choice.reason, &choice.note, choice.rule) {
            (Some(reason), _, _) => reason.clone(),
            (None, Some(note), _) => note.clone(),
            (None, None, Some(i)) => format!("Rule {} matched.", i + 1),
            _ => String::new(),
        };
        return format!("\u{2192} {}\n{}", choice.route, preview(&why));
    }
    if let Some(a) = &run.approval {
        return match a.state {
            crate::domain::engine::ApprovalState::Waiting => "Waiting for approval".to_string(),
            state => format!("{}\n{}", state.label(), preview(run.output.as_deref().unwrap_or_default())),
        };
    }
    match (&run.output, &run.error) {
        (Some(out), Some(err)) if !out.is_empty() => format!("{}\n\u{26a0} {err}", preview(out)),
        (_, Some(err)) => err.clone(),
        (Some(out), None) if !out.is_empty() => preview(out),
        _ => match run.status {
            BlockStatus::Queued => "Waiting to run\u{2026}".into(),
            BlockStatus::Running => "Waiting for the first words\u{2026}".into(),
            _ => String::new(),
        },
    }
}

/// A loop's progress ("17 of 40 items", failures), then its warning, error or joined result.
fn loop_text(run: &BlockRun, l: &crate::domain::engine::LoopRun) -> String {
    let failed = l.failed();
    let head = format!(
        "{} items{}",
        l.progress(),
        if failed > 0 { format!(" \u{b7} {failed} failed") } else { String::new() }
    );
    // The note of a loop with failures ("1 of 5 failed.") would repeat the head: the card
    // shows the joined result of the items that worked instead.
    let note = l.note.as_ref().filter(|_| failed == 0);
    let rest = match (&run.error, note, &run.output) {
        (Some(e), _, _) => e.clone(),
        (None, Some(n), _) => n.clone(),
        (None, None, Some(out)) => crate::domain::media::preview(out, CARD_TEXT_BYTES).into_owned(),
        _ => String::new(),
    };
    if rest.is_empty() {
        head
    } else {
        format!("{head}\n{rest}")
    }
}

/// What a running agent is doing between answers: calling a tool, or waiting for the model.
fn agent_activity(run: &BlockRun) -> Option<String> {
    if run.status.is_terminal() || run.output.as_deref().is_some_and(|o| !o.is_empty()) {
        return None;
    }
    let step = run.steps.last()?;
    let n = run.steps.len();
    let waiting: Vec<&str> = step.calls.iter().filter(|c| c.result.is_none()).map(|c| c.name.as_str()).collect();
    Some(if !waiting.is_empty() {
        format!("Step {n}: calling {}\u{2026}", waiting.join(", "))
    } else if n > 1 {
        format!("Step {n}: the model reads the tool results\u{2026}")
    } else {
        "Step 1: waiting for the model\u{2026}".to_string()
    })
}

/// A short status for the block header: a glyph and a time, so the title keeps its room.
pub(super) fn status_label(run: &BlockRun, now: f64) -> String {
    let secs = |a: f64, b: f64| format!("{:.1} s", ((b - a) / 1000.0).max(0.0));
    match (run.status, run.started_ms, run.finished_ms) {
        (BlockStatus::Running, Some(s), _) => format!("\u{25cf} {}", secs(s, now)),
        (BlockStatus::Done, Some(s), Some(f)) => format!("\u{2713} {}", secs(s, f)),
        (BlockStatus::Done, _, _) => "\u{2713}".to_string(),
        (BlockStatus::Error, _, _) => "\u{26a0} error".to_string(),
        (st, _, _) => st.label().to_string(),
    }
}
