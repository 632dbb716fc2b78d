//! A Router's "Flagged by OpenAI moderation" rule: the request to OpenAI's moderation endpoint
//! goes out as [`Command::Moderate`], like a Prompt's call (concurrency per provider,
//! retries with backoff, the timeout, the trace with the key hidden). It costs nothing, so
//! the budget only stops it when the run's budget is already used up. The sample moderation
//! (no key) never gets here: `RouterConfig::choose_step` answers it at once.

use std::collections::BTreeMap;

use super::node::Phase;
use super::plan::NodeKind;
use super::retry;
use super::state::BlockStatus;
use super::{Command, Engine, Event, RequestId};
use crate::domain::flow::BlockId;
use crate::domain::providers::moderation::MODERATION_MODEL;
use crate::domain::providers::{classify_http_error, parse_moderation, ProviderError, ProviderKind};

/// One moderation request in flight.
pub(super) struct ModerationInFlight {
    pub(super) block: BlockId,
    pub(super) deadline: f64,
}

impl Engine {
    /// A rules-mode Router reached a moderation rule: its request waits for a free slot.
    pub(super) fn queue_moderation(&mut self, id: &BlockId, now: f64) {
        let halted = self.halt.is_some();
        let Some(node) = self.nodes.get_mut(id) else { return };
        node.provider = Some(ProviderKind::OpenAi);
        node.run.trace.provider = Some(ProviderKind::OpenAi);
        node.run.trace.model = Some(MODERATION_MODEL.to_string());
        if halted {
            node.finish(BlockStatus::Stopped, Some(super::schedule::budget_used_up()), now);
            return;
        }
        node.run.status = BlockStatus::Queued;
        node.phase = Phase::Moderate { not_before: now };
    }

    /// Sends the moderation request of `id` (a slot is free).
    pub(super) fn send_moderation(&mut self, id: &BlockId, now: f64, out: &mut Vec<Command>) {
        let redact = self.config.redact_personal_data;
        let Some(node) = self.nodes.get_mut(id) else { return };
        let mut input = node.held_value.clone().unwrap_or_default();
        if redact {
            input = self.redactor.redact(&input);
        }
        let request = self.next_request;
        self.next_request = self.next_request.saturating_add(1);
        self.calls += 1;
        node.run.attempts = node.run.attempts.saturating_add(1);
        if node.run.attempts > 1 {
            node.run.trace.push_raw(&format!("\n--- attempt {} ---\n", node.run.attempts));
        }
        node.phase = Phase::Moderating(request);
        node.run.status = BlockStatus::Running;
        node.run.sent_ms.get_or_insert(now);
        node.run.retry_at_ms = None;
        node.run.error = None;
        self.changed.mark(id);
        let deadline = now + self.config.timeout_ms;
        self.moderation_requests.insert(request, ModerationInFlight { block: id.clone(), deadline });
        out.push(Command::Moderate { request, block: id.clone(), input });
    }

    /// What happened to a moderation request.
    pub(super) fn on_moderation_event(&mut self, event: Event, now: f64) {
        let request = event.request();
        match event {
            Event::Sent { redacted, .. } => {
                let Some(r) = self.moderation_requests.get(&request) else { return };
                let block = r.block.clone();
                if let Some(node) = self.nodes.get_mut(&block) {
                    node.run.trace.sent.push(redacted.redacted());
                }
                self.changed.mark(&block);
            }
            Event::ToolResponse { status, body, .. } if (200..300).contains(&status) => {
                let Some(r) = self.moderation_requests.remove(&request) else { return };
                self.moderated(&r.block, &body, now);
            }
            Event::ToolResponse { status, body, .. } => {
                let error = classify_http_error(ProviderKind::OpenAi, status, &body, None);
                self.moderation_failed(request, error, Some(status), &format!("HTTP {status}\n{body}\n"), now);
            }
            Event::HttpError { status, body, retry_after, .. } => {
                let error = classify_http_error(ProviderKind::OpenAi, status, &body, retry_after.as_deref());
                self.moderation_failed(request, error, Some(status), &format!("HTTP {status}\n{body}\n"), now);
            }
            Event::NetworkError { message, .. } | Event::ToolFailed { message, .. } => {
                let url = self
                    .moderation_requests
                    .get(&request)
                    .and_then(|r| self.nodes.get(&r.block))
                    .and_then(|n| n.run.trace.sent.last().map(|s| s.url.clone()))
                    .unwrap_or_else(|| format!("{}/moderations", ProviderKind::OpenAi.default_base_url()));
                let error = ProviderError::unreachable(ProviderKind::OpenAi, &url);
                self.moderation_failed(request, error, None, &format!("[network error: {}]\n", message.trim()), now);
            }
            Event::Aborted { .. } => {
                let Some(r) = self.moderation_requests.remove(&request) else { return };
                if let Some(node) = self.nodes.get_mut(&r.block) {
                    node.finish(BlockStatus::Stopped, Some("The request was cancelled.".to_string()), now);
                }
                self.changed.mark(&r.block);
            }
            // Streams and approvals never belong to a moderation request.
            Event::Chunk { .. } | Event::Done { .. } | Event::Approval { .. } => {}
        }
    }

    /// The reply arrived: the rules are read again with it, and the Router finishes.
    fn moderated(&mut self, block: &BlockId, body: &str, now: f64) {
        let Some(node) = self.nodes.get_mut(block) else { return };
        node.run.trace.push_raw(body);
        node.run.cost_usd = Some(0.0);
        self.changed.mark(block);
        let NodeKind::Router(cfg) = &node.plan.kind else { return };
        let value = node.held_value.clone().unwrap_or_default();
        match parse_moderation(body) {
            Ok(result) => {
                let choice = cfg.choose_with_moderation(&value, &result);
                node.run.outputs = BTreeMap::from([(choice.route.clone(), value.clone())]);
                node.run.output = Some(value);
                node.run.route = Some(choice);
                node.finish(BlockStatus::Done, None, now);
            }
            Err(e) => node.finish(BlockStatus::Error, Some(e.to_string()), now),
        }
    }

    /// A failed attempt: retried after a backoff when that may help, else the Router fails.
    fn moderation_failed(
        &mut self,
        request: RequestId,
        error: ProviderError,
        status: Option<u16>,
        raw: &str,
        now: f64,
    ) {
        let Some(r) = self.moderation_requests.remove(&request) else { return };
        let max_retries = self.config.max_retries;
        let max_backoff = self.config.max_backoff_ms;
        let halted = self.halt.is_some();
        let Some(node) = self.nodes.get_mut(&r.block) else { return };
        self.changed.mark(&r.block);
        node.run.trace.push_raw(raw);
        let retryable = error.is_retryable() || matches!(error, ProviderError::Unreachable { .. });
        let attempts = node.run.attempts;
        if retryable && attempts <= max_retries && !halted {
            let delay = retry::retry_delay_ms(&error, attempts, request, max_backoff);
            let at = now + delay;
            node.run.trace.retries.push(retry::note(delay, &retry::reason(&error, status)));
            node.run.status = BlockStatus::Queued;
            node.run.retry_at_ms = Some(at);
            node.phase = Phase::Moderate { not_before: at };
            return;
        }
        let mut message = format!("OpenAI moderation could not check the input: {error}");
        if attempts > 1 {
            message.push_str(&format!(" (Gave up after {attempts} attempts.)"));
        }
        node.finish(BlockStatus::Error, Some(message), now);
    }

    /// Moderation requests that received nothing for `timeout_ms` are cancelled; the
    /// Router fails with the same sentence as a Prompt.
    pub(super) fn expire_moderation(&mut self, now: f64, secs: &str, out: &mut Vec<Command>) {
        let expired: Vec<RequestId> =
            self.moderation_requests.iter().filter(|(_, r)| r.deadline <= now).map(|(id, _)| *id).collect();
        for request in expired {
            out.push(Command::Cancel { request });
            let Some(r) = self.moderation_requests.remove(&request) else { continue };
            if let Some(node) = self.nodes.get_mut(&r.block) {
                let msg = format!(
                    "No answer from OpenAI moderation after {secs} s: the request was stopped. Try again, or \
                     raise the timeout in Settings."
                );
                node.finish(BlockStatus::Error, Some(msg), now);
            }
            self.changed.mark(&r.block);
        }
    }
}
