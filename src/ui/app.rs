//! The app shell: top bar, palette, canvas and inspector, plus global shortcuts.

use super::canvas::Canvas;
use super::editor::Editor;
use super::inspector::Inspector;
use super::palette::Palette;
use super::platform;
use super::topbar::{Theme, TopBar};
use crate::domain::change::FlowChange;
use crate::domain::examples::starter_flow;
use leptos::prelude::*;

const THEME_KEY: &str = "chainboard.theme";

#[component]
pub fn App() -> impl IntoView {
    let editor = Editor::new(starter_flow(platform::now_ms()));
    provide_context(editor);

    let initial = platform::storage_get(THEME_KEY)
        .filter(|t| t == "dark" || t == "light")
        .map(|t| if t == "dark" { "dark" } else { "light" })
        .unwrap_or(if platform::prefers_dark() { "dark" } else { "light" });
    let theme = RwSignal::new(initial);
    provide_context(Theme(theme));
    Effect::new(move |_| {
        let t = theme.get();
        platform::set_document_theme(t);
        let _ = platform::storage_set(THEME_KEY, t);
    });

    let _keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if is_typing(&ev) {
            return;
        }
        let cmd = ev.ctrl_key() || ev.meta_key();
        match ev.key().as_str() {
            "z" | "Z" if cmd && ev.shift_key() => {
                ev.prevent_default();
                editor.redo();
            }
            "z" | "Z" if cmd => {
                ev.prevent_default();
                editor.undo();
            }
            "y" if cmd => {
                ev.prevent_default();
                editor.redo();
            }
            "Delete" | "Backspace" => {
                let ids = editor.selection.get_untracked();
                if !ids.is_empty() {
                    ev.prevent_default();
                    let _ = editor.apply(FlowChange::Batch(
                        ids.into_iter().map(|id| FlowChange::RemoveBlock { id }).collect(),
                    ));
                }
            }
            "Escape" => editor.selection.set(Vec::new()),
            _ => {}
        }
    });

    view! {
        <div class="app">
            <TopBar />
            <div class="workspace">
                <Palette />
                <main class="stage" aria-label="Flow editor">
                    <Canvas />
                </main>
                <Inspector />
            </div>
        </div>
    }
}

/// Shortcuts must not steal keys from text fields.
fn is_typing(ev: &web_sys::KeyboardEvent) -> bool {
    use wasm_bindgen::JsCast;
    ev.target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT") || el.has_attribute("contenteditable"))
}
