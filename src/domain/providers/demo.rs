//! The offline Demo provider: deterministic canned text, so a flow can be tried without a
//! key or a network. It is labelled so nobody mistakes it for a model's answer.

use super::error::ProviderError;
use super::stream::StreamParser;
use super::types::{ChatRequest, FinishReason, Role, StreamEvent};
use super::ProviderKind;
use crate::domain::utf8::complete_prefix_len;

/// The one model the demo lists.
pub const DEMO_MODEL: &str = "demo";

const LABEL: &str = "[Demo reply — not a real model]";
const PREVIEW_WORDS: usize = 12;

pub(crate) fn no_http(what: &str) -> ProviderError {
    ProviderError::Unsupported { provider: ProviderKind::Demo, what: what.to_string() }
}

/// A reply derived only from the request, so the same flow always shows the same text.
pub fn demo_reply(request: &ChatRequest) -> String {
    let mut lines = vec![LABEL.to_string()];
    let last_user = request.messages.iter().rev().find(|m| m.role == Role::User);
    match last_user.map(|m| m.text.trim()).filter(|t| !t.is_empty()) {
        Some(text) => {
            let words: Vec<&str> = text.split_whitespace().collect();
            let preview = words.iter().take(PREVIEW_WORDS).copied().collect::<Vec<_>>().join(" ");
            let more = if words.len() > PREVIEW_WORDS { "…" } else { "" };
            let plural = if words.len() == 1 { "" } else { "s" };
            lines.push(format!(
                "You wrote {} word{plural} ({} characters), starting: “{preview}{more}”",
                words.len(),
                text.chars().count()
            ));
        }
        None => lines.push("There is no user message to reply to.".to_string()),
    }
    if let Some(system) = request.system.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
        lines.push(format!("The system prompt has {} words.", system.split_whitespace().count()));
    }
    if request.json_mode.is_some() {
        lines.push("JSON output was requested, but the demo cannot follow a schema.".to_string());
    }
    lines.push("Choose a real provider in Settings to get a model's answer.".to_string());
    lines.join("\n")
}

/// [`demo_reply`] cut into words (each with the whitespace after it) for a streaming UI.
/// The chunks concatenate to the full reply.
pub fn demo_chunks(request: &ChatRequest) -> Vec<String> {
    let reply = demo_reply(request);
    let mut chunks = Vec::new();
    let mut current = String::new();
    let mut in_space = false;
    for c in reply.chars() {
        if in_space && !c.is_whitespace() {
            chunks.push(std::mem::take(&mut current));
        }
        in_space = c.is_whitespace();
        current.push(c);
    }
    if !current.is_empty() {
        chunks.push(current);
    }
    chunks
}

/// Streams plain UTF-8 text, so demo chunks can go through the same path as real replies.
#[derive(Debug, Default)]
pub(crate) struct DemoParser {
    /// Bytes of a character cut between two feeds.
    pending: Vec<u8>,
    closed: bool,
}

impl StreamParser for DemoParser {
    fn feed(&mut self, bytes: &[u8]) -> Vec<StreamEvent> {
        if self.closed {
            return Vec::new();
        }
        self.pending.extend_from_slice(bytes);
        let complete = complete_prefix_len(&self.pending);
        let rest = self.pending.split_off(complete);
        let text = String::from_utf8_lossy(&std::mem::replace(&mut self.pending, rest)).into_owned();
        if text.is_empty() {
            Vec::new()
        } else {
            vec![StreamEvent::TextDelta(text)]
        }
    }

    fn finish(&mut self) -> Vec<StreamEvent> {
        if self.closed {
            return Vec::new();
        }
        self.closed = true;
        let mut out = Vec::new();
        if !self.pending.is_empty() {
            let text = String::from_utf8_lossy(&std::mem::take(&mut self.pending)).into_owned();
            out.push(StreamEvent::TextDelta(text));
        }
        out.push(StreamEvent::Finish { reason: FinishReason::Stop });
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::providers::{
        build_chat_request, stream_parser, ChatMessage, JsonMode, ProviderSettings, StreamSummary,
    };

    fn request(user: &str) -> ChatRequest {
        ChatRequest {
            model: DEMO_MODEL.into(),
            system: Some("Be brief and kind.".into()),
            messages: vec![ChatMessage::user("earlier"), ChatMessage::assistant("ok"), ChatMessage::user(user)],
            ..ChatRequest::default()
        }
    }

    #[test]
    fn reply_is_labelled_deterministic_and_derived_from_the_prompt() {
        let req = request("Summarise the café menu for me please ☕");
        let reply = demo_reply(&req);
        assert!(reply.starts_with("[Demo reply — not a real model]"), "{reply}");
        assert!(reply.contains("8 words"), "{reply}");
        assert!(reply.contains("“Summarise the café menu for me please ☕”"), "{reply}");
        assert!(reply.contains("system prompt has 4 words"), "{reply}");
        assert_eq!(reply, demo_reply(&req));
        assert_ne!(reply, demo_reply(&request("something else")));
    }

    #[test]
    fn long_and_missing_messages() {
        let long = demo_reply(&request(&"word ".repeat(30)));
        assert!(long.contains("30 words") && long.contains("…”"), "{long}");
        let mut empty = request("   ");
        empty.json_mode = Some(JsonMode::AnyObject);
        let reply = demo_reply(&empty);
        assert!(reply.contains("no user message") && reply.contains("JSON"), "{reply}");
    }

    #[test]
    fn chunks_are_words_that_rebuild_the_reply_and_stream_through_the_parser() {
        let req = request("Hello there, café 🚀 friends");
        let chunks = demo_chunks(&req);
        assert!(chunks.len() > 10);
        assert_eq!(chunks.concat(), demo_reply(&req));
        assert!(chunks.iter().all(|c| c.split_whitespace().count() == 1), "{chunks:?}");

        let mut parser = stream_parser(ProviderKind::Demo);
        let mut events = Vec::new();
        for byte in demo_reply(&req).as_bytes().chunks(1) {
            events.extend(parser.feed(byte));
        }
        events.extend(parser.finish());
        let summary = StreamSummary::from_events(&events);
        assert_eq!(summary.text, demo_reply(&req));
        assert_eq!(summary.finish, Some(FinishReason::Stop));
        assert!(parser.finish().is_empty());
    }

    #[test]
    fn the_demo_makes_no_http_request() {
        let err = build_chat_request(ProviderKind::Demo, &ProviderSettings::default(), &request("x"));
        assert!(matches!(err, Err(ProviderError::Unsupported { .. })));
    }
}
