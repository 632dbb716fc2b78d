//! The top bar: brand, flow title, undo/redo, view controls and theme.

use super::editor::Editor;
use super::platform;
use crate::domain::change::FlowChange;
use crate::domain::flow::Point;
use crate::domain::layout::{bounds, Viewport};
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct Theme(pub RwSignal<&'static str>);

#[component]
pub fn TopBar() -> impl IntoView {
    let editor = expect_context::<Editor>();
    let theme = expect_context::<Theme>().0;
    let vp = editor.viewport;
    let zoom_by = move |f: f64| {
        let (w, h) = canvas_size();
        vp.update(|v| *v = v.zoom_at(f, Point::new(w / 2.0, h / 2.0)));
    };
    let fit = move |_| {
        let (w, h) = canvas_size();
        if let Some(b) = editor.with_flow(|f| bounds(&f.blocks)) {
            vp.set(Viewport::fit(b, w, h, 40.0));
        }
    };
    let problem_count = move || editor.problems.with(Vec::len);
    view! {
        <header class="topbar">
            <div class="brand" aria-label="Chainboard">
                <span class="brand-mark" aria-hidden="true"></span>
                <span class="brand-name">"Chainboard"</span>
            </div>
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
            <div class="toolbar" role="toolbar" aria-label="Edit and view">
                <button class="icon-button" aria-label="Undo" title="Undo (Ctrl+Z)"
                    disabled=move || !editor.can_undo() on:click=move |_| editor.undo()>"\u{21b6}"</button>
                <button class="icon-button" aria-label="Redo" title="Redo (Ctrl+Shift+Z)"
                    disabled=move || !editor.can_redo() on:click=move |_| editor.redo()>"\u{21b7}"</button>
                <span class="toolbar-sep" aria-hidden="true"></span>
                <button class="icon-button" aria-label="Zoom out" on:click=move |_| zoom_by(1.0 / 1.2)>"\u{2212}"</button>
                <span class="zoom-level" aria-label="Zoom level">{move || format!("{:.0}%", vp.get().zoom * 100.0)}</span>
                <button class="icon-button" aria-label="Zoom in" on:click=move |_| zoom_by(1.2)>"+"</button>
                <button class="button button-quiet" aria-label="Zoom to fit" on:click=fit>"Fit"</button>
                <span class="toolbar-sep" aria-hidden="true"></span>
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

fn canvas_size() -> (f64, f64) {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(".canvas").ok().flatten())
        .and_then(|el| wasm_bindgen::JsCast::dyn_into::<web_sys::HtmlElement>(el).ok())
        .map(|el| platform::element_size(&el))
        .unwrap_or((1280.0, 720.0))
}
