//! The top bar: brand, flow title, undo/redo, view controls and theme.

use super::app::{canvas_size, HelpOpen};
use super::editor::Editor;
use super::files;
use super::flows_menu::FlowsMenu;
use super::persist::Session;
use super::run::Runner;
use super::settings::Settings;
use crate::domain::auto_layout::auto_layout;
use crate::domain::change::FlowChange;
use crate::domain::engine::{format_usd, BlockStatus, RunScope};
use crate::domain::flow::Point;
use crate::domain::layout::{bounds, Viewport};
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct Theme(pub RwSignal<&'static str>);

#[component]
pub fn TopBar() -> impl IntoView {
    let editor = expect_context::<Editor>();
    let theme = expect_context::<Theme>().0;
    let session = expect_context::<Session>();
    let help = expect_context::<HelpOpen>().0;
    let runner = expect_context::<Runner>();
    let settings = expect_context::<Settings>();
    let present = expect_context::<super::present::Present>();
    let shared = expect_context::<super::share_ui::Shared>();
    let versions_open = expect_context::<super::versions_ui::VersionsOpen>().0;
    let eval_open = expect_context::<super::eval_dialog::EvalOpen>().0;
    let knowledge_open = expect_context::<super::knowledge_dialog::KnowledgeOpen>().0;
    let knowledge = expect_context::<super::knowledge::Knowledge>();
    let media = expect_context::<super::media::MediaStore>();
    let estimate = Memo::new(move |_| {
        editor.problems.track();
        settings.limits.track();
        runner.running.track();
        runner.estimate(editor, settings, &RunScope::All).describe()
    });
    let run_summary = move || {
        runner.summary.get().map(|s| {
            let done = s.count(BlockStatus::Done) + s.count(BlockStatus::Cached);
            let failed = s.count(BlockStatus::Error);
            let mut text = format!("{:.1} s \u{b7} {}", s.elapsed_ms / 1000.0, format_usd(s.cost_usd));
            if failed > 0 {
                text = format!("{failed} failed \u{b7} {text}");
            } else if done > 0 && s.finished {
                text = format!("done \u{b7} {text}");
            }
            text
        })
    };
    let file_input = NodeRef::<leptos::html::Input>::new();
    let problem_count = move || editor.problems.with(Vec::len);
    view! {
        <header class="topbar">
            <div class="brand" aria-label="Chainboard">
                <span class="brand-mark" aria-hidden="true"></span>
                <span class="brand-name">"Chainboard"</span>
            </div>
            <FlowsMenu />
            <input
                class="flow-title"
                type="text"
                aria-label="Flow title"
                prop:value=move || editor.meta.get().title
                on:change=move |ev| {
                    let _ = editor.apply(FlowChange::SetFlowTitle { title: event_target_value(&ev) });
                }
            />
            <span class="flow-status" role="status" class:attention=move || editor.problems.with(|p| !p.is_empty())>
                {move || match problem_count() {
                    0 => "Ready".to_string(),
                    1 => "1 problem".to_string(),
                    n => format!("{n} problems"),
                }}
            </span>
            <div class="run-controls">
                <Show when=move || runner.running.get()
                    fallback=move || view! {
                        <button class="button button-primary button-run" aria-label="Run flow"
                            title=move || format!("Run every block ({})", estimate.get())
                            on:click=move |_| runner.start(editor, settings, RunScope::All)>
                            "\u{25b6} Run"
                        </button>
                    }>
                    <button class="button button-stop" aria-label="Stop run" on:click=move |_| runner.stop()>"\u{25a0} Stop"</button>
                </Show>
                <span class="run-info" aria-live="polite">
                    {move || if runner.summary.with(Option::is_some) { run_summary().unwrap_or_default() } else { estimate.get() }}
                </span>
            </div>
            <div class="toolbar" role="toolbar" aria-label="Edit and view">
                <button class="icon-button" aria-label="Undo" title="Undo (Ctrl+Z)"
                    disabled=move || !editor.can_undo() on:click=move |_| editor.undo()>"\u{21b6}"</button>
                <button class="icon-button" aria-label="Redo" title="Redo (Ctrl+Shift+Z)"
                    disabled=move || !editor.can_redo() on:click=move |_| editor.redo()>"\u{21b7}"</button>
                <span class="toolbar-sep" aria-hidden="true"></span>
                <button class="button button-quiet" aria-label="Import flow" title="Import a flow file (or drop it on the canvas)"
                    on:click=move |_| { if let Some(i) = file_input.get() { i.click(); } }>"Import"</button>
                <input type="file" accept=".json,application/json" class="visually-hidden" node_ref=file_input
                    aria-label="Flow file to import" tabindex="-1"
                    on:change=move |ev| {
                        let input: web_sys::HtmlInputElement = event_target(&ev);
                        if let Some(file) = input.files().and_then(|f| f.get(0)) {
                            files::import(editor, session, knowledge, media, file);
                        }
                        input.set_value("");
                    } />
                <button class="button button-quiet" aria-label="Export flow" title="Download this flow as a .json file"
                    on:click=move |_| files::export(editor, session, knowledge, media)>"Export"</button>
                <button class="button button-quiet" aria-label="Knowledge" title="Documents this flow's Retrieve blocks search"
                    on:click=move |_| knowledge_open.set(true)>
                    "Knowledge"
                    {move || { let n = knowledge.kb.with(|kb| kb.documents.len()); (n > 0).then(|| view! { <span class="count-badge" aria-hidden="true">{n}</span> }) }}
                </button>
                <button class="button button-quiet" aria-label="Evaluate" title="Test cases, checks and pass rates with intervals"
                    on:click=move |_| eval_open.set(true)>"Evaluate"</button>
                <button class="button button-quiet" aria-label="Versions" title="Save, compare and restore named versions"
                    on:click=move |_| versions_open.set(true)>"Versions"</button>
                <button class="button button-quiet" aria-label="Share" title="A link that holds the whole flow"
                    on:click=move |_| shared.dialog_open.set(true)>"Share"</button>
                <button class="button button-quiet" aria-label="Present" title="Full screen, one block at a time"
                    on:click=move |_| present.enter()>"\u{25b7} Present"</button>
                <button class="button button-quiet" aria-label="Settings" title="Provider keys and run limits"
                    on:click=move |_| settings.open.set(true)>"\u{2699} Settings"</button>
                <button class="icon-button" aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)"
                    on:click=move |_| help.set(true)>"?"</button>
                <button
                    class="icon-button"
                    aria-label=move || if theme.get() == "dark" { "Switch to light theme" } else { "Switch to dark theme" }
                    on:click=move |_| {
                        let next = if theme.get_untracked() == "dark" { "light" } else { "dark" };
                        theme.set(next);
                    }
                >
                    {move || if theme.get() == "dark" { "\u{2600}" } else { "\u{263e}" }}
                </button>
            </div>
        </header>
    }
}

/// Zoom and layout controls, floating over the canvas's bottom-left corner.
#[component]
pub fn ViewControls() -> impl IntoView {
    let editor = expect_context::<Editor>();
    let vp = editor.viewport;
    let zoom_by = move |f: f64| {
        let (w, h) = canvas_size();
        vp.update(|v| *v = v.zoom_at(f, Point::new(w / 2.0, h / 2.0)));
    };
    let fit = move |_: ()| {
        let (w, h) = canvas_size();
        if let Some(b) = editor.with_flow(|f| bounds(&f.blocks)) {
            vp.set(Viewport::fit(b, w, h, 40.0));
        }
    };
    let fit_selection = move |_| {
        let (w, h) = canvas_size();
        let sel = editor.selection.get_untracked();
        let b = editor.with_flow(|f| bounds(f.blocks.iter().filter(|b| sel.contains(&b.id))));
        if let Some(b) = b {
            vp.set(Viewport::fit(b, w, h, 80.0));
        }
    };
    let actual_size = move |_| {
        let (w, h) = canvas_size();
        vp.update(|v| *v = v.zoom_at(1.0 / v.zoom, Point::new(w / 2.0, h / 2.0)));
    };
    let tidy = move |_| {
        if let Some(change) = editor.with_flow(auto_layout) {
            let _ = editor.apply(change);
            fit(());
        }
    };
    view! {
        <div class="view-controls" role="toolbar" aria-label="View" on:pointerdown=|ev| ev.stop_propagation()>
                <button class="icon-button" aria-label="Zoom out" on:click=move |_| zoom_by(1.0 / 1.2)>"\u{2212}"</button>
                <span class="zoom-level" aria-label="Zoom level">{move || format!("{:.0}%", vp.get().zoom * 100.0)}</span>
                <button class="icon-button" aria-label="Zoom in" on:click=move |_| zoom_by(1.2)>"+"</button>
                <button class="button button-quiet" aria-label="Zoom to fit" on:click=move |_| fit(())>"Fit"</button>
                <button class="button button-quiet" aria-label="Zoom to selection" title="Zoom to selection"
                    disabled=move || editor.selection.with(Vec::is_empty) on:click=fit_selection>"Selection"</button>
                <button class="button button-quiet" aria-label="Zoom to 100%" on:click=actual_size>"100%"</button>
                <button class="button button-quiet" aria-label="Tidy layout" title="Arrange blocks left to right" on:click=tidy>"Tidy"</button>
        </div>
    }
}
