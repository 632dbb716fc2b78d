//! The minimap: every block as a small rectangle, the visible area as a frame. Click or
//! drag on it to move the view there.

use super::gestures::CanvasCtx;
use crate::domain::flow::Point;
use crate::domain::layout::{block_rect, bounds, Rect, Viewport};
use crate::ui::state::editor::Editor;
use leptos::prelude::*;
use std::fmt::Write as _;

const W: f64 = 200.0;
const H: f64 = 130.0;

#[component]
pub fn Minimap() -> impl IntoView {
    let editor = expect_context::<Editor>();
    let ctx = expect_context::<CanvasCtx>();
    // The world shown is the flow's bounds (with a margin). It does not follow the view,
    // so panning moves only the view frame and never redraws the block rectangles.
    let frame = Memo::new(move |_| {
        editor.settled_rev.track();
        let b = editor.with_flow(|f| bounds(&f.blocks)).unwrap_or(Rect { x: 0.0, y: 0.0, w: 1280.0, h: 720.0 });
        let pad = 0.1 * b.w.max(b.h);
        let all = Rect { x: b.x - pad, y: b.y - pad, w: b.w + 2.0 * pad, h: b.h + 2.0 * pad };
        let scale = (W / all.w).min(H / all.h);
        (all, scale)
    });
    // One SVG path per block kind, every block a rectangle in it: a few elements whatever the
    // flow's size. (A <rect> per block meant 10,000 elements rebuilt whenever a block was added
    // to a 10,000-block flow: most of that edit's second.) A title edit leaves the paths equal,
    // so the memo does not notify and nothing is redrawn.
    let paths = Memo::new(move |_| {
        editor.settled_rev.track();
        let (all, s) = frame.get();
        let mut by_kind: std::collections::BTreeMap<String, String> = std::collections::BTreeMap::new();
        editor.with_flow(|f| {
            for b in &f.blocks {
                let r = block_rect(b);
                let (x, y) = ((r.x - all.x) * s, (r.y - all.y) * s);
                let (w, h) = ((r.w * s).max(2.0), (r.h * s).max(2.0));
                let d = by_kind.entry(b.config.kind_id().to_string()).or_default();
                let _ = write!(d, "M{x:.1} {y:.1}h{w:.1}v{h:.1}h{:.1}z", -w);
            }
        });
        by_kind.into_iter().collect::<Vec<_>>()
    });
    let to_mini = move |r: &Rect| {
        let (all, s) = frame.get();
        Rect { x: (r.x - all.x) * s, y: (r.y - all.y) * s, w: r.w * s, h: r.h * s }
    };
    let dragging = StoredValue::new(false);
    let centre_on = move |ev: &web_sys::PointerEvent| {
        let Some(target) = ev.current_target() else { return };
        let Ok(el) = wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(target) else { return };
        let r = el.get_bounding_client_rect();
        let (all, s) = frame.get_untracked();
        let c = Point::new(all.x + (ev.client_x() as f64 - r.left()) / s, all.y + (ev.client_y() as f64 - r.top()) / s);
        let (w, h) = ctx.size.get_untracked();
        editor.viewport.update(|v| {
            *v = Viewport { x: w / 2.0 - c.x * v.zoom, y: h / 2.0 - c.y * v.zoom, zoom: v.zoom };
        });
    };
    view! {
        <div class="minimap" role="navigation" aria-label="Minimap"
            on:pointerdown=move |ev| {
                ev.stop_propagation();
                dragging.set_value(true);
                if let Some(el) = ev.current_target().and_then(|t| wasm_bindgen::JsCast::dyn_into::<web_sys::Element>(t).ok()) {
                    let _ = el.set_pointer_capture(ev.pointer_id());
                }
                centre_on(&ev);
            }
            on:pointermove=move |ev| if dragging.get_value() { centre_on(&ev) }
            on:pointerup=move |_| dragging.set_value(false)
        >
            // Block rectangles live in their own SVG that panning never touches; the view
            // frame is a separate element moved by a transform (repainting 1,000 rects per
            // pan step was the main cost of panning a big flow).
            <svg class="mini-blocks" width=W height=H aria-hidden="true">
                {move || paths.get().into_iter().map(|(kind, d)| {
                    view! { <path class=format!("mini-block kind-{kind}") d=d /> }
                }).collect_view()}
            </svg>
            <div class="mini-view" aria-hidden="true" style=move || {
                let (w, h) = ctx.size.get();
                let m = to_mini(&editor.viewport.get().visible(w, h));
                let (x, y, w, h) = view_frame(&m);
                format!("width:{w:.1}px;height:{h:.1}px;transform:translate({x:.1}px,{y:.1}px);")
            }></div>
        </div>
    }
}

/// Where the view frame is drawn on the map, as (x, y, width, height): the visible area cut to
/// the map, so all four edges show even when the view holds the whole flow (uncut, only two of
/// its edges crossed the map, which read as stray lines). A view that wandered off the flow
/// keeps an 8-pixel sliver at the nearest edge, so the frame never leaves the map.
fn view_frame(m: &Rect) -> (f64, f64, f64, f64) {
    const INSET: f64 = 1.0;
    const SLIVER: f64 = 8.0;
    let span = |start: f64, len: f64, max: f64| {
        let a = start.max(INSET);
        let b = (start + len).min(max - INSET);
        if b - a >= SLIVER {
            (a, b - a)
        } else if start + len < INSET + SLIVER {
            (INSET, SLIVER)
        } else {
            (max - INSET - SLIVER, SLIVER)
        }
    };
    let (x, w) = span(m.x, m.w, W);
    let (y, h) = span(m.y, m.h, H);
    (x, y, w, h)
}
