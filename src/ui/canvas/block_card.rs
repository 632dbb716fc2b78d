//! A block on the canvas: header, port rows and a one-line summary. Geometry matches
//! `domain::layout` so edges attach exactly to the port dots. The words on the card come from
//! card_text.rs.

use super::card_text::{run_text, short_title, status_label, summary};
use super::gestures::CanvasCtx;
use crate::domain::blocks::BlockConfig;
use crate::domain::engine::BlockRun;
use crate::domain::flow::{Block, BlockId};
use crate::domain::layout::Side;
use crate::ui::run::run::Runner;
use crate::ui::state::editor::Editor;
use leptos::prelude::*;

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

/// Below this zoom, cards are drawn simplified (see `BlockCard`).
const SIMPLE_BELOW_ZOOM: f64 = 0.4;

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
                // The words are clamped in their own box: clamped on the fixed-height body, the
                // lines after the "…" stayed visible below it.
                <div class="block-text">
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
                </div>
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
