//! Ollama's native API (`/api/chat`, NDJSON streaming).

use serde_json::{json, Map, Value};

use super::error::{classify_stream_payload, ProviderError};
use super::ndjson::NdjsonDecoder;
use super::stream::{Framed, Handler};
use super::types::{
    ChatMessage, ChatRequest, ContentPart, FinishReason, HttpRequest, JsonMode, ProviderSettings, Role, StreamEvent,
    ToolChoice,
};
use super::{wire, ProviderKind};

const KIND: ProviderKind = ProviderKind::Ollama;

/// Local Ollama needs no key; a key is sent only for hosted or proxied instances.
fn auth_headers(settings: &ProviderSettings) -> Result<Vec<(String, String)>, ProviderError> {
    Ok(wire::api_key(KIND, settings)?.map(wire::bearer).into_iter().collect())
}

pub(crate) fn chat_request(settings: &ProviderSettings, request: &ChatRequest) -> Result<HttpRequest, ProviderError> {
    let base = wire::base_url(KIND, settings)?;
    let headers = auth_headers(settings)?;
    let model = wire::model(KIND, request)?;
    Ok(wire::post_json(format!("{base}/api/chat"), headers, &chat_body(model, request)))
}

fn chat_body(model: &str, request: &ChatRequest) -> Value {
    let mut messages = Vec::new();
    if let Some(system) = wire::system_text(request) {
        messages.push(json!({"role": "system", "content": system}));
    }
    for message in &request.messages {
        push_message(message, &mut messages);
    }
    let mut body = Map::new();
    body.insert("model".into(), json!(model));
    body.insert("messages".into(), Value::Array(messages));
    body.insert("stream".into(), json!(true));
    let mut options = Map::new();
    if let Some(t) = wire::temperature(request) {
        options.insert("temperature".into(), json!(t));
    }
    if let Some(max) = request.max_tokens {
        options.insert("num_predict".into(), json!(max));
    }
    if let Some(stop) = wire::stop_sequences(request) {
        options.insert("stop".into(), json!(stop));
    }
    if let Some(p) = wire::top_p(request) {
        options.insert("top_p".into(), json!(p));
    }
    if let Some(seed) = request.seed {
        options.insert("seed".into(), json!(seed));
    }
    if !options.is_empty() {
        body.insert("options".into(), Value::Object(options));
    }
    match &request.json_mode {
        Some(JsonMode::AnyObject) => {
            body.insert("format".into(), json!("json"));
        }
        Some(JsonMode::Schema { schema, .. }) => {
            body.insert("format".into(), schema.clone());
        }
        None => {}
    }
    if !request.tools.is_empty() {
        // Ollama has no `tool_choice`: "none" leaves the tools out; "required" and a named
        // tool cannot be enforced, so the model decides.
        if request.tool_choice != ToolChoice::None {
            body.insert("tools".into(), wire::function_tools(&request.tools));
        }
    }
    Value::Object(body)
}

/// One turn: calls are echoed with object arguments; each result is a `tool` message named
/// after its tool.
fn push_message(message: &ChatMessage, out: &mut Vec<Value>) {
    match message.role {
        Role::Assistant => {
            let mut m = json!({"role": "assistant", "content": message.text});
            if !message.tool_calls.is_empty() {
                let calls: Vec<Value> = message
                    .tool_calls
                    .iter()
                    .map(|c| json!({"function": {"name": c.name, "arguments": wire::arguments_object(&c.arguments)}}))
                    .collect();
                m["tool_calls"] = Value::Array(calls);
            }
            out.push(m);
        }
        Role::User => {
            for r in &message.tool_results {
                out.push(json!({"role": "tool", "tool_name": r.name, "content": wire::result_text(r)}));
            }
            if !message.parts.is_empty() {
                // Ollama takes text in `content` and images as bare base64 in `images`.
                let mut text = String::new();
                let mut images = Vec::new();
                for part in &message.parts {
                    match part {
                        ContentPart::Text { text: t } => text.push_str(t),
                        ContentPart::Media { mime, data, .. } if wire::is_image(mime) => images.push(json!(data)),
                        ContentPart::Media { name, .. } => text.push_str(&format!("[audio {name}]")),
                    }
                }
                out.push(json!({"role": "user", "content": text, "images": images}));
            } else if !message.text.is_empty() || message.tool_results.is_empty() {
                out.push(json!({"role": "user", "content": message.text}));
            }
        }
    }
}

pub(crate) fn models_request(settings: &ProviderSettings) -> Result<HttpRequest, ProviderError> {
    let base = wire::base_url(KIND, settings)?;
    Ok(wire::get(format!("{base}/api/tags"), auth_headers(settings)?))
}

pub(crate) fn parse_models(body: &str) -> Result<Vec<String>, ProviderError> {
    let value = wire::parse_json(KIND, body, "the models list")?;
    let models = value
        .get("models")
        .and_then(Value::as_array)
        .ok_or_else(|| wire::malformed(KIND, "the models list has no `models` array"))?;
    Ok(models
        .iter()
        .filter_map(|m| wire::text(m, "name").or_else(|| wire::text(m, "model")))
        .map(str::to_string)
        .collect())
}

pub(crate) fn parser() -> Framed<NdjsonDecoder, OllamaHandler> {
    Framed::new(KIND, OllamaHandler::default())
}

#[derive(Default)]
pub(crate) struct OllamaHandler {
    tool_calls: usize,
    done: bool,
}

impl OllamaHandler {
    fn message(&mut self, message: &Value, out: &mut Vec<StreamEvent>) {
        // `thinking` is reasoning, not the answer.
        if let Some(text) = wire::text(message, "content") {
            out.push(StreamEvent::TextDelta(text.to_string()));
        }
        let calls = message.get("tool_calls").and_then(Value::as_array);
        for call in calls.into_iter().flatten() {
            let function = call.get("function");
            out.push(StreamEvent::ToolCallDelta {
                index: self.tool_calls,
                id: wire::text(call, "id").map(str::to_string),
                name: function.and_then(|f| wire::text(f, "name")).map(str::to_string),
                // Ollama sends the arguments as an object; other providers as JSON text.
                arguments_delta: function.and_then(|f| f.get("arguments")).map_or_else(
                    || "{}".to_string(),
                    |a| match a {
                        Value::String(s) => s.clone(),
                        other => other.to_string(),
                    },
                ),
            });
            self.tool_calls += 1;
        }
    }
}

impl Handler<String> for OllamaHandler {
    fn handle(&mut self, line: String, out: &mut Vec<StreamEvent>) {
        let chunk = match wire::parse_json(KIND, &line, "a stream line") {
            Ok(chunk) => chunk,
            Err(error) => {
                out.push(StreamEvent::Error(error));
                return;
            }
        };
        if chunk.get("error").is_some_and(|e| !e.is_null()) {
            out.push(StreamEvent::Error(classify_stream_payload(KIND, &chunk)));
            return;
        }
        if let Some(message) = chunk.get("message") {
            self.message(message, out);
        }
        if chunk.get("done").and_then(Value::as_bool) == Some(true) {
            self.done = true;
            let reason = match wire::text(&chunk, "done_reason") {
                Some("stop") | None if self.tool_calls > 0 => FinishReason::ToolCalls,
                Some("stop") | None => FinishReason::Stop,
                Some("length") => FinishReason::Length,
                Some(other) => FinishReason::Other(other.to_string()),
            };
            out.push(StreamEvent::Finish { reason });
            out.push(StreamEvent::Usage {
                input_tokens: wire::count(&chunk, "prompt_eval_count"),
                output_tokens: wire::count(&chunk, "eval_count"),
            });
        }
    }

    fn is_complete(&self) -> bool {
        self.done
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

    #[test]
    fn chat_request_snapshot() {
        let req = build_chat_request(KIND, &settings(""), &sample_request("llama3.2"));
        let Ok(req) = req else { panic!("{req:?}") };
        assert_eq!(req.method, Method::Post);
        assert_eq!(req.url, "http://localhost:11434/api/chat");
        assert_eq!(req.headers, vec![("content-type".to_string(), "application/json".to_string())]);
        let body: Value = serde_json::from_str(req.body.as_deref().unwrap_or_default()).unwrap_or_default();
        assert_eq!(
            body,
            json!({
                "model": "llama3.2",
                "messages": [
                    {"role": "system", "content": "You are terse."},
                    {"role": "user", "content": "Summarise: café ☕"},
                    {"role": "assistant", "content": "Sure."},
                    {"role": "user", "content": "Go on."}
                ],
                "stream": true,
                "options": {"temperature": 0.2, "num_predict": 256, "stop": ["END"]},
                "format": {
                    "type": "object",
                    "properties": {"summary": {"type": "string"}},
                    "required": ["summary"],
                    "additionalProperties": false
                }
            })
        );
    }

    #[test]
    fn key_is_a_bearer_header_and_any_object_is_format_json() {
        let mut chat = sample_request("llama3.2");
        chat.json_mode = Some(JsonMode::AnyObject);
        let req = build_chat_request(KIND, &settings(KEY), &chat);
        let Ok(req) = req else { panic!("{req:?}") };
        assert_eq!(req.header("authorization"), Some(format!("Bearer {KEY}").as_str()));
        assert!(!req.url.contains(KEY));
        let body: Value = serde_json::from_str(req.body.as_deref().unwrap_or_default()).unwrap_or_default();
        assert_eq!(body.get("format"), Some(&json!("json")));
    }

    #[test]
    fn models_request_and_response() {
        let req = build_models_request(KIND, &settings(""));
        let Ok(req) = req else { panic!("{req:?}") };
        assert_eq!((req.method, req.url.as_str()), (Method::Get, "http://localhost:11434/api/tags"));
        assert!(req.headers.is_empty());
        let body = r#"{"models":[{"name":"llama3.2:latest","model":"llama3.2:latest","modified_at":"2026-08-01T10:00:00Z","size":2019393189,"digest":"a80c4f17acd5","details":{"family":"llama"}},{"name":"qwen3:8b","model":"qwen3:8b"}]}"#;
        assert_eq!(
            parse_models_response(KIND, body).ok(),
            Some(vec!["llama3.2:latest".to_string(), "qwen3:8b".to_string()])
        );
        assert!(matches!(parse_models_response(KIND, "{}"), Err(ProviderError::Malformed { .. })));
    }
}
