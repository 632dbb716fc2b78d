//! A block on the canvas: header, port rows and a one-line summary. Geometry matches
//! `domain::layout` so edges attach exactly to the port dots.

use super::gestures::CanvasCtx;
use crate::domain::blocks::BlockConfig;
use crate::domain::engine::{BlockRun, BlockStatus};
use crate::domain::flow::{Block, BlockId};
use crate::domain::layout::Side;
use crate::domain::providers::ProviderKind;
use crate::ui::run::run::Runner;
use crate::ui::state::editor::Editor;
use leptos::prelude::*;

fn summary(block: &Block) -> String {
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

/// The icon of a block kind (see `icons`): an inline SVG, never a font glyph.
fn icon(kind: &str) -> &'static str {
    match kind {
        "input" => "input",
        "prompt" => "prompt",
        "output" => "output",
        "note" => "note",
        "tool" => "tool",
        "retrieve" => "retrieve",
        "transcribe" => "transcribe",
        "router" => "router",
        "transform" => "transform",
        "approval" => "approval",
        "loop" => "loop",
        _ => "unknown",
    }
}

/// A small preview of an Input's first image, so the canvas shows what the flow looks at.
fn thumbnail(cell: RwSignal<Block>, media: crate::ui::platform::media::MediaStore) -> Option<impl IntoView> {
    let meta = cell.try_with(|b| match &b.config {
        BlockConfig::Input(c) => c.values.iter().find_map(|v| v.media.clone()),
        _ => None,
    })??;
    let url = (meta.kind() == Some(crate::domain::media::MediaKind::Image)).then(|| media.url(&meta.id)).flatten()?;
    Some(view! { <img class="block-thumb" src=url alt="" /> })
}

/// Simplified cards have no clip on their title (see canvas.css), so long titles are cut here.
fn short_title(name: &str) -> String {
    const MAX: usize = 28;
    if name.chars().count() <= MAX {
        name.to_string()
    } else {
        format!("{}\u{2026}", name.chars().take(MAX - 1).collect::<String>().trim_end())
    }
}

/// Below this zoom, cards are drawn simplified (see `BlockCard`).
const SIMPLE_BELOW_ZOOM: f64 = 0.4;

/// The card shows two lines of a result. Only this much of it goes to the page: a 10 MB
/// answer given whole froze the page for 10–20 s while the browser laid it out
/// (tests/browser/faults.spec.js, `huge`).
const CARD_TEXT_BYTES: usize = 2_000;

/// The words under a block's header after a run: the start of its output, or what went wrong.
fn run_text(run: &BlockRun) -> String {
    if let Some(activity) = agent_activity(run) {
        return activity;
    }
    if let Some(l) = &run.loop_run {
        return loop_text(run, l);
    }
    let preview = |out: &str| crate::domain::media::preview(out, CARD_TEXT_BYTES).into_owned();
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
    let rest = match (&run.error, &l.note, &run.output) {
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

/// A loop's thin progress bar: finished items over all, failed ones in the error colour.
fn loop_bar(run: &BlockRun) -> Option<impl IntoView> {
    let l = run.loop_run.as_ref()?;
    let total = l.items.len().max(1) as f64;
    let (done, failed) = (l.finished(), l.failed());
    let ok_pct = format!("{:.1}%", (done - failed) as f64 * 100.0 / total);
    let failed_pct = format!("{:.1}%", failed as f64 * 100.0 / total);
    Some(view! {
        <div class="loop-bar" role="progressbar" aria-label="Items done" aria-valuemin="0"
            aria-valuemax=l.items.len().to_string() aria-valuenow=done.to_string() aria-valuetext=l.progress()>
            <span class="loop-bar-done" style:width=ok_pct></span>
            <span class="loop-bar-failed" style:width=failed_pct></span>
        </div>
    })
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
fn status_label(run: &BlockRun, now: f64) -> String {
    let secs = |a: f64, b: f64| format!("{:.1} s", ((b - a) / 1000.0).max(0.0));
    match (run.status, run.started_ms, run.finished_ms) {
        (BlockStatus::Running, Some(s), _) => format!("\u{25cf} {}", secs(s, now)),
        (BlockStatus::Done, Some(s), Some(f)) => format!("\u{2713} {}", secs(s, f)),
        (BlockStatus::Done, _, _) => "\u{2713}".to_string(),
        (BlockStatus::Error, _, _) => "\u{26a0} error".to_string(),
        (st, _, _) => st.label().to_string(),
    }
}

#[component]
pub fn BlockCard(id: BlockId) -> impl IntoView {
    let editor = expect_context::<Editor>();
    let ctx = expect_context::<CanvasCtx>();
    let runner = expect_context::<Runner>();
    let media = expect_context::<crate::ui::platform::media::MediaStore>();
    let run = runner.run_of(&id);
    let status = move || run.with(|r| r.as_ref().map_or("idle", |r| r.status.label()));
    let Some(cell) = editor.cell(&id) else {
        return ().into_any();
    };
    let read = move |f: fn(&Block) -> String| cell.try_with(f).unwrap_or_default();
    let kind = cell.try_with(|b| b.config.kind_id().to_string()).unwrap_or_default();
    let id_sel = id.clone();
    let selected = move || editor.is_selected(&id_sel);
    let id_prob = id.clone();
    let settings = expect_context::<crate::ui::state::settings::Settings>();
    let problems = Memo::new(move |_| {
        let mut p = editor.problems_for(&id_prob);
        p.extend(cell.try_with(|b| crate::ui::inspector::control_settings::key_problem(b, settings)).flatten());
        p
    });
    // left/top, not a transform: a transform per block makes the compositor re-layerise
    // every block on each pan frame (measured: 8 s of "Layerize" for a 10-step pan).
    let left = move || cell.try_with(|b| format!("{}px", b.position.x)).unwrap_or_default();
    let top = move || cell.try_with(|b| format!("{}px", b.position.y)).unwrap_or_default();
    let rows = move || {
        cell.try_with(|b| {
            let ins = b.input_ports();
            let outs = b.output_ports();
            (0..ins.len().max(outs.len()))
                .map(|i| (ins.get(i).map(|p| p.name.clone()), outs.get(i).map(|p| p.name.clone())))
                .collect::<Vec<_>>()
        })
        .unwrap_or_default()
    };
    let id_drag = id.clone();
    let on_header_down = move |ev: leptos::ev::PointerEvent| {
        if ev.button() != 0 {
            return;
        }
        ev.stop_propagation();
        ctx.start_block_drag(&ev, &id_drag);
    };
    let id_click = id.clone();
    let on_key = move |ev: leptos::ev::KeyboardEvent| {
        if ev.key() == "Enter" || ev.key() == " " {
            ev.prevent_default();
            editor.select_only(&id_click);
        }
    };
    let block_id = id.0.clone();
    let is_approval = kind == "approval";
    let id_approval = id.clone();
    let kind_class = format!("block kind-{kind}");
    let kind_label = cell.try_with(|b| b.config.kind_label().to_string()).unwrap_or_default();
    let label_kind = kind_label.clone();
    let aria = move || format!("{label_kind} block: {}", read(|b| b.display_name()));
    let port_block = id.0.clone();
    // Level of detail: far zoomed out, text is unreadable and 1,000 full cards cost seconds
    // to build and paint, so cards keep their size and title but drop ports and body.
    let simple = Memo::new(move |_| editor.viewport.with(|v| v.zoom < SIMPLE_BELOW_ZOOM));
    let height = move || cell.try_with(|b| format!("{}px", crate::domain::layout::block_height(b))).unwrap_or_default();
    view! {
        <div
            class=kind_class
            class:selected=selected
            class:invalid=move || !problems.with(Vec::is_empty)
            data-block-id=block_id
            data-kind=kind.clone()
            data-status=status
            role="group"
            aria-label=aria
            style:left=left
            style:top=top
            style:height=move || if simple.get() { height() } else { String::new() }
            class:simple=move || simple.get()
        >
            <header
                class="block-header"
                tabindex="0"
                aria-label=move || format!("Select {}", read(|b| b.display_name()))
                on:pointerdown=on_header_down
                on:keydown=on_key
            >
                <span class="block-icon" aria-hidden="true"><crate::ui::widgets::icons::Icon name=icon(&kind) size=14 /></span>
                <span class="block-title">{move || {
                    let name = read(|b| b.display_name());
                    if simple.get() { short_title(&name) } else { name }
                }}</span>
                <Show when=move || run.with(Option::is_some) fallback=move || view! { <span class="block-kind">{kind_label.clone()}</span> }>
                    <span class=move || format!("status-pill status-{}", status()) role="status"
                        aria-label=move || format!("Status: {}", status())>
                        {move || run.with(|r| r.as_ref().map(|r| status_label(r, runner.clock.get())).unwrap_or_default())}
                    </span>
                </Show>
                <Show when=move || !problems.with(Vec::is_empty)>
                    <span class="block-problem" role="img" aria-label=move || problems.with(|p| p.join(" "))
                        title=move || problems.with(|p| p.join("\n"))>"!"</span>
                </Show>
            </header>
            <Show when=move || !simple.get()>
            <div class="block-ports">
                {let port_block = port_block.clone(); move || {
                    rows()
                        .into_iter()
                        .map(|(inp, out)| {
                            let b1 = port_block.clone();
                            let b2 = port_block.clone();
                            view! {
                                <div class="port-row">
                                    {inp.map(|name| view! { <Port block=b1 name side="in" /> })}
                                    {out.map(|name| view! { <Port block=b2 name side="out" /> })}
                                </div>
                            }
                        })
                        .collect_view()
                }}
            </div>
            <div class="block-body" class:awaiting=move || status() == "waiting" class:has-result=move || run.with(|r| r.as_ref().is_some_and(|r| !run_text(r).is_empty()))>
                {move || thumbnail(cell, media)}
                {move || run.with(|r| r.as_ref().and_then(loop_bar))}
                <Show when=move || run.with(|r| r.as_ref().is_some_and(|r| r.sample))>
                    <span class="sample-badge" title="Written by sample answers, not by a model">{crate::domain::sample::SAMPLE_BADGE}</span>
                </Show>
                {move || match run.with(|r| r.as_ref().map(run_text).filter(|t| !t.is_empty())) {
                    // Media values travel as tokens; people see what they are.
                    Some(t) => crate::domain::media::readable(&t, |id| media.library.with(|l| l.get(id).map(|i| i.meta.clone()))),
                    None => read(summary),
                }}
                {is_approval.then(|| view! { <crate::ui::run::approval::ApprovalActions id=id_approval.clone() compact=true /> })}
            </div>
            </Show>
        </div>
    }
    .into_any()
}

#[component]
fn Port(block: String, name: String, side: &'static str) -> impl IntoView {
    let ctx = expect_context::<CanvasCtx>();
    let label = if side == "in" { format!("Input {name}") } else { format!("Output {name}") };
    let (b, n) = (block.clone(), name.clone());
    let port_attr = name.clone();
    let on_down = move |ev: leptos::ev::PointerEvent| {
        if ev.button() != 0 {
            return;
        }
        ev.stop_propagation();
        let s = if side == "out" { Side::Output } else { Side::Input };
        ctx.start_wire(&ev, &BlockId::new(b.clone()), &n, s);
    };
    let (tb, tn) = (block.clone(), name.clone());
    let target = Memo::new(move |_| {
        ctx.wire_target.with(|t| match t {
            Some(t) if side == "in" && t.block == tb && t.port == tn => Some(t.ok),
            _ => None,
        })
    });
    view! {
        <button
            class=format!("port port-{side}")
            class:droppable=move || target.get() == Some(true)
            class:refused=move || target.get() == Some(false)
            data-port=port_attr
            data-side=side
            data-block-id=block
            aria-label=label
            on:pointerdown=on_down
        >
            <span class="port-dot" aria-hidden="true"></span>
            <span class="port-name">{name}</span>
        </button>
    }
}
