//! Google Gemini Developer API (`generateContent` family).

use serde_json::{json, Map, Value};

use super::error::{classify_stream_payload, ProviderError};
use super::sse::{SseDecoder, SseEvent};
use super::stream::{Framed, Handler};
use super::types::{
    ChatMessage, ChatRequest, ContentPart, FinishReason, HttpRequest, JsonMode, ProviderSettings, Role, StreamEvent,
    ToolChoice, SYNTHETIC_ID_PREFIX,
};
use super::{wire, ProviderKind};

const KIND: ProviderKind = ProviderKind::Gemini;

/// The key goes in a header, never in `?key=`, so it stays out of URLs that get logged.
fn auth_headers(settings: &ProviderSettings) -> Result<Vec<(String, String)>, ProviderError> {
    let key = wire::api_key(KIND, settings)?;
    Ok(key.map(|k| wire::header("x-goog-api-key", k)).into_iter().collect())
}

/// The model id without the `models/` prefix the models list uses.
fn bare_model(model: &str) -> &str {
    model.strip_prefix("models/").unwrap_or(model)
}

pub(crate) fn chat_request(settings: &ProviderSettings, request: &ChatRequest) -> Result<HttpRequest, ProviderError> {
    let base = wire::base_url(KIND, settings)?;
    let headers = auth_headers(settings)?;
    let model = wire::encode_path_segment(bare_model(wire::model(KIND, request)?));
    // Without alt=sse the stream is one incrementally sent JSON array instead of SSE.
    let url = format!("{base}/models/{model}:streamGenerateContent?alt=sse");
    Ok(wire::post_json(url, headers, &chat_body(request)))
}

fn chat_body(request: &ChatRequest) -> Value {
    let contents: Vec<Value> = request.messages.iter().map(content).collect();
    let mut body = Map::new();
    body.insert("contents".into(), Value::Array(contents));
    if let Some(system) = wire::system_text(request) {
        body.insert("systemInstruction".into(), json!({"parts": [{"text": system}]}));
    }
    let mut config = Map::new();
    if let Some(t) = wire::temperature(request) {
        config.insert("temperature".into(), json!(t));
    }
    if let Some(max) = request.max_tokens {
        config.insert("maxOutputTokens".into(), json!(max));
    }
    if let Some(stop) = wire::stop_sequences(request) {
        config.insert("stopSequences".into(), json!(stop));
    }
    if let Some(p) = wire::top_p(request) {
        config.insert("topP".into(), json!(p));
    }
    if let Some(seed) = request.seed {
        config.insert("seed".into(), json!(seed));
    }
    if let Some(budget) = request.thinking_budget {
        config.insert("thinkingConfig".into(), json!({"thinkingBudget": budget}));
    }
    if let Some(mode) = &request.json_mode {
        config.insert("responseMimeType".into(), json!("application/json"));
        if let JsonMode::Schema { schema, .. } = mode {
            config.insert("responseJsonSchema".into(), schema.clone());
        }
    }
    if !config.is_empty() {
        body.insert("generationConfig".into(), Value::Object(config));
    }
    if !request.tools.is_empty() {
        let declarations: Vec<Value> = request
            .tools
            .iter()
            .map(|t| json!({"name": t.name, "description": t.description, "parametersJsonSchema": t.parameters}))
            .collect();
        body.insert("tools".into(), json!([{"functionDeclarations": declarations}]));
        let config = match &request.tool_choice {
            ToolChoice::Auto => None,
            ToolChoice::Required => Some(json!({"mode": "ANY"})),
            ToolChoice::None => Some(json!({"mode": "NONE"})),
            ToolChoice::Tool(name) => Some(json!({"mode": "ANY", "allowedFunctionNames": [name]})),
        };
        if let Some(config) = config {
            body.insert("toolConfig".into(), json!({"functionCallingConfig": config}));
        }
    }
    Value::Object(body)
}

/// One turn. The model's calls are echoed as `functionCall` parts with their
/// `thoughtSignature`; results go back as `functionResponse` parts in a user turn.
fn content(m: &ChatMessage) -> Value {
    let role = match m.role {
        Role::User => "user",
        Role::Assistant => "model",
    };
    let mut parts = Vec::new();
    for r in &m.tool_results {
        let key = if r.is_error { "error" } else { "result" };
        let mut response = json!({"name": r.name, "response": {key: r.content}});
        if !r.call_id.is_empty() && !r.call_id.starts_with(SYNTHETIC_ID_PREFIX) {
            response["id"] = json!(r.call_id);
        }
        parts.push(json!({"functionResponse": response}));
    }
    if !m.parts.is_empty() {
        parts.extend(m.parts.iter().map(|p| match p {
            ContentPart::Text { text } => json!({"text": text}),
            ContentPart::Media { mime, data, .. } => json!({"inline_data": {"mime_type": mime, "data": data}}),
        }));
    } else if !m.text.is_empty() || (m.tool_calls.is_empty() && m.tool_results.is_empty()) {
        parts.push(json!({"text": m.text}));
    }
    for c in &m.tool_calls {
        let mut call = json!({"name": c.name, "args": wire::arguments_object(&c.arguments)});
        if !c.id.is_empty() && !c.id.starts_with(SYNTHETIC_ID_PREFIX) {
            call["id"] = json!(c.id);
        }
        let mut part = json!({"functionCall": call});
        if let Some(signature) = &c.signature {
            part["thoughtSignature"] = json!(signature);
        }
        parts.push(part);
    }
    json!({"role": role, "parts": parts})
}

pub(crate) fn models_request(settings: &ProviderSettings) -> Result<HttpRequest, ProviderError> {
    let base = wire::base_url(KIND, settings)?;
    let headers = auth_headers(settings)?;
    // The default page holds 50 models, fewer than Gemini has; 1000 is the maximum.
    Ok(wire::get(format!("{base}/models?pageSize=1000"), headers))
}

/// Chat-capable model ids: embedding-only models lack `generateContent`.
pub(crate) fn parse_models(body: &str) -> Result<Vec<String>, ProviderError> {
    let value = wire::parse_json(KIND, body, "the models list")?;
    let models = value
        .get("models")
        .and_then(Value::as_array)
        .ok_or_else(|| wire::malformed(KIND, "the models list has no `models` array"))?;
    Ok(models
        .iter()
        .filter(|m| match m.get("supportedGenerationMethods").and_then(Value::as_array) {
            Some(methods) => methods.iter().any(|x| x.as_str() == Some("generateContent")),
            None => true,
        })
        .filter_map(|m| wire::text(m, "name"))
        .map(|name| bare_model(name).to_string())
        .collect())
}

pub(crate) fn parser() -> Framed<SseDecoder, GeminiHandler> {
    Framed::new(KIND, GeminiHandler::default())
}

#[derive(Default)]
pub(crate) struct GeminiHandler {
    tool_calls: usize,
    finished: bool,
    /// Every chunk repeats the usage totals; only changes are reported.
    last_usage: Option<(Option<u64>, Option<u64>)>,
}

impl GeminiHandler {
    fn candidate(&mut self, candidate: &Value, out: &mut Vec<StreamEvent>) {
        let parts = candidate.pointer("/content/parts").and_then(Value::as_array);
        for part in parts.into_iter().flatten() {
            // Thought summaries are not the answer.
            if part.get("thought").and_then(Value::as_bool) == Some(true) {
                continue;
            }
            if let Some(text) = wire::text(part, "text") {
                out.push(StreamEvent::TextDelta(text.to_string()));
            }
            if let Some(call) = part.get("functionCall") {
                out.push(StreamEvent::ToolCallDelta {
                    index: self.tool_calls,
                    id: wire::text(call, "id").map(str::to_string),
                    name: wire::text(call, "name").map(str::to_string),
                    arguments_delta: call.get("args").map_or_else(|| "{}".to_string(), Value::to_string),
                });
                if let Some(signature) = wire::text(part, "thoughtSignature") {
                    out.push(StreamEvent::ToolCallSignature {
                        index: self.tool_calls,
                        signature: signature.to_string(),
                    });
                }
                self.tool_calls += 1;
            }
        }
        if let Some(reason) = wire::text(candidate, "finishReason") {
            self.finished = true;
            out.push(StreamEvent::Finish { reason: self.finish_reason(reason) });
        }
    }

    fn finish_reason(&self, reason: &str) -> FinishReason {
        match reason {
            // Gemini says STOP after a function call too; callers expect ToolCalls.
            "STOP" if self.tool_calls > 0 => FinishReason::ToolCalls,
            "STOP" => FinishReason::Stop,
            "MAX_TOKENS" => FinishReason::Length,
            "SAFETY" | "RECITATION" | "BLOCKLIST" | "PROHIBITED_CONTENT" | "SPII" | "IMAGE_SAFETY" => {
                FinishReason::ContentFilter
            }
            other => FinishReason::Other(other.to_string()),
        }
    }

    fn usage(&mut self, usage: &Value, out: &mut Vec<StreamEvent>) {
        let input = wire::count(usage, "promptTokenCount");
        // Thinking tokens are billed as output, as OpenAI's completion_tokens count them.
        let output = match (wire::count(usage, "candidatesTokenCount"), wire::count(usage, "thoughtsTokenCount")) {
            (None, None) => None,
            (a, b) => Some(a.unwrap_or(0).saturating_add(b.unwrap_or(0))),
        };
        if self.last_usage != Some((input, output)) {
            self.last_usage = Some((input, output));
            out.push(StreamEvent::Usage { input_tokens: input, output_tokens: output });
        }
    }
}

impl Handler<SseEvent> for GeminiHandler {
    fn handle(&mut self, event: SseEvent, out: &mut Vec<StreamEvent>) {
        if event.data.trim().is_empty() {
            return;
        }
        let chunk = match wire::parse_json(KIND, &event.data, "a stream chunk") {
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
        match chunk.get("candidates").and_then(Value::as_array).and_then(|c| c.first()) {
            Some(candidate) => self.candidate(candidate, out),
            // A blocked prompt gets no candidates, only the block reason.
            None => {
                if chunk.pointer("/promptFeedback/blockReason").is_some() {
                    self.finished = true;
                    out.push(StreamEvent::Finish { reason: FinishReason::ContentFilter });
                }
            }
        }
        if let Some(usage) = chunk.get("usageMetadata").filter(|u| u.is_object()) {
            self.usage(usage, out);
        }
    }

    fn is_complete(&self) -> bool {
        self.finished
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::{collect, sample_request, KEY};
    use super::super::{build_chat_request, build_models_request, parse_models_response};
    use super::*;
    use crate::domain::providers::Method;

    fn settings(key: &str) -> ProviderSettings {
        ProviderSettings { base_url: String::new(), api_key: key.into() }
    }

    #[test]
    fn chat_request_snapshot() {
        let req = build_chat_request(KIND, &settings(KEY), &sample_request("models/gemini-2.5-flash"));
        let Ok(req) = req else { panic!("{req:?}") };
        assert_eq!(req.method, Method::Post);
        assert_eq!(
            req.url,
            "https://generativelanguage.googleapis.com/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse"
        );
        assert_eq!(
            req.headers,
            vec![
                ("x-goog-api-key".to_string(), KEY.to_string()),
                ("content-type".to_string(), "application/json".to_string()),
            ]
        );
        let body: Value = serde_json::from_str(req.body.as_deref().unwrap_or_default()).unwrap_or_default();
        assert_eq!(
            body,
            json!({
                "contents": [
                    {"role": "user", "parts": [{"text": "Summarise: café ☕"}]},
                    {"role": "model", "parts": [{"text": "Sure."}]},
                    {"role": "user", "parts": [{"text": "Go on."}]}
                ],
                "systemInstruction": {"parts": [{"text": "You are terse."}]},
                "generationConfig": {
                    "temperature": 0.2,
                    "maxOutputTokens": 256,
                    "stopSequences": ["END"],
                    "responseMimeType": "application/json",
                    "responseJsonSchema": {
                        "type": "object",
                        "properties": {"summary": {"type": "string"}},
                        "required": ["summary"],
                        "additionalProperties": false
                    }
                }
            })
        );
        assert!(!req.url.contains(KEY) && !req.url.contains("key="));
        assert!(!format!("{:?}", req.redacted()).contains(KEY));
    }

    #[test]
    fn minimal_request_has_no_generation_config_and_safe_url() {
        let chat = ChatRequest {
            model: "tuned/../x?y".into(),
            messages: vec![super::super::ChatMessage::user("hi")],
            ..ChatRequest::default()
        };
        let req = build_chat_request(KIND, &settings(KEY), &chat);
        let Ok(req) = req else { panic!("{req:?}") };
        assert!(req.url.ends_with("/models/tuned%2F..%2Fx%3Fy:streamGenerateContent?alt=sse"), "{}", req.url);
        let body: Value = serde_json::from_str(req.body.as_deref().unwrap_or_default()).unwrap_or_default();
        assert_eq!(body, json!({"contents": [{"role": "user", "parts": [{"text": "hi"}]}]}));
    }

    #[test]
    fn models_request_and_response() {
        let req = build_models_request(KIND, &settings(KEY));
        let Ok(req) = req else { panic!("{req:?}") };
        assert_eq!(
            (req.method, req.url.as_str()),
            (Method::Get, "https://generativelanguage.googleapis.com/v1beta/models?pageSize=1000")
        );
        assert_eq!(req.header("x-goog-api-key"), Some(KEY));
        let body = r#"{"models":[
            {"name":"models/gemini-2.5-flash","displayName":"Gemini 2.5 Flash","supportedGenerationMethods":["generateContent","countTokens","createCachedContent"]},
            {"name":"models/gemini-embedding-001","supportedGenerationMethods":["embedContent","countTextTokens"]},
            {"name":"models/gemini-2.5-pro"}
        ],"nextPageToken":"abc"}"#;
        assert_eq!(
            parse_models_response(KIND, body).ok(),
            Some(vec!["gemini-2.5-flash".to_string(), "gemini-2.5-pro".to_string()])
        );
    }

    #[test]
    fn blocked_prompt_finishes_with_content_filter() {
        let (events, _) = collect(
            KIND,
            b"data: {\"promptFeedback\":{\"blockReason\":\"SAFETY\"},\"usageMetadata\":{\"promptTokenCount\":5,\"totalTokenCount\":5}}\r\n\r\n",
        );
        assert_eq!(
            events,
            vec![
                StreamEvent::Finish { reason: FinishReason::ContentFilter },
                StreamEvent::Usage { input_tokens: Some(5), output_tokens: None },
            ]
        );
    }
}
