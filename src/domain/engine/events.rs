//! Taking in what happened to a request: streamed bytes, the end of a stream, HTTP and
//! network errors, aborts. Failures either schedule a retry or end the block.

use std::collections::BTreeMap;

use super::node::Phase;
use super::retry;
use super::state::{BlockRun, BlockStatus, ToolCallRun};
use super::{Command, Engine, Event, RequestId};
use crate::domain::blocks::prompt::PROMPT_OUTPUT_PORT;
use crate::domain::providers::{classify_http_error, ProviderError, StreamEvent};

/// The error a block shows when its stream broke off after text arrived.
pub const DROPPED_MESSAGE: &str = "The connection dropped mid-answer; the text so far is kept.";

/// Applies one decoded stream event to a block; returns the error if it is one.
pub(super) fn apply_stream_event(run: &mut BlockRun, event: StreamEvent, now: f64) -> Option<ProviderError> {
    match event {
        StreamEvent::TextDelta(text) => {
            if !text.is_empty() {
                run.output.get_or_insert_with(String::new).push_str(&text);
                run.first_token_ms.get_or_insert(now);
            }
        }
        StreamEvent::Usage { input_tokens, output_tokens } => {
            // Events carry totals, so the latest known value wins.
            run.usage.input_tokens = input_tokens.or(run.usage.input_tokens);
            run.usage.output_tokens = output_tokens.or(run.usage.output_tokens);
        }
        StreamEvent::Finish { reason } => run.finish = Some(reason),
        // A plain Prompt offers no tools (no steps), so stray calls have nowhere to go.
        StreamEvent::ToolCallDelta { index, id, name, arguments_delta } => {
            if let Some(step) = run.steps.last_mut() {
                let pos = match step.calls.iter().position(|c| c.index == index) {
                    Some(pos) => pos,
                    None => {
                        step.calls.push(ToolCallRun { index, ..ToolCallRun::default() });
                        step.calls.len() - 1
                    }
                };
                if let Some(call) = step.calls.get_mut(pos) {
                    if let Some(id) = id {
                        call.id = id;
                    }
                    if let Some(name) = name {
                        call.name = name;
                    }
                    call.arguments.push_str(&arguments_delta);
                }
                run.first_token_ms.get_or_insert(now);
            }
        }
        StreamEvent::ToolCallSignature { index, signature } => {
            let call = run.steps.last_mut().and_then(|s| s.calls.iter_mut().find(|c| c.index == index));
            if let Some(call) = call {
                call.signature = Some(signature);
            }
        }
        StreamEvent::Error(error) => return Some(error),
    }
    None
}

/// Whether a failure may succeed if the same request is sent again.
fn retryable(error: &ProviderError) -> bool {
    error.is_retryable() || matches!(error, ProviderError::Unreachable { .. })
}

impl Engine {
    pub(super) fn handle(&mut self, event: Event, now: f64, out: &mut Vec<Command>) {
        if self.moderation_requests.contains_key(&event.request()) {
            return self.on_moderation_event(event, now);
        }
        match event {
            Event::Sent { request, redacted } => {
                let Some(r) = self.requests.get(&request) else {
                    return;
                };
                if let Some(node) = self.nodes.get_mut(&r.block) {
                    // Redacting again costs little and keeps keys out even if the caller forgot.
                    node.run.trace.sent.push(redacted.redacted());
                    self.changed.mark(&r.block);
                }
            }
            Event::Chunk { request, bytes } => self.on_chunk(request, &bytes, now, out),
            Event::Done { request } => self.on_done(request, now, out),
            Event::HttpError { request, status, body, retry_after } => {
                let Some(r) = self.requests.get(&request) else {
                    return;
                };
                let provider = r.provider;
                if let Some(node) = self.nodes.get_mut(&r.block) {
                    node.run.trace.push_raw(&format!("HTTP {status}\n{body}\n"));
                }
                let error = classify_http_error(provider, status, &body, retry_after.as_deref());
                self.fail(request, error, Some(status), false, now, out);
            }
            Event::NetworkError { request, message } => self.on_network_error(request, &message, now, out),
            Event::ToolResponse { request, status, body } if self.embed_requests.contains_key(&request) => {
                self.on_embeddings(request, status, &body, now)
            }
            Event::ToolFailed { request, message } if self.embed_requests.contains_key(&request) => {
                self.on_embeddings_failed(request, &message, now)
            }
            Event::ToolResponse { request, status, body } => self.on_tool_response(request, status, &body, now),
            Event::ToolFailed { request, message } => self.on_tool_failed(request, &message, now),
            Event::Approval { block, decision } => self.decide(&block, decision, now),
            Event::Aborted { request } => {
                // Requests the engine cancelled are already gone; this one was aborted
                // by someone else (for example the page going away).
                let Some(mut r) = self.requests.remove(&request) else {
                    return;
                };
                self.settle(&mut r);
                if let Some(node) = self.nodes.get_mut(&r.block) {
                    let had_text = node.has_text();
                    node.run.incomplete = had_text;
                    node.finish(BlockStatus::Stopped, Some("The request was cancelled.".to_string()), now);
                }
                self.changed.mark(&r.block);
            }
        }
    }

    fn on_chunk(&mut self, request: RequestId, bytes: &[u8], now: f64, out: &mut Vec<Command>) {
        let timeout = self.config.timeout_ms;
        let Some(r) = self.requests.get_mut(&request) else {
            return;
        };
        if bytes.is_empty() {
            return;
        }
        r.got_bytes = true;
        r.deadline = now + timeout;
        let Some(node) = self.nodes.get_mut(&r.block) else {
            return;
        };
        r.raw.push(bytes, &mut node.run.trace);
        let events = r.parser.feed(bytes);
        self.apply_events(request, events, true, now, out);
    }

    fn on_done(&mut self, request: RequestId, now: f64, out: &mut Vec<Command>) {
        let Some(r) = self.requests.get_mut(&request) else {
            return;
        };
        let events = r.parser.finish();
        self.apply_events(request, events, false, now, out);
        // An early end or an error in the last bytes has already failed the request.
        let Some(mut r) = self.requests.remove(&request) else {
            return;
        };
        self.settle(&mut r);
        if self.nodes.get(&r.block).is_some_and(|n| n.is_agent()) {
            self.end_agent_step(&r.block, now, out);
            self.changed.mark(&r.block);
            return;
        }
        if self.check_structured(&r.block, now) {
            self.changed.mark(&r.block);
            return;
        }
        let redacted = self.config.redact_personal_data;
        if let Some(node) = self.nodes.get_mut(&r.block) {
            let mut output = node.run.output.clone().unwrap_or_default();
            if redacted {
                // The answer may name the placeholders: the reader sees the originals.
                output = self.redactor.restore(&output);
            }
            node.run.output = Some(output.clone());
            node.run.outputs = BTreeMap::from([(PROMPT_OUTPUT_PORT.to_string(), output)]);
            node.finish(BlockStatus::Done, None, now);
            super::control::settle_route(node);
        }
        self.changed.mark(&r.block);
        self.remember(&r.block);
    }

    /// Applies decoded events to the request's block; an error event fails the request
    /// (cancelling it when the stream may still be open).
    fn apply_events(
        &mut self,
        request: RequestId,
        events: Vec<StreamEvent>,
        open: bool,
        now: f64,
        out: &mut Vec<Command>,
    ) {
        if events.is_empty() {
            return;
        }
        let Some(block) = self.requests.get(&request).map(|r| r.block.clone()) else {
            return;
        };
        let mut error = None;
        if let Some(node) = self.nodes.get_mut(&block) {
            for event in events {
                if let Some(e) = apply_stream_event(&mut node.run, event, now) {
                    error = Some(e);
                    break;
                }
            }
        }
        self.changed.mark(&block);
        if let Some(error) = error {
            self.fail(request, error, None, open, now, out);
        }
    }

    fn on_network_error(&mut self, request: RequestId, message: &str, now: f64, out: &mut Vec<Command>) {
        let Some(r) = self.requests.get_mut(&request) else {
            return;
        };
        let Some(node) = self.nodes.get_mut(&r.block) else {
            return;
        };
        r.raw.flush(&mut node.run.trace);
        node.run.trace.push_raw(&format!("\n[network error: {}]\n", message.trim()));
        if !node.has_text() {
            let url = node
                .run
                .trace
                .sent
                .last()
                .map(|s| s.url.clone())
                .unwrap_or_else(|| r.provider.default_base_url().to_string());
            let error = ProviderError::unreachable(r.provider, &url);
            self.fail(request, error, None, false, now, out);
            return;
        }
        // Keep whatever complete events were buffered; the early-end report is replaced
        // by the clearer "dropped" sentence.
        for event in r.parser.finish() {
            if !matches!(event, StreamEvent::Error(_)) {
                let _ = apply_stream_event(&mut node.run, event, now);
            }
        }
        let Some(mut r) = self.requests.remove(&request) else {
            return;
        };
        self.settle(&mut r);
        if let Some(node) = self.nodes.get_mut(&r.block) {
            node.run.incomplete = true;
            node.finish(BlockStatus::Error, Some(DROPPED_MESSAGE.to_string()), now);
        }
        self.changed.mark(&r.block);
    }

    /// A request failed with `error`. Retries when that may help and nothing was streamed
    /// yet; otherwise the block ends in Error, keeping any text.
    fn fail(
        &mut self,
        request: RequestId,
        error: ProviderError,
        status: Option<u16>,
        cancel: bool,
        now: f64,
        out: &mut Vec<Command>,
    ) {
        let Some(mut r) = self.requests.remove(&request) else {
            return;
        };
        if cancel {
            out.push(Command::Cancel { request });
        }
        self.settle(&mut r);
        let max_retries = self.config.max_retries;
        let max_backoff = self.config.max_backoff_ms;
        let halted = self.halt.is_some();
        let Some(node) = self.nodes.get_mut(&r.block) else {
            return;
        };
        self.changed.mark(&r.block);
        let had_text = node.has_text();
        let attempts = node.run.attempts;
        if retryable(&error) && !had_text && attempts <= max_retries && !halted {
            let delay = retry::retry_delay_ms(&error, attempts, request, max_backoff);
            let at = now + delay;
            let reason = retry::reason(&error, status);
            node.run.trace.retries.push(retry::note(delay, &reason));
            node.run.status = BlockStatus::Queued;
            node.run.error = None;
            node.run.retry_at_ms = Some(at);
            node.run.output = None;
            node.run.usage = Default::default();
            node.run.finish = None;
            node.phase = Phase::Ready { not_before: at };
            return;
        }
        let mut message = error.to_string();
        if attempts > 1 {
            message.push_str(&format!(" (Gave up after {attempts} attempts.)"));
        }
        node.run.incomplete = had_text;
        node.finish(BlockStatus::Error, Some(message), now);
    }
}
