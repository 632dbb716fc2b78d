//! Graph questions about a flow: order, cycles, and whether a connection is allowed.

use crate::domain::flow::{BlockId, Flow, PortRef};
use std::collections::{HashMap, HashSet, VecDeque};

/// Why a connection is refused, phrased for the person dragging the wire.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ConnectError {
    MissingBlock(String),
    NotAnOutput { port: String },
    NotAnInput { port: String },
    SameBlock,
    TypeMismatch { from: &'static str, to: &'static str },
    WouldCycle { path: Vec<String> },
    AlreadyConnected { from_block: String },
}

impl std::fmt::Display for ConnectError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ConnectError::MissingBlock(id) => write!(f, "Block {id} no longer exists."),
            ConnectError::NotAnOutput { port } => write!(f, "\u{201c}{port}\u{201d} is not an output."),
            ConnectError::NotAnInput { port } => write!(f, "\u{201c}{port}\u{201d} is not an input."),
            ConnectError::SameBlock => write!(f, "A block cannot feed itself."),
            ConnectError::TypeMismatch { from: "tool", .. } => {
                write!(f, "A Tool connects only to a Prompt's \u{201c}tools\u{201d} port.")
            }
            ConnectError::TypeMismatch { to: "tool", .. } => {
                write!(f, "The \u{201c}tools\u{201d} port takes Tool blocks: connect a Tool's output here.")
            }
            ConnectError::TypeMismatch { from, to } => {
                write!(f, "Type mismatch: this output gives {from}, the input takes {to}.")
            }
            ConnectError::WouldCycle { path } => {
                write!(f, "That would make a loop: {}.", path.join(" \u{2192} "))
            }
            ConnectError::AlreadyConnected { from_block } => {
                write!(f, "This input is already connected to {from_block}. Remove that connection first.")
            }
        }
    }
}

/// A connection that cannot carry anything: one of its blocks is gone, or the output or
/// input it names is no longer there (a `{{variable}}` renamed, a value removed). It stays
/// in the flow, drawn as broken, until it is deleted, and never stops a new connection.
pub fn edge_is_broken(flow: &Flow, edge: &crate::domain::flow::Edge) -> bool {
    let from_ok = flow.block(&edge.from.block).is_some_and(|b| b.config.output_port(&edge.from.port).is_some());
    let to_ok = flow.block(&edge.to.block).is_some_and(|b| b.config.input_port(&edge.to.port).is_some());
    !(from_ok && to_ok)
}

/// Broken connections into `to` that a new connection there replaces.
pub fn broken_edges_into(flow: &Flow, to: &PortRef) -> Vec<crate::domain::flow::EdgeId> {
    flow.edges.iter().filter(|e| e.to == *to && edge_is_broken(flow, e)).map(|e| e.id.clone()).collect()
}

/// Checks a new edge `from → to` the way the canvas needs it before adding it.
pub fn can_connect(flow: &Flow, from: &PortRef, to: &PortRef) -> Result<(), ConnectError> {
    let src = flow.block(&from.block).ok_or_else(|| ConnectError::MissingBlock(from.block.0.clone()))?;
    let dst = flow.block(&to.block).ok_or_else(|| ConnectError::MissingBlock(to.block.0.clone()))?;
    let out =
        src.config.output_port(&from.port).ok_or_else(|| ConnectError::NotAnOutput { port: from.port.clone() })?;
    let inp = dst.config.input_port(&to.port).ok_or_else(|| ConnectError::NotAnInput { port: to.port.clone() })?;
    if src.id == dst.id {
        return Err(ConnectError::SameBlock);
    }
    if out.ty != inp.ty {
        return Err(ConnectError::TypeMismatch { from: out.ty.label(), to: inp.ty.label() });
    }
    if inp.takes_many() {
        if flow.edges.iter().any(|e| e.from == *from && e.to == *to) {
            return Err(ConnectError::AlreadyConnected { from_block: src.display_name() });
        }
    } else if let Some(existing) = flow.edges.iter().find(|e| e.to == *to && !edge_is_broken(flow, e)) {
        let name = flow.block(&existing.from.block).map_or_else(|| existing.from.block.0.clone(), |b| b.display_name());
        return Err(ConnectError::AlreadyConnected { from_block: name });
    }
    // A path dst →…→ src plus the new edge src → dst would close a loop.
    if let Some(path) = path_between(flow, &dst.id, &src.id) {
        let mut names: Vec<String> = path.iter().map(|id| name_of(flow, id)).collect();
        names.push(dst.display_name());
        return Err(ConnectError::WouldCycle { path: names });
    }
    Ok(())
}

fn name_of(flow: &Flow, id: &BlockId) -> String {
    flow.block(id).map_or_else(|| id.0.clone(), |b| b.display_name())
}

fn successors(flow: &Flow) -> HashMap<&BlockId, Vec<&BlockId>> {
    let mut map: HashMap<&BlockId, Vec<&BlockId>> = HashMap::new();
    for e in &flow.edges {
        map.entry(&e.from.block).or_default().push(&e.to.block);
    }
    map
}

/// A shortest path of block ids from `start` to `goal` along edges, both ends included.
pub fn path_between(flow: &Flow, start: &BlockId, goal: &BlockId) -> Option<Vec<BlockId>> {
    let succ = successors(flow);
    let mut prev: HashMap<&BlockId, &BlockId> = HashMap::new();
    let mut seen: HashSet<&BlockId> = HashSet::from([start]);
    let mut queue = VecDeque::from([start]);
    while let Some(cur) = queue.pop_front() {
        if cur == goal {
            let mut path = vec![cur.clone()];
            let mut at = cur;
            while let Some(p) = prev.get(at) {
                path.push((*p).clone());
                at = p;
            }
            path.reverse();
            return Some(path);
        }
        for next in succ.get(cur).into_iter().flatten() {
            if seen.insert(next) {
                prev.insert(next, cur);
                queue.push_back(next);
            }
        }
    }
    None
}

/// Blocks in dependency order (Kahn's algorithm, stable by block order), or the blocks
/// of one cycle when there is one. Edges to missing blocks are ignored here; validation
/// reports them.
pub fn topological_order(flow: &Flow) -> Result<Vec<BlockId>, Vec<BlockId>> {
    let index: HashMap<&BlockId, usize> = flow.blocks.iter().enumerate().map(|(i, b)| (&b.id, i)).collect();
    let n = flow.blocks.len();
    let mut indegree = vec![0usize; n];
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for e in &flow.edges {
        if let (Some(&a), Some(&b)) = (index.get(&e.from.block), index.get(&e.to.block)) {
            out[a].push(b);
            indegree[b] += 1;
        }
    }
    let mut ready: std::collections::BTreeSet<usize> = (0..n).filter(|&i| indegree[i] == 0).collect();
    let mut order = Vec::with_capacity(n);
    while let Some(i) = ready.pop_first() {
        order.push(i);
        for &j in &out[i] {
            indegree[j] -= 1;
            if indegree[j] == 0 {
                ready.insert(j);
            }
        }
    }
    if order.len() == n {
        return Ok(order.into_iter().map(|i| flow.blocks[i].id.clone()).collect());
    }
    Err(find_cycle(flow, &indegree))
}

/// Walks from any block left with incoming edges until a block repeats: that is a cycle.
fn find_cycle(flow: &Flow, indegree: &[usize]) -> Vec<BlockId> {
    let stuck: HashSet<&BlockId> =
        flow.blocks.iter().enumerate().filter(|(i, _)| indegree[*i] > 0).map(|(_, b)| &b.id).collect();
    let Some(start) = flow.blocks.iter().map(|b| &b.id).find(|id| stuck.contains(id)) else {
        return Vec::new();
    };
    // Walk backwards along edges between stuck blocks: every stuck block has a stuck predecessor.
    let mut walk: Vec<&BlockId> = vec![start];
    let mut cur = start;
    loop {
        let Some(pred) =
            flow.edges.iter().find(|e| &e.to.block == cur && stuck.contains(&e.from.block)).map(|e| &e.from.block)
        else {
            return walk.into_iter().cloned().collect();
        };
        if let Some(pos) = walk.iter().position(|id| *id == pred) {
            let mut cycle: Vec<BlockId> = walk[pos..].iter().map(|id| (*id).clone()).collect();
            cycle.reverse();
            return cycle;
        }
        walk.push(pred);
        cur = pred;
    }
}

/// Every block downstream of `start`, `start` included, in dependency order.
pub fn downstream(flow: &Flow, start: &BlockId) -> Vec<BlockId> {
    let succ = successors(flow);
    let mut seen: HashSet<BlockId> = HashSet::from([start.clone()]);
    let mut stack = vec![start];
    while let Some(cur) = stack.pop() {
        for next in succ.get(cur).into_iter().flatten() {
            if seen.insert((*next).clone()) {
                stack.push(next);
            }
        }
    }
    match topological_order(flow) {
        Ok(order) => order.into_iter().filter(|id| seen.contains(id)).collect(),
        Err(_) => Vec::new(),
    }
}
