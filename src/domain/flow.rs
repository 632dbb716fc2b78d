//! The flow model: blocks on a canvas joined by edges from output ports to input ports.
//!
//! Layout never changes meaning: positions live on blocks only so they can be saved;
//! viewport, selection and drag state belong to the UI.

use crate::domain::blocks::{BlockConfig, Port};

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct BlockId(pub String);

#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct EdgeId(pub String);

impl BlockId {
    pub fn new(s: impl Into<String>) -> Self {
        BlockId(s.into())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl EdgeId {
    pub fn new(s: impl Into<String>) -> Self {
        EdgeId(s.into())
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Display for BlockId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Canvas coordinates of a block's top-left corner, in canvas pixels at 100% zoom.
#[derive(Debug, Clone, Copy, PartialEq, Default)]
pub struct Point {
    pub x: f64,
    pub y: f64,
}

impl Point {
    pub fn new(x: f64, y: f64) -> Self {
        Point { x, y }
    }
}

/// Times are Unix milliseconds, passed in by the caller: the domain has no clock.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct FlowMeta {
    pub title: String,
    pub description: String,
    pub created_ms: i64,
    pub updated_ms: i64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Block {
    pub id: BlockId,
    pub title: String,
    pub position: Point,
    pub note: Option<String>,
    pub config: BlockConfig,
}

impl Block {
    pub fn new(id: BlockId, title: impl Into<String>, position: Point, config: BlockConfig) -> Self {
        Block { id, title: title.into(), position, note: None, config }
    }

    pub fn input_ports(&self) -> Vec<Port> {
        self.config.input_ports()
    }

    pub fn output_ports(&self) -> Vec<Port> {
        self.config.output_ports()
    }

    /// The name shown to people: the title, or the kind when the title is blank.
    pub fn display_name(&self) -> String {
        let t = self.title.trim();
        if t.is_empty() {
            self.config.kind_label().to_string()
        } else {
            t.to_string()
        }
    }
}

/// One end of an edge: a named port on a block.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct PortRef {
    pub block: BlockId,
    pub port: String,
}

impl PortRef {
    pub fn new(block: BlockId, port: impl Into<String>) -> Self {
        PortRef { block, port: port.into() }
    }
}

/// Data flows from `from` (an output port) to `to` (an input port).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Edge {
    pub id: EdgeId,
    pub from: PortRef,
    pub to: PortRef,
}

#[derive(Debug, Clone, PartialEq, Default)]
pub struct Flow {
    pub meta: FlowMeta,
    pub blocks: Vec<Block>,
    pub edges: Vec<Edge>,
}

impl Flow {
    /// The same blocks, edges, title and description; when each was saved does not matter
    /// (another tab saving an unchanged flow is not a conflict).
    pub fn same_content(&self, other: &Flow) -> bool {
        self.blocks == other.blocks
            && self.edges == other.edges
            && self.meta.title == other.meta.title
            && self.meta.description == other.meta.description
    }

    pub fn block(&self, id: &BlockId) -> Option<&Block> {
        self.blocks.iter().find(|b| &b.id == id)
    }

    pub fn block_mut(&mut self, id: &BlockId) -> Option<&mut Block> {
        self.blocks.iter_mut().find(|b| &b.id == id)
    }

    pub fn block_index(&self, id: &BlockId) -> Option<usize> {
        self.blocks.iter().position(|b| &b.id == id)
    }

    pub fn edge(&self, id: &EdgeId) -> Option<&Edge> {
        self.edges.iter().find(|e| &e.id == id)
    }

    pub fn edge_index(&self, id: &EdgeId) -> Option<usize> {
        self.edges.iter().position(|e| &e.id == id)
    }

    /// The edge feeding an input port, if any (an input port takes at most one edge).
    pub fn edge_into(&self, to: &PortRef) -> Option<&Edge> {
        self.edges.iter().find(|e| &e.to == to)
    }

    pub fn edges_touching<'a>(&'a self, id: &'a BlockId) -> impl Iterator<Item = &'a Edge> + 'a {
        self.edges.iter().filter(move |e| &e.from.block == id || &e.to.block == id)
    }

    /// A block id not used yet, shaped `{prefix}-{n}`.
    pub fn fresh_block_id(&self, prefix: &str) -> BlockId {
        fresh_id(prefix, |c| self.block(&BlockId::new(c)).is_some())
    }

    pub fn fresh_edge_id(&self) -> EdgeId {
        EdgeId(fresh_id("e", |c| self.edge(&EdgeId::new(c)).is_some()).0)
    }
}

fn fresh_id(prefix: &str, taken: impl Fn(&str) -> bool) -> BlockId {
    let mut n = 1u64;
    loop {
        let candidate = format!("{prefix}-{n}");
        if !taken(&candidate) {
            return BlockId(candidate);
        }
        n += 1;
    }
}
