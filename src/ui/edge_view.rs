//! One connection, drawn as an SVG curve between its two port anchors. It reads only its
//! two endpoint blocks, so moving a block redraws only the edges attached to it.

use super::editor::Editor;
use crate::domain::flow::Edge;
use crate::domain::layout::{edge_path, port_anchor, Side};
use leptos::prelude::*;

#[component]
pub fn EdgeView(edge: Edge) -> impl IntoView {
    let editor = expect_context::<Editor>();
    let from = editor.cell(&edge.from.block);
    let to = editor.cell(&edge.to.block);
    let (from_port, to_port) = (edge.from.port.clone(), edge.to.port.clone());
    let path = Memo::new(move |_| {
        let a = from?.try_with(|b| port_anchor(b, Side::Output, &from_port)).flatten()?;
        let b = to?.try_with(|b| port_anchor(b, Side::Input, &to_port)).flatten()?;
        Some(edge_path(a, b))
    });
    let id = edge.id.clone();
    let id_sel = edge.id.clone();
    let selected = move || editor.selected_edge.with(|s| s.as_ref() == Some(&id_sel));
    let label = format!("Connection from {}.{} to {}.{}", edge.from.block, edge.from.port, edge.to.block, edge.to.port);
    view! {
        <g class="edge-group" class:selected=selected>
            <path
                class="edge-hit"
                d=move || path.get().unwrap_or_default()
                on:pointerdown=move |ev| {
                    ev.stop_propagation();
                    editor.selection.set(Vec::new());
                    editor.selected_edge.set(Some(id.clone()));
                }
            />
            <path
                class="edge"
                data-edge-id=edge.id.0.clone()
                data-from=format!("{}.{}", edge.from.block, edge.from.port)
                data-to=format!("{}.{}", edge.to.block, edge.to.port)
                aria-label=label
                d=move || path.get().unwrap_or_default()
            />
        </g>
    }
}
