//! Which blocks a run touches, in which order, and whether they can run.

use std::collections::{BTreeMap, BTreeSet};

use super::{RunScope, StartError};
use crate::domain::blocks::{
    BlockConfig, InputConfig, PromptConfig, RetrieveConfig, RouterConfig, ToolConfig, TranscribeConfig, TransformConfig,
};
use crate::domain::flow::{BlockId, Flow, PortRef};
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
    let (scope_set, named) = scope_blocks(flow, scope)?;
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
                    && flow.edges_touching(&b.id).next().is_none();
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
    let mut plan = Plan::default();
    for id in order.iter().chain(inert_extra.iter()) {
        let Some(block) = flow.block(id) else {
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
        let inputs =
            sub.edges.iter().filter(|e| &e.to.block == id).map(|e| (e.to.port.clone(), e.from.clone())).collect();
        plan.order.push(id.clone());
        plan.nodes.insert(id.clone(), PlanNode { title: block.display_name(), kind, inputs, role });
    }
    Ok(plan)
}

/// The blocks the scope asks to run, and the one block it names (if any).
fn scope_blocks(flow: &Flow, scope: &RunScope) -> Result<(BTreeSet<BlockId>, Option<BlockId>), StartError> {
    let require = |id: &BlockId| flow.block(id).map(|_| ()).ok_or_else(|| StartError::UnknownBlock(id.clone()));
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
    let mut seen = BTreeSet::from([start.clone()]);
    let mut stack = vec![start.clone()];
    while let Some(cur) = stack.pop() {
        for e in flow.edges.iter().filter(|e| e.from.block == cur) {
            if seen.insert(e.to.block.clone()) {
                stack.push(e.to.block.clone());
            }
        }
    }
    seen
}

/// `set` plus every block upstream of it.
fn with_upstream(flow: &Flow, set: &BTreeSet<BlockId>) -> BTreeSet<BlockId> {
    let mut seen = set.clone();
    let mut stack: Vec<BlockId> = set.iter().cloned().collect();
    while let Some(cur) = stack.pop() {
        for e in flow.edges.iter().filter(|e| e.to.block == cur) {
            if seen.insert(e.from.block.clone()) {
                stack.push(e.from.block.clone());
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
