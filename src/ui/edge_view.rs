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
    let path = move || {
        let a = from?.try_with(|b| port_anchor(b, Side::Output, &from_port)).flatten()?;
        let b = to?.try_with(|b| port_anchor(b, Side::Input, &to_port)).flatten()?;
        Some(edge_path(a, b))
    };
    let label = format!("Connection from {}.{} to {}.{}", edge.from.block, edge.from.port, edge.to.block, edge.to.port);
    view! {
        <path
            class="edge"
            data-edge-id=edge.id.0.clone()
            data-from=format!("{}.{}", edge.from.block, edge.from.port)
            data-to=format!("{}.{}", edge.to.block, edge.to.port)
            aria-label=label
            d=move || path().unwrap_or_default()
        />
    }
}
