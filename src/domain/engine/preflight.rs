//! The checks before a run, in one place: keys the run's providers need, in-browser models it
//! would download, hosts its HTTP tools would call, and whether the flow can run at all. Built
//! on [`plan`]: the blocks checked are the ones the run touches, and the sub-flows their tools
//! and loops run (with every block of those, since a sub-flow always runs whole).

use std::collections::{BTreeMap, BTreeSet};

use super::plan::{plan, Role};
use super::{RunScope, StartError};
use crate::domain::blocks::loop_block::LoopBody;
use crate::domain::blocks::tool::ToolAction;
use crate::domain::blocks::{BlockConfig, RouterMode};
use crate::domain::flow::{Block, BlockId, Flow};
use crate::domain::graph;
use crate::domain::providers::local_models::LOCAL_MODELS;
use crate::domain::providers::ProviderKind;
use crate::domain::retrieval::search::RetrieveMode;

/// What the browser knows that the checks need: which keys are set, which tool hosts the
/// person allowed, which in-browser models may be used without asking, the saved flows that
/// sub-flow tools and loops run.
pub struct PreflightView<'a> {
    pub has_key: &'a dyn Fn(ProviderKind) -> bool,
    pub approved_hosts: &'a BTreeSet<String>,
    /// Whether an in-browser model (by its setting) needs no more confirmation.
    pub model_ok: &'a dyn Fn(&str) -> bool,
    pub subflows: &'a BTreeMap<String, Flow>,
}

impl<'a> PreflightView<'a> {
    /// The view of a call that runs no tools and no sub-flows and picked its in-browser model
    /// on purpose (generating test cases, a batch job): only the keys count.
    pub fn keys_only(has_key: &'a dyn Fn(ProviderKind) -> bool) -> PreflightView<'a> {
        static NO_HOSTS: BTreeSet<String> = BTreeSet::new();
        static NO_FLOWS: BTreeMap<String, Flow> = BTreeMap::new();
        PreflightView { has_key, approved_hosts: &NO_HOSTS, model_ok: &|_| true, subflows: &NO_FLOWS }
    }
}

/// Why a run cannot start yet, in the order the UI asks about them.
#[derive(Debug, Clone, PartialEq)]
pub enum Blocker {
    /// Providers the run calls that have no key yet.
    MissingKeys(Vec<ProviderKind>),
    /// In-browser models the run would download, not yet confirmed: (model, size in MB).
    Download(Vec<(String, Option<u32>)>),
    /// Hosts the run's HTTP tools would call that the person has not allowed.
    UnapprovedHosts(Vec<String>),
    /// The flow cannot run (validation problems in the blocks the run needs).
    CannotRun(StartError),
}

/// Everything that stops a run of `scope` from starting now, first what the UI asks about
/// first: keys, then downloads, then hosts, then the flow's own problems. Empty: it can start.
///
/// - Keys: the providers of the Prompt blocks and model-mode Routers in the scope (not those
///   upstream of it, which are served from the cache) and OpenAI for a moderation rule, plus
///   those of every sub-flow they run.
/// - Downloads and hosts: every block the run touches (scope and upstream) and its sub-flows.
pub fn preflight(flow: &Flow, scope: &RunScope, view: &PreflightView<'_>) -> Vec<Blocker> {
    let planned = plan(flow, scope);
    let by_id: BTreeMap<&BlockId, &Block> = flow.blocks.iter().map(|b| (&b.id, b)).collect();
    // The blocks in the scope, and all the run touches. A flow that cannot be planned is
    // checked as written, so the person still hears about keys first.
    let (in_scope, touched): (Vec<&Block>, Vec<&Block>) = match &planned {
        Ok(p) => {
            let pick = |upstream: bool| {
                p.order
                    .iter()
                    .filter(|id| upstream || p.nodes.get(*id).is_some_and(|n| n.role != Role::Upstream))
                    .filter_map(|id| by_id.get(id).copied())
                    .collect::<Vec<_>>()
            };
            (pick(false), pick(true))
        }
        Err(_) => {
            let scoped: Vec<&Block> = match scope {
                RunScope::All => flow.blocks.iter().collect(),
                RunScope::Block(id) => by_id.get(id).copied().into_iter().collect(),
                RunScope::From(id) => {
                    graph::downstream(flow, id).iter().filter_map(|id| by_id.get(id).copied()).collect()
                }
            };
            (scoped, flow.blocks.iter().collect())
        }
    };
    let subs = reached_subflows(&touched, view.subflows);
    let sub_blocks = || subs.iter().flat_map(|f| f.blocks.iter());

    let mut blockers = Vec::new();
    let missing = missing_keys(in_scope.iter().copied().chain(sub_blocks()), view.has_key);
    if !missing.is_empty() {
        blockers.push(Blocker::MissingKeys(missing));
    }
    let models: Vec<(String, Option<u32>)> = browser_models(touched.iter().copied().chain(sub_blocks()))
        .into_iter()
        .filter(|(m, _)| !(view.model_ok)(m))
        .collect();
    if !models.is_empty() {
        blockers.push(Blocker::Download(models));
    }
    let hosts: BTreeSet<String> = touched
        .iter()
        .copied()
        .chain(sub_blocks())
        .filter_map(|b| match &b.config {
            BlockConfig::Tool(tool) => tool.http_host(),
            _ => None,
        })
        .filter(|h| !view.approved_hosts.contains(h))
        .collect();
    if !hosts.is_empty() {
        blockers.push(Blocker::UnapprovedHosts(hosts.into_iter().collect()));
    }
    if let Err(e) = planned {
        blockers.push(Blocker::CannotRun(e));
    }
    blockers
}

/// The saved flows the sub-flow tools and flow-bodied loops of `blocks` run, and the ones
/// those run in turn (each once; a flow missing from `saved` is the engine's to report).
fn reached_subflows<'a>(blocks: &[&Block], saved: &'a BTreeMap<String, Flow>) -> Vec<&'a Flow> {
    let mut todo: Vec<String> = blocks.iter().filter_map(|b| subflow_id(b)).collect();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut out = Vec::new();
    while let Some(id) = todo.pop() {
        if !seen.insert(id.clone()) {
            continue;
        }
        if let Some(flow) = saved.get(&id) {
            todo.extend(flow.blocks.iter().filter_map(subflow_id));
            out.push(flow);
        }
    }
    out
}

/// The flow a block runs as a sub-flow (a sub-flow tool, or a Loop with a flow body).
pub fn subflow_id(block: &Block) -> Option<String> {
    match &block.config {
        BlockConfig::Tool(t) => match &t.action {
            ToolAction::SubFlow(s) => Some(s.flow_id.clone()),
            _ => None,
        },
        BlockConfig::Loop(l) => match &l.body {
            LoopBody::Flow { flow_id, .. } => Some(flow_id.clone()),
            LoopBody::Prompt(_) => None,
        },
        _ => None,
    }
}

/// The providers `blocks` call that need a key `has_key` does not have, in block order, each
/// once: Prompts, model-mode Routers, and OpenAI for a moderation rule.
pub fn missing_keys<'a>(
    blocks: impl IntoIterator<Item = &'a Block>,
    has_key: &dyn Fn(ProviderKind) -> bool,
) -> Vec<ProviderKind> {
    let mut out: Vec<ProviderKind> = Vec::new();
    let mut need = |kind: Option<ProviderKind>| {
        if let Some(kind) = kind {
            if kind.needs_key() && !has_key(kind) && !out.contains(&kind) {
                out.push(kind);
            }
        }
    };
    for b in blocks {
        match &b.config {
            BlockConfig::Prompt(p) => need(ProviderKind::from_id(p.provider.trim())),
            BlockConfig::Router(r) => {
                // A moderation rule asks OpenAI (the sample moderation asks nobody).
                if r.uses_openai_moderation() {
                    need(Some(ProviderKind::OpenAi));
                }
                if r.mode == RouterMode::Model {
                    need(ProviderKind::from_id(r.provider.trim()));
                }
            }
            _ => {}
        }
    }
    out
}

/// The in-browser models `blocks` would load (to answer or to embed), each once, with their
/// download size in MB when known.
pub fn browser_models<'a>(blocks: impl IntoIterator<Item = &'a Block>) -> Vec<(String, Option<u32>)> {
    let mut out: Vec<(String, Option<u32>)> = Vec::new();
    for block in blocks {
        // Prompts answering in this browser, and Retrieve blocks embedding in it.
        let model = match &block.config {
            BlockConfig::Prompt(p) if ProviderKind::from_id(p.provider.trim()) == Some(ProviderKind::Browser) => {
                if p.model.trim().is_empty() {
                    LOCAL_MODELS[0].url
                } else {
                    p.model.trim()
                }
            }
            BlockConfig::Retrieve(r)
                if r.mode != RetrieveMode::Keyword
                    && ProviderKind::from_id(r.embed_provider.trim()) == Some(ProviderKind::Browser)
                    && !r.embed_model.trim().is_empty() =>
            {
                r.embed_model.trim()
            }
            _ => continue,
        };
        if !out.iter().any(|(m, _)| m == model) {
            let size = LOCAL_MODELS.iter().find(|m| m.url == model).map(|m| m.size_mb);
            out.push((model.to_string(), size));
        }
    }
    out
}
