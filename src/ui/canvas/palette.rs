//! The block palette: search by name; click to add a block in free space near the middle of the view, or
//! drag it onto the canvas to place it there.

use super::fit::canvas_size;
use crate::domain::blocks::BlockKind;
use crate::domain::change::FlowChange;
use crate::domain::flow::{Block, BlockId, Point};
use crate::domain::layout::{block_height, block_rect, free_spot, snap, Rect, BLOCK_WIDTH};
use crate::ui::state::editor::Editor;
use leptos::prelude::*;

/// The drag payload type for a block kind dragged from the palette.
pub const DRAG_TYPE: &str = "application/x-chainboard-kind";

fn describe(kind: BlockKind) -> &'static str {
    match kind {
        BlockKind::Input => "Text, image or audio",
        BlockKind::Prompt => "Ask a model",
        BlockKind::Output => "Show a result",
        BlockKind::Note => "A sticky note",
        BlockKind::Tool => "A model can call it",
        BlockKind::Retrieve => "Search your documents",
        BlockKind::Transcribe => "A recording to text",
        BlockKind::Router => "Pick a branch",
        BlockKind::Transform => "Reshape text or JSON",
        BlockKind::Approval => "A person approves",
        BlockKind::Loop => "Repeat for every item",
    }
}

/// The palette's groups, so eleven kinds read at a glance (and fit a 720 px high window).
const GROUPS: [(&str, &[BlockKind]); 3] = [
    ("Basics", &[BlockKind::Input, BlockKind::Prompt, BlockKind::Output, BlockKind::Note]),
    ("Data and tools", &[BlockKind::Retrieve, BlockKind::Transcribe, BlockKind::Tool]),
    ("Control flow", &[BlockKind::Router, BlockKind::Transform, BlockKind::Loop, BlockKind::Approval]),
];

/// A new block's settings: a Prompt starts on a provider with a key, else on sample answers.
fn starting_config(kind: BlockKind) -> crate::domain::blocks::BlockConfig {
    let mut config = kind.default_config();
    if let crate::domain::blocks::BlockConfig::Prompt(p) = &mut config {
        (p.provider, p.model) = crate::ui::state::starting::starting();
    }
    if let crate::domain::blocks::BlockConfig::Loop(l) = &mut config {
        if let crate::domain::blocks::loop_block::LoopBody::Prompt(p) = &mut l.body {
            (p.provider, p.model) = crate::ui::state::starting::starting();
        }
    }
    config
}

/// Adds a block of `kind` with its top-centre at `at` (canvas coordinates) and selects it.
pub fn add_block(editor: Editor, kind: BlockKind, at: Point) {
    let block = editor.with_flow(|f| {
        Block::new(
            f.fresh_block_id(kind.id()),
            kind.label(),
            Point::new(snap(at.x - BLOCK_WIDTH / 2.0), snap(at.y)),
            starting_config(kind),
        )
    });
    let id = block.id.clone();
    if editor.apply(FlowChange::AddBlock { index: usize::MAX, block }).is_ok() {
        editor.select_only(&id);
    }
}

#[component]
pub fn Palette() -> impl IntoView {
    let editor = expect_context::<Editor>();
    let query = RwSignal::new(String::new());
    let add_at_centre = move |kind: BlockKind| {
        let (w, h) = canvas_size();
        let v = editor.viewport.get_untracked();
        // The free spot nearest the middle of the view, so a new block never lands on (or
        // hides under) another one, and is on screen. A banner over the top is not free.
        let top = super::fit::banner_inset();
        let view = v.visible(w, h);
        let view = Rect { y: view.y + top / v.zoom, h: (view.h - top / v.zoom).max(0.0), ..view };
        let probe = Block::new(BlockId::new("new"), "", Point::default(), kind.default_config());
        let height = block_height(&probe);
        let c = v.to_canvas(Point::new(w / 2.0, top + (h - top) / 2.0));
        let preferred = Point::new(c.x - BLOCK_WIDTH / 2.0, c.y - height / 2.0);
        let taken: Vec<Rect> = editor.with_flow(|f| f.blocks.iter().map(block_rect).collect());
        let at = free_spot(&taken, preferred, BLOCK_WIDTH, height, view);
        add_block(editor, kind, Point::new(at.x + BLOCK_WIDTH / 2.0, at.y));
    };
    let matches = move |kind: BlockKind| {
        let q = query.get().trim().to_lowercase();
        q.is_empty() || kind.label().to_lowercase().contains(&q) || describe(kind).to_lowercase().contains(&q)
    };
    view! {
        <nav class="palette" aria-label="Block palette">
            <p class="palette-title">"Blocks"</p>
            <input class="palette-search" type="search" placeholder="Search blocks" aria-label="Search blocks"
                prop:value=move || query.get() on:input=move |ev| query.set(event_target_value(&ev)) />
            {GROUPS.into_iter().map(|(group, kinds)| view! {
                <p class="palette-group" class:hidden=move || kinds.iter().all(|k| !matches(*k))>{group}</p>
                <ul aria-label=group>
                {kinds
                    .iter()
                    .copied()
                    .map(|kind| {
                        view! {
                            <li class:hidden=move || !matches(kind)>
                                <button
                                    class=format!("palette-item kind-{}", kind.id())
                                    aria-label=format!("Add {} block", kind.label())
                                    title=format!("{}. Click to add in the middle, or drag onto the canvas", describe(kind))
                                    draggable="true"
                                    on:dragstart=move |ev: leptos::ev::DragEvent| {
                                        if let Some(dt) = ev.data_transfer() {
                                            let _ = dt.set_data(DRAG_TYPE, kind.id());
                                            dt.set_effect_allowed("copy");
                                        }
                                    }
                                    on:click=move |_| add_at_centre(kind)
                                >
                                    <span class="palette-swatch" aria-hidden="true"><crate::ui::widgets::icons::Icon name=kind.id() size=14 /></span>
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
            }).collect_view()}
            <Show when=move || BlockKind::ALL.into_iter().all(|k| !matches(k))>
                <p class="field-help palette-empty">"No block matches."</p>
            </Show>
        </nav>
    }
}
