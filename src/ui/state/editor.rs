//! Editor state: the canonical flow and history in a non-reactive store, mirrored into
//! fine-grained signals (one per block) so an edit re-renders only what it touched.

use crate::domain::change::{self, ChangeError, FlowChange, History, Touched};
use crate::domain::flow::{Block, BlockId, Edge, EdgeId, Flow, FlowMeta, Point};
use crate::domain::layout::Viewport;
use crate::domain::validate::{validate, Problem};
use leptos::prelude::*;
use std::collections::HashMap;

/// From this many blocks, the whole-flow checks wait for a pause in editing (validation and the
/// run estimate are linear, but at a few thousand blocks they take longer than a frame).
const BIG_FLOW_BLOCKS: usize = 400;
/// How long editing must pause before a big flow is checked again.
const CHECK_PAUSE: std::time::Duration = std::time::Duration::from_millis(300);

struct Doc {
    flow: Flow,
    history: History,
}

/// Shared through context; `Copy` because every field is an arena handle.
#[derive(Clone, Copy)]
pub struct Editor {
    doc: StoredValue<Doc>,
    cells: StoredValue<HashMap<BlockId, RwSignal<Block>>>,
    /// Block ids in flow order; changes only when blocks are added or removed.
    pub order: RwSignal<Vec<BlockId>>,
    pub edges: RwSignal<Vec<Edge>>,
    pub meta: RwSignal<FlowMeta>,
    pub selection: RwSignal<Vec<BlockId>>,
    /// A selected connection (clicked on the canvas); Delete removes it.
    pub selected_edge: RwSignal<Option<EdgeId>>,
    pub viewport: RwSignal<Viewport>,
    /// Bumped by every change that is not a pure move (moves do not alter meaning).
    content_rev: RwSignal<u64>,
    /// Bumped when the whole-flow checks (problems, the run estimate, the privacy note) should
    /// look again: with every content change for ordinary flows, and once typing pauses for
    /// big ones, where each look costs tens of milliseconds and would make every keystroke lag.
    pub checked_rev: RwSignal<u64>,
    pending_check: StoredValue<Option<TimeoutHandle>>,
    /// True while a drag applies live moves.
    live: StoredValue<bool>,
    /// Bumped by every change, moves included (for autosave).
    pub any_rev: RwSignal<u64>,
    /// Bumped by every change except live drag frames (for the minimap and what is in view).
    pub settled_rev: RwSignal<u64>,
    history_state: RwSignal<(bool, bool)>,
    /// Bumped to ask the canvas to fit the flow (unless `restored_view` says a saved view applies).
    pub fit_request: RwSignal<u64>,
    pub restored_view: RwSignal<bool>,
    pub problems: Memo<Vec<Problem>>,
    /// A shared playground opened from a link: it can be viewed and run, not edited.
    pub read_only: RwSignal<bool>,
    /// The app's root owner. Block signals are created under it: created under whichever
    /// component handled the click (a dialog, a menu), they would be disposed with it and
    /// the card reading them would panic.
    owner: StoredValue<Owner, LocalStorage>,
}

impl Editor {
    pub fn new(flow: Flow) -> Self {
        let cells: HashMap<BlockId, RwSignal<Block>> =
            flow.blocks.iter().map(|b| (b.id.clone(), RwSignal::new(b.clone()))).collect();
        let order = RwSignal::new(flow.blocks.iter().map(|b| b.id.clone()).collect());
        let edges = RwSignal::new(flow.edges.clone());
        let meta = RwSignal::new(flow.meta.clone());
        let doc = StoredValue::new(Doc { flow, history: History::default() });
        let content_rev = RwSignal::new(0u64);
        let checked_rev = RwSignal::new(0u64);
        let problems = Memo::new(move |_| {
            checked_rev.track();
            doc.with_value(|d| validate(&d.flow))
        });
        Editor {
            doc,
            cells: StoredValue::new(cells),
            order,
            edges,
            meta,
            selection: RwSignal::new(Vec::new()),
            selected_edge: RwSignal::new(None),
            viewport: RwSignal::new(Viewport::default()),
            content_rev,
            checked_rev,
            pending_check: StoredValue::new(None),
            live: StoredValue::new(false),
            any_rev: RwSignal::new(0),
            settled_rev: RwSignal::new(0),
            history_state: RwSignal::new((false, false)),
            fit_request: RwSignal::new(0),
            restored_view: RwSignal::new(false),
            problems,
            read_only: RwSignal::new(false),
            owner: StoredValue::new_local(Owner::current().unwrap_or_default()),
        }
    }

    fn new_cell(&self, block: Block) -> RwSignal<Block> {
        self.owner.with_value(|o| o.with(|| RwSignal::new(block)))
    }

    pub fn cell(&self, id: &BlockId) -> Option<RwSignal<Block>> {
        self.cells.with_value(|c| c.get(id).copied())
    }

    /// A snapshot of the whole flow (for export and saving).
    pub fn flow(&self) -> Flow {
        self.doc.with_value(|d| d.flow.clone())
    }

    pub fn with_flow<R>(&self, f: impl FnOnce(&Flow) -> R) -> R {
        self.doc.with_value(|d| f(&d.flow))
    }

    /// Applies an edit as one undo step.
    pub fn apply(&self, change: FlowChange) -> Result<(), ChangeError> {
        if self.read_only.get_untracked() {
            return Ok(());
        }
        let touched = change.touched();
        let is_move = change.is_move();
        self.doc.try_update_value(|d| d.history.apply(&mut d.flow, change)).unwrap_or(Ok(()))?;
        self.sync(&touched, is_move);
        Ok(())
    }

    /// Applies an edit that merges with the previous one carrying the same key (typing).
    pub fn apply_merging(&self, change: FlowChange, key: &str) -> Result<(), ChangeError> {
        if self.read_only.get_untracked() {
            return Ok(());
        }
        let touched = change.touched();
        self.doc.try_update_value(|d| d.history.apply_merging(&mut d.flow, change, key)).unwrap_or(Ok(()))?;
        self.sync(&touched, false);
        Ok(())
    }

    /// Ends a typing session so the next edit is its own undo step.
    pub fn end_merge(&self) {
        self.doc.update_value(|d| d.history.end_merge());
    }

    /// Replaces the whole flow (open, import, restore), with an empty history. Cards are keyed
    /// by block id, so a block whose id already has a signal gets its new value through that
    /// same signal; a fresh signal would leave the existing card showing the old block.
    pub fn replace_flow(&self, flow: Flow) {
        for b in &flow.blocks {
            match self.cell(&b.id) {
                Some(cell) => cell.set(b.clone()),
                None => {
                    let cell = self.new_cell(b.clone());
                    self.cells.update_value(|c| {
                        c.insert(b.id.clone(), cell);
                    });
                }
            }
        }
        let order: Vec<BlockId> = flow.blocks.iter().map(|b| b.id.clone()).collect();
        let edges = flow.edges.clone();
        let meta = flow.meta.clone();
        self.doc.update_value(|d| {
            d.flow = flow;
            d.history.clear();
        });
        self.selection.set(Vec::new());
        self.selected_edge.set(None);
        self.order.set(order);
        self.edges.set(edges);
        self.meta.set(meta);
        self.content_rev.update(|r| *r += 1);
        // A new flow is checked at once, whatever its size.
        self.check_now();
        self.any_rev.update(|r| *r += 1);
        self.settled_rev.update(|r| *r += 1);
        self.refresh_history_state();
    }

    /// Moves a block during a drag without recording history; `record_moves` ends the gesture.
    pub fn move_live(&self, id: &BlockId, to: Point) {
        if self.read_only.get_untracked() {
            return;
        }
        let change = FlowChange::MoveBlock { id: id.clone(), to };
        let touched = change.touched();
        let ok = self.doc.try_update_value(|d| change::apply(&mut d.flow, change).is_ok()).unwrap_or(false);
        if ok {
            self.live.set_value(true);
            self.sync(&touched, true);
            self.live.set_value(false);
        }
    }

    /// Records a finished drag as one undo step, given where each block started.
    pub fn record_moves(&self, starts: Vec<(BlockId, Point)>) {
        let moved: Vec<FlowChange> = self.doc.with_value(|d| {
            starts
                .into_iter()
                .filter(|(id, p)| d.flow.block(id).is_some_and(|b| b.position != *p))
                .map(|(id, to)| FlowChange::MoveBlock { id, to })
                .collect()
        });
        if !moved.is_empty() {
            self.doc.update_value(|d| d.history.record(FlowChange::Batch(moved)));
            self.refresh_history_state();
            self.settled_rev.update(|r| *r += 1);
            self.any_rev.update(|r| *r += 1);
        }
    }

    pub fn undo(&self) {
        if let Some(t) = self.doc.try_update_value(|d| d.history.undo(&mut d.flow)).flatten() {
            self.sync(&t, false);
        }
    }

    pub fn redo(&self) {
        if let Some(t) = self.doc.try_update_value(|d| d.history.redo(&mut d.flow)).flatten() {
            self.sync(&t, false);
        }
    }

    pub fn can_undo(&self) -> bool {
        self.history_state.get().0
    }

    pub fn can_redo(&self) -> bool {
        self.history_state.get().1
    }

    fn refresh_history_state(&self) {
        let s = self.doc.with_value(|d| (d.history.can_undo(), d.history.can_redo()));
        self.history_state.set(s);
    }

    /// Mirrors the touched parts of the flow into signals. Data is copied out first so no
    /// signal is set while the store is borrowed.
    fn sync(&self, t: &Touched, only_moves: bool) {
        let (blocks, order, edges, meta) = self.doc.with_value(|d| {
            let blocks: Vec<(BlockId, Option<Block>)> =
                t.blocks.iter().map(|id| (id.clone(), d.flow.block(id).cloned())).collect();
            let order = t.block_set.then(|| d.flow.blocks.iter().map(|b| b.id.clone()).collect::<Vec<_>>());
            let edges = (t.edges || t.block_set).then(|| d.flow.edges.clone());
            let meta = t.meta.then(|| d.flow.meta.clone());
            (blocks, order, edges, meta)
        });
        for (id, block) in blocks {
            let Some(block) = block else { continue };
            match self.cell(&id) {
                Some(cell) => cell.set(block),
                None => {
                    let cell = self.new_cell(block);
                    self.cells.update_value(|c| {
                        c.insert(id, cell);
                    });
                }
            }
        }
        if let Some(order) = order {
            let present: std::collections::HashSet<&BlockId> = order.iter().collect();
            self.selection.update(|s| s.retain(|id| present.contains(id)));
            self.order.set(order);
        }
        if let Some(edges) = edges {
            if let Some(sel) = self.selected_edge.get_untracked() {
                if !edges.iter().any(|e| e.id == sel) {
                    self.selected_edge.set(None);
                }
            }
            self.edges.set(edges);
        }
        if let Some(meta) = meta {
            self.meta.set(meta);
        }
        if !only_moves {
            self.content_rev.update(|r| *r += 1);
            self.request_check();
        }
        if !self.live.get_value() {
            self.settled_rev.update(|r| *r += 1);
        }
        self.any_rev.update(|r| *r += 1);
        self.refresh_history_state();
    }

    /// Asks for the whole-flow checks after a content change; see `checked_rev`.
    fn request_check(&self) {
        if self.doc.with_value(|d| d.flow.blocks.len()) < BIG_FLOW_BLOCKS {
            self.check_now();
            return;
        }
        if let Some(h) = self.pending_check.get_value() {
            h.clear();
        }
        let this = *self;
        let handle = set_timeout_with_handle(move || this.check_now(), CHECK_PAUSE).ok();
        self.pending_check.set_value(handle);
    }

    fn check_now(&self) {
        if let Some(h) = self.pending_check.get_value() {
            h.clear();
        }
        self.pending_check.set_value(None);
        self.checked_rev.update(|r| *r += 1);
    }

    pub fn select_only(&self, id: &BlockId) {
        self.selection.set(vec![id.clone()]);
    }

    pub fn toggle_selected(&self, id: &BlockId) {
        self.selection.update(|s| match s.iter().position(|x| x == id) {
            Some(i) => {
                s.remove(i);
            }
            None => s.push(id.clone()),
        });
    }

    pub fn is_selected(&self, id: &BlockId) -> bool {
        self.selection.with(|s| s.contains(id))
    }

    /// The one selected block, if exactly one is selected.
    pub fn single_selected(&self) -> Option<BlockId> {
        self.selection.with(|s| if s.len() == 1 { s.first().cloned() } else { None })
    }

    pub fn problems_for(&self, id: &BlockId) -> Vec<String> {
        self.problems.with(|ps| ps.iter().filter(|p| p.block.as_ref() == Some(id)).map(|p| p.message.clone()).collect())
    }
}
