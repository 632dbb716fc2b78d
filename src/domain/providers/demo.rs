//! The no-key provider, shown as "Sample answers" (its id stays `demo` for saved flows and
//! links). It makes no request: answers come from the block's sample rules or are built from
//! the input by [`crate::domain::sample`], deterministically. Runs mark them as samples
//! (`BlockRun::sample`) and the UI labels them, so nobody mistakes them for a model's answer.

use std::collections::BTreeMap;

use super::error::ProviderError;
use super::stream::StreamParser;
use super::types::{ChatRequest, FinishReason, JsonMode, Role, StreamEvent, ToolChoice, ToolResultMessage};
use super::ProviderKind;
use crate::domain::json_schema::OutputFormat;
use crate::domain::sample::{agent_answer, sample_answer, SampleRequest, SampleRule, SAMPLE_TRANSCRIPT};
use crate::domain::utf8::complete_prefix_len;

/// The one model the sample provider lists.
pub const DEMO_MODEL: &str = "demo";

pub(crate) fn no_http(what: &str) -> ProviderError {
    ProviderError::Unsupported { provider: ProviderKind::Demo, what: what.to_string() }
}

/// The output format a request asks for.
fn format_of(request: &ChatRequest) -> OutputFormat {
    match &request.json_mode {
        None => OutputFormat::Text,
        Some(JsonMode::AnyObject) => OutputFormat::Json,
        Some(JsonMode::Schema { schema, .. }) => OutputFormat::JsonSchema { schema: schema.clone() },
    }
}

fn last_user(request: &ChatRequest) -> &str {
    request.messages.iter().rev().find(|m| m.role == Role::User).map_or("", |m| m.text.as_str())
}

/// The sample answer to `request` with no rules: built from its text alone.
pub fn demo_reply(request: &ChatRequest) -> String {
    sample_reply(request, &[], &BTreeMap::new()).0
}

/// The sample answer to `request`: the first of `rules` that matches its user message
/// (filled with `values`), else one built from the input. Also returns the rule's index.
pub fn sample_reply(
    request: &ChatRequest,
    rules: &[SampleRule],
    values: &BTreeMap<String, String>,
) -> (String, Option<usize>) {
    if request.transcription.is_some() {
        return (SAMPLE_TRANSCRIPT.to_string(), None);
    }
    let format = format_of(request);
    let system = request.system.as_deref().unwrap_or_default();
    sample_answer(&SampleRequest { rules, system, user: last_user(request), values, format: &format })
}

/// The sample answer to `request` when it is known without writing one: a rule the user wrote
/// matches (its answer, filled with `values`), or it is a transcription (the fixed sample
/// transcript). `None` when the sample generator would write it. The run estimate uses this,
/// so the generator is fetched with the run module instead of at start.
pub fn rule_reply(request: &ChatRequest, rules: &[SampleRule], values: &BTreeMap<String, String>) -> Option<String> {
    if request.transcription.is_some() {
        return Some(SAMPLE_TRANSCRIPT.to_string());
    }
    let i = crate::domain::sample::matching_rule(rules, last_user(request))?;
    Some(crate::domain::sample::fill(&rules[i].answer, values))
}

/// The sample answer of a conversational Prompt: its rules first (they see the new
/// message), then a chat reply that picks up the earlier user messages. `examples` is how
/// many messages at the start are few-shot examples (not part of the conversation).
pub fn sample_chat_reply(
    request: &ChatRequest,
    rules: &[SampleRule],
    values: &BTreeMap<String, String>,
    examples: usize,
) -> (String, Option<usize>) {
    let last = last_user(request);
    if crate::domain::sample::matching_rule(rules, last).is_some()
        || format_of(request) != OutputFormat::Text
        || request.transcription.is_some()
    {
        return sample_reply(request, rules, values);
    }
    let turns = request.messages.get(examples..).unwrap_or_default();
    let earlier: Vec<&str> = turns
        .iter()
        .take(turns.len().saturating_sub(1))
        .filter(|m| m.role == Role::User)
        .map(|m| m.text.as_str())
        .collect();
    let system = request.system.as_deref().unwrap_or_default();
    (crate::domain::sample::chat_answer(system, &earlier, last), None)
}

/// The sample provider's reply to an agent step, as stream events. With tools and no
/// results yet it calls one tool (the one the tool choice names, or the first) with
/// arguments made up from the user's words; once results are back it answers from them
/// (or from the block's rules, where the results' JSON fields are variables too).
pub fn demo_agent_events(
    request: &ChatRequest,
    rules: &[SampleRule],
    values: &BTreeMap<String, String>,
) -> Vec<StreamEvent> {
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
                StreamEvent::TextDelta(format!("Let me check that with {}.", tool.name)),
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
    let first_user = request.messages.iter().find(|m| m.role == Role::User).map_or("", |m| m.text.as_str());
    let text = if results.is_empty() {
        sample_reply(request, rules, values).0
    } else {
        let format = format_of(request);
        let system = request.system.as_deref().unwrap_or_default();
        let req = SampleRequest { rules, system, user: first_user, values, format: &format };
        let results: Vec<(String, String, bool)> =
            results.iter().map(|r| (r.name.clone(), r.content.clone(), r.is_error)).collect();
        agent_answer(&req, &results)
    };
    vec![StreamEvent::TextDelta(text), StreamEvent::Finish { reason: FinishReason::Stop }]
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
    text_chunks(&demo_reply(request))
}

/// `text` cut into words, each with the whitespace after it.
pub fn text_chunks(text: &str) -> Vec<String> {
    let mut chunks = Vec::new();
    let mut current = String::new();
    let mut in_space = false;
    for c in text.chars() {
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
    use crate::domain::providers::{build_chat_request, stream_parser, ChatMessage, ProviderSettings, StreamSummary};

    fn request(user: &str) -> ChatRequest {
        ChatRequest {
            model: DEMO_MODEL.into(),
            system: Some("Be brief and kind.".into()),
            messages: vec![ChatMessage::user("earlier"), ChatMessage::assistant("ok"), ChatMessage::user(user)],
            ..ChatRequest::default()
        }
    }

    #[test]
    fn reply_is_deterministic_believable_and_derived_from_the_prompt() {
        let req = request("Summarise this: the café menu changed on Monday and the prices went up by a euro.");
        let reply = demo_reply(&req);
        assert!(!reply.is_empty());
        for said in ["Demo", "demo", "real provider", "You wrote", "not a real model"] {
            assert!(!reply.contains(said), "{reply}");
        }
        assert!(reply.contains("menu"), "{reply}");
        assert_eq!(reply, demo_reply(&req));
        assert_ne!(reply, demo_reply(&request("Summarise this: the train was late again this morning.")));
    }

    #[test]
    fn rules_answer_first_and_json_requests_get_json() {
        let rules = vec![SampleRule::contains("refund", "Refund for {{name}} is on its way.")];
        let values = BTreeMap::from([("name".to_string(), "Ana".to_string())]);
        let (text, rule) = sample_reply(&request("Where is my refund?"), &rules, &values);
        assert_eq!((text.as_str(), rule), ("Refund for Ana is on its way.", Some(0)));
        let (_, rule) = sample_reply(&request("Hello"), &rules, &values);
        assert_eq!(rule, None);
        let mut empty = request("   ");
        empty.json_mode = Some(JsonMode::AnyObject);
        let reply = demo_reply(&empty);
        assert!(serde_json::from_str::<serde_json::Value>(&reply).is_ok_and(|v| v.is_object()), "{reply}");
    }

    #[test]
    fn chunks_are_words_that_rebuild_the_reply_and_stream_through_the_parser() {
        let req = request("Please explain why the Hello there café 🚀 friends page loads slowly on Mondays?");
        let chunks = demo_chunks(&req);
        assert!(chunks.len() > 10, "{chunks:?}");
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
    fn the_sample_provider_makes_no_http_request() {
        let err = build_chat_request(ProviderKind::Demo, &ProviderSettings::default(), &request("x"));
        assert!(matches!(err, Err(ProviderError::Unsupported { .. })));
    }
}
