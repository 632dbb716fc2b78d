//! Small helpers shared by the per-provider request builders and stream handlers.

use serde_json::Value;

use super::error::{ProviderError, Setting};
use super::types::{ChatRequest, HttpRequest, Method, ProviderSettings, ToolResultMessage, ToolSpec};
use super::ProviderKind;

/// The base URL without a trailing slash; an empty setting means the provider's default.
pub(crate) fn base_url(kind: ProviderKind, settings: &ProviderSettings) -> Result<String, ProviderError> {
    let raw = settings.base_url.trim();
    let raw = if raw.is_empty() { kind.default_base_url() } else { raw };
    let base = raw.trim_end_matches('/');
    let lower = base.to_ascii_lowercase();
    let has_host = ["http://", "https://"].iter().any(|scheme| lower.starts_with(scheme) && lower.len() > scheme.len());
    if has_host {
        Ok(base.to_string())
    } else {
        Err(ProviderError::MissingSetting { provider: kind, what: Setting::BaseUrl })
    }
}

/// The trimmed key (pasted keys often carry a newline, which `fetch` rejects in a header),
/// or `None` when there is none and the provider can do without.
pub(crate) fn api_key(kind: ProviderKind, settings: &ProviderSettings) -> Result<Option<&str>, ProviderError> {
    let key = settings.api_key.trim();
    if !key.is_empty() {
        Ok(Some(key))
    } else if kind.needs_key() {
        Err(ProviderError::MissingSetting { provider: kind, what: Setting::ApiKey })
    } else {
        Ok(None)
    }
}

pub(crate) fn model(kind: ProviderKind, request: &ChatRequest) -> Result<&str, ProviderError> {
    let model = request.model.trim();
    if model.is_empty() {
        Err(ProviderError::MissingSetting { provider: kind, what: Setting::Model })
    } else {
        Ok(model)
    }
}

/// The system prompt, unless blank: some providers reject an empty one.
pub(crate) fn system_text(request: &ChatRequest) -> Option<&str> {
    request.system.as_deref().filter(|s| !s.trim().is_empty())
}

/// A NaN or infinite temperature would serialise as `null`, which providers reject with a
/// confusing message; treat it as unset instead.
pub(crate) fn temperature(request: &ChatRequest) -> Option<f64> {
    request.temperature.filter(|t| t.is_finite())
}

/// Top P, unless it is not a number.
pub(crate) fn top_p(request: &ChatRequest) -> Option<f64> {
    request.top_p.filter(|p| p.is_finite())
}

/// Stop sequences, without empty ones (Anthropic rejects those), or `None` when none remain.
pub(crate) fn stop_sequences(request: &ChatRequest) -> Option<Vec<&str>> {
    let stops: Vec<&str> = request.stop.iter().map(String::as_str).filter(|s| !s.is_empty()).collect();
    (!stops.is_empty()).then_some(stops)
}

pub(crate) fn header(name: &str, value: impl Into<String>) -> (String, String) {
    (name.to_string(), value.into())
}

pub(crate) fn bearer(key: &str) -> (String, String) {
    header("authorization", format!("Bearer {key}"))
}

pub(crate) fn post_json(url: String, mut headers: Vec<(String, String)>, body: &Value) -> HttpRequest {
    headers.push(header("content-type", "application/json"));
    HttpRequest { method: Method::Post, url, headers, body: Some(body.to_string()), bytes: None }
}

/// Whether a media part is an image (everything else Chainboard sends is audio).
pub(crate) fn is_image(mime: &str) -> bool {
    mime.starts_with("image/")
}

pub(crate) fn get(url: String, headers: Vec<(String, String)>) -> HttpRequest {
    HttpRequest { method: Method::Get, url, headers, body: None, bytes: None }
}

/// Percent-encodes a path segment, so a model name cannot change the path or add a query.
pub fn encode_path_segment(segment: &str) -> String {
    let mut out = String::with_capacity(segment.len());
    for byte in segment.bytes() {
        if byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~') {
            out.push(char::from(byte));
        } else {
            out.push_str(&format!("%{byte:02X}"));
        }
    }
    out
}

/// Parses one JSON document; `what` names it in the error.
pub(crate) fn parse_json(kind: ProviderKind, text: &str, what: &str) -> Result<Value, ProviderError> {
    serde_json::from_str(text)
        .map_err(|e| ProviderError::Malformed { provider: kind, message: format!("{what} is not valid JSON: {e}") })
}

pub(crate) fn malformed(kind: ProviderKind, message: &str) -> ProviderError {
    ProviderError::Malformed { provider: kind, message: message.to_string() }
}

/// `{"data":[{"id":…}]}`, the models list of OpenAI, compatible servers and Anthropic.
pub(crate) fn parse_data_ids(kind: ProviderKind, body: &str) -> Result<Vec<String>, ProviderError> {
    let value = parse_json(kind, body, "the models list")?;
    let data = value
        .get("data")
        .and_then(Value::as_array)
        .ok_or_else(|| malformed(kind, "the models list has no `data` array"))?;
    Ok(data
        .iter()
        .filter_map(|m| m.get("id").and_then(Value::as_str))
        .filter(|id| !id.is_empty())
        .map(str::to_string)
        .collect())
}

/// A tool result as plain text for providers without an error flag (OpenAI, Ollama): an
/// error is marked in words so the model still knows the call failed.
pub(crate) fn result_text(result: &ToolResultMessage) -> String {
    if result.is_error {
        format!("Error: {}", result.content)
    } else {
        result.content.clone()
    }
}

/// Tool definitions in the `{"type": "function", "function": {…}}` shape that OpenAI Chat
/// Completions and Ollama share.
pub(crate) fn function_tools(tools: &[ToolSpec]) -> Value {
    tools
        .iter()
        .map(|t| {
            serde_json::json!({"type": "function", "function": {
                "name": t.name, "description": t.description, "parameters": t.parameters
            }})
        })
        .collect()
}

/// Tool-call arguments as a JSON object, for providers that send objects (Anthropic, Gemini,
/// Ollama). Arguments that are not an object (a model's malformed JSON) become `{}`: the
/// request must stay valid, and the tool result already told the model what was wrong.
pub(crate) fn arguments_object(arguments: &str) -> Value {
    match serde_json::from_str::<Value>(arguments) {
        Ok(v @ Value::Object(_)) => v,
        _ => Value::Object(serde_json::Map::new()),
    }
}

/// A non-negative integer field as `u64`.
pub(crate) fn count(value: &Value, key: &str) -> Option<u64> {
    value.get(key).and_then(Value::as_u64)
}

/// A non-empty string field.
pub(crate) fn text<'a>(value: &'a Value, key: &str) -> Option<&'a str> {
    value.get(key).and_then(Value::as_str).filter(|s| !s.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_url_defaults_trims_and_validates() {
        let s = |url: &str| ProviderSettings { base_url: url.into(), api_key: String::new() };
        assert_eq!(base_url(ProviderKind::Ollama, &s("")).ok().as_deref(), Some("http://localhost:11434"));
        assert_eq!(
            base_url(ProviderKind::OpenAiCompatible, &s(" http://box:8080/v1/ ")).ok().as_deref(),
            Some("http://box:8080/v1")
        );
        for bad in ["localhost:11434", "ftp://x", "https://"] {
            assert!(matches!(
                base_url(ProviderKind::Ollama, &s(bad)),
                Err(ProviderError::MissingSetting { what: Setting::BaseUrl, .. })
            ));
        }
        assert!(base_url(ProviderKind::Demo, &s("")).is_err());
    }

    #[test]
    fn path_segments_cannot_escape() {
        assert_eq!(encode_path_segment("gemini-2.5-flash"), "gemini-2.5-flash");
        assert_eq!(encode_path_segment("a/b?key=x#f é"), "a%2Fb%3Fkey%3Dx%23f%20%C3%A9");
    }

    #[test]
    fn data_ids_parse_and_reject_other_shapes() {
        let body = r#"{"object":"list","data":[{"id":"gpt-4o-mini","object":"model"},{"id":"o3"},{"object":"model"}]}"#;
        assert_eq!(
            parse_data_ids(ProviderKind::OpenAi, body).ok(),
            Some(vec!["gpt-4o-mini".to_string(), "o3".to_string()])
        );
        assert!(matches!(
            parse_data_ids(ProviderKind::OpenAi, r#"{"models":[]}"#),
            Err(ProviderError::Malformed { .. })
        ));
        assert!(matches!(parse_data_ids(ProviderKind::OpenAi, "<html>"), Err(ProviderError::Malformed { .. })));
    }
}
