//! Provider-neutral request, HTTP and stream types.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::error::ProviderError;

/// Who wrote a chat turn. The system prompt is a separate field because every provider
/// places it differently (a message, a top-level field, `systemInstruction`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    User,
    Assistant,
}

/// One turn. An assistant turn may carry the tool calls the model made; a user turn may
/// carry the results of those calls (each provider places them in its own shape).
/// The tool fields are left out of the JSON when empty, so plain requests hash as before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChatMessage {
    pub role: Role,
    /// The message's text. With `parts`, the text parts joined, media shown as labels (for
    /// estimates and judges); the providers then send `parts` instead.
    pub text: String,
    /// Text and media in order, when the message carries images or audio.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub parts: Vec<ContentPart>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tool_calls: Vec<ToolCallMessage>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tool_results: Vec<ToolResultMessage>,
}

impl ChatMessage {
    pub fn user(text: impl Into<String>) -> Self {
        ChatMessage {
            role: Role::User,
            text: text.into(),
            parts: Vec::new(),
            tool_calls: Vec::new(),
            tool_results: Vec::new(),
        }
    }

    pub fn assistant(text: impl Into<String>) -> Self {
        ChatMessage {
            role: Role::Assistant,
            text: text.into(),
            parts: Vec::new(),
            tool_calls: Vec::new(),
            tool_results: Vec::new(),
        }
    }
}

/// A piece of a user message that carries media.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ContentPart {
    Text {
        text: String,
    },
    /// An image or audio file, base64-encoded (standard alphabet, padded).
    Media {
        name: String,
        mime: String,
        data: String,
    },
}

/// A Transcribe block's call: the user message holds one audio part. OpenAI and compatible
/// servers get `/audio/transcriptions`; Gemini a chat call that asks for a transcript.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Transcription {
    /// ISO 639-1 code such as "en"; empty lets the model detect it.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub language: String,
    /// Words and names to expect (spelling hints).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub hint: String,
}

/// Ids Chainboard makes up for calls that came without one (Gemini, Ollama); they are never
/// sent to a provider as if they were its own.
pub const SYNTHETIC_ID_PREFIX: &str = "cb_call_";

/// A tool call the model made, as it is echoed back in the next request.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolCallMessage {
    /// The provider's call id (`call_…`, `toolu_…`); Gemini and Ollama may send none.
    pub id: String,
    pub name: String,
    /// The arguments as JSON text.
    pub arguments: String,
    /// Gemini's `thoughtSignature`, returned verbatim (Gemini 3 rejects history without it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub signature: Option<String>,
}

/// The result of one tool call, sent back to the model.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ToolResultMessage {
    pub call_id: String,
    pub name: String,
    pub content: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub is_error: bool,
}

/// A tool the model may call.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ToolSpec {
    pub name: String,
    pub description: String,
    /// JSON Schema of the arguments (an object schema).
    pub parameters: serde_json::Value,
}

/// Whether and which tool the model must call.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(tag = "type", content = "name", rename_all = "snake_case")]
pub enum ToolChoice {
    /// The model decides.
    #[default]
    Auto,
    /// The model must call some tool.
    Required,
    /// The model must not call tools (they are still described to it).
    None,
    /// The model must call this tool.
    Tool(String),
}

impl ToolChoice {
    pub fn is_auto(&self) -> bool {
        *self == ToolChoice::Auto
    }
}

/// Asks the model for JSON output.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum JsonMode {
    /// Any JSON object.
    AnyObject,
    /// An object matching a JSON Schema. `name` only matters to OpenAI.
    Schema { name: String, schema: serde_json::Value },
}

/// One model call, independent of the provider.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ChatRequest {
    pub model: String,
    pub system: Option<String>,
    pub messages: Vec<ChatMessage>,
    pub temperature: Option<f64>,
    pub max_tokens: Option<u32>,
    pub json_mode: Option<JsonMode>,
    pub stop: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tools: Vec<ToolSpec>,
    #[serde(default, skip_serializing_if = "ToolChoice::is_auto")]
    pub tool_choice: ToolChoice,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub transcription: Option<Transcription>,
    // The settings below are left out of the JSON when unset, so requests of flows that do
    // not use them keep their cache keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// OpenAI's `reasoning_effort`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning_effort: Option<String>,
    /// Anthropic's `thinking.budget_tokens`, Gemini's `thinkingConfig.thinkingBudget`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thinking_budget: Option<u32>,
}

/// A model parameter that only some providers take.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Param {
    TopP,
    Stop,
    Seed,
    ReasoningEffort,
    ThinkingBudget,
}

/// Where to send a request and with which key.
///
/// Deliberately not `Serialize`, and `Debug` hides the key, so the key cannot end up in a
/// flow file or a log by accident. An empty `base_url` means the provider's default.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct ProviderSettings {
    pub base_url: String,
    pub api_key: String,
}

impl fmt::Debug for ProviderSettings {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let key = if self.api_key.is_empty() { "" } else { REDACTED };
        f.debug_struct("ProviderSettings").field("base_url", &self.base_url).field("api_key", &key).finish()
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Method {
    Get,
    Post,
    Put,
    Patch,
    Delete,
}

impl Method {
    pub fn as_str(self) -> &'static str {
        match self {
            Method::Get => "GET",
            Method::Post => "POST",
            Method::Put => "PUT",
            Method::Patch => "PATCH",
            Method::Delete => "DELETE",
        }
    }
}

/// A request for the UI layer to send with `fetch`. Header names are lowercase.
#[derive(Clone, PartialEq, Eq)]
pub struct HttpRequest {
    pub method: Method,
    pub url: String,
    pub headers: Vec<(String, String)>,
    /// A text body. When `bytes` is set, this is only a readable summary for traces.
    pub body: Option<String>,
    /// A binary body (a multipart upload of audio); sent instead of `body`.
    pub bytes: Option<std::sync::Arc<Vec<u8>>>,
}

pub(crate) const REDACTED: &str = "[redacted]";

/// Headers that carry a key. Kept in one place so `redacted` cannot miss a provider.
const SECRET_HEADERS: [&str; 3] = ["authorization", "x-api-key", "x-goog-api-key"];

impl HttpRequest {
    /// The value of a header, matched case-insensitively.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str())
    }

    /// A copy that is safe to show or log: key headers become "[redacted]" and any `key=`
    /// query parameter is removed.
    pub fn redacted(&self) -> HttpRequest {
        let headers = self
            .headers
            .iter()
            .map(|(name, value)| {
                let secret = SECRET_HEADERS.iter().any(|s| name.eq_ignore_ascii_case(s));
                let value = if secret { REDACTED.to_string() } else { value.clone() };
                (name.clone(), value)
            })
            .collect();
        HttpRequest {
            method: self.method,
            url: strip_key_param(&self.url),
            headers,
            body: self.body.as_deref().map(elide_base64),
            bytes: None,
        }
    }
}

/// Printing a request must never print the key, so `Debug` shows the redacted copy.
impl fmt::Debug for HttpRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let safe = self.redacted();
        f.debug_struct("HttpRequest")
            .field("method", &safe.method)
            .field("url", &safe.url)
            .field("headers", &safe.headers)
            .field("body", &safe.body)
            .finish()
    }
}

/// Runs of base64 this long are inline media, not something a person reads in a trace.
const LONG_BASE64: usize = 400;

/// Replaces long base64 runs (inline images and audio) with their size, so a trace shows
/// the request's shape without megabytes of noise.
pub(crate) fn elide_base64(body: &str) -> String {
    let is_b64 = |c: u8| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'/' | b'=');
    let bytes = body.as_bytes();
    let mut out = String::with_capacity(body.len().min(64 * 1024));
    let mut i = 0;
    let mut copied = 0;
    while i < bytes.len() {
        if !is_b64(bytes[i]) {
            i += 1;
            continue;
        }
        let start = i;
        while i < bytes.len() && is_b64(bytes[i]) {
            i += 1;
        }
        if i - start >= LONG_BASE64 {
            out.push_str(&body[copied..start]);
            let kb = (i - start) * 3 / 4 / 1000;
            out.push_str(&format!("\u{2026}base64, {kb} kB\u{2026}"));
            copied = i;
        }
    }
    out.push_str(&body[copied..]);
    out
}

/// Removes `key=` query parameters (Gemini accepts `?key=`; a user may paste such a URL).
pub(crate) fn strip_key_param(url: &str) -> String {
    let (without_fragment, fragment) = match url.split_once('#') {
        Some((u, f)) => (u, Some(f)),
        None => (url, None),
    };
    let Some((path, query)) = without_fragment.split_once('?') else {
        return url.to_string();
    };
    let kept: Vec<&str> = query
        .split('&')
        .filter(|pair| {
            let name = pair.split_once('=').map_or(*pair, |(n, _)| n);
            !pair.is_empty() && !name.eq_ignore_ascii_case("key")
        })
        .collect();
    let mut out = path.to_string();
    if !kept.is_empty() {
        out.push('?');
        out.push_str(&kept.join("&"));
    }
    if let Some(fragment) = fragment {
        out.push('#');
        out.push_str(fragment);
    }
    out
}

/// Why the model stopped.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FinishReason {
    Stop,
    /// The output was cut off by `max_tokens` or the context window.
    Length,
    ToolCalls,
    ContentFilter,
    Other(String),
}

/// One decoded piece of a streamed reply.
#[derive(Debug, Clone, PartialEq)]
pub enum StreamEvent {
    TextDelta(String),
    /// A piece of a tool call. `index` numbers the calls of one reply from 0. `id` and `name`
    /// come with the first piece; append `arguments_delta` pieces to get the JSON arguments.
    /// Providers that send whole calls (Gemini, Ollama) send one piece with the full JSON.
    ToolCallDelta {
        index: usize,
        id: Option<String>,
        name: Option<String>,
        arguments_delta: String,
    },
    /// Gemini's opaque `thoughtSignature` for the call numbered `index`.
    ToolCallSignature {
        index: usize,
        signature: String,
    },
    /// The latest known totals for the whole reply (not increments).
    Usage {
        input_tokens: Option<u64>,
        output_tokens: Option<u64>,
    },
    Finish {
        reason: FinishReason,
    },
    /// An error reported inside a successful (HTTP 200) stream, or a stream that ended early.
    Error(ProviderError),
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(url: &str, headers: &[(&str, &str)]) -> HttpRequest {
        HttpRequest {
            method: Method::Post,
            url: url.to_string(),
            headers: headers.iter().map(|(n, v)| (n.to_string(), v.to_string())).collect(),
            body: Some("{}".into()),
            bytes: None,
        }
    }

    #[test]
    fn traces_show_media_as_its_size() {
        let data = "QUJD".repeat(500);
        let req =
            HttpRequest { body: Some(format!("{{\"data\":\"{data}\",\"model\":\"m\"}}")), ..request("https://x", &[]) };
        let shown = req.redacted().body.unwrap_or_default();
        assert_eq!(shown, "{\"data\":\"\u{2026}base64, 1 kB\u{2026}\",\"model\":\"m\"}");
    }

    #[test]
    fn redacted_hides_every_secret_header_and_keeps_the_rest() {
        let req = request(
            "https://example.test/v1/chat",
            &[
                ("Authorization", "Bearer sk-secret"),
                ("x-api-key", "sk-ant-secret"),
                ("X-Goog-Api-Key", "AIzaSecret"),
                ("content-type", "application/json"),
            ],
        );
        let safe = req.redacted();
        assert_eq!(safe.header("authorization"), Some(REDACTED));
        assert_eq!(safe.header("x-api-key"), Some(REDACTED));
        assert_eq!(safe.header("x-goog-api-key"), Some(REDACTED));
        assert_eq!(safe.header("content-type"), Some("application/json"));
        assert_eq!(safe.body, req.body);
        let printed = format!("{req:?}");
        assert!(!printed.contains("secret") && !printed.contains("Secret"), "{printed}");
    }

    #[test]
    fn key_query_parameters_are_stripped() {
        let cases = [
            ("https://h/m?key=AIza1", "https://h/m"),
            ("https://h/m?alt=sse&key=AIza1", "https://h/m?alt=sse"),
            ("https://h/m?key=AIza1&alt=sse#x", "https://h/m?alt=sse#x"),
            ("https://h/m?KEY=a&pageSize=5&monkey=1", "https://h/m?pageSize=5&monkey=1"),
            ("https://h/m", "https://h/m"),
        ];
        for (input, expected) in cases {
            assert_eq!(strip_key_param(input), expected, "{input}");
        }
    }

    #[test]
    fn settings_debug_hides_the_key() {
        let s = ProviderSettings { base_url: "https://x".into(), api_key: "sk-live-123".into() };
        let printed = format!("{s:?}");
        assert!(!printed.contains("sk-live"), "{printed}");
        assert!(printed.contains("[redacted]"));
    }
}
