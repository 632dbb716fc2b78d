//! The canvas: one CSS transform for pan and zoom, blocks and edges under keyed lists,
//! and the pointer gestures (pan, move blocks, drag a wire from an output to an input).

use super::block_card::BlockCard;
use super::edge_view::EdgeView;
use super::editor::Editor;
use super::platform;
use crate::domain::change::FlowChange;
use crate::domain::flow::{BlockId, Edge, Point, PortRef};
use crate::domain::graph::can_connect;
use crate::domain::layout::{bounds, edge_path, port_anchor, snap, Side, Viewport};
use leptos::html;
use leptos::prelude::*;

#[derive(Clone, Default)]
enum Drag {
    #[default]
    None,
    Pan { start: Point, origin: Viewport, moved: bool },
    Blocks { start: Point, starts: Vec<(BlockId, Point)>, moved: bool },
    Wire { from: PortRef },
}

/// Shared with block cards so their headers and ports can start gestures.
#[derive(Clone, Copy)]
pub struct CanvasCtx {
    drag: StoredValue<Drag>,
    root: NodeRef<html::Div>,
    /// The wire being dragged: start anchor and current pointer, in canvas coordinates.
    pub wire: RwSignal<Option<(Point, Point)>>,
    /// A short message near the cursor, e.g. why a connection was refused.
    pub hint: RwSignal<Option<String>>,
}

impl CanvasCtx {
    fn screen_point(&self, ev: &web_sys::PointerEvent) -> Point {
        let (ox, oy) = self.root.get_untracked().map(|el| platform::element_origin(&el)).unwrap_or((0.0, 0.0));
        Point::new(ev.client_x() as f64 - ox, ev.client_y() as f64 - oy)
    }

    fn capture(&self, ev: &web_sys::PointerEvent) {
        if let Some(el) = self.root.get_untracked() {
            let _ = el.set_pointer_capture(ev.pointer_id());
        }
    }

    pub fn start_block_drag(&self, ev: &web_sys::PointerEvent, id: &BlockId) {
        let editor = expect_context::<Editor>();
        if ev.shift_key() {
            editor.toggle_selected(id);
        } else if !editor.is_selected(id) {
            editor.select_only(id);
        }
        let starts: Vec<(BlockId, Point)> = editor.selection.with_untracked(|sel| {
            editor.with_flow(|f| sel.iter().filter_map(|s| f.block(s).map(|b| (s.clone(), b.position))).collect())
        });
        self.capture(ev);
        let start = self.screen_point(ev);
        self.drag.set_value(Drag::Blocks { start, starts, moved: false });
    }

    pub fn start_wire(&self, ev: &web_sys::PointerEvent, block: &BlockId, port: &str) {
        let editor = expect_context::<Editor>();
        let Some(anchor) =
            editor.with_flow(|f| f.block(block).and_then(|b| port_anchor(b, Side::Output, port)))
        else {
            return;
        };
        self.capture(ev);
        self.wire.set(Some((anchor, anchor)));
        self.drag.set_value(Drag::Wire { from: PortRef::new(block.clone(), port) });
    }
}

#[component]
pub fn Canvas() -> impl IntoView {
    let editor = expect_context::<Editor>();
    let root = NodeRef::<html::Div>::new();
    let ctx = CanvasCtx { drag: StoredValue::new(Drag::None), root, wire: RwSignal::new(None), hint: RwSignal::new(None) };
    provide_context(ctx);
    let vp = editor.viewport;

    // Fit the flow once the canvas has a size, and attach the non-passive wheel handler.
    Effect::new(move |done: Option<bool>| {
        let Some(el) = root.get() else { return false };
        if done == Some(true) {
            return true;
        }
        let (w, h) = platform::element_size(&el);
        if let Some(b) = editor.with_flow(|f| bounds(&f.blocks)) {
            vp.set(Viewport::fit(b, w, h, 40.0));
        }
        let el2 = el.clone();
        platform::on_wheel_nonpassive(&el, move |ev: web_sys::WheelEvent| {
            ev.prevent_default();
            let (ox, oy) = platform::element_origin(&el2);
            let anchor = Point::new(ev.client_x() as f64 - ox, ev.client_y() as f64 - oy);
            if ev.ctrl_key() || ev.meta_key() {
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

    let on_down = move |ev: leptos::ev::PointerEvent| {
        if ev.button() != 0 && ev.button() != 1 {
            return;
        }
        ctx.capture(&ev);
        let start = ctx.screen_point(&ev);
        ctx.drag.set_value(Drag::Pan { start, origin: vp.get_untracked(), moved: false });
    };

    let on_move = move |ev: leptos::ev::PointerEvent| {
        let p = ctx.screen_point(&ev);
        let mut drag = ctx.drag.get_value();
        match &mut drag {
            Drag::None => return,
            Drag::Pan { start, origin, moved } => {
                let (dx, dy) = (p.x - start.x, p.y - start.y);
                *moved |= dx.abs() + dy.abs() > 3.0;
                vp.set(Viewport { x: origin.x + dx, y: origin.y + dy, zoom: origin.zoom });
            }
            Drag::Blocks { start, starts, moved } => {
                let z = vp.get_untracked().zoom;
                let (dx, dy) = ((p.x - start.x) / z, (p.y - start.y) / z);
                *moved |= dx.abs() + dy.abs() > 2.0;
                if *moved {
                    for (id, s) in starts.iter() {
                        editor.move_live(id, Point::new(snap(s.x + dx), snap(s.y + dy)));
                    }
                }
            }
            Drag::Wire { .. } => {
                let c = vp.get_untracked().to_canvas(p);
                ctx.wire.update(|w| {
                    if let Some((_, end)) = w {
                        *end = c;
                    }
                });
            }
        }
        ctx.drag.set_value(drag);
    };

    let on_up = move |ev: leptos::ev::PointerEvent| {
        let drag = ctx.drag.get_value();
        ctx.drag.set_value(Drag::None);
        match drag {
            Drag::None => {}
            Drag::Pan { moved, .. } => {
                if !moved {
                    editor.selection.set(Vec::new());
                }
            }
            Drag::Blocks { starts, moved, .. } => {
                if moved {
                    editor.record_moves(starts);
                }
            }
            Drag::Wire { from } => {
                ctx.wire.set(None);
                let target = platform::port_at(ev.client_x() as f64, ev.client_y() as f64);
                if let Some((block, port, side)) = target {
                    if side != "in" {
                        ctx.hint.set(Some("Drop the wire on an input port (left side of a block).".into()));
                        return;
                    }
                    let to = PortRef::new(BlockId::new(block), port);
                    match editor.with_flow(|f| can_connect(f, &from, &to).map(|_| f.fresh_edge_id())) {
                        Ok(edge_id) => {
                            let edge = Edge { id: edge_id, from, to };
                            let _ = editor.apply(FlowChange::AddEdge { index: usize::MAX, edge });
                            ctx.hint.set(None);
                        }
                        Err(reason) => ctx.hint.set(Some(reason.to_string())),
                    }
                }
            }
        }
    };

    let world_transform = move || {
        let v = vp.get();
        format!("translate({}px, {}px) scale({})", v.x, v.y, v.zoom)
    };
    let grid_style = move || {
        let v = vp.get();
        let size = 16.0 * v.zoom;
        format!("background-size: {size}px {size}px; background-position: {}px {}px;", v.x, v.y)
    };
    let wire_path = move || ctx.wire.get().map(|(a, b)| edge_path(a, b)).unwrap_or_default();

    view! {
        <div
            class="canvas"
            node_ref=root
            role="region"
            aria-label="Flow canvas"
            on:pointerdown=on_down
            on:pointermove=on_move
            on:pointerup=on_up
            on:pointercancel=move |_| ctx.drag.set_value(Drag::None)
        >
            <div class="canvas-grid" style=grid_style aria-hidden="true"></div>
            <div class="canvas-world" style:transform=world_transform>
                <svg class="edges" aria-label="Connections" role="img">
                    <For each=move || editor.edges.get() key=|e| e.id.clone() let:edge>
                        <EdgeView edge />
                    </For>
                    <path class="edge edge-wire" d=wire_path />
                </svg>
                <For each=move || editor.order.get() key=|id| id.clone() let:id>
                    <BlockCard id />
                </For>
            </div>
            <Show when=move || ctx.hint.get().is_some()>
                <div class="canvas-hint" role="status">
                    <span>{move || ctx.hint.get().unwrap_or_default()}</span>
                    <button class="icon-button" aria-label="Dismiss" on:click=move |_| ctx.hint.set(None)>"\u{d7}"</button>
                </div>
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
