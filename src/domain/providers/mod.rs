//! Provider wire formats, sans-IO.
//!
//! The UI layer does the fetching. This module turns a [`ChatRequest`] into an
//! [`HttpRequest`], streamed response bytes into [`StreamEvent`]s, and error responses into
//! a [`ProviderError`] the user can act on, so every format quirk is tested on the host.
//! The facts follow shared/reference/provider-wire-formats.md.

mod anthropic;
mod demo;
mod embeddings;
mod error;
mod gemini;
pub mod local_models;
mod media_support;
pub mod moderation;
mod ndjson;
mod ollama;
mod openai;
mod sse;
mod stream;
mod types;
mod wire;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

pub use demo::{
    demo_agent_events, demo_chunks, demo_reply, rule_reply, sample_chat_reply, sample_reply, text_chunks, DEMO_MODEL,
};
pub use embeddings::{build_embeddings_request, parse_embeddings};
pub use error::{classify_http_error, ProviderError, Setting};
pub use media_support::{check_media, media_support, size_limit, transcription_support, Support};
pub use moderation::{build_moderation_request, parse_moderation, sample_moderation, ModerationResult};
pub use ndjson::NdjsonDecoder;
pub use sse::{SseDecoder, SseEvent};
pub use stream::{StreamParser, StreamSummary, ToolCall, EARLY_END_MESSAGE};
pub use types::{
    ChatMessage, ChatRequest, ContentPart, FinishReason, HttpRequest, JsonMode, Method, Param, ProviderSettings, Role,
    StreamEvent, ToolCallMessage, ToolChoice, ToolResultMessage, ToolSpec, Transcription, SYNTHETIC_ID_PREFIX,
};
pub(crate) use wire::base_url;
pub use wire::encode_path_segment;

/// Anthropic's key headers (for requests built outside this module, such as batch jobs).
pub fn anthropic_headers(key: &str) -> Vec<(String, String)> {
    anthropic::auth_headers(key)
}

/// Which API a model call goes to. Serialised as [`ProviderKind::id`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ProviderKind {
    #[serde(rename = "openai")]
    OpenAi,
    #[serde(rename = "anthropic")]
    Anthropic,
    #[serde(rename = "gemini")]
    Gemini,
    #[serde(rename = "ollama")]
    Ollama,
    #[serde(rename = "openai-compatible")]
    OpenAiCompatible,
    #[serde(rename = "demo")]
    Demo,
    /// A small model running in this tab (llama.cpp in WebAssembly, through wllama).
    #[serde(rename = "browser")]
    Browser,
}

impl ProviderKind {
    pub const ALL: [ProviderKind; 7] = [
        ProviderKind::OpenAi,
        ProviderKind::Anthropic,
        ProviderKind::Gemini,
        ProviderKind::Ollama,
        ProviderKind::OpenAiCompatible,
        ProviderKind::Browser,
        ProviderKind::Demo,
    ];

    /// The stable id used in files and settings.
    pub fn id(self) -> &'static str {
        match self {
            ProviderKind::OpenAi => "openai",
            ProviderKind::Anthropic => "anthropic",
            ProviderKind::Gemini => "gemini",
            ProviderKind::Ollama => "ollama",
            ProviderKind::OpenAiCompatible => "openai-compatible",
            ProviderKind::Demo => "demo",
            ProviderKind::Browser => "browser",
        }
    }

    pub fn from_id(id: &str) -> Option<ProviderKind> {
        ProviderKind::ALL.into_iter().find(|k| k.id() == id)
    }

    pub fn label(self) -> &'static str {
        match self {
            ProviderKind::OpenAi => "OpenAI",
            ProviderKind::Anthropic => "Anthropic",
            ProviderKind::Gemini => "Google Gemini",
            ProviderKind::Ollama => "Ollama",
            ProviderKind::OpenAiCompatible => "OpenAI-compatible",
            ProviderKind::Demo => "Sample answers (no key)",
            ProviderKind::Browser => "In this browser (small model, no key)",
        }
    }

    /// Used when the base URL setting is left empty. Empty for the offline demo.
    pub fn default_base_url(self) -> &'static str {
        match self {
            ProviderKind::OpenAi => "https://api.openai.com/v1",
            ProviderKind::Anthropic => "https://api.anthropic.com/v1",
            ProviderKind::Gemini => "https://generativelanguage.googleapis.com/v1beta",
            ProviderKind::Ollama => "http://localhost:11434",
            ProviderKind::OpenAiCompatible => "http://localhost:1234/v1",
            ProviderKind::Demo | ProviderKind::Browser => "",
        }
    }

    /// Hosted APIs refuse every call without a key; local servers usually need none.
    pub fn needs_key(self) -> bool {
        matches!(self, ProviderKind::OpenAi | ProviderKind::Anthropic | ProviderKind::Gemini)
    }
}

impl std::fmt::Display for ProviderKind {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.label())
    }
}

/// Whether `kind` takes `param` in its own request format. Values it does not take are
/// never sent (and the inspector says so).
pub fn supports(kind: ProviderKind, param: Param) -> bool {
    use ProviderKind as K;
    match param {
        Param::TopP | Param::Stop => !matches!(kind, K::Demo),
        // Anthropic has no seed.
        Param::Seed => matches!(kind, K::OpenAi | K::OpenAiCompatible | K::Gemini | K::Ollama | K::Browser),
        Param::ReasoningEffort => matches!(kind, K::OpenAi | K::OpenAiCompatible),
        Param::ThinkingBudget => matches!(kind, K::Anthropic | K::Gemini),
    }
}

/// A fresh decoder for one streamed reply of `kind`. For the demo it passes UTF-8 text
/// through, so the UI may stream [`demo_chunks`] the same way as real replies.
pub fn stream_parser(kind: ProviderKind) -> Box<dyn StreamParser> {
    match kind {
        // The in-browser model answers with OpenAI-shaped chunks, framed as SSE by the glue.
        ProviderKind::OpenAi | ProviderKind::OpenAiCompatible | ProviderKind::Browser => Box::new(openai::parser(kind)),
        ProviderKind::Anthropic => Box::new(anthropic::parser()),
        ProviderKind::Gemini => Box::new(gemini::parser()),
        ProviderKind::Ollama => Box::new(ollama::parser()),
        ProviderKind::Demo => Box::new(demo::DemoParser::default()),
    }
}

/// The decoder for the reply to `request`: a transcription through OpenAI's endpoint is one
/// JSON object, everything else streams.
pub fn parser_for(kind: ProviderKind, request: &ChatRequest) -> Box<dyn StreamParser> {
    match kind {
        ProviderKind::OpenAi | ProviderKind::OpenAiCompatible if request.transcription.is_some() => {
            Box::new(openai::TranscriptionParser::default())
        }
        _ => stream_parser(kind),
    }
}

/// The streaming chat request for `kind`. The demo makes no request: use [`demo_reply`].
pub fn build_chat_request(
    kind: ProviderKind,
    settings: &ProviderSettings,
    request: &ChatRequest,
) -> Result<HttpRequest, ProviderError> {
    match kind {
        ProviderKind::OpenAi | ProviderKind::OpenAiCompatible => openai::chat_request(kind, settings, request),
        ProviderKind::Anthropic => anthropic::chat_request(settings, request),
        ProviderKind::Gemini => gemini::chat_request(settings, request),
        ProviderKind::Ollama => ollama::chat_request(settings, request),
        ProviderKind::Demo => Err(demo::no_http("network requests")),
        ProviderKind::Browser => openai::browser_request(request),
    }
}

/// The request that lists the models available to this key or server.
pub fn build_models_request(kind: ProviderKind, settings: &ProviderSettings) -> Result<HttpRequest, ProviderError> {
    match kind {
        ProviderKind::OpenAi | ProviderKind::OpenAiCompatible => openai::models_request(kind, settings),
        ProviderKind::Anthropic => anthropic::models_request(settings),
        ProviderKind::Gemini => gemini::models_request(settings),
        ProviderKind::Ollama => ollama::models_request(settings),
        ProviderKind::Demo | ProviderKind::Browser => Err(demo::no_http("network requests")),
    }
}

/// Model ids from a successful models response, in the provider's order. The demo needs no
/// request and always has [`DEMO_MODEL`].
pub fn parse_models_response(kind: ProviderKind, body: &str) -> Result<Vec<String>, ProviderError> {
    match kind {
        // Anthropic lists models in the same `{"data":[{"id":…}]}` shape as OpenAI.
        ProviderKind::OpenAi | ProviderKind::OpenAiCompatible | ProviderKind::Anthropic => {
            wire::parse_data_ids(kind, body)
        }
        ProviderKind::Gemini => gemini::parse_models(body),
        ProviderKind::Ollama => ollama::parse_models(body),
        ProviderKind::Demo => Ok(vec![DEMO_MODEL.to_string()]),
        ProviderKind::Browser => Ok(local_models::LOCAL_MODELS.iter().map(|m| m.url.to_string()).collect()),
    }
}
