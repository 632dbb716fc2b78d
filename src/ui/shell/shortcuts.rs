//! The editor's keyboard shortcuts (undo, redo, select all, duplicate, delete, nudge, Escape,
//! ?) and the clipboard: copy, cut and paste of blocks, with a copy kept in the page for
//! browsers that refuse the system clipboard.

use crate::domain::change::FlowChange;
use crate::domain::clipboard;
use crate::domain::flow::{BlockId, Flow, Point};
use crate::domain::layout::{bounds, GRID};
use crate::ui::canvas::fit::{canvas_size, is_typing, is_typing_target};
use crate::ui::run::run::Runner;
use crate::ui::share::present::Present;
use crate::ui::state::editor::Editor;
use leptos::prelude::*;

/// Copied blocks, kept in the page too, for browsers that refuse the system clipboard.
#[derive(Clone, Copy)]
struct LocalClipboard(StoredValue<Option<String>>);

/// Listens on the window for the shortcuts (present mode's keys first) and the clipboard events.
pub(super) fn listen_for_shortcuts(editor: Editor, present: Present, help_open: RwSignal<bool>) {
    let local_clip = LocalClipboard(StoredValue::new(None));

    let _keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if crate::ui::share::present::on_key(present, editor, &ev) {
            ev.prevent_default();
            return;
        }
        on_key(editor, help_open, local_clip, &ev)
    });
    let _copy = window_event_listener(leptos::ev::copy, move |ev| {
        if let Some(text) = copy_selection(editor, local_clip, is_typing_target(ev.target())) {
            if let Some(data) = ev.clipboard_data() {
                let _ = data.set_data("text/plain", &text);
                ev.prevent_default();
            }
        }
    });
    let _cut = window_event_listener(leptos::ev::cut, move |ev| {
        if let Some(text) = copy_selection(editor, local_clip, is_typing_target(ev.target())) {
            if let Some(data) = ev.clipboard_data() {
                let _ = data.set_data("text/plain", &text);
                ev.prevent_default();
            }
            delete_selection(editor);
        }
    });
    let _paste = window_event_listener(leptos::ev::paste, move |ev| {
        if is_typing_target(ev.target()) {
            return;
        }
        let text = ev.clipboard_data().and_then(|d| d.get_data("text/plain").ok()).filter(|t| !t.is_empty());
        let text = text.or_else(|| local_clip.0.get_value());
        if let Some(fragment) = text.as_deref().and_then(clipboard::read) {
            ev.prevent_default();
            paste_fragment(editor, &fragment);
        }
    });
}

fn on_key(editor: Editor, help_open: RwSignal<bool>, clip: LocalClipboard, ev: &web_sys::KeyboardEvent) {
    if is_typing(ev) {
        return;
    }
    let cmd = ev.ctrl_key() || ev.meta_key();
    let key = ev.key();
    let handled = match key.as_str() {
        "z" | "Z" if cmd && ev.shift_key() => {
            editor.redo();
            true
        }
        "z" | "Z" if cmd => {
            editor.undo();
            true
        }
        "y" | "Y" if cmd => {
            editor.redo();
            true
        }
        "a" | "A" if cmd => {
            editor.selection.set(editor.order.get_untracked());
            true
        }
        "d" | "D" if cmd => {
            if let Some(text) = copy_selection(editor, clip, false) {
                if let Some(fragment) = clipboard::read(&text) {
                    paste_fragment(editor, &fragment);
                }
            }
            true
        }
        "Delete" | "Backspace" => {
            delete_selection(editor);
            true
        }
        "ArrowLeft" | "ArrowRight" | "ArrowUp" | "ArrowDown" if !cmd => nudge(editor, &key, ev.shift_key()),
        "Escape" => {
            help_open.set(false);
            if let Some(k) = use_context::<crate::ui::knowledge::knowledge_dialog::KnowledgeOpen>() {
                k.0.set(false);
            }
            if let Some(runner) = use_context::<Runner>() {
                runner.approval.set(None);
            }
            editor.selection.set(Vec::new());
            editor.selected_edge.set(None);
            true
        }
        "?" => {
            help_open.update(|o| *o = !*o);
            true
        }
        _ => false,
    };
    if handled {
        ev.prevent_default();
    }
}

fn delete_selection(editor: Editor) {
    if let Some(edge) = editor.selected_edge.get_untracked() {
        let _ = editor.apply(FlowChange::RemoveEdge { id: edge });
        return;
    }
    let ids = editor.selection.get_untracked();
    if !ids.is_empty() {
        let _ = editor.apply(FlowChange::Batch(ids.into_iter().map(|id| FlowChange::RemoveBlock { id }).collect()));
    }
}

fn nudge(editor: Editor, key: &str, far: bool) -> bool {
    let ids = editor.selection.get_untracked();
    if ids.is_empty() {
        return false;
    }
    let step = if far { GRID * 4.0 } else { GRID };
    let (dx, dy) = match key {
        "ArrowLeft" => (-step, 0.0),
        "ArrowRight" => (step, 0.0),
        "ArrowUp" => (0.0, -step),
        _ => (0.0, step),
    };
    let moves: Vec<FlowChange> = editor.with_flow(|f| {
        ids.iter()
            .filter_map(|id| {
                f.block(id).map(|b| FlowChange::MoveBlock {
                    id: id.clone(),
                    to: Point::new(b.position.x + dx, b.position.y + dy),
                })
            })
            .collect()
    });
    let _ = editor.apply_merging(FlowChange::Batch(moves), "nudge");
    true
}

fn copy_selection(editor: Editor, clip: LocalClipboard, typing: bool) -> Option<String> {
    if typing {
        return None;
    }
    let ids = editor.selection.get_untracked();
    let text = editor.with_flow(|f| clipboard::copy(f, &ids))?;
    clip.0.set_value(Some(text.clone()));
    Some(text)
}

/// Pastes next to the originals when they are in view, else in the middle of the view.
fn paste_fragment(editor: Editor, fragment: &Flow) {
    let Some(fb) = bounds(&fragment.blocks) else { return };
    let v = editor.viewport.get_untracked();
    let (w, h) = canvas_size();
    let view = v.visible(w, h);
    let offset = if view.intersects(&fb) {
        Point::new(2.0 * GRID, 2.0 * GRID)
    } else {
        Point::new(
            crate::domain::layout::snap(view.x + view.w / 2.0 - fb.w / 2.0 - fb.x),
            crate::domain::layout::snap(view.y + view.h / 2.0 - fb.h / 2.0 - fb.y),
        )
    };
    let (change, ids): (FlowChange, Vec<BlockId>) = editor.with_flow(|f| clipboard::paste(f, fragment, offset));
    if editor.apply(change).is_ok() {
        editor.selection.set(ids);
    }
}
