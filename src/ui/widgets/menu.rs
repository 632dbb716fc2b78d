//! What every drop-down menu and popover shares: it closes on a click outside it and on
//! Escape, like the menus of any desktop app.

use leptos::html;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Closes `open` when a pointer goes down outside `anchor` (the button and its menu) or
/// Escape is pressed. Listeners are removed when the calling component goes away.
pub fn dismiss_outside(open: RwSignal<bool>, anchor: NodeRef<html::Div>) {
    let down = window_event_listener(leptos::ev::pointerdown, move |ev| {
        if open.try_get_untracked() != Some(true) {
            return;
        }
        let target = ev.target().and_then(|t| t.dyn_into::<web_sys::Node>().ok());
        let inside = anchor.get_untracked().is_some_and(|a| a.contains(target.as_ref()));
        if !inside {
            open.set(false);
        }
    });
    let key = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" && open.try_get_untracked() == Some(true) {
            open.set(false);
        }
    });
    on_cleanup(move || {
        down.remove();
        key.remove();
    });
}
