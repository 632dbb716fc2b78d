//! Anthropic Messages API.

use serde_json::{json, Map, Value};

use super::error::{classify_stream_payload, ProviderError};
use super::sse::{SseDecoder, SseEvent};
use super::stream::{Framed, Handler};
use super::types::{
    ChatMessage, ChatRequest, ContentPart, FinishReason, HttpRequest, JsonMode, ProviderSettings, Role, StreamEvent,
    ToolChoice,
};
use super::{wire, ProviderKind};

const KIND: ProviderKind = ProviderKind::Anthropic;

/// `max_tokens` is required by the API; this keeps short calls cheap when the block sets none.
pub(crate) const DEFAULT_MAX_TOKENS: u32 = 1024;

pub(crate) fn auth_headers(key: &str) -> Vec<(String, String)> {
    vec![
        wire::header("x-api-key", key),
        wire::header("anthropic-version", "2023-06-01"),
        // Without it Anthropic answers a browser's request with a 401 and no CORS headers.
        wire::header("anthropic-dangerous-direct-browser-access", "true"),
    ]
}

fn require_key(settings: &ProviderSettings) -> Result<&str, ProviderError> {
    wire::api_key(KIND, settings)?.ok_or(ProviderError::MissingSetting { provider: KIND, what: super::Setting::ApiKey })
}

pub(crate) fn chat_request(settings: &ProviderSettings, request: &ChatRequest) -> Result<HttpRequest, ProviderError> {
    let base = wire::base_url(KIND, settings)?;
    let key = require_key(settings)?;
    let model = wire::model(KIND, request)?;
    Ok(wire::post_json(format!("{base}/messages"), auth_headers(key), &chat_body(model, request)))
}

fn chat_body(model: &str, request: &ChatRequest) -> Value {
    let messages = alternating(request.messages.iter().map(message).collect());
    let mut body = Map::new();
    body.insert("model".into(), json!(model));
    let thinking = request.thinking_budget;
    // `max_tokens` counts the thinking too and must be above the budget.
    let max_tokens = match (request.max_tokens, thinking) {
        (Some(max), Some(budget)) if max <= budget => budget.saturating_add(max),
        (Some(max), _) => max,
        (None, Some(budget)) => budget.saturating_add(DEFAULT_MAX_TOKENS),
        (None, None) => DEFAULT_MAX_TOKENS,
    };
    body.insert("max_tokens".into(), json!(max_tokens));
    if let Some(system) = wire::system_text(request) {
        body.insert("system".into(), json!(system));
    }
    body.insert("messages".into(), Value::Array(messages));
    body.insert("stream".into(), json!(true));
    // With thinking on, Anthropic accepts no temperature (the inspector warns).
    if let (Some(t), None) = (wire::temperature(request), thinking) {
        body.insert("temperature".into(), json!(t));
    }
    if let Some(p) = wire::top_p(request) {
        body.insert("top_p".into(), json!(p));
    }
    if let Some(budget) = thinking {
        body.insert("thinking".into(), json!({"type": "enabled", "budget_tokens": budget}));
    }
    if let Some(stop) = wire::stop_sequences(request) {
        body.insert("stop_sequences".into(), json!(stop));
    }
    let schema = match &request.json_mode {
        Some(JsonMode::AnyObject) => Some(json!({"type": "object"})),
        Some(JsonMode::Schema { schema, .. }) => Some(schema.clone()),
        None => None,
    };
    if let Some(schema) = schema {
        body.insert("output_config".into(), json!({"format": {"type": "json_schema", "schema": schema}}));
    }
    if !request.tools.is_empty() {
        let tools: Vec<Value> = request
            .tools
            .iter()
            .map(|t| json!({"name": t.name, "description": t.description, "input_schema": t.parameters}))
            .collect();
        body.insert("tools".into(), Value::Array(tools));
        let choice = match &request.tool_choice {
            ToolChoice::Auto => None,
            ToolChoice::Required => Some(json!({"type": "any"})),
            ToolChoice::None => Some(json!({"type": "none"})),
            ToolChoice::Tool(name) => Some(json!({"type": "tool", "name": name})),
        };
        if let Some(choice) = choice {
            body.insert("tool_choice".into(), choice);
        }
    }
    Value::Object(body)
}

/// Anthropic wants user and assistant turns to alternate: consecutive turns of one role
/// (two few-shot user examples in a row, say) become one turn. Plain texts are joined with
/// a blank line; otherwise their content blocks are concatenated.
fn alternating(messages: Vec<Value>) -> Vec<Value> {
    let mut out: Vec<Value> = Vec::with_capacity(messages.len());
    for m in messages {
        match out.last_mut() {
            Some(last) if last.get("role") == m.get("role") => {
                let merged = match (last.get("content"), m.get("content")) {
                    (Some(Value::String(a)), Some(Value::String(b))) => json!(format!("{a}\n\n{b}")),
                    (a, b) => {
                        let mut blocks = a.map(content_blocks).unwrap_or_default();
                        blocks.extend(b.map(content_blocks).unwrap_or_default());
                        Value::Array(blocks)
                    }
                };
                last["content"] = merged;
            }
            _ => out.push(m),
        }
    }
    out
}

/// A turn's content as a list of blocks (a plain string becomes one text block).
fn content_blocks(content: &Value) -> Vec<Value> {
    match content {
        Value::Array(blocks) => blocks.clone(),
        Value::String(text) => vec![json!({"type": "text", "text": text})],
        _ => Vec::new(),
    }
}

/// One turn. Plain turns stay a string; turns with tool calls or results become content
/// blocks (`tool_use` echoed with its input object, `tool_result` first in the user turn).
fn message(m: &ChatMessage) -> Value {
    let role = match m.role {
        Role::User => "user",
        Role::Assistant => "assistant",
    };
    if !m.parts.is_empty() {
        return json!({"role": role, "content": m.parts.iter().map(content_block).collect::<Vec<_>>()});
    }
    if m.tool_calls.is_empty() && m.tool_results.is_empty() {
        return json!({"role": role, "content": m.text});
    }
    let mut blocks = Vec::new();
    for r in &m.tool_results {
        let mut block = json!({"type": "tool_result", "tool_use_id": r.call_id, "content": r.content});
        if r.is_error {
            block["is_error"] = json!(true);
        }
        blocks.push(block);
    }
    if !m.text.is_empty() {
        blocks.push(json!({"type": "text", "text": m.text}));
    }
    for c in &m.tool_calls {
        blocks.push(
            json!({"type": "tool_use", "id": c.id, "name": c.name, "input": wire::arguments_object(&c.arguments)}),
        );
    }
    json!({"role": role, "content": blocks})
}

/// Images as base64 `image` blocks. Anthropic takes no audio: the engine refuses it before a
/// request is built, so an audio part here can only be named.
fn content_block(part: &ContentPart) -> Value {
    match part {
        ContentPart::Text { text } => json!({"type": "text", "text": text}),
        ContentPart::Media { mime, data, .. } if wire::is_image(mime) => {
            json!({"type": "image", "source": {"type": "base64", "media_type": mime, "data": data}})
        }
        ContentPart::Media { name, .. } => json!({"type": "text", "text": format!("[audio {name}]")}),
    }
}

pub(crate) fn models_request(settings: &ProviderSettings) -> Result<HttpRequest, ProviderError> {
    let base = wire::base_url(KIND, settings)?;
    let key = require_key(settings)?;
    // The default page holds 20 models; 1000 is the maximum and avoids paging.
    Ok(wire::get(format!("{base}/models?limit=1000"), auth_headers(key)))
}

pub(crate) fn parser() -> Framed<SseDecoder, AnthropicHandler> {
    Framed::new(KIND, AnthropicHandler::default())
}

#[derive(Default)]
pub(crate) struct AnthropicHandler {
    input_tokens: Option<u64>,
    output_tokens: Option<u64>,
    /// The content-block index of each tool call, in call order. Block indexes count text
    /// blocks too, while `ToolCallDelta::index` numbers only the calls.
    tool_blocks: Vec<u64>,
    stopped: bool,
}

impl AnthropicHandler {
    fn update_usage(&mut self, usage: &Value, out: &mut Vec<StreamEvent>) {
        // `message_delta` totals are cumulative and `input_tokens` there may be null, so
        // keep the last known value of each.
        self.input_tokens = wire::count(usage, "input_tokens").or(self.input_tokens);
        self.output_tokens = wire::count(usage, "output_tokens").or(self.output_tokens);
        out.push(StreamEvent::Usage { input_tokens: self.input_tokens, output_tokens: self.output_tokens });
    }

    fn block_start(&mut self, value: &Value, out: &mut Vec<StreamEvent>) {
        let Some(block) = value.get("content_block") else {
            return;
        };
        match block.get("type").and_then(Value::as_str) {
            Some("tool_use") => {
                let index = self.tool_blocks.len();
                self.tool_blocks.push(wire::count(value, "index").unwrap_or(u64::MAX));
                // The input normally streams as `input_json_delta`; a non-empty start value
                // is the whole input.
                let arguments = block
                    .get("input")
                    .filter(|i| i.as_object().is_some_and(|o| !o.is_empty()))
                    .map(Value::to_string)
                    .unwrap_or_default();
                out.push(StreamEvent::ToolCallDelta {
                    index,
                    id: wire::text(block, "id").map(str::to_string),
                    name: wire::text(block, "name").map(str::to_string),
                    arguments_delta: arguments,
                });
            }
            Some("text") => {
                if let Some(text) = wire::text(block, "text") {
                    out.push(StreamEvent::TextDelta(text.to_string()));
                }
            }
            _ => {}
        }
    }

    fn block_delta(&mut self, value: &Value, out: &mut Vec<StreamEvent>) {
        let Some(delta) = value.get("delta") else {
            return;
        };
        match delta.get("type").and_then(Value::as_str) {
            Some("text_delta") => {
                if let Some(text) = wire::text(delta, "text") {
                    out.push(StreamEvent::TextDelta(text.to_string()));
                }
            }
            Some("input_json_delta") => {
                let block = wire::count(value, "index");
                let call = self.tool_blocks.iter().position(|b| Some(*b) == block);
                if let (Some(index), Some(json)) = (call, wire::text(delta, "partial_json")) {
                    out.push(StreamEvent::ToolCallDelta {
                        index,
                        id: None,
                        name: None,
                        arguments_delta: json.to_string(),
                    });
                }
            }
            // thinking, signature and citation deltas are not part of the answer text.
            _ => {}
        }
    }
}

impl Handler<SseEvent> for AnthropicHandler {
    fn handle(&mut self, event: SseEvent, out: &mut Vec<StreamEvent>) {
        if event.data.trim().is_empty() {
            return;
        }
        let value = match wire::parse_json(KIND, &event.data, "a stream event") {
            Ok(value) => value,
            Err(error) => {
                out.push(StreamEvent::Error(error));
                return;
            }
        };
        // The data's `type` repeats the event name; fall back to the name for proxies that
        // strip one or the other.
        let name = value.get("type").and_then(Value::as_str).or(event.event.as_deref());
        match name.unwrap_or_default() {
            "message_start" => {
                if let Some(usage) = value.pointer("/message/usage") {
                    self.update_usage(usage, out);
                }
            }
            "content_block_start" => self.block_start(&value, out),
            "content_block_delta" => self.block_delta(&value, out),
            "message_delta" => {
                if let Some(reason) = value.pointer("/delta/stop_reason").and_then(Value::as_str) {
                    out.push(StreamEvent::Finish { reason: finish_reason(reason) });
                }
                if let Some(usage) = value.get("usage").filter(|u| u.is_object()) {
                    self.update_usage(usage, out);
                }
            }
            "message_stop" => self.stopped = true,
            "error" => out.push(StreamEvent::Error(classify_stream_payload(KIND, &value))),
            // ping, content_block_stop and event types added later carry nothing we show.
            _ => {}
        }
    }

    fn is_complete(&self) -> bool {
        self.stopped
    }
}

fn finish_reason(reason: &str) -> FinishReason {
    match reason {
        "end_turn" | "stop_sequence" => FinishReason::Stop,
        "max_tokens" | "model_context_window_exceeded" => FinishReason::Length,
        "tool_use" => FinishReason::ToolCalls,
        "refusal" => FinishReason::ContentFilter,
        other => FinishReason::Other(other.to_string()),
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{sample_request, KEY};
    use super::super::{build_chat_request, build_models_request, parse_models_response};
    use super::*;
    use crate::domain::providers::Method;

    fn settings(key: &str) -> ProviderSettings {
        ProviderSettings { base_url: String::new(), api_key: key.into() }
    }

    fn header_pairs(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
        pairs.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect()
    }

    #[test]
    fn chat_request_snapshot() {
        let req = build_chat_request(KIND, &settings(KEY), &sample_request("claude-sonnet-4-5"));
        let Ok(req) = req else { panic!("{req:?}") };
        assert_eq!(req.method, Method::Post);
        assert_eq!(req.url, "https://api.anthropic.com/v1/messages");
        assert_eq!(
            req.headers,
            header_pairs(&[
                ("x-api-key", KEY),
                ("anthropic-version", "2023-06-01"),
                ("anthropic-dangerous-direct-browser-access", "true"),
                ("content-type", "application/json"),
            ])
        );
        let body: Value = serde_json::from_str(req.body.as_deref().unwrap_or_default()).unwrap_or_default();
        assert_eq!(
            body,
            json!({
                "model": "claude-sonnet-4-5",
                "max_tokens": 256,
                "system": "You are terse.",
                "messages": [
                    {"role": "user", "content": "Summarise: café ☕"},
                    {"role": "assistant", "content": "Sure."},
                    {"role": "user", "content": "Go on."}
                ],
                "stream": true,
                "temperature": 0.2,
                "stop_sequences": ["END"],
                "output_config": {"format": {"type": "json_schema", "schema": {
                    "type": "object",
                    "properties": {"summary": {"type": "string"}},
                    "required": ["summary"],
                    "additionalProperties": false
                }}}
            })
        );
        assert!(!req.url.contains(KEY));
        assert!(!format!("{:?}", req.redacted()).contains(KEY));
    }

    #[test]
    fn defaults_max_tokens_and_any_object_schema() {
        let mut chat = sample_request("claude-haiku-4-5");
        chat.max_tokens = None;
        chat.system = None;
        chat.json_mode = Some(JsonMode::AnyObject);
        let req = build_chat_request(KIND, &settings(KEY), &chat);
        let Ok(req) = req else { panic!("{req:?}") };
        let body: Value = serde_json::from_str(req.body.as_deref().unwrap_or_default()).unwrap_or_default();
        assert_eq!(body.get("max_tokens"), Some(&json!(1024)));
        assert_eq!(body.get("system"), None);
        assert_eq!(
            body.get("output_config"),
            Some(&json!({"format": {"type": "json_schema", "schema": {"type": "object"}}}))
        );
        assert!(matches!(build_chat_request(KIND, &settings(""), &chat), Err(ProviderError::MissingSetting { .. })));
    }

    #[test]
    fn models_request_and_response() {
        let req = build_models_request(KIND, &settings(KEY));
        let Ok(req) = req else { panic!("{req:?}") };
        assert_eq!((req.method, req.url.as_str()), (Method::Get, "https://api.anthropic.com/v1/models?limit=1000"));
        assert_eq!(req.header("x-api-key"), Some(KEY));
        assert_eq!(req.header("anthropic-dangerous-direct-browser-access"), Some("true"));
        let body = r#"{"data":[{"id":"claude-sonnet-4-5","type":"model","display_name":"Claude Sonnet 4.5","created_at":"2025-09-29T00:00:00Z"},{"id":"claude-haiku-4-5","type":"model","display_name":"Claude Haiku 4.5","created_at":"2025-10-01T00:00:00Z"}],"has_more":false,"first_id":"claude-sonnet-4-5","last_id":"claude-haiku-4-5"}"#;
        assert_eq!(
            parse_models_response(KIND, body).ok(),
            Some(vec!["claude-sonnet-4-5".to_string(), "claude-haiku-4-5".to_string()])
        );
    }
}
