//! One connection, drawn as an SVG curve between its two port anchors. It reads only its
//! two endpoint blocks, so moving a block redraws only the edges attached to it.
//!
//! A broken connection (its block is gone, or the `{{variable}}` it fed was renamed) is
//! still drawn, dashed red, from the block side that remains, so it can be seen, clicked
//! and deleted instead of lingering as an invisible problem.

use crate::domain::flow::{Block, Edge, Point};
use crate::domain::layout::{edge_path, port_anchor, Side, BLOCK_WIDTH, HEADER_HEIGHT};
use crate::ui::state::editor::Editor;
use leptos::prelude::*;

/// How far from its surviving end a connection to a missing block is drawn.
const STUB: f64 = 120.0;

/// Where a connection leaves (`Side::Output`) or enters a block whose port may be gone:
/// the port if it exists, else the middle of the header on that side.
fn end_point(block: &Block, side: Side, port: &str) -> (Point, bool) {
    match port_anchor(block, side, port) {
        Some(p) => (p, true),
        None => {
            let x = if side == Side::Output { block.position.x + BLOCK_WIDTH } else { block.position.x };
            (Point::new(x, block.position.y + HEADER_HEIGHT / 2.0), false)
        }
    }
}

#[component]
pub fn EdgeView(edge: Edge) -> impl IntoView {
    let editor = expect_context::<Editor>();
    let from = editor.cell(&edge.from.block);
    let to = editor.cell(&edge.to.block);
    let (from_port, to_port) = (edge.from.port.clone(), edge.to.port.clone());
    // (path, broken)
    let shape = Memo::new(move |_| {
        let a = from.and_then(|c| c.try_with(|b| end_point(b, Side::Output, &from_port)));
        let b = to.and_then(|c| c.try_with(|b| end_point(b, Side::Input, &to_port)));
        match (a, b) {
            (Some((a, ok_a)), Some((b, ok_b))) => Some((edge_path(a, b), !(ok_a && ok_b))),
            (Some((a, _)), None) => Some((edge_path(a, Point::new(a.x + STUB, a.y + STUB / 3.0)), true)),
            (None, Some((b, _))) => Some((edge_path(Point::new(b.x - STUB, b.y - STUB / 3.0), b), true)),
            (None, None) => None,
        }
    });
    let path = move || shape.with(|s| s.as_ref().map(|s| s.0.clone()).unwrap_or_default());
    let broken = move || shape.with(|s| s.as_ref().is_some_and(|s| s.1));
    let id = edge.id.clone();
    let id_sel = edge.id.clone();
    let selected = move || editor.selected_edge.with(|s| s.as_ref() == Some(&id_sel));
    let label = format!("Connection from {}.{} to {}.{}", edge.from.block, edge.from.port, edge.to.block, edge.to.port);
    view! {
        <g class="edge-group" class:selected=selected class:broken=broken>
            <path
                class="edge-hit"
                d=path
                on:pointerdown=move |ev| {
                    ev.stop_propagation();
                    editor.selection.set(Vec::new());
                    editor.selected_edge.set(Some(id.clone()));
                }
            />
            <path
                class="edge"
                class:edge-broken=broken
                data-edge-id=edge.id.0.clone()
                data-from=format!("{}.{}", edge.from.block, edge.from.port)
                data-to=format!("{}.{}", edge.to.block, edge.to.port)
                data-broken=move || broken().to_string()
                aria-label=move || if broken() { format!("Broken connection: {label}") } else { label.clone() }
                d=path
            />
        </g>
    }
}
