//! The canvas: one CSS transform for pan and zoom, blocks and edges under keyed lists
//! (only those in view are rendered), the wheel and Space-to-pan, and the bar of a selected
//! connection. The pointer gestures (pan, rubber-band select, move blocks, drag wires) are
//! gestures.rs.

use super::block_card::BlockCard;
use super::edge_view::EdgeView;
use super::gestures::CanvasCtx;
use super::minimap::Minimap;
use crate::domain::change::FlowChange;
use crate::domain::flow::{BlockId, Point};
use crate::domain::layout::{block_rect, edge_path, Rect};
use crate::ui::platform::platform;
use crate::ui::state::editor::Editor;
use leptos::html;
use leptos::prelude::*;
use std::collections::HashSet;

/// Blocks (and edges) near the visible area; the rest are not in the DOM.
fn visible_ids(editor: Editor, ctx: CanvasCtx) -> Memo<HashSet<BlockId>> {
    Memo::new(move |_| {
        let v = editor.viewport.get();
        let (w, h) = ctx.size.get();
        editor.order.track();
        editor.settled_rev.track();
        let view = v.visible(w, h);
        // A margin of one screen keeps blocks from popping in while panning.
        let margin = Rect { x: view.x - view.w, y: view.y - view.h, w: view.w * 3.0, h: view.h * 3.0 };
        editor.with_flow(|f| {
            f.blocks.iter().filter(|b| block_rect(b).intersects(&margin)).map(|b| b.id.clone()).collect()
        })
    })
}

#[component]
pub fn Canvas() -> impl IntoView {
    let editor = expect_context::<Editor>();
    let root = NodeRef::<html::Div>::new();
    let ctx = CanvasCtx::new(root);
    provide_context(ctx);
    let vp = editor.viewport;

    // Measure the canvas and attach the non-passive wheel handler once it exists.
    Effect::new(move |done: Option<bool>| {
        let Some(el) = root.get() else { return false };
        if done == Some(true) {
            return true;
        }
        ctx.size.set(platform::element_size(&el));
        let el2 = el.clone();
        platform::on_wheel_nonpassive(&el, move |ev: web_sys::WheelEvent| {
            ev.prevent_default();
            let (ox, oy) = platform::element_origin(&el2);
            let anchor = Point::new(ev.client_x() as f64 - ox, ev.client_y() as f64 - oy);
            if ev.ctrl_key() || ev.meta_key() {
                // Pinch gestures arrive as ctrl+wheel too.
                let factor = (-ev.delta_y() * 0.0015).exp();
                vp.update(|v| *v = v.zoom_at(factor, anchor));
            } else {
                vp.update(|v| {
                    v.x -= ev.delta_x();
                    v.y -= ev.delta_y();
                });
            }
        });
        true
    });
    let _resize = window_event_listener(leptos::ev::resize, move |_| {
        if let Some(el) = root.get_untracked() {
            ctx.size.set(platform::element_size(&el));
        }
    });
    let _space_down = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == " " && !super::fit::is_typing(&ev) {
            ev.prevent_default();
            ctx.space_held.set(true);
        }
    });
    let _space_up = window_event_listener(leptos::ev::keyup, move |ev| {
        if ev.key() == " " {
            ctx.space_held.set(false);
        }
    });

    // Fit the flow when asked (new flow opened), unless a saved view was restored.
    Effect::new(move |_| {
        editor.fit_request.track();
        let size = ctx.size.get();
        if editor.restored_view.get_untracked() {
            return;
        }
        super::fit::fit_view(editor, size.0, size.1);
    });

    let world_transform = move || {
        let v = vp.get();
        format!("translate({}px, {}px) scale({})", v.x, v.y, v.zoom)
    };
    let grid_style = move || {
        let v = vp.get();
        // Tiny tiles are costly to paint and unreadable: double the spacing until a tile
        // is at least 12 px, and drop the dots entirely when far zoomed out.
        if v.zoom < 0.3 {
            return "background-image: none;".to_string();
        }
        let mut size = 16.0 * v.zoom;
        while size < 12.0 {
            size *= 2.0;
        }
        format!("background-size: {size}px {size}px; background-position: {}px {}px;", v.x, v.y)
    };
    let wire_path = move || ctx.wire.get().map(|(a, b)| edge_path(a, b)).unwrap_or_default();
    let visible = visible_ids(editor, ctx);
    let shown_blocks = move || {
        visible.with(|v| editor.order.with(|o| o.iter().filter(|id| v.contains(*id)).cloned().collect::<Vec<_>>()))
    };
    let shown_edges = move || {
        visible.with(|v| {
            editor.edges.with(|es| {
                es.iter().filter(|e| v.contains(&e.from.block) || v.contains(&e.to.block)).cloned().collect::<Vec<_>>()
            })
        })
    };
    let band_style = move || {
        ctx.band
            .get()
            .map(|r| format!("left:{}px;top:{}px;width:{}px;height:{}px;", r.x, r.y, r.w, r.h))
            .unwrap_or_default()
    };

    view! {
        <div
            class="canvas"
            class:panning=move || ctx.space_held.get()
            class:wiring=move || ctx.wire.with(Option::is_some)
            node_ref=root
            role="region"
            aria-label="Flow canvas"
            on:pointerdown=move |ev| ctx.pointer_down(editor, &ev)
            on:pointermove=move |ev| ctx.pointer_move(editor, &ev)
            on:pointerup=move |ev| ctx.pointer_up(editor, &ev)
            on:pointercancel=move |_| ctx.pointer_cancel()
        >
            <div class="canvas-grid" style=grid_style aria-hidden="true"></div>
            <div class="canvas-world" style:transform=world_transform>
                <svg class="edges" aria-label="Connections" role="img">
                    // Keyed by the whole connection: another flow may reuse an id for
                    // different ports, and a view keyed by id alone would keep the old curve.
                    <For each=shown_edges key=|e| (e.id.clone(), e.from.clone(), e.to.clone()) let:edge>
                        <EdgeView edge />
                    </For>
                    <path class="edge edge-wire" d=wire_path />
                </svg>
                // Keyed by id and kind: a card is built for one kind, so another flow reusing an
                // id for a different kind must get a new card.
                <For each=shown_blocks key=move |id| (id.clone(), editor.cell(id).map(|c| c.with_untracked(|b| b.config.kind_id().to_string()))) let:id>
                    <BlockCard id />
                </For>
                <Show when=move || ctx.band.with(Option::is_some)>
                    <div class="rubber-band" style=band_style></div>
                </Show>
            </div>
            <Minimap />
            <Show when=move || ctx.hint.get().is_some()>
                <div class="canvas-hint" role="status" on:pointerdown=|ev| ev.stop_propagation()>
                    <span>{move || ctx.hint.get().unwrap_or_default()}</span>
                    <button class="icon-button" aria-label="Dismiss" on:click=move |_| ctx.hint.set(None)>"\u{d7}"</button>
                </div>
            </Show>
            <Show when=move || editor.selected_edge.with(Option::is_some) && !editor.read_only.get()>
                <SelectedEdgeBar />
            </Show>
            <Show when=move || editor.order.with(Vec::is_empty)>
                <div class="canvas-empty">
                    <p class="canvas-empty-title">"An empty canvas"</p>
                    <p>"Add an Input, a Prompt and an Output from the palette, then connect them."</p>
                </div>
            </Show>
        </div>
    }
}

/// What a selected connection is, and a button to delete it (Delete works too).
#[component]
fn SelectedEdgeBar() -> impl IntoView {
    let editor = expect_context::<Editor>();
    let info = move || {
        let id = editor.selected_edge.get()?;
        editor.edges.track();
        editor.any_rev.track();
        editor.with_flow(|f| {
            let e = f.edges.iter().find(|e| e.id == id)?;
            let name = |b: &BlockId| f.block(b).map(|b| b.display_name());
            let broken = crate::domain::graph::edge_is_broken(f, e);
            let text = match (name(&e.from.block), name(&e.to.block)) {
                (Some(a), Some(b)) if broken => format!(
                    "Broken connection from {a} to {b}: \u{201c}{}\u{201d} is no longer used there. Delete it and connect again.",
                    e.to.port
                ),
                (Some(a), Some(b)) => format!("Connection from {a} to {b} (\u{201c}{}\u{201d})", e.to.port),
                (None, Some(b)) => format!("Broken connection into {b}: the block it came from is not in this flow."),
                (Some(a), None) => format!("Broken connection from {a}: the block it went to is not in this flow."),
                (None, None) => "Broken connection.".to_string(),
            };
            Some((id.clone(), text, broken))
        })
    };
    view! {
        {move || info().map(|(id, text, broken)| view! {
            <div class="edge-bar" class:broken=broken role="status" aria-label="Selected connection"
                on:pointerdown=|ev| ev.stop_propagation()>
                <span>{text}</span>
                <button class="button" on:click=move |_| {
                    let _ = editor.apply(FlowChange::RemoveEdge { id: id.clone() });
                    editor.selected_edge.set(None);
                }>"Delete connection"</button>
            </div>
        })}
    }
}
