//! The canvas: one CSS transform for pan and zoom, blocks and edges under keyed lists
//! (only those in view are rendered), and the pointer gestures: pan, rubber-band select,
//! move blocks, drag a wire from an output to an input, drag a wire off an input.

use super::block_card::BlockCard;
use super::edge_view::EdgeView;
use super::minimap::Minimap;
use crate::domain::change::FlowChange;
use crate::domain::flow::{BlockId, Edge, Point, PortRef};
use crate::domain::graph::can_connect;
use crate::domain::layout::{block_rect, blocks_in_rect, edge_path, port_anchor, snap, Rect, Side, Viewport};
use crate::ui::platform::platform;
use crate::ui::state::editor::Editor;
use leptos::html;
use leptos::prelude::*;
use std::collections::HashSet;

#[derive(Clone, Default)]
enum Drag {
    #[default]
    None,
    Pan {
        start: Point,
        origin: Viewport,
        moved: bool,
    },
    Band {
        start: Point,
        additive: Vec<BlockId>,
    },
    Blocks {
        start: Point,
        starts: Vec<(BlockId, Point)>,
        moved: bool,
    },
    Wire {
        from: PortRef,
    },
}

/// Where a dragged wire would land: the input port under the pointer and whether it may.
#[derive(Clone, PartialEq)]
pub struct WireTarget {
    pub block: String,
    pub port: String,
    pub ok: bool,
}

/// Shared with block cards so their headers and ports can start gestures.
#[derive(Clone, Copy)]
pub struct CanvasCtx {
    drag: StoredValue<Drag>,
    root: NodeRef<html::Div>,
    /// The wire being dragged: start anchor and current pointer, in canvas coordinates.
    pub wire: RwSignal<Option<(Point, Point)>>,
    pub wire_target: RwSignal<Option<WireTarget>>,
    /// The rubber band, in canvas coordinates.
    band: RwSignal<Option<Rect>>,
    /// A short message near the bottom, e.g. why a connection was refused.
    pub hint: RwSignal<Option<String>>,
    /// The canvas element's size on screen.
    pub size: RwSignal<(f64, f64)>,
    space_held: RwSignal<bool>,
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
        if self.space_held.get_untracked() {
            return self.start_pan(ev);
        }
        let editor = expect_context::<Editor>();
        editor.selected_edge.set(None);
        if ev.shift_key() || ev.meta_key() || ev.ctrl_key() {
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

    fn start_pan(&self, ev: &web_sys::PointerEvent) {
        let editor = expect_context::<Editor>();
        self.capture(ev);
        let start = self.screen_point(ev);
        self.drag.set_value(Drag::Pan { start, origin: editor.viewport.get_untracked(), moved: false });
    }

    /// Starts a wire from an output port, or, from a connected input port, lifts the
    /// existing connection off so it can be dropped elsewhere (or nowhere, deleting it).
    pub fn start_wire(&self, ev: &web_sys::PointerEvent, block: &BlockId, port: &str, side: Side) {
        let editor = expect_context::<Editor>();
        let from = match side {
            Side::Output => PortRef::new(block.clone(), port),
            Side::Input => {
                let to = PortRef::new(block.clone(), port);
                let Some(existing) = editor.with_flow(|f| f.edge_into(&to).cloned()) else { return };
                let _ = editor.apply(FlowChange::RemoveEdge { id: existing.id });
                existing.from
            }
        };
        let Some(anchor) =
            editor.with_flow(|f| f.block(&from.block).and_then(|b| port_anchor(b, Side::Output, &from.port)))
        else {
            return;
        };
        self.capture(ev);
        let end = editor.viewport.get_untracked().to_canvas(self.screen_point(ev));
        self.wire.set(Some((anchor, end)));
        self.drag.set_value(Drag::Wire { from });
    }
}

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
    let ctx = CanvasCtx {
        drag: StoredValue::new(Drag::None),
        root,
        wire: RwSignal::new(None),
        wire_target: RwSignal::new(None),
        band: RwSignal::new(None),
        hint: RwSignal::new(None),
        size: RwSignal::new((1280.0, 720.0)),
        space_held: RwSignal::new(false),
    };
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

    let on_down = move |ev: leptos::ev::PointerEvent| {
        if ev.button() != 0 && ev.button() != 1 {
            return;
        }
        let start = ctx.screen_point(&ev);
        if ev.shift_key() && ev.button() == 0 && !ctx.space_held.get_untracked() {
            ctx.capture(&ev);
            let c = vp.get_untracked().to_canvas(start);
            ctx.band.set(Some(Rect { x: c.x, y: c.y, w: 0.0, h: 0.0 }));
            ctx.drag.set_value(Drag::Band { start, additive: editor.selection.get_untracked() });
            return;
        }
        ctx.start_pan(&ev);
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
            Drag::Band { start, additive } => {
                let v = vp.get_untracked();
                let rect = Rect::from_corners(v.to_canvas(*start), v.to_canvas(p));
                ctx.band.set(Some(rect));
                let mut ids = additive.clone();
                for id in editor.with_flow(|f| blocks_in_rect(&f.blocks, &rect)) {
                    if !ids.contains(&id) {
                        ids.push(id);
                    }
                }
                editor.selection.set(ids);
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
            Drag::Wire { from } => {
                let c = vp.get_untracked().to_canvas(p);
                ctx.wire.update(|w| {
                    if let Some((_, end)) = w {
                        *end = c;
                    }
                });
                let target = platform::port_at(ev.client_x() as f64, ev.client_y() as f64)
                    .filter(|(_, _, side)| side == "in")
                    .map(|(block, port, _)| {
                        let to = PortRef::new(BlockId::new(block.clone()), port.clone());
                        let verdict = editor.with_flow(|f| can_connect(f, from, &to));
                        ctx.hint.set(verdict.as_ref().err().map(|e| e.to_string()));
                        WireTarget { block, port, ok: verdict.is_ok() }
                    });
                if target.is_none() {
                    ctx.hint.set(None);
                }
                if ctx.wire_target.get_untracked() != target {
                    ctx.wire_target.set(target);
                }
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
                    editor.selected_edge.set(None);
                }
            }
            Drag::Band { .. } => ctx.band.set(None),
            Drag::Blocks { starts, moved, .. } => {
                if moved {
                    editor.record_moves(starts);
                }
            }
            Drag::Wire { from } => {
                ctx.wire.set(None);
                ctx.wire_target.set(None);
                let target = platform::port_at(ev.client_x() as f64, ev.client_y() as f64);
                let Some((block, port, side)) = target else { return };
                if side != "in" {
                    ctx.hint.set(Some("Drop the wire on one of the dots on the left side of a block.".into()));
                    return;
                }
                let to = PortRef::new(BlockId::new(block), port);
                let verdict = editor.with_flow(|f| {
                    can_connect(f, &from, &to)
                        .map(|_| (f.fresh_edge_id(), crate::domain::graph::broken_edges_into(f, &to)))
                });
                match verdict {
                    Ok((edge_id, broken)) => {
                        // A broken connection left at this input is replaced, in one undo step.
                        let mut changes: Vec<FlowChange> =
                            broken.into_iter().map(|id| FlowChange::RemoveEdge { id }).collect();
                        let edge = Edge { id: edge_id, from, to };
                        changes.push(FlowChange::AddEdge { index: usize::MAX, edge });
                        let change = if changes.len() == 1 { changes.remove(0) } else { FlowChange::Batch(changes) };
                        let _ = editor.apply(change);
                        ctx.hint.set(None);
                    }
                    Err(reason) => ctx.hint.set(Some(reason.to_string())),
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
            on:pointerdown=on_down
            on:pointermove=on_move
            on:pointerup=on_up
            on:pointercancel=move |_| {
                ctx.drag.set_value(Drag::None);
                ctx.wire.set(None);
                ctx.band.set(None);
            }
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
