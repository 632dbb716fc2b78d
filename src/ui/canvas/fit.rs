//! Where the canvas is on the page and how Fit frames the flow in it; whether a key press
//! belongs to a text field. The canvas, the palette and the shell all use these.

use crate::domain::layout::bounds;
use crate::ui::platform::platform;
use crate::ui::state::editor::Editor;
use leptos::prelude::*;
use wasm_bindgen::JsCast;

/// Fit never zooms out further than this: card text stays about 9 px or more.
pub const FIT_MIN_ZOOM: f64 = 0.7;

/// How far the banners over the canvas (a shared link's, a notice) reach down into it, in
/// screen pixels, so Fit places blocks below them.
pub fn banner_inset() -> f64 {
    let Some(doc) = web_sys::window().and_then(|w| w.document()) else { return 0.0 };
    let (Some(canvas), Some(banners)) =
        (doc.query_selector(".canvas").ok().flatten(), doc.query_selector(".stage > .banners").ok().flatten())
    else {
        return 0.0;
    };
    if banners.child_element_count() == 0 {
        return 0.0;
    }
    let b = banners.get_bounding_client_rect();
    if b.height() <= 0.0 {
        return 0.0;
    }
    (b.bottom() - canvas.get_bounding_client_rect().top()).max(0.0)
}

/// Zooms the canvas (`w`×`h` on screen) to show the flow, readable and clear of banners.
pub fn fit_view(editor: Editor, w: f64, h: f64) {
    if let Some(b) = editor.with_flow(|f| bounds(&f.blocks)) {
        let top = banner_inset();
        editor.viewport.set(crate::domain::layout::Viewport::fit_readable(b, w, h, 40.0, top, FIT_MIN_ZOOM));
    }
}

pub fn canvas_size() -> (f64, f64) {
    web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.query_selector(".canvas").ok().flatten())
        .and_then(|el| el.dyn_into::<web_sys::HtmlElement>().ok())
        .map(|el| platform::element_size(&el))
        .unwrap_or((1280.0, 720.0))
}

pub fn is_typing_target(target: Option<web_sys::EventTarget>) -> bool {
    target.and_then(|t| t.dyn_into::<web_sys::Element>().ok()).is_some_and(|el| {
        matches!(el.tag_name().as_str(), "INPUT" | "TEXTAREA" | "SELECT") || el.has_attribute("contenteditable")
    })
}

/// Shortcuts must not steal keys from text fields.
pub fn is_typing(ev: &web_sys::KeyboardEvent) -> bool {
    is_typing_target(ev.target())
}
