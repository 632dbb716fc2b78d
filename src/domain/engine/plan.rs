//! Which blocks a run touches, in which order, and whether they can run.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use super::{RunScope, StartError};
use crate::domain::blocks::{
    BlockConfig, InputConfig, PromptConfig, RetrieveConfig, RouterConfig, ToolConfig, TranscribeConfig, TransformConfig,
};
use crate::domain::flow::{Block, BlockId, Flow, PortRef};
use crate::domain::graph;
use crate::domain::validate::{validate, Severity};

/// Why a block is part of the run.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Role {
    /// The block the user asked to (re)run: never served from the cache.
    Target,
    /// Inside the scope: served from the cache only when the config allows it.
    InScope,
    /// Upstream of the scope: served from the cache whenever possible.
    Upstream,
}

#[derive(Debug, Clone)]
pub(crate) enum NodeKind {
    Input(InputConfig),
    Prompt(PromptConfig),
    Output,
    Tool(ToolConfig),
    Retrieve(RetrieveConfig),
    Transcribe(TranscribeConfig),
    Router(RouterConfig),
    Transform(TransformConfig),
    Approval,
    Loop(crate::domain::blocks::LoopConfig),
    /// Does not run (a kind this version does not know, or a note); the reason is shown.
    Inert(String),
}

#[derive(Debug, Clone)]
pub(crate) struct PlanNode {
    pub(crate) title: String,
    pub(crate) kind: NodeKind,
    /// (input port, where its value comes from)
    pub(crate) inputs: Vec<(String, PortRef)>,
    pub(crate) role: Role,
}

#[derive(Debug, Clone, Default)]
pub(crate) struct Plan {
    /// Dependency order.
    pub(crate) order: Vec<BlockId>,
    pub(crate) nodes: BTreeMap<BlockId, PlanNode>,
}

const UNKNOWN_KIND: &str = "This block kind is not known to this version of Chainboard, so it was not run.";
const NOTE: &str = "Notes do not run.";

/// Plans a run of `scope`. Only problems in the scope and upstream of it refuse the run.
pub(crate) fn plan(flow: &Flow, scope: &RunScope) -> Result<Plan, StartError> {
    // Every lookup below goes through these maps: scanning the block or edge list per block
    // made planning quadratic (seconds for a 10,000-block flow, and the estimate plans on
    // every edit).
    let by_id: HashMap<&BlockId, &Block> = flow.blocks.iter().map(|b| (&b.id, b)).collect();
    let mut touched: HashSet<&BlockId> = HashSet::new();
    for e in &flow.edges {
        touched.insert(&e.from.block);
        touched.insert(&e.to.block);
    }
    let (scope_set, named) = scope_blocks(flow, &by_id, scope)?;
    let needed = with_upstream(flow, &scope_set);
    let mut inert_extra: Vec<BlockId> = Vec::new();
    let sub = Flow {
        meta: flow.meta.clone(),
        blocks: flow
            .blocks
            .iter()
            .filter(|b| needed.contains(&b.id))
            .filter(|b| {
                // In a whole-flow run, a lone block of an unknown kind is left out (and shown
                // as skipped) instead of refusing the run.
                let lone_unknown = matches!(scope, RunScope::All)
                    && matches!(b.config, BlockConfig::Unknown(_))
                    && !touched.contains(&b.id);
                if lone_unknown {
                    inert_extra.push(b.id.clone());
                }
                !lone_unknown
            })
            .cloned()
            .collect(),
        edges: flow.edges.iter().filter(|e| needed.contains(&e.to.block)).cloned().collect(),
    };
    let problems: Vec<_> = validate(&sub).into_iter().filter(|p| p.severity == Severity::Error).collect();
    if !problems.is_empty() {
        return Err(StartError::Invalid { problems });
    }
    let order = graph::topological_order(&sub).map_err(|_| StartError::Invalid { problems: Vec::new() })?;
    let mut inputs_of: HashMap<&BlockId, Vec<(String, PortRef)>> = HashMap::new();
    for e in &sub.edges {
        inputs_of.entry(&e.to.block).or_default().push((e.to.port.clone(), e.from.clone()));
    }
    let mut plan = Plan::default();
    for id in order.iter().chain(inert_extra.iter()) {
        let Some(block) = by_id.get(id) else {
            continue;
        };
        let role = if named.as_ref() == Some(id) {
            Role::Target
        } else if scope_set.contains(id) {
            Role::InScope
        } else {
            Role::Upstream
        };
        let kind = match &block.config {
            BlockConfig::Input(c) => NodeKind::Input(c.clone()),
            BlockConfig::Prompt(c) => NodeKind::Prompt(c.clone()),
            BlockConfig::Output(_) => NodeKind::Output,
            BlockConfig::Tool(c) => NodeKind::Tool(c.clone()),
            BlockConfig::Retrieve(c) => NodeKind::Retrieve(c.clone()),
            BlockConfig::Transcribe(c) => NodeKind::Transcribe(c.clone()),
            BlockConfig::Router(c) => NodeKind::Router(c.clone()),
            BlockConfig::Transform(c) => NodeKind::Transform(c.clone()),
            BlockConfig::Approval(_) => NodeKind::Approval,
            BlockConfig::Loop(c) => NodeKind::Loop(c.clone()),
            BlockConfig::Note(_) => NodeKind::Inert(NOTE.to_string()),
            BlockConfig::Unknown(_) => NodeKind::Inert(UNKNOWN_KIND.to_string()),
        };
        let inputs = inputs_of.remove(id).unwrap_or_default();
        plan.order.push(id.clone());
        plan.nodes.insert(id.clone(), PlanNode { title: block.display_name(), kind, inputs, role });
    }
    Ok(plan)
}

/// The blocks the scope asks to run, and the one block it names (if any).
fn scope_blocks(
    flow: &Flow,
    by_id: &HashMap<&BlockId, &Block>,
    scope: &RunScope,
) -> Result<(BTreeSet<BlockId>, Option<BlockId>), StartError> {
    let require = |id: &BlockId| by_id.get(id).map(|_| ()).ok_or_else(|| StartError::UnknownBlock(id.clone()));
    match scope {
        RunScope::All => Ok((
            flow.blocks.iter().filter(|b| !matches!(b.config, BlockConfig::Note(_))).map(|b| b.id.clone()).collect(),
            None,
        )),
        RunScope::Block(id) => {
            require(id)?;
            Ok((BTreeSet::from([id.clone()]), Some(id.clone())))
        }
        RunScope::From(id) => {
            require(id)?;
            Ok((descendants(flow, id), Some(id.clone())))
        }
    }
}

/// `start` and every block reachable from it along edges.
fn descendants(flow: &Flow, start: &BlockId) -> BTreeSet<BlockId> {
    let mut next: HashMap<&BlockId, Vec<&BlockId>> = HashMap::new();
    for e in &flow.edges {
        next.entry(&e.from.block).or_default().push(&e.to.block);
    }
    let mut seen = BTreeSet::from([start.clone()]);
    let mut stack = vec![start];
    while let Some(cur) = stack.pop() {
        for &to in next.get(cur).into_iter().flatten() {
            if seen.insert(to.clone()) {
                stack.push(to);
            }
        }
    }
    seen
}

/// `set` plus every block upstream of it.
fn with_upstream(flow: &Flow, set: &BTreeSet<BlockId>) -> BTreeSet<BlockId> {
    let mut prev: HashMap<&BlockId, Vec<&BlockId>> = HashMap::new();
    for e in &flow.edges {
        prev.entry(&e.to.block).or_default().push(&e.from.block);
    }
    let mut seen = set.clone();
    let mut stack: Vec<&BlockId> = set.iter().collect();
    while let Some(cur) = stack.pop() {
        for &from in prev.get(cur).into_iter().flatten() {
            if seen.insert(from.clone()) {
                stack.push(from);
            }
        }
    }
    seen
}

/// Whether a block with `role` may be served from the cache.
pub(crate) fn cache_allowed(role: Role, use_cache: bool) -> bool {
    match role {
        Role::Target => false,
        Role::InScope => use_cache,
        Role::Upstream => true,
    }
}
