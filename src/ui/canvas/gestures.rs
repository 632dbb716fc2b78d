//! The canvas's pointer gestures: pan, rubber-band select, move blocks, drag a wire from an
//! output to an input, drag a wire off an input. `CanvasCtx` holds their state and is shared
//! with block cards (their headers and ports start gestures) and the minimap.

use crate::domain::change::FlowChange;
use crate::domain::flow::{BlockId, Edge, Point, PortRef};
use crate::domain::graph::can_connect;
use crate::domain::layout::{blocks_in_rect, port_anchor, snap, Rect, Side, Viewport};
use crate::ui::platform::platform;
use crate::ui::state::editor::Editor;
use leptos::html;
use leptos::prelude::*;

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
    /// The canvas's top-left corner on screen, read when a gesture starts: reading it on every
    /// pointer move forced a layout each time (about 2 ms a move with 1,000 blocks).
    origin_px: StoredValue<(f64, f64)>,
    root: NodeRef<html::Div>,
    /// The wire being dragged: start anchor and current pointer, in canvas coordinates.
    pub wire: RwSignal<Option<(Point, Point)>>,
    pub wire_target: RwSignal<Option<WireTarget>>,
    /// The rubber band, in canvas coordinates.
    pub(super) band: RwSignal<Option<Rect>>,
    /// A short message near the bottom, e.g. why a connection was refused.
    pub hint: RwSignal<Option<String>>,
    /// The canvas element's size on screen.
    pub size: RwSignal<(f64, f64)>,
    pub(super) space_held: RwSignal<bool>,
}

impl CanvasCtx {
    pub(super) fn new(root: NodeRef<html::Div>) -> Self {
        CanvasCtx {
            drag: StoredValue::new(Drag::None),
            origin_px: StoredValue::new((0.0, 0.0)),
            root,
            wire: RwSignal::new(None),
            wire_target: RwSignal::new(None),
            band: RwSignal::new(None),
            hint: RwSignal::new(None),
            size: RwSignal::new((1280.0, 720.0)),
            space_held: RwSignal::new(false),
        }
    }

    /// The pointer on the canvas, in screen pixels, at the start of a gesture.
    fn screen_point(&self, ev: &web_sys::PointerEvent) -> Point {
        let origin = self.root.get_untracked().map(|el| platform::element_origin(&el)).unwrap_or((0.0, 0.0));
        self.origin_px.set_value(origin);
        self.drag_point(ev)
    }

    /// The pointer on the canvas during a gesture (the canvas does not move while one runs).
    fn drag_point(&self, ev: &web_sys::PointerEvent) -> Point {
        let (ox, oy) = self.origin_px.get_value();
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

    /// A press on the canvas itself: a rubber band with Shift, else a pan.
    pub(super) fn pointer_down(&self, editor: Editor, ev: &web_sys::PointerEvent) {
        if ev.button() != 0 && ev.button() != 1 {
            return;
        }
        let start = self.screen_point(ev);
        if ev.shift_key() && ev.button() == 0 && !self.space_held.get_untracked() {
            self.capture(ev);
            let c = editor.viewport.get_untracked().to_canvas(start);
            self.band.set(Some(Rect { x: c.x, y: c.y, w: 0.0, h: 0.0 }));
            self.drag.set_value(Drag::Band { start, additive: editor.selection.get_untracked() });
            return;
        }
        self.start_pan(ev);
    }

    pub(super) fn pointer_move(&self, editor: Editor, ev: &web_sys::PointerEvent) {
        let p = self.drag_point(ev);
        let mut drag = self.drag.get_value();
        match &mut drag {
            Drag::None => return,
            Drag::Pan { start, origin, moved } => {
                let (dx, dy) = (p.x - start.x, p.y - start.y);
                *moved |= dx.abs() + dy.abs() > 3.0;
                editor.viewport.set(Viewport { x: origin.x + dx, y: origin.y + dy, zoom: origin.zoom });
            }
            Drag::Band { start, additive } => {
                let v = editor.viewport.get_untracked();
                let rect = Rect::from_corners(v.to_canvas(*start), v.to_canvas(p));
                self.band.set(Some(rect));
                let mut ids = additive.clone();
                for id in editor.with_flow(|f| blocks_in_rect(&f.blocks, &rect)) {
                    if !ids.contains(&id) {
                        ids.push(id);
                    }
                }
                editor.selection.set(ids);
            }
            Drag::Blocks { start, starts, moved } => {
                let z = editor.viewport.get_untracked().zoom;
                let (dx, dy) = ((p.x - start.x) / z, (p.y - start.y) / z);
                *moved |= dx.abs() + dy.abs() > 2.0;
                if *moved {
                    for (id, s) in starts.iter() {
                        editor.move_live(id, Point::new(snap(s.x + dx), snap(s.y + dy)));
                    }
                }
            }
            Drag::Wire { from } => {
                let c = editor.viewport.get_untracked().to_canvas(p);
                self.wire.update(|w| {
                    if let Some((_, end)) = w {
                        *end = c;
                    }
                });
                let target = platform::port_at(ev.client_x() as f64, ev.client_y() as f64)
                    .filter(|(_, _, side)| side == "in")
                    .map(|(block, port, _)| {
                        let to = PortRef::new(BlockId::new(block.clone()), port.clone());
                        let verdict = editor.with_flow(|f| can_connect(f, from, &to));
                        self.hint.set(verdict.as_ref().err().map(|e| e.to_string()));
                        WireTarget { block, port, ok: verdict.is_ok() }
                    });
                if target.is_none() {
                    self.hint.set(None);
                }
                if self.wire_target.get_untracked() != target {
                    self.wire_target.set(target);
                }
            }
        }
        self.drag.set_value(drag);
    }

    pub(super) fn pointer_up(&self, editor: Editor, ev: &web_sys::PointerEvent) {
        let drag = self.drag.get_value();
        self.drag.set_value(Drag::None);
        match drag {
            Drag::None => {}
            Drag::Pan { moved, .. } => {
                if !moved {
                    editor.selection.set(Vec::new());
                    editor.selected_edge.set(None);
                }
            }
            Drag::Band { .. } => self.band.set(None),
            Drag::Blocks { starts, moved, .. } => {
                if moved {
                    editor.record_moves(starts);
                }
            }
            Drag::Wire { from } => {
                self.wire.set(None);
                self.wire_target.set(None);
                let target = platform::port_at(ev.client_x() as f64, ev.client_y() as f64);
                let Some((block, port, side)) = target else { return };
                if side != "in" {
                    self.hint.set(Some("Drop the wire on one of the dots on the left side of a block.".into()));
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
                        self.hint.set(None);
                    }
                    Err(reason) => self.hint.set(Some(reason.to_string())),
                }
            }
        }
    }

    pub(super) fn pointer_cancel(&self) {
        self.drag.set_value(Drag::None);
        self.wire.set(None);
        self.band.set(None);
    }
}
