//! Every edit of a flow is a `FlowChange` applied by `apply`, which returns the inverse
//! change. Undo/redo, autosave, copy/paste and tests all go through here.

use crate::domain::blocks::BlockConfig;
use crate::domain::flow::{Block, BlockId, Edge, EdgeId, Flow, Point};

#[derive(Debug, Clone, PartialEq)]
pub enum FlowChange {
    /// Inserts a block at `index` (clamped to the end).
    AddBlock {
        index: usize,
        block: Block,
    },
    /// Removes a block and every edge touching it.
    RemoveBlock {
        id: BlockId,
    },
    MoveBlock {
        id: BlockId,
        to: Point,
    },
    SetTitle {
        id: BlockId,
        title: String,
    },
    SetNote {
        id: BlockId,
        note: Option<String>,
    },
    SetConfig {
        id: BlockId,
        config: BlockConfig,
    },
    AddEdge {
        index: usize,
        edge: Edge,
    },
    RemoveEdge {
        id: EdgeId,
    },
    SetFlowTitle {
        title: String,
    },
    SetFlowDescription {
        description: String,
    },
    /// Several changes applied as one step (one undo), all or nothing.
    Batch(Vec<FlowChange>),
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChangeError {
    NoSuchBlock(BlockId),
    NoSuchEdge(EdgeId),
    DuplicateBlock(BlockId),
    DuplicateEdge(EdgeId),
    EdgeToMissingBlock { edge: EdgeId, block: BlockId },
}

impl std::fmt::Display for ChangeError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ChangeError::NoSuchBlock(id) => write!(f, "There is no block {id}."),
            ChangeError::NoSuchEdge(id) => write!(f, "There is no connection {}.", id.0),
            ChangeError::DuplicateBlock(id) => write!(f, "A block with id {id} already exists."),
            ChangeError::DuplicateEdge(id) => write!(f, "A connection with id {} already exists.", id.0),
            ChangeError::EdgeToMissingBlock { edge, block } => {
                write!(f, "Connection {} points at block {block}, which does not exist.", edge.0)
            }
        }
    }
}

impl std::error::Error for ChangeError {}

impl FlowChange {
    /// Is this a change that only moves things? The UI coalesces these while dragging.
    pub fn is_move(&self) -> bool {
        match self {
            FlowChange::MoveBlock { .. } => true,
            FlowChange::Batch(items) => !items.is_empty() && items.iter().all(|c| c.is_move()),
            _ => false,
        }
    }
}

/// Applies `change` to `flow` and returns the change that undoes it.
/// On error the flow is left exactly as it was.
pub fn apply(flow: &mut Flow, change: FlowChange) -> Result<FlowChange, ChangeError> {
    match change {
        FlowChange::AddBlock { index, block } => {
            if flow.block(&block.id).is_some() {
                return Err(ChangeError::DuplicateBlock(block.id));
            }
            let id = block.id.clone();
            let index = index.min(flow.blocks.len());
            flow.blocks.insert(index, block);
            Ok(FlowChange::RemoveBlock { id })
        }
        FlowChange::RemoveBlock { id } => {
            let index = flow.block_index(&id).ok_or_else(|| ChangeError::NoSuchBlock(id.clone()))?;
            // Remove touching edges, remembering their positions so undo restores the order.
            let mut restore = Vec::new();
            let mut i = 0;
            let mut original_index = 0;
            while i < flow.edges.len() {
                let e = &flow.edges[i];
                if e.from.block == id || e.to.block == id {
                    let edge = flow.edges.remove(i);
                    restore.push(FlowChange::AddEdge { index: original_index, edge });
                } else {
                    i += 1;
                }
                original_index += 1;
            }
            let block = flow.blocks.remove(index);
            let mut inverse = vec![FlowChange::AddBlock { index, block }];
            inverse.extend(restore);
            Ok(FlowChange::Batch(inverse))
        }
        FlowChange::MoveBlock { id, to } => {
            let b = flow.block_mut(&id).ok_or_else(|| ChangeError::NoSuchBlock(id.clone()))?;
            let from = std::mem::replace(&mut b.position, to);
            Ok(FlowChange::MoveBlock { id, to: from })
        }
        FlowChange::SetTitle { id, title } => {
            let b = flow.block_mut(&id).ok_or_else(|| ChangeError::NoSuchBlock(id.clone()))?;
            let old = std::mem::replace(&mut b.title, title);
            Ok(FlowChange::SetTitle { id, title: old })
        }
        FlowChange::SetNote { id, note } => {
            let b = flow.block_mut(&id).ok_or_else(|| ChangeError::NoSuchBlock(id.clone()))?;
            let old = std::mem::replace(&mut b.note, note);
            Ok(FlowChange::SetNote { id, note: old })
        }
        FlowChange::SetConfig { id, config } => {
            let b = flow.block_mut(&id).ok_or_else(|| ChangeError::NoSuchBlock(id.clone()))?;
            let old = std::mem::replace(&mut b.config, config);
            Ok(FlowChange::SetConfig { id, config: old })
        }
        FlowChange::AddEdge { index, edge } => {
            if flow.edge(&edge.id).is_some() {
                return Err(ChangeError::DuplicateEdge(edge.id));
            }
            for end in [&edge.from.block, &edge.to.block] {
                if flow.block(end).is_none() {
                    return Err(ChangeError::EdgeToMissingBlock { edge: edge.id.clone(), block: end.clone() });
                }
            }
            let id = edge.id.clone();
            let index = index.min(flow.edges.len());
            flow.edges.insert(index, edge);
            Ok(FlowChange::RemoveEdge { id })
        }
        FlowChange::RemoveEdge { id } => {
            let index = flow.edge_index(&id).ok_or_else(|| ChangeError::NoSuchEdge(id.clone()))?;
            let edge = flow.edges.remove(index);
            Ok(FlowChange::AddEdge { index, edge })
        }
        FlowChange::SetFlowTitle { title } => {
            let old = std::mem::replace(&mut flow.meta.title, title);
            Ok(FlowChange::SetFlowTitle { title: old })
        }
        FlowChange::SetFlowDescription { description } => {
            let old = std::mem::replace(&mut flow.meta.description, description);
            Ok(FlowChange::SetFlowDescription { description: old })
        }
        FlowChange::Batch(changes) => {
            let mut inverses = Vec::with_capacity(changes.len());
            for c in changes {
                match apply(flow, c) {
                    Ok(inv) => inverses.push(inv),
                    Err(e) => {
                        // Roll back what was applied so a failed batch changes nothing.
                        for inv in inverses.into_iter().rev() {
                            let _ = apply(flow, inv);
                        }
                        return Err(e);
                    }
                }
            }
            inverses.reverse();
            Ok(FlowChange::Batch(inverses))
        }
    }
}

/// Undo/redo stacks of inverse changes. Consecutive moves of the same blocks within one
/// gesture are merged by the caller through `record_merged`, so one drag is one undo.
#[derive(Debug, Default, Clone)]
pub struct History {
    undo: Vec<FlowChange>,
    redo: Vec<FlowChange>,
    /// The merge key of the last step, while an edit session (typing in one field) lasts.
    merge_key: Option<String>,
}

/// Enough for an afternoon of edits without holding a flow's whole past forever.
const HISTORY_LIMIT: usize = 500;

impl History {
    /// Applies a change and records its inverse.
    pub fn apply(&mut self, flow: &mut Flow, change: FlowChange) -> Result<(), ChangeError> {
        let inverse = apply(flow, change)?;
        self.merge_key = None;
        self.push_undo(inverse);
        self.redo.clear();
        Ok(())
    }

    /// Applies a change that merges with the previous step when both carry the same key,
    /// so typing a sentence into one field is one undo step, not one per keystroke.
    pub fn apply_merging(&mut self, flow: &mut Flow, change: FlowChange, key: &str) -> Result<(), ChangeError> {
        let inverse = apply(flow, change)?;
        if self.merge_key.as_deref() != Some(key) || self.undo.is_empty() {
            self.push_undo(inverse);
            self.merge_key = Some(key.to_string());
        }
        self.redo.clear();
        Ok(())
    }

    /// Ends an edit session: the next edit starts a new undo step.
    pub fn end_merge(&mut self) {
        self.merge_key = None;
    }

    /// Records a change already applied (e.g. live drag moves) as a single undo step whose
    /// inverse is `inverse`.
    pub fn record(&mut self, inverse: FlowChange) {
        self.merge_key = None;
        self.push_undo(inverse);
        self.redo.clear();
    }

    fn push_undo(&mut self, inverse: FlowChange) {
        self.undo.push(inverse);
        if self.undo.len() > HISTORY_LIMIT {
            self.undo.remove(0);
        }
    }

    /// Undoes the last step; returns what it touched, or None when there is nothing to undo.
    pub fn undo(&mut self, flow: &mut Flow) -> Option<Touched> {
        self.merge_key = None;
        let inv = self.undo.pop()?;
        let touched = inv.touched();
        let redo = apply(flow, inv).ok()?;
        self.redo.push(redo);
        Some(touched)
    }

    /// Redoes the last undone step; returns what it touched.
    pub fn redo(&mut self, flow: &mut Flow) -> Option<Touched> {
        self.merge_key = None;
        let change = self.redo.pop()?;
        let touched = change.touched();
        let inv = apply(flow, change).ok()?;
        self.undo.push(inv);
        Some(touched)
    }

    pub fn can_undo(&self) -> bool {
        !self.undo.is_empty()
    }

    pub fn can_redo(&self) -> bool {
        !self.redo.is_empty()
    }

    pub fn clear(&mut self) {
        self.undo.clear();
        self.redo.clear();
        self.merge_key = None;
    }
}

/// What a change touched, so the UI refreshes only those parts.
#[derive(Debug, Default, Clone, PartialEq)]
pub struct Touched {
    pub blocks: Vec<BlockId>,
    /// Blocks were added or removed (the block list changed).
    pub block_set: bool,
    pub edges: bool,
    pub meta: bool,
}

impl FlowChange {
    pub fn touched(&self) -> Touched {
        let mut t = Touched::default();
        self.collect_touched(&mut t);
        t
    }

    fn collect_touched(&self, t: &mut Touched) {
        match self {
            FlowChange::AddBlock { block, .. } => {
                t.blocks.push(block.id.clone());
                t.block_set = true;
            }
            FlowChange::RemoveBlock { id } => {
                t.blocks.push(id.clone());
                t.block_set = true;
                t.edges = true;
            }
            FlowChange::MoveBlock { id, .. }
            | FlowChange::SetTitle { id, .. }
            | FlowChange::SetNote { id, .. }
            | FlowChange::SetConfig { id, .. } => t.blocks.push(id.clone()),
            FlowChange::AddEdge { .. } | FlowChange::RemoveEdge { .. } => t.edges = true,
            FlowChange::SetFlowTitle { .. } | FlowChange::SetFlowDescription { .. } => t.meta = true,
            FlowChange::Batch(items) => items.iter().for_each(|c| c.collect_touched(t)),
        }
    }
}
