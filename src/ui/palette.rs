//! The block palette: add a block of any kind at the centre of the view.

use super::editor::Editor;
use crate::domain::blocks::BlockKind;
use crate::domain::change::FlowChange;
use crate::domain::flow::{Block, Point};
use crate::domain::layout::{snap, BLOCK_WIDTH};
use leptos::prelude::*;

fn describe(kind: BlockKind) -> &'static str {
    match kind {
        BlockKind::Input => "Text you type in",
        BlockKind::Prompt => "Ask a model",
        BlockKind::Output => "Show a result",
        BlockKind::Note => "A sticky note",
    }
}

#[component]
pub fn Palette() -> impl IntoView {
    let editor = expect_context::<Editor>();
    let add = move |kind: BlockKind| {
        let v = editor.viewport.get_untracked();
        // Centre of the canvas area (the window minus the side panels), in canvas coordinates.
        let (w, h) = web_sys::window()
            .map(|w| {
                (
                    w.inner_width().ok().and_then(|v| v.as_f64()).unwrap_or(1280.0),
                    w.inner_height().ok().and_then(|v| v.as_f64()).unwrap_or(720.0),
                )
            })
            .unwrap_or((1280.0, 720.0));
        let centre = v.to_canvas(Point::new((w - 200.0 - 320.0) / 2.0, (h - 56.0) / 2.0));
        let block = editor.with_flow(|f| {
            let n = f.blocks.len() as f64;
            Block::new(
                f.fresh_block_id(kind.id()),
                kind.label(),
                Point::new(snap(centre.x - BLOCK_WIDTH / 2.0 + (n % 5.0) * 16.0), snap(centre.y - 60.0 + (n % 5.0) * 16.0)),
                kind.default_config(),
            )
        });
        let id = block.id.clone();
        if editor.apply(FlowChange::AddBlock { index: usize::MAX, block }).is_ok() {
            editor.select_only(&id);
        }
    };
    view! {
        <nav class="palette" aria-label="Block palette">
            <p class="palette-title">"Blocks"</p>
            <ul>
                {BlockKind::ALL
                    .into_iter()
                    .map(|kind| {
                        view! {
                            <li>
                                <button
                                    class=format!("palette-item kind-{}", kind.id())
                                    aria-label=format!("Add {} block", kind.label())
                                    on:click=move |_| add(kind)
                                >
                                    <span class="palette-swatch" aria-hidden="true"></span>
                                    <span class="palette-text">
                                        <span class="palette-name">{kind.label()}</span>
                                        <span class="palette-desc">{describe(kind)}</span>
                                    </span>
                                </button>
                            </li>
                        }
                    })
                    .collect_view()}
            </ul>
        </nav>
    }
}
