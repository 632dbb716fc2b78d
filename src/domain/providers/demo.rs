//! The offline Demo provider: deterministic canned text, so a flow can be tried without a
//! key or a network. It is labelled so nobody mistakes it for a model's answer.

use super::error::ProviderError;
use super::stream::StreamParser;
use super::types::{ChatRequest, ContentPart, FinishReason, Role, StreamEvent, ToolChoice, ToolResultMessage};
use super::ProviderKind;
use crate::domain::utf8::complete_prefix_len;

/// The one model the demo lists.
pub const DEMO_MODEL: &str = "demo";

const LABEL: &str = "[Demo reply — not a real model]";
const PREVIEW_WORDS: usize = 12;

/// A fixed transcript, so flows after a Transcribe block can be tried offline.
const DEMO_TRANSCRIPT: &str = "[Demo transcript — not a real recording] Hi, I'm calling about order 4821. The blender \
     arrived yesterday and the glass jug is cracked right down the side. This is the second time this has happened \
     and I'm honestly pretty frustrated. I don't want a refund, I want a replacement that actually arrives in one \
     piece. Can someone call me back today?";

pub(crate) fn no_http(what: &str) -> ProviderError {
    ProviderError::Unsupported { provider: ProviderKind::Demo, what: what.to_string() }
}

/// A reply derived only from the request, so the same flow always shows the same text.
pub fn demo_reply(request: &ChatRequest) -> String {
    let media: Vec<&str> = request
        .messages
        .iter()
        .flat_map(|m| &m.parts)
        .filter_map(|p| match p {
            ContentPart::Media { name, .. } => Some(name.as_str()),
            ContentPart::Text { .. } => None,
        })
        .collect();
    if request.transcription.is_some() {
        return format!(
            "{DEMO_TRANSCRIPT}\n(The demo does not listen to {}; choose OpenAI or Gemini for a real transcript.)",
            media.first().copied().unwrap_or("the recording")
        );
    }
    let mut lines = vec![LABEL.to_string()];
    if !media.is_empty() {
        lines.push(format!(
            "The message carries {}: the demo cannot see or hear them.",
            media.iter().map(|n| format!("\u{201c}{n}\u{201d}")).collect::<Vec<_>>().join(", ")
        ));
    }
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

/// The demo's reply to an agent step, as stream events. With tools and no results yet it
/// calls one tool (the one the tool choice names, or the first) with arguments made up from
/// the user's words; once results are back it reports them. Deterministic, like
/// [`demo_reply`].
pub fn demo_agent_events(request: &ChatRequest) -> Vec<StreamEvent> {
    let results: Vec<&ToolResultMessage> = request.messages.iter().flat_map(|m| m.tool_results.iter()).collect();
    if results.is_empty() && !request.tools.is_empty() && request.tool_choice != ToolChoice::None {
        let tool = match &request.tool_choice {
            ToolChoice::Tool(name) => request.tools.iter().find(|t| &t.name == name),
            _ => None,
        }
        .or_else(|| request.tools.first());
        if let Some(tool) = tool {
            let user = request.messages.iter().find(|m| m.role == Role::User).map_or("", |m| m.text.as_str());
            return vec![
                StreamEvent::TextDelta(format!("{LABEL}\nI will call {} to find out.", tool.name)),
                StreamEvent::ToolCallDelta {
                    index: 0,
                    id: None,
                    name: Some(tool.name.clone()),
                    arguments_delta: demo_arguments(&tool.parameters, user).to_string(),
                },
                StreamEvent::Finish { reason: FinishReason::ToolCalls },
            ];
        }
    }
    let mut text = vec![LABEL.to_string()];
    for r in &results {
        let verb = if r.is_error { "failed" } else { "returned" };
        text.push(format!("The tool {} {verb}: {}", r.name, r.content));
    }
    if results.is_empty() {
        return demo_chunks(request).into_iter().map(StreamEvent::TextDelta).collect();
    }
    text.push("Choose a real provider in Settings to get a model's answer.".to_string());
    vec![StreamEvent::TextDelta(text.join("\n")), StreamEvent::Finish { reason: FinishReason::Stop }]
}

/// Arguments for a tool's schema taken from the user's words: a word with a digit (an id
/// such as A123) for text, the first number for numbers, the first allowed value for enums.
fn demo_arguments(schema: &serde_json::Value, user: &str) -> serde_json::Value {
    let words: Vec<&str> =
        user.split(|c: char| !(c.is_alphanumeric() || c == '-' || c == '_')).filter(|w| !w.is_empty()).collect();
    let id_like = words.iter().find(|w| w.chars().any(|c| c.is_ascii_digit()) && w.chars().any(char::is_alphabetic));
    let number = words.iter().find_map(|w| w.parse::<f64>().ok());
    let mut args = serde_json::Map::new();
    let props = schema.get("properties").and_then(serde_json::Value::as_object);
    for (name, prop) in props.into_iter().flatten() {
        let first_enum = prop.get("enum").and_then(|e| e.as_array()).and_then(|e| e.first()).cloned();
        let value = match (first_enum, prop.get("type").and_then(serde_json::Value::as_str)) {
            (Some(v), _) => v,
            (None, Some("number")) => serde_json::json!(number.unwrap_or(1.0)),
            (None, Some("integer")) => serde_json::json!(number.map_or(1, |n| n as i64)),
            (None, Some("boolean")) => serde_json::json!(true),
            _ => serde_json::json!(id_like.or(words.last()).copied().unwrap_or("example")),
        };
        args.insert(name.clone(), value);
    }
    serde_json::Value::Object(args)
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
