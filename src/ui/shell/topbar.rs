//! The top bar: brand, flow title, undo/redo, view controls and theme.

use super::app::HelpOpen;
use super::flows_menu::FlowsMenu;
use crate::domain::auto_layout::auto_layout;
use crate::domain::change::FlowChange;
use crate::domain::engine::{format_usd, BlockStatus, RunScope};
use crate::domain::flow::Point;
use crate::domain::layout::{bounds, Viewport};
use crate::ui::canvas::fit::canvas_size;
use crate::ui::run::run::Runner;
use crate::ui::share::files;
use crate::ui::state::editor::Editor;
use crate::ui::state::persist::Session;
use crate::ui::state::settings::Settings;
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
    let present = expect_context::<crate::ui::share::present::Present>();
    let shared = expect_context::<crate::ui::state::shared::Shared>();
    let versions_open = expect_context::<super::versions_ui::VersionsOpen>().0;
    let data_sent_open = expect_context::<crate::ui::run::data_sent::DataSentOpen>().0;
    let export_code_open = expect_context::<crate::ui::share::export_dialog::ExportCodeOpen>().0;
    let eval_open = expect_context::<crate::ui::evals::eval_dialog::EvalOpen>().0;
    let chat_open = expect_context::<crate::ui::chat::chat_panel::ChatOpen>().0;
    let knowledge_open = expect_context::<crate::ui::knowledge::knowledge_dialog::KnowledgeOpen>().0;
    let feedback_open = expect_context::<crate::ui::share::feedback_ui::FeedbackOpen>().0;
    let knowledge = expect_context::<crate::ui::knowledge::knowledge::Knowledge>();
    let media = expect_context::<crate::ui::platform::media::MediaStore>();
    let estimate = Memo::new(move |_| {
        editor.checked_rev.track();
        settings.limits.track();
        runner.running.track();
        runner.estimate(editor, settings, &RunScope::All).describe()
    });
    let run_summary = move || {
        runner.summary.get().map(|s| {
            let done = s.count(BlockStatus::Done) + s.count(BlockStatus::Cached);
            let failed = s.count(BlockStatus::Error);
            let stopped = s.count(BlockStatus::Stopped);
            let mut text = format!("{:.1} s \u{b7} {}", s.elapsed_ms / 1000.0, format_usd(s.cost_usd));
            if failed > 0 {
                text = format!("{failed} failed \u{b7} {text}");
            } else if stopped > 0 && s.finished {
                text = format!("stopped \u{b7} {text}");
            } else if done > 0 && s.finished {
                text = format!("done \u{b7} {text}");
            }
            text
        })
    };
    // What the run next to Run/Stop is doing: starting (the first run waits for its module),
    // its summary once it has one, else the estimate of the next run.
    let run_info = move || {
        if runner.starting() {
            "starting\u{2026}".to_string()
        } else if runner.summary.with(Option::is_some) {
            run_summary().unwrap_or_default()
        } else {
            estimate.get()
        }
    };
    let file_input = NodeRef::<leptos::html::Input>::new();
    let problem_count = move || editor.problems.with(Vec::len);
    let problems_open = RwSignal::new(false);
    let problems_anchor = NodeRef::<leptos::html::Div>::new();
    crate::ui::widgets::menu::dismiss_outside(problems_open, problems_anchor);
    let more_open = RwSignal::new(false);
    let more_anchor = NodeRef::<leptos::html::Div>::new();
    crate::ui::widgets::menu::dismiss_outside(more_open, more_anchor);
    // Every item of the More menu closes it, then does its thing.
    let more_item = move |f: Box<dyn Fn()>| {
        move |_: leptos::ev::MouseEvent| {
            more_open.set(false);
            f();
        }
    };
    view! {
        <header class="topbar">
            <div class="brand" aria-label="Chainboard" title="Chainboard">
                <span class="brand-mark" aria-hidden="true"></span>
                <span class="brand-name">"Chainboard"</span>
            </div>
            <FlowsMenu />
            <input
                class="flow-title"
                type="text"
                aria-label="Flow title"
                title=move || editor.meta.get().title
                readonly=move || editor.read_only.get()
                prop:value=move || editor.meta.get().title
                on:change=move |ev| {
                    let _ = editor.apply(FlowChange::SetFlowTitle { title: event_target_value(&ev) });
                }
            />
            <div class="menu-anchor problems-anchor" node_ref=problems_anchor>
                <Show when=move || problem_count() != 0
                    // "Ready" beside a Stop button would contradict the run: while it runs,
                    // the run info beside the button says how far it got instead.
                    fallback=move || (!runner.running.get()).then(|| view! {
                        <span class="flow-status" role="status" title="No problems: the flow can run">"Ready"</span>
                    })>
                    <button class="flow-status attention" aria-haspopup="dialog"
                        aria-expanded=move || problems_open.get().to_string()
                        title="What needs fixing before the flow can run"
                        on:click=move |_| problems_open.update(|o| *o = !*o)>
                        <crate::ui::widgets::icons::Icon name="warning" size=14 />
                        {move || match problem_count() {
                            1 => "1 problem".to_string(),
                            n => format!("{n} problems"),
                        }}
                    </button>
                </Show>
                <Show when=move || problems_open.get() && problem_count() != 0>
                    <ProblemsPanel open=problems_open />
                </Show>
            </div>
            <div class="run-controls">
                <Show when=move || runner.running.get()
                    fallback=move || view! {
                        <button class="button button-primary button-run" aria-label="Run flow"
                            title=move || format!("Run every block ({})", estimate.get())
                            on:pointerenter=move |_| runner.warm_up()
                            on:focus=move |_| runner.warm_up()
                            on:click=move |_| runner.start(editor, settings, RunScope::All)>
                            <crate::ui::widgets::icons::Icon name="play" size=14 />
                            "Run"
                        </button>
                    }>
                    <button class="button button-stop" aria-label="Stop run" on:click=move |_| runner.stop()>
                        <crate::ui::widgets::icons::Icon name="stop" size=14 />
                        "Stop"
                    </button>
                </Show>
                <span class="run-info" aria-live="polite" title=run_info>{run_info}</span>
            </div>
            <div class="toolbar" role="toolbar" aria-label="Edit and view">
                <button class="icon-button" aria-label="Undo" title="Undo (Ctrl+Z)"
                    disabled=move || !editor.can_undo() on:click=move |_| editor.undo()>
                    <crate::ui::widgets::icons::Icon name="undo" />
                </button>
                <button class="icon-button" aria-label="Redo" title="Redo (Ctrl+Shift+Z)"
                    disabled=move || !editor.can_redo() on:click=move |_| editor.redo()>
                    <crate::ui::widgets::icons::Icon name="redo" />
                </button>
                <span class="toolbar-sep" aria-hidden="true"></span>
                <button class="button button-quiet" aria-label="Chat" title="Chat with this flow: one run per message"
                    aria-pressed=move || chat_open.get().to_string()
                    on:click=move |_| chat_open.update(|o| *o = !*o)>
                    <crate::ui::widgets::icons::Icon name="chat" />
                    <span class="toolbar-text">"Chat"</span>
                </button>
                <button class="button button-quiet" aria-label="Evaluate" title="Test cases, checks and pass rates with intervals"
                    on:click=move |_| eval_open.set(true)>
                    <crate::ui::widgets::icons::Icon name="evaluate" />
                    <span class="toolbar-text">"Evaluate"</span>
                </button>
                <button class="button button-quiet" aria-label="Share" title="A link that holds the whole flow"
                    on:click=move |_| shared.dialog_open.set(true)>
                    <crate::ui::widgets::icons::Icon name="share" />
                    <span class="toolbar-text">"Share"</span>
                </button>
                <div class="menu-anchor" node_ref=more_anchor>
                    <button class="button button-quiet" aria-label="More actions" aria-haspopup="menu" title="Import, export, knowledge, versions, present"
                        aria-expanded=move || more_open.get().to_string()
                        on:click=move |_| more_open.update(|o| *o = !*o)>
                        <span class="toolbar-text">"More"</span>
                        <crate::ui::widgets::icons::Icon name="chevron" size=14 />
                    </button>
                    <Show when=move || more_open.get()>
                        <div class="menu menu-right more-menu" role="menu" aria-label="More actions">
                            <button class="menu-item" role="menuitem" aria-label="Present" title="Full screen, one block at a time"
                                on:click=more_item(Box::new(move || present.enter()))>
                                <crate::ui::widgets::icons::Icon name="present" />"Present"<span class="menu-hint">"full screen"</span>
                            </button>
                            <button class="menu-item" role="menuitem" aria-label="Knowledge" title="Documents this flow's Retrieve blocks search"
                                on:click=more_item(Box::new(move || knowledge_open.set(true)))>
                                <crate::ui::widgets::icons::Icon name="knowledge" />"Knowledge"
                                {move || { let n = knowledge.kb.with(|kb| kb.documents.len()); (n > 0).then(|| view! { <span class="count-badge" aria-hidden="true">{n}</span> }) }}
                            </button>
                            <button class="menu-item" role="menuitem" aria-label="Versions" title="Save, compare and restore named versions"
                                on:click=more_item(Box::new(move || versions_open.set(true)))>
                                <crate::ui::widgets::icons::Icon name="versions" />"Versions"
                            </button>
                            <button class="menu-item" role="menuitem" aria-label="Data sent" title="Which providers the last run contacted, and what personal data went to them"
                                on:click=more_item(Box::new(move || data_sent_open.set(true)))>
                                <crate::ui::widgets::icons::Icon name="shield" />"Data sent"
                            </button>
                            <div class="menu-sep" role="separator"></div>
                            <button class="menu-item" role="menuitem" aria-label="Import flow" title="Import a flow file (or drop it on the canvas)"
                                on:click=more_item(Box::new(move || { if let Some(i) = file_input.get_untracked() { i.click(); } }))>
                                <crate::ui::widgets::icons::Icon name="import" />"Import flow\u{2026}"
                            </button>
                            <button class="menu-item" role="menuitem" aria-label="Import feedback" title="Turn a stakeholder's feedback link or file into test cases"
                                on:click=more_item(Box::new(move || feedback_open.set(true)))>
                                <crate::ui::widgets::icons::Icon name="import" />"Import feedback\u{2026}"
                            </button>
                            <button class="menu-item" role="menuitem" aria-label="Export flow" title="Download this flow as a .json file"
                                on:click=more_item(Box::new(move || files::export(editor, session, knowledge, media)))>
                                <crate::ui::widgets::icons::Icon name="export" />"Export flow"
                            </button>
                            <button class="menu-item" role="menuitem" aria-label="Export as code" title="The flow as a Python or Node program, its tests for promptfoo"
                                on:click=more_item(Box::new(move || export_code_open.set(true)))>
                                <crate::ui::widgets::icons::Icon name="export" />"Export as code\u{2026}"
                            </button>
                            <div class="menu-sep" role="separator"></div>
                            <button class="menu-item" role="menuitem" aria-label="Keyboard shortcuts" title="Keyboard shortcuts (?)"
                                on:click=more_item(Box::new(move || help.set(true)))>
                                <crate::ui::widgets::icons::Icon name="help" />"Keyboard shortcuts"<span class="menu-hint">"?"</span>
                            </button>
                        </div>
                    </Show>
                </div>
                <input type="file" accept=".json,application/json" class="visually-hidden" node_ref=file_input
                    aria-label="Flow file to import" tabindex="-1"
                    on:change=move |ev| {
                        let input: web_sys::HtmlInputElement = event_target(&ev);
                        if let Some(file) = input.files().and_then(|f| f.get(0)) {
                            files::import(editor, session, knowledge, media, file);
                        }
                        input.set_value("");
                    } />
                <span class="toolbar-sep" aria-hidden="true"></span>
                <button class="icon-button" aria-label="Settings" title="Provider keys and run limits"
                    on:click=move |_| settings.open.set(true)>
                    <crate::ui::widgets::icons::Icon name="settings" />
                </button>
                <button
                    class="icon-button"
                    aria-label=move || if theme.get() == "dark" { "Switch to light theme" } else { "Switch to dark theme" }
                    title=move || if theme.get() == "dark" { "Switch to light theme" } else { "Switch to dark theme" }
                    on:click=move |_| {
                        let next = if theme.get_untracked() == "dark" { "light" } else { "dark" };
                        theme.set(next);
                    }
                >
                    {move || if theme.get() == "dark" { view! { <crate::ui::widgets::icons::Icon name="sun" /> } } else { view! { <crate::ui::widgets::icons::Icon name="moon" /> } }}
                </button>
            </div>
        </header>
    }
}

/// The flow's problems, each one a button that selects the block (or connection) it is
/// about and brings it into view; broken connections can be deleted from here.
#[component]
fn ProblemsPanel(open: RwSignal<bool>) -> impl IntoView {
    let editor = expect_context::<Editor>();
    let show = move |block: Option<crate::domain::flow::BlockId>, edge: Option<crate::domain::flow::EdgeId>| {
        let (w, h) = canvas_size();
        // The block to look at: the one named, else the surviving end of the connection.
        let target = block.or_else(|| {
            let edge = edge.clone()?;
            editor.with_flow(|f| {
                let e = f.edges.iter().find(|e| e.id == edge)?;
                [&e.to.block, &e.from.block].into_iter().find(|b| f.block(b).is_some()).cloned()
            })
        });
        if let Some(id) = &target {
            editor.select_only(id);
            if let Some(r) = editor.with_flow(|f| f.block(id).map(crate::domain::layout::block_rect)) {
                editor.viewport.update(|v| {
                    let vis = v.visible(w, h);
                    if !vis.intersects(&r)
                        || r.x < vis.x
                        || r.x + r.w > vis.x + vis.w
                        || r.y < vis.y
                        || r.y + r.h > vis.y + vis.h
                    {
                        let c = v.to_screen(Point::new(r.x + r.w / 2.0, r.y + r.h / 2.0));
                        v.x += w / 2.0 - c.x;
                        v.y += h / 2.0 - c.y;
                    }
                });
            }
        }
        if let Some(e) = edge {
            editor.selected_edge.set(Some(e));
        }
    };
    let items = move || {
        let problems = editor.problems.get();
        editor.with_flow(|f| {
            problems
                .into_iter()
                .map(|p| {
                    let broken = p
                        .edge
                        .as_ref()
                        .and_then(|id| f.edges.iter().find(|e| &e.id == id))
                        .is_some_and(|e| crate::domain::graph::edge_is_broken(f, e));
                    (p, broken)
                })
                .collect::<Vec<_>>()
        })
    };
    view! {
        <div class="menu problems-menu" role="dialog" aria-label="Problems">
            <p class="menu-title">"Fix these before the flow can run"</p>
            <ul class="problems-list">
                {move || items().into_iter().map(|(p, broken)| {
                    let (b, e) = (p.block.clone(), p.edge.clone());
                    let edge_del = p.edge.clone();
                    let warn = p.severity == crate::domain::validate::Severity::Warning;
                    view! {
                        <li class="problem-item" class:warning=warn>
                            <button class="problem-go" title="Show it on the canvas"
                                on:click=move |_| show(b.clone(), e.clone())>
                                <crate::ui::widgets::icons::Icon name="warning" size=14 />
                                <span>{p.message.clone()}</span>
                            </button>
                            {broken.then(|| view! {
                                <button class="button problem-fix" on:click=move |_| {
                                    if let Some(id) = edge_del.clone() {
                                        let _ = editor.apply(FlowChange::RemoveEdge { id });
                                        editor.selected_edge.set(None);
                                    }
                                }>"Delete this connection"</button>
                            })}
                        </li>
                    }
                }).collect_view()}
            </ul>
            <button class="button button-quiet problems-close" on:click=move |_| open.set(false)>"Close"</button>
        </div>
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
        crate::ui::canvas::fit::fit_view(editor, w, h);
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
