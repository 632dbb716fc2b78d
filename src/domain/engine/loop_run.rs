//! Loop blocks: one child engine per item, at most `concurrency` at once.
//!
//! Each item runs as a small flow in a child engine (the sub-flow machinery in `subflow.rs`):
//! for a prompt body, an Input holding the item feeding a Prompt; for a flow body, the chosen
//! workspace flow with the item in one of its Input values. So every item's request gets the
//! same retry, timeout, cache and sample-answer rules as a Prompt block's. The parent checks
//! the budget before each item starts (the estimates of running items count as committed)
//! and hands the child what is left of it.
//!
//! A failed item does not stop the others. The loop ends Done when at least one item has a
//! result (with a note "3 of 40 failed."), Error when every item failed, Stopped on Stop or
//! when the budget runs out; in every case the results so far are joined on `results`.

use std::collections::BTreeMap;

use super::plan::cache_allowed;
use super::request::{build_chat, estimated_cost, format_usd};
use super::state::{BlockStatus, ItemRun, LoopRun, Usage};
use super::subflow::{result_of, Child, MAX_SUBFLOW_DEPTH};
use super::{Command, Engine, EngineConfig, Halt, RunCache, RunScope};
use crate::domain::blocks::loop_block::{LoopBody, LoopConfig, INDEX_VAR, ITEM_VAR, LIST_PORT, LOOP_OUTPUT_PORT};
use crate::domain::blocks::{BlockConfig, InputConfig, InputValue, PromptConfig};
use crate::domain::flow::{Block, BlockId, Edge, EdgeId, Flow, Point, PortRef};
use crate::domain::providers::ProviderKind;

/// The id of the Prompt block in a prompt body's item flow.
const BODY_BLOCK: &str = "body";
const VALUES_BLOCK: &str = "values";

/// A running Loop block's work.
pub(super) struct LoopJob {
    config: LoopConfig,
    /// The loop's input values (the list and the prompt's other variables).
    values: BTreeMap<String, String>,
    /// The next item to start.
    next: usize,
    /// Items running in child engines.
    active: usize,
    /// Set when the budget stopped further items: the sentence to end with.
    budget_stop: Option<String>,
}

/// A prompt body's item as a two-block flow: Input (item, index, other values) → Prompt.
pub(crate) fn prompt_item_flow(
    prompt: &PromptConfig,
    item: &str,
    index: usize,
    values: &BTreeMap<String, String>,
) -> Flow {
    let vars = prompt.variables();
    let mut input = InputConfig { values: Vec::new() };
    let mut edges = Vec::new();
    for var in &vars {
        let value = match var.as_str() {
            ITEM_VAR => item.to_string(),
            INDEX_VAR => (index + 1).to_string(),
            other => values.get(other).cloned().unwrap_or_default(),
        };
        input.values.push(InputValue { name: var.clone(), value, media: None });
        edges.push(Edge {
            id: EdgeId::new(format!("e-{var}")),
            from: PortRef::new(BlockId::new(VALUES_BLOCK), var.clone()),
            to: PortRef::new(BlockId::new(BODY_BLOCK), var.clone()),
        });
    }
    let mut flow = Flow::default();
    flow.meta.title = format!("Item {}", index + 1);
    flow.blocks.push(Block::new(BlockId::new(VALUES_BLOCK), "Item", Point::new(0.0, 0.0), BlockConfig::Input(input)));
    flow.blocks.push(Block::new(
        BlockId::new(BODY_BLOCK),
        "Prompt",
        Point::new(300.0, 0.0),
        BlockConfig::Prompt(prompt.clone()),
    ));
    flow.edges = edges;
    flow
}

/// A flow body's item: `flow` with the item in the Input value named `input` (the first
/// Input value when empty).
pub(crate) fn flow_with_item(mut flow: Flow, input: &str, item: &str) -> Result<Flow, String> {
    let title = flow.meta.title.clone();
    let wanted = input.trim();
    for block in &mut flow.blocks {
        if let BlockConfig::Input(cfg) = &mut block.config {
            if let Some(v) = cfg.values.iter_mut().find(|v| wanted.is_empty() || v.name == wanted) {
                v.value = item.to_string();
                v.media = None;
                return Ok(flow);
            }
        }
    }
    Err(if wanted.is_empty() {
        format!("The flow \u{201c}{title}\u{201d} has no Input block to put the item in.")
    } else {
        format!("The flow \u{201c}{title}\u{201d} has no Input value named \u{201c}{wanted}\u{201d}.")
    })
}

impl Engine {
    /// Starts a Loop block whose inputs are ready: splits the list into items.
    pub(super) fn resolve_loop(
        &mut self,
        id: &BlockId,
        config: LoopConfig,
        values: BTreeMap<String, String>,
        now: f64,
    ) {
        let Some(node) = self.nodes.get_mut(id) else { return };
        let list = values.get(LIST_PORT).map(String::as_str).unwrap_or_default();
        let items = match config.items(list) {
            Ok(items) => items,
            Err(e) => return node.finish(BlockStatus::Error, Some(e), now),
        };
        if let LoopBody::Prompt(p) = &config.body {
            if let Some(provider) = ProviderKind::from_id(&p.provider) {
                node.provider = Some(provider);
                node.run.trace.provider = Some(provider);
                node.run.trace.model = Some(p.model.clone());
            }
        }
        node.run.loop_run = Some(LoopRun {
            items: items
                .into_iter()
                .map(|input| ItemRun { input, status: BlockStatus::Queued, ..ItemRun::default() })
                .collect(),
            note: None,
        });
        node.looping = Some(LoopJob { config, values, next: 0, active: 0, budget_stop: None });
        node.phase = super::node::Phase::Looping;
        node.run.status = BlockStatus::Running;
    }

    /// Starts items while there is room, and finishes loops whose items are all done.
    /// Returns true when a loop finished (blocks after it may now run).
    pub(super) fn drive_loops(&mut self, now: f64, out: &mut Vec<Command>) -> bool {
        let looping: Vec<BlockId> =
            self.order.iter().filter(|id| self.nodes.get(*id).is_some_and(|n| n.looping.is_some())).cloned().collect();
        let mut finished = false;
        for id in looping {
            self.start_items(&id, now, out);
            finished |= self.finish_loop_if_done(&id, now);
        }
        finished
    }

    fn start_items(&mut self, id: &BlockId, now: f64, out: &mut Vec<Command>) {
        loop {
            let Some(node) = self.nodes.get(id) else { return };
            let Some(job) = node.looping.as_ref() else { return };
            let total = node.run.loop_run.as_ref().map_or(0, |l| l.items.len());
            let limit = (job.config.concurrency.max(1) as usize).min(self.config.concurrency_per_provider);
            if job.budget_stop.is_some() || job.next >= total || job.active >= limit {
                return;
            }
            if self.halt.is_some() {
                let message = super::schedule::budget_used_up();
                self.stop_remaining_items(id, message);
                return;
            }
            let index = job.next;
            let item = node.run.loop_run.as_ref().and_then(|l| l.items.get(index)).map(|i| i.input.clone());
            let Some(item) = item else { return };
            let (config, values, role) = (job.config.clone(), job.values.clone(), node.plan.role);
            if let Some(job) = self.nodes.get_mut(id).and_then(|n| n.looping.as_mut()) {
                job.next += 1;
            }
            // The budget: this item's expected cost on top of what is spent and in flight.
            if let (Some(budget), LoopBody::Prompt(p)) = (self.config.budget_usd, &config.body) {
                let estimate = ProviderKind::from_id(&p.provider).and_then(|provider| {
                    let lookup = item_lookup(&item, index, &values);
                    let chat = build_chat(p, provider, |n| lookup.get(n).map(String::as_str)).ok()?;
                    estimated_cost(&self.config.prices, provider, &chat)
                });
                let committed = self.committed_usd();
                if committed + estimate.unwrap_or(0.0) > budget + 1e-12 {
                    let message = format!(
                        "Stopped before item {}: it would pass the run's budget of {} (spent {}).",
                        index + 1,
                        format_usd(budget),
                        format_usd(committed)
                    );
                    self.halt = Some(Halt::Budget);
                    if let Some(job) = self.nodes.get_mut(id).and_then(|n| n.looping.as_mut()) {
                        job.next -= 1;
                    }
                    self.stop_remaining_items(id, message);
                    self.stop_ready(now);
                    return;
                }
            }
            self.start_item(id, index, &item, &config, &values, role, now, out);
        }
    }

    /// Marks the items not started as Stopped, and remembers why for the loop's message.
    fn stop_remaining_items(&mut self, id: &BlockId, message: String) {
        let Some(node) = self.nodes.get_mut(id) else { return };
        let Some(job) = node.looping.as_mut() else { return };
        let from = job.next;
        job.next = usize::MAX;
        job.budget_stop = Some(message);
        if let Some(l) = node.run.loop_run.as_mut() {
            for item in l.items.iter_mut().skip(from) {
                item.status = BlockStatus::Stopped;
                item.error = Some("Not run: the run's budget is used up.".to_string());
            }
        }
        self.changed.mark(id);
    }

    #[allow(clippy::too_many_arguments)]
    fn start_item(
        &mut self,
        id: &BlockId,
        index: usize,
        item: &str,
        config: &LoopConfig,
        values: &BTreeMap<String, String>,
        role: super::plan::Role,
        now: f64,
        out: &mut Vec<Command>,
    ) {
        let flow = match &config.body {
            LoopBody::Prompt(p) => Ok(prompt_item_flow(p, item, index, values)),
            LoopBody::Flow { flow_id, input } => {
                if self.config.depth + 1 >= MAX_SUBFLOW_DEPTH {
                    Err(format!(
                        "Flows can be nested {MAX_SUBFLOW_DEPTH} deep at most (does a flow loop over itself?)."
                    ))
                } else {
                    match self.config.subflows.get(flow_id) {
                        None => Err("The flow this loop runs is not in this workspace any more. Choose another one."
                            .to_string()),
                        Some(flow) => flow_with_item(flow.clone(), input, item),
                    }
                }
            }
        };
        let use_cache = cache_allowed(role, self.config.use_cache);
        let remaining = self.config.budget_usd.map(|b| (b - self.committed_usd()).max(0.0));
        let config =
            EngineConfig { depth: self.config.depth + 1, use_cache, budget_usd: remaining, ..self.config.clone() };
        let cache = if use_cache { self.cache.clone() } else { RunCache::new() };
        let started = flow.and_then(|flow| {
            Engine::start(&flow, RunScope::All, &cache, config, now)
                .map(|engine| (flow, engine))
                .map_err(|e| format!("The item cannot run: {e}"))
        });
        if let Some(job) = self.nodes.get_mut(id).and_then(|n| n.looping.as_mut()) {
            job.active += 1;
        }
        self.set_item(id, index, |it| it.status = BlockStatus::Running);
        match started {
            Ok((flow, engine)) => {
                let title = flow.meta.title.clone();
                let child = Child { engine: Box::new(engine), block: id.clone(), call: 0, title, item: Some(index) };
                self.launch_child(child, flow, now, out);
            }
            Err(e) => {
                self.set_item(id, index, |it| {
                    it.status = BlockStatus::Error;
                    it.error = Some(e);
                });
                if let Some(job) = self.nodes.get_mut(id).and_then(|n| n.looping.as_mut()) {
                    job.active = job.active.saturating_sub(1);
                }
            }
        }
    }

    fn set_item(&mut self, id: &BlockId, index: usize, f: impl FnOnce(&mut ItemRun)) {
        let item = self.nodes.get_mut(id).and_then(|n| n.run.loop_run.as_mut()).and_then(|l| l.items.get_mut(index));
        if let Some(item) = item {
            f(item);
            self.changed.mark(id);
        }
    }

    /// A child engine running one item finished: its result becomes the item's.
    pub(super) fn loop_item_finished(&mut self, id: &BlockId, index: usize, flow: &Flow, child: Engine) {
        let summary = child.summary();
        let cost = (!child.cost_unknown).then_some(child.spent_usd);
        let usage = Usage { input_tokens: Some(summary.input_tokens), output_tokens: Some(summary.output_tokens) };
        let body = BlockId::new(BODY_BLOCK);
        let prompt_body = flow.block(&body).is_some() && flow.blocks.len() == 2;
        let (status, output, error, attempts, sample) = if prompt_body {
            match child.block(&body) {
                Some(run) if run.status.has_result() => {
                    (run.status, run.output.clone(), None, run.attempts, run.sample)
                }
                Some(run) => (
                    BlockStatus::Error,
                    None,
                    Some(run.error.clone().unwrap_or_else(|| "The item failed.".to_string())),
                    run.attempts,
                    run.sample,
                ),
                None => (BlockStatus::Error, None, Some("The item did not run.".to_string()), 0, false),
            }
        } else {
            let result = result_of(flow, &child);
            let sample = child.blocks().any(|(_, r)| r.sample);
            if result.is_error {
                (BlockStatus::Error, None, Some(result.content), summary.calls as u32, sample)
            } else {
                (BlockStatus::Done, Some(result.content), None, summary.calls as u32, sample)
            }
        };
        // Answers worth keeping go into this run's cache writes.
        self.fresh.extend(child.fresh);
        self.hits.extend(child.hits);
        if let Some(job) = self.nodes.get_mut(id).and_then(|n| n.looping.as_mut()) {
            job.active = job.active.saturating_sub(1);
        }
        self.set_item(id, index, |it| {
            it.status = status;
            it.output = output;
            it.error = error;
            it.usage = usage;
            it.cost_usd = cost;
            it.attempts = attempts;
            it.sample = sample;
        });
        self.refresh_loop_totals(id);
    }

    /// The loop's tokens, cost and sample flag from its items so far.
    fn refresh_loop_totals(&mut self, id: &BlockId) {
        let Some(node) = self.nodes.get_mut(id) else { return };
        let Some(l) = node.run.loop_run.as_ref() else { return };
        let usage = l.items.iter().fold(Usage::default(), |acc, i| acc.plus(i.usage));
        let cost = l.items.iter().try_fold(0.0, |acc, i| i.cost_usd.map(|c| acc + c));
        let attempts = l.items.iter().map(|i| i.attempts).sum();
        let sample = l.items.iter().any(|i| i.sample);
        node.run.usage = usage;
        node.run.cost_usd = cost;
        node.run.attempts = attempts;
        node.run.sample = sample;
    }

    /// Ends a loop whose items are all finished. Returns true when it ended.
    fn finish_loop_if_done(&mut self, id: &BlockId, now: f64) -> bool {
        let Some(node) = self.nodes.get(id) else { return false };
        let Some(job) = node.looping.as_ref() else { return false };
        let total = node.run.loop_run.as_ref().map_or(0, |l| l.items.len());
        if job.active > 0 || (job.next < total && job.budget_stop.is_none()) {
            return false;
        }
        let budget_stop = job.budget_stop.clone();
        self.end_loop(id, budget_stop.map(|m| (BlockStatus::Stopped, m)), now);
        true
    }

    /// Joins the results so far and ends the loop: with `forced` (Stop, budget), or by how
    /// its items went.
    fn end_loop(&mut self, id: &BlockId, forced: Option<(BlockStatus, String)>, now: f64) {
        self.refresh_loop_totals(id);
        let Some(node) = self.nodes.get_mut(id) else { return };
        let Some(job) = node.looping.take() else { return };
        let Some(l) = node.run.loop_run.as_mut() else { return };
        let results: Vec<Option<String>> =
            l.items.iter().map(|i| if i.status.has_result() { i.output.clone() } else { None }).collect();
        let joined = job.config.join_results(&results);
        let (total, failed, ok) = (l.items.len(), l.failed(), l.succeeded());
        let (status, error) = match forced {
            Some((status, message)) => {
                (status, Some(format!("{message} {ok} of {total} items have results; they are kept.")))
            }
            None if total > 0 && ok == 0 => {
                let first = l.items.iter().find_map(|i| i.error.clone()).unwrap_or_default();
                (BlockStatus::Error, Some(format!("All {total} items failed. The first: {first}")))
            }
            None => {
                if failed > 0 {
                    l.note = Some(format!("{failed} of {total} failed."));
                } else if total == 0 {
                    l.note = Some("The list is empty: nothing to run.".to_string());
                }
                (BlockStatus::Done, None)
            }
        };
        node.run.output = Some(joined.clone());
        node.run.outputs = BTreeMap::from([(LOOP_OUTPUT_PORT.to_string(), joined)]);
        node.finish(status, error, now);
        self.changed.mark(id);
    }

    /// Stop: items running or waiting become Stopped, and each loop ends with the results
    /// it has (child engines are stopped by `stop_children`).
    pub(super) fn stop_loops(&mut self, now: f64) {
        let looping: Vec<BlockId> =
            self.nodes.iter().filter(|(_, n)| n.looping.is_some()).map(|(id, _)| id.clone()).collect();
        for id in looping {
            if let Some(l) = self.nodes.get_mut(&id).and_then(|n| n.run.loop_run.as_mut()) {
                for item in l.items.iter_mut().filter(|i| !i.status.is_terminal()) {
                    item.status = BlockStatus::Stopped;
                    item.error = Some("Stopped.".to_string());
                }
            }
            self.end_loop(&id, Some((BlockStatus::Stopped, "Stopped.".to_string())), now);
        }
    }
}

/// The values a prompt body sees for one item.
fn item_lookup(item: &str, index: usize, values: &BTreeMap<String, String>) -> BTreeMap<String, String> {
    let mut lookup = values.clone();
    lookup.insert(ITEM_VAR.to_string(), item.to_string());
    lookup.insert(INDEX_VAR.to_string(), (index + 1).to_string());
    lookup
}
