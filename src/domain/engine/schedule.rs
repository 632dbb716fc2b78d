//! Moving blocks forward: resolving blocks whose inputs are ready, sending requests within
//! the concurrency limit and the budget, timeouts, and asking to be woken up.

use std::collections::{BTreeMap, HashMap};

use super::cache::{request_key, CachedOutput};
use super::events::apply_stream_event;
use super::media::{attach_media, transcription_chat};
use super::node::{InFlight, Phase};
use super::plan::{cache_allowed, NodeKind};
use super::request::{build_chat_with_history, estimated_cost, format_usd};
use super::retry::format_secs;
use super::state::BlockStatus;
use super::trace::RawCapture;
use super::{agent, Command, Engine, Halt};
use crate::domain::blocks::output::OUTPUT_INPUT_PORT;
use crate::domain::blocks::prompt::PROMPT_OUTPUT_PORT;
use crate::domain::blocks::tool::TOOL_OUTPUT_PORT;
use crate::domain::blocks::transcribe::AUDIO_PORT;
use crate::domain::flow::BlockId;
use crate::domain::providers::{
    parser_for, sample_chat_reply, sample_reply, stream_parser, text_chunks, ChatRequest, ProviderKind,
};

/// How a block's inputs stand.
enum Upstream {
    Ready,
    Pending,
    Failed {
        root: String,
    },
    /// A branch before it was not taken (a Router chose another route, an Approval was
    /// rejected): the sentence to show.
    NotTaken {
        reason: String,
    },
    Stopped,
}

impl Engine {
    /// One scheduling pass; `poll`, `on_event` and the events themselves end here.
    pub(super) fn step(&mut self, now: f64, out: &mut Vec<Command>) {
        if self.wake_pending.is_some_and(|t| t <= now) {
            self.wake_pending = None;
        }
        self.expire_timeouts(now, out);
        // Demo agents answer inside `dispatch`, and their next step is ready at once; a few
        // passes finish them without waiting for an event that would never come.
        for _ in 0..1_000 {
            self.advance(now);
            out.append(&mut self.pending_commands);
            let looped = self.drive_loops(now, out);
            if !self.dispatch(now, out) && !looped {
                break;
            }
        }
        if self.finished_ms.is_none() && self.is_finished() {
            self.finished_ms = Some(now);
        }
        self.schedule_wake(now, out);
    }

    /// Resolves every waiting block whose inputs are settled. One pass in dependency order
    /// is enough, since a block's inputs come before it.
    fn advance(&mut self, now: f64) {
        for i in 0..self.order.len() {
            let Some(id) = self.order.get(i) else {
                continue;
            };
            if !matches!(self.nodes.get(id).map(|n| n.phase), Some(Phase::Waiting)) {
                continue;
            }
            let state = self.upstream(id);
            if matches!(state, Upstream::Pending) {
                continue;
            }
            let id = id.clone();
            match state {
                Upstream::Pending => {}
                Upstream::Ready => self.resolve(&id, now),
                Upstream::Failed { root } => {
                    if let Some(node) = self.nodes.get_mut(&id) {
                        node.finish(BlockStatus::Skipped, Some(format!("Skipped: {root} failed.")), now);
                        node.skip_root = Some(root);
                    }
                    self.changed.mark(&id);
                }
                Upstream::NotTaken { reason } => {
                    if let Some(node) = self.nodes.get_mut(&id) {
                        node.finish(BlockStatus::Skipped, Some(reason.clone()), now);
                        node.run.branch_not_taken = true;
                        node.not_taken = Some(reason);
                    }
                    self.changed.mark(&id);
                }
                Upstream::Stopped => {
                    if let Some(node) = self.nodes.get_mut(&id) {
                        node.finish(BlockStatus::Stopped, Some("Stopped before it ran.".to_string()), now);
                    }
                    self.changed.mark(&id);
                }
            }
        }
    }

    fn upstream(&self, id: &BlockId) -> Upstream {
        let Some(node) = self.nodes.get(id) else {
            return Upstream::Pending;
        };
        // Each port's sources: a merging port (an Output after a Router) is ready when any
        // source delivered and none is still running; a plain port has one source.
        let mut ports: Vec<(&str, Vec<Upstream>)> = Vec::new();
        for (port, from) in &node.plan.inputs {
            let state = self.source_state(from);
            match ports.iter_mut().find(|(p, _)| *p == port.as_str()) {
                Some((_, states)) => states.push(state),
                None => ports.push((port.as_str(), vec![state])),
            }
        }
        let mut state = Upstream::Ready;
        for (_, sources) in ports {
            let port_state = if sources.iter().any(|s| matches!(s, Upstream::Pending)) {
                Upstream::Pending
            } else if sources.iter().any(|s| matches!(s, Upstream::Ready)) {
                Upstream::Ready
            } else {
                // Nothing arrived: the most serious reason wins.
                let mut worst = Upstream::Ready;
                for s in sources {
                    worst = match (worst, s) {
                        (w @ Upstream::Failed { .. }, _) => w,
                        (_, s @ Upstream::Failed { .. }) => s,
                        (w @ Upstream::NotTaken { .. }, _) => w,
                        (_, s @ Upstream::NotTaken { .. }) => s,
                        (_, s) => s,
                    };
                }
                worst
            };
            match port_state {
                Upstream::Failed { .. } | Upstream::NotTaken { .. } => return port_state,
                Upstream::Stopped => state = Upstream::Stopped,
                Upstream::Pending if matches!(state, Upstream::Ready) => state = Upstream::Pending,
                _ => {}
            }
        }
        state
    }

    /// How one connection into a block stands.
    fn source_state(&self, from: &crate::domain::flow::PortRef) -> Upstream {
        let Some(dep) = self.nodes.get(&from.block) else {
            return Upstream::Failed { root: from.block.to_string() };
        };
        match dep.run.status {
            s if s.has_result() => match super::control::not_taken(dep, &from.port) {
                Some(reason) => Upstream::NotTaken { reason },
                None => Upstream::Ready,
            },
            BlockStatus::Error => Upstream::Failed { root: dep.plan.title.clone() },
            BlockStatus::Skipped => match &dep.not_taken {
                Some(reason) => Upstream::NotTaken { reason: reason.clone() },
                None => Upstream::Failed { root: dep.skip_root.clone().unwrap_or_else(|| dep.plan.title.clone()) },
            },
            BlockStatus::Stopped => Upstream::Stopped,
            _ => Upstream::Pending,
        }
    }

    /// The values on a block's input ports, from its upstream blocks' outputs.
    fn input_values(&self, id: &BlockId) -> BTreeMap<String, String> {
        let mut values = BTreeMap::new();
        if let Some(node) = self.nodes.get(id) {
            for (port, from) in &node.plan.inputs {
                let value = self.nodes.get(&from.block).and_then(|dep| dep.run.outputs.get(&from.port));
                if let Some(v) = value {
                    values.entry(port.clone()).or_insert_with(|| v.clone());
                }
            }
        }
        values
    }

    /// Whether the value on an Output block's input is a sample answer.
    fn upstream_sample(&self, id: &BlockId) -> bool {
        self.nodes.get(id).is_some_and(|node| {
            node.plan.inputs.iter().any(|(port, from)| {
                port == OUTPUT_INPUT_PORT
                    && self
                        .nodes
                        .get(&from.block)
                        .is_some_and(|dep| dep.run.sample && dep.run.outputs.contains_key(&from.port))
            })
        })
    }

    /// Whether any value reaching the block is a sample answer (a Router, Transform or
    /// Approval passes sample text on, and says so).
    fn any_upstream_sample(&self, id: &BlockId) -> bool {
        self.nodes.get(id).is_some_and(|node| {
            node.plan.inputs.iter().any(|(_, from)| {
                self.nodes
                    .get(&from.block)
                    .is_some_and(|dep| dep.run.sample && dep.run.outputs.contains_key(&from.port))
            })
        })
    }

    /// Runs a block whose inputs are ready: inputs and outputs complete at once, prompts are
    /// served from the cache, answered by the demo, or queued for sending.
    fn resolve(&mut self, id: &BlockId, now: f64) {
        let values = self.input_values(id);
        let tools = self.connected_tools(id);
        let upstream_sample = self.upstream_sample(id);
        let passes_sample = self.any_upstream_sample(id);
        let halted = self.halt.is_some();
        let Some(node) = self.nodes.get_mut(id) else {
            return;
        };
        self.changed.mark(id);
        node.run.started_ms = Some(now);
        match node.plan.kind.clone() {
            NodeKind::Input(cfg) => {
                node.run.outputs = cfg.values.iter().map(|v| (v.name.clone(), v.value.clone())).collect();
                node.run.output = cfg.values.first().map(|v| v.value.clone());
                node.finish(BlockStatus::Done, None, now);
            }
            NodeKind::Output => {
                node.run.output = values.get(OUTPUT_INPUT_PORT).cloned();
                node.run.sample = upstream_sample;
                node.finish(BlockStatus::Done, None, now);
            }
            NodeKind::Inert(reason) => node.finish(BlockStatus::Skipped, Some(reason), now),
            NodeKind::Retrieve(cfg) => self.resolve_retrieve(id, cfg, &values, now),
            NodeKind::Loop(cfg) => self.resolve_loop(id, cfg, values, now),
            NodeKind::Tool(cfg) => {
                node.run.outputs = BTreeMap::from([(TOOL_OUTPUT_PORT.to_string(), cfg.name.clone())]);
                node.finish(BlockStatus::Done, None, now);
            }
            NodeKind::Prompt(cfg) => {
                let Some(provider) = take_provider(node, &cfg.provider, now) else { return };
                if provider == ProviderKind::Demo {
                    node.sample_values = values.clone();
                }
                let history = match (cfg.conversation, &self.config.conversation) {
                    (Some(memory), Some(c)) => crate::domain::conversation::history_for(&c.turns, id, memory),
                    _ => Vec::new(),
                };
                let built = build_chat_with_history(&cfg, provider, |n| values.get(n).map(String::as_str), &history)
                    .map_err(|e| e.to_string())
                    .and_then(|mut chat| {
                        attach_media(&mut chat, provider, self.config.media.as_deref()).map(|()| chat)
                    });
                let mut chat = match built {
                    Ok(chat) => chat,
                    Err(e) => {
                        node.finish(BlockStatus::Error, Some(e), now);
                        return;
                    }
                };
                if self.config.redact_personal_data && super::redaction::leaves_the_browser(provider) {
                    super::redaction::redact_chat(&mut self.redactor, &mut chat);
                }
                if !tools.is_empty() {
                    match agent::tool_specs(&tools) {
                        Ok(specs) => chat.tools = specs,
                        Err(e) => {
                            node.finish(BlockStatus::Error, Some(e), now);
                            return;
                        }
                    }
                    chat.tool_choice = cfg.tool_choice.clone();
                    node.tools = tools;
                    node.run.max_steps = Some(cfg.max_steps.max(1));
                    node.run.trace.model = Some(chat.model.clone());
                    node.run.trace.chat = Some(chat);
                    // Tools act on the world (and HTTP tools reach other hosts), so an agent
                    // always runs: it is never served from the cache.
                    node.phase = Phase::Ready { not_before: now };
                    if halted {
                        node.finish(BlockStatus::Stopped, Some(budget_used_up()), now);
                    }
                    return;
                }
                self.queue_call(id, provider, chat, now);
            }
            NodeKind::Router(cfg) => {
                node.run.sample = passes_sample;
                self.resolve_router(id, cfg, &values, now)
            }
            NodeKind::Transform(cfg) => {
                node.run.sample = passes_sample;
                self.resolve_transform(id, &cfg, &values, now)
            }
            NodeKind::Approval => {
                node.run.sample = passes_sample;
                self.resolve_approval(id, &values, now)
            }
            NodeKind::Transcribe(cfg) => {
                let Some(provider) = take_provider(node, &cfg.provider, now) else { return };
                let audio = values.get(AUDIO_PORT).map_or("", String::as_str);
                match transcription_chat(&cfg, provider, audio, self.config.media.as_deref()) {
                    Ok(chat) => self.queue_call(id, provider, chat, now),
                    Err(e) => node.finish(BlockStatus::Error, Some(e), now),
                }
            }
        }
    }

    /// A model call that is ready: served from the cache, answered by the demo, or queued
    /// to be sent (Prompts without tools and Transcribe blocks).
    pub(super) fn queue_call(&mut self, id: &BlockId, provider: ProviderKind, chat: ChatRequest, now: f64) {
        let use_cache = self.config.use_cache;
        let halted = self.halt.is_some();
        let Some(node) = self.nodes.get_mut(id) else {
            return;
        };
        let key = request_key(provider, &chat);
        node.run.cache_key = Some(key);
        node.run.trace.model = Some(chat.model.clone());
        node.run.trace.chat = Some(chat.clone());
        let hit = if provider != ProviderKind::Demo && cache_allowed(node.plan.role, use_cache) {
            self.cache.get(key).cloned()
        } else {
            None
        };
        if let Some(hit) = hit {
            node.run.output = Some(hit.output.clone());
            node.run.outputs = BTreeMap::from([(PROMPT_OUTPUT_PORT.to_string(), hit.output)]);
            node.run.usage.input_tokens = hit.input_tokens;
            node.run.usage.output_tokens = hit.output_tokens;
            node.run.cost_usd = Some(0.0);
            node.finish(BlockStatus::Cached, None, now);
            super::control::settle_route(node);
            self.hits.push(key);
        } else if provider == ProviderKind::Demo {
            complete_demo(node, &chat, now);
        } else if halted {
            node.finish(BlockStatus::Stopped, Some(budget_used_up()), now);
        } else {
            node.phase = Phase::Ready { not_before: now };
        }
    }

    /// Sends every due request that fits within the concurrency limit and the budget.
    /// Returns true when a demo agent answered a step (its next step may be ready).
    fn dispatch(&mut self, now: f64, out: &mut Vec<Command>) -> bool {
        let mut progressed = false;
        let mut busy: HashMap<ProviderKind, usize> = HashMap::new();
        for r in self.requests.values() {
            *busy.entry(r.provider).or_insert(0) += 1;
        }
        *busy.entry(ProviderKind::OpenAi).or_insert(0) += self.moderation_requests.len();
        for i in 0..self.order.len() {
            if self.halt.is_some() {
                break;
            }
            let Some(id) = self.order.get(i) else {
                continue;
            };
            let Some(node) = self.nodes.get(id) else {
                continue;
            };
            if matches!(node.phase, Phase::Moderate { not_before } if not_before <= now) {
                let openai = ProviderKind::OpenAi;
                if busy.get(&openai).copied().unwrap_or(0) < self.config.concurrency_per_provider {
                    *busy.entry(openai).or_insert(0) += 1;
                    let id = id.clone();
                    self.send_moderation(&id, now, out);
                }
                continue;
            }
            if !matches!(node.phase, Phase::Ready { not_before } if not_before <= now) {
                continue;
            }
            let Some(provider) = node.provider else {
                continue;
            };
            if provider == ProviderKind::Demo {
                let id = id.clone();
                self.demo_agent_step(&id, now, out);
                progressed = true;
                continue;
            }
            if busy.get(&provider).copied().unwrap_or(0) >= self.config.concurrency_per_provider {
                continue;
            }
            let Some(chat) = node.run.trace.chat.clone() else {
                continue;
            };
            let id = id.clone();
            let estimate = estimated_cost(&self.config.prices, provider, &chat);
            if let Some(budget) = self.config.budget_usd {
                let committed = self.committed_usd();
                if committed + estimate.unwrap_or(0.0) > budget + 1e-12 {
                    let msg = format!(
                        "Stopped before this call: it would pass the run's budget of {} (spent {}).",
                        format_usd(budget),
                        format_usd(committed)
                    );
                    if let Some(node) = self.nodes.get_mut(&id) {
                        node.finish(BlockStatus::Error, Some(msg), now);
                    }
                    self.changed.mark(&id);
                    self.halt = Some(Halt::Budget);
                    break;
                }
            }
            *busy.entry(provider).or_insert(0) += 1;
            self.send(&id, provider, chat, estimate, now, out);
        }
        if self.halt == Some(Halt::Budget) {
            self.stop_ready(now);
        }
        progressed
    }

    fn send(
        &mut self,
        id: &BlockId,
        provider: ProviderKind,
        chat: ChatRequest,
        estimate: Option<f64>,
        now: f64,
        out: &mut Vec<Command>,
    ) {
        let Some(node) = self.nodes.get_mut(id) else {
            return;
        };
        let request = self.next_request;
        self.next_request = self.next_request.saturating_add(1);
        self.calls += 1;
        node.run.attempts = node.run.attempts.saturating_add(1);
        if node.run.attempts > 1 {
            node.run.trace.push_raw(&format!("\n--- attempt {} ---\n", node.run.attempts));
        }
        node.phase = Phase::InFlight(request);
        node.run.status = BlockStatus::Running;
        // Usage events carry this request's totals; `settle` adds them to the block's.
        node.run.usage = Default::default();
        // An agent's later steps keep the first send time, so time to first token stays
        // the time to the first step's first token.
        let later_step = node.is_agent() && !node.run.steps.is_empty() && !node.step_open;
        if !later_step {
            node.run.sent_ms = Some(now);
        }
        if node.is_agent() {
            node.open_step();
        }
        node.run.retry_at_ms = None;
        node.run.error = None;
        node.run.started_ms.get_or_insert(now);
        node.reserved_usd = estimate.unwrap_or(0.0);
        self.changed.mark(id);
        self.requests.insert(
            request,
            InFlight {
                block: id.clone(),
                provider,
                parser: parser_for(provider, &chat),
                deadline: now + self.config.timeout_ms,
                got_bytes: false,
                raw: RawCapture::default(),
            },
        );
        out.push(Command::Send { request, block: id.clone(), provider, chat });
    }

    /// Money spent plus the estimates of calls still in flight, sub-flows and loop items
    /// included.
    pub(super) fn committed_usd(&self) -> f64 {
        self.spent_usd
            + self.nodes.values().map(|n| n.reserved_usd).sum::<f64>()
            + self.children.values().map(|c| c.engine.committed_usd()).sum::<f64>()
    }

    /// After the budget ran out: blocks waiting to send are stopped.
    pub(super) fn stop_ready(&mut self, now: f64) {
        for (id, node) in self.nodes.iter_mut() {
            if matches!(node.phase, Phase::Ready { .. } | Phase::Moderate { .. }) {
                node.finish(BlockStatus::Stopped, Some(budget_used_up()), now);
                self.changed.mark(id);
            }
        }
    }

    /// Cancels requests that received nothing for `timeout_ms`.
    fn expire_timeouts(&mut self, now: f64, out: &mut Vec<Command>) {
        let expired: Vec<_> = self.requests.iter().filter(|(_, r)| r.deadline <= now).map(|(id, _)| *id).collect();
        let secs = format_secs(self.config.timeout_ms);
        let expired_tools: Vec<_> =
            self.tool_requests.iter().filter(|(_, r)| r.deadline <= now).map(|(id, _)| *id).collect();
        let expired_embeds: Vec<_> =
            self.embed_requests.iter().filter(|(_, r)| r.deadline <= now).map(|(id, _)| *id).collect();
        self.expire_moderation(now, &secs, out);
        for request in expired_embeds {
            out.push(Command::Cancel { request });
            self.on_embeddings_failed(request, &format!("No response within {secs} s"), now);
        }
        for request in expired_tools {
            out.push(Command::Cancel { request });
            let message = format!("No response within {secs} s.");
            self.on_tool_failed(request, &message, now);
        }
        for request in expired {
            out.push(Command::Cancel { request });
            let Some(mut r) = self.requests.remove(&request) else {
                continue;
            };
            let had_text = self.nodes.get(&r.block).is_some_and(|n| n.has_text());
            let msg = if had_text {
                format!("No new text for {secs} s: the request was stopped. The text so far is kept.")
            } else {
                format!(
                    "No answer after {secs} s: the request was stopped. Try again, or raise the \
                     timeout in Settings."
                )
            };
            self.settle(&mut r);
            if let Some(node) = self.nodes.get_mut(&r.block) {
                node.run.incomplete = had_text;
                node.finish(BlockStatus::Error, Some(msg), now);
            }
            self.changed.mark(&r.block);
        }
    }

    /// Asks to be woken for the next retry or timeout, unless an earlier wake-up is pending.
    fn schedule_wake(&mut self, now: f64, out: &mut Vec<Command>) {
        let retries = self.nodes.values().filter_map(|n| match n.phase {
            Phase::Ready { not_before } | Phase::Moderate { not_before } if not_before > now => Some(not_before),
            _ => None,
        });
        let deadlines = self
            .requests
            .values()
            .map(|r| r.deadline)
            .chain(self.tool_requests.values().map(|r| r.deadline))
            .chain(self.embed_requests.values().map(|r| r.deadline))
            .chain(self.moderation_requests.values().map(|r| r.deadline));
        let next = retries.chain(deadlines).fold(None, |acc: Option<f64>, t| Some(acc.map_or(t, |a| a.min(t))));
        if let Some(at_ms) = next {
            if self.wake_pending.is_none_or(|p| at_ms < p) {
                self.wake_pending = Some(at_ms);
                out.push(Command::WakeAt { at_ms });
            }
        }
    }

    /// Stops everything: cancels requests in flight and stops blocks not finished.
    pub(super) fn stop_all(&mut self, now: f64, out: &mut Vec<Command>) {
        self.stop_loops(now);
        self.stop_children(now, out);
        let embeds = std::mem::take(&mut self.embed_requests).into_keys();
        let moderations = std::mem::take(&mut self.moderation_requests).into_keys();
        for request in std::mem::take(&mut self.tool_requests).into_keys().chain(embeds).chain(moderations) {
            out.push(Command::Cancel { request });
        }
        let requests = std::mem::take(&mut self.requests);
        for (request, mut r) in requests {
            out.push(Command::Cancel { request });
            self.settle(&mut r);
            if let Some(node) = self.nodes.get_mut(&r.block) {
                let had_text = node.has_text();
                node.run.incomplete = had_text;
                let msg =
                    if had_text { "Stopped. The text so far is kept." } else { "Stopped before an answer arrived." };
                node.finish(BlockStatus::Stopped, Some(msg.to_string()), now);
            }
            self.changed.mark(&r.block);
        }
        for (id, node) in self.nodes.iter_mut() {
            if matches!(node.phase, Phase::Awaiting) {
                node.finish(BlockStatus::Stopped, Some("Stopped while waiting for approval.".to_string()), now);
                self.changed.mark(id);
            } else if !matches!(node.phase, Phase::Finished) {
                node.finish(BlockStatus::Stopped, Some("Stopped before it ran.".to_string()), now);
                self.changed.mark(id);
            }
        }
        self.halt = Some(Halt::Stopped);
        self.wake_pending = None;
        if self.finished_ms.is_none() {
            self.finished_ms = Some(now);
        }
    }

    /// Ends a request's accounting: flushes the raw text and counts what it cost.
    pub(super) fn settle(&mut self, r: &mut InFlight) {
        let Some(node) = self.nodes.get_mut(&r.block) else {
            return;
        };
        r.raw.flush(&mut node.run.trace);
        node.reserved_usd = 0.0;
        let cost = match (r.got_bytes, node.run.trace.chat.as_ref()) {
            (true, Some(chat)) => super::request::actual_cost(
                &self.config.prices,
                r.provider,
                chat,
                node.run.usage.input_tokens,
                node.run.usage.output_tokens,
                node.run.output.as_deref().unwrap_or_default(),
            ),
            _ => Some(0.0),
        };
        match cost {
            Some(c) => {
                self.spent_usd += c;
                node.run.cost_usd = Some(node.run.cost_usd.unwrap_or(0.0) + c);
            }
            None => {
                self.cost_unknown = true;
                node.run.cost_usd = None;
            }
        }
        node.usage_done = node.usage_done.plus(node.run.usage);
        node.run.usage = node.usage_done;
    }

    /// Records a finished answer for the cache.
    pub(super) fn remember(&mut self, id: &BlockId) {
        let Some(node) = self.nodes.get(id) else {
            return;
        };
        if node.provider == Some(ProviderKind::Demo) || node.run.incomplete {
            return;
        }
        if let (Some(key), Some(output)) = (node.run.cache_key, node.run.output.clone()) {
            self.fresh.push((
                key,
                CachedOutput {
                    output,
                    input_tokens: node.run.usage.input_tokens,
                    output_tokens: node.run.usage.output_tokens,
                },
            ));
        }
    }
}

/// The block's provider, recorded on it and its trace; an unknown id ends the block.
pub(super) fn take_provider(node: &mut super::node::Node, id: &str, now: f64) -> Option<ProviderKind> {
    let Some(provider) = ProviderKind::from_id(id) else {
        node.finish(BlockStatus::Error, Some(format!("Unknown provider \u{201c}{id}\u{201d}.")), now);
        return None;
    };
    node.provider = Some(provider);
    node.run.trace.provider = Some(provider);
    Some(provider)
}

pub(super) fn budget_used_up() -> String {
    "Stopped: the run's budget is used up.".to_string()
}

/// Sample answers come at once, through the same parser path as real replies. An answer
/// that must match a JSON Schema and does not (a hand-written rule) fails the block, as a
/// model's would.
fn complete_demo(node: &mut super::node::Node, chat: &ChatRequest, now: f64) {
    let (rules, schema, chat_examples) = match &node.plan.kind {
        NodeKind::Prompt(cfg) => (
            cfg.sample_answers.clone(),
            match &cfg.output_format {
                crate::domain::json_schema::OutputFormat::JsonSchema { schema } => Some(schema.clone()),
                _ => None,
            },
            cfg.conversation.map(|_| cfg.examples.len()),
        ),
        _ => (Vec::new(), None, None),
    };
    let (text, rule) = match &node.plan.kind {
        NodeKind::Router(cfg) => {
            let input = node.held_value.as_deref().unwrap_or_default();
            (crate::domain::sample::route_answer(&cfg.route_names(), &cfg.instructions, input), None)
        }
        _ => match chat_examples {
            Some(examples) => sample_chat_reply(chat, &rules, &node.sample_values, examples),
            None => sample_reply(chat, &rules, &node.sample_values),
        },
    };
    node.run.sample = true;
    node.run.sample_rule = rule;
    let mut parser = stream_parser(ProviderKind::Demo);
    let mut events = Vec::new();
    for chunk in text_chunks(&text) {
        node.run.trace.push_raw(&chunk);
        events.extend(parser.feed(chunk.as_bytes()));
    }
    events.extend(parser.finish());
    for event in events {
        // The demo parser never reports errors.
        let _ = apply_stream_event(&mut node.run, event, now);
    }
    let output = node.run.output.clone().unwrap_or_default();
    node.run.output = Some(output.clone());
    node.run.outputs = BTreeMap::from([(PROMPT_OUTPUT_PORT.to_string(), output)]);
    node.run.attempts = 1;
    node.run.sent_ms = Some(now);
    node.run.cost_usd = Some(0.0);
    if let Some(schema) = schema {
        let errors = super::structured::structured_errors(node.run.output.as_deref().unwrap_or_default(), &schema);
        if !errors.is_empty() {
            let which = rule.map_or_else(|| "The sample answer".to_string(), |i| format!("Sample answer {}", i + 1));
            let shown: Vec<&str> = errors.iter().take(3).map(String::as_str).collect();
            node.finish(
                BlockStatus::Error,
                Some(format!("{which} does not match the JSON Schema: {}", shown.join(" "))),
                now,
            );
            node.run.schema_errors = errors;
            return;
        }
    }
    node.finish(BlockStatus::Done, None, now);
    super::control::settle_route(node);
}
