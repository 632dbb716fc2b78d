//! Cross-provider tests: provider ids, and the recorded stream fixtures fed whole, split at
//! every byte boundary and byte by byte. Shared helpers for the per-provider tests live here.

use proptest::prelude::*;
use serde_json::json;

use super::*;

/// A key that must never show up in a URL, a redacted request or an error message.
pub(crate) const KEY: &str = "sk-test-SECRET-1234567890";

/// System + three turns + temperature + max tokens + JSON schema + a stop sequence.
pub(crate) fn sample_request(model: &str) -> ChatRequest {
    ChatRequest {
        model: model.to_string(),
        system: Some("You are terse.".into()),
        messages: vec![
            ChatMessage::user("Summarise: café ☕"),
            ChatMessage::assistant("Sure."),
            ChatMessage::user("Go on."),
        ],
        temperature: Some(0.2),
        max_tokens: Some(256),
        json_mode: Some(JsonMode::Schema {
            name: "summary".into(),
            schema: json!({
                "type": "object",
                "properties": {"summary": {"type": "string"}},
                "required": ["summary"],
                "additionalProperties": false
            }),
        }),
        stop: vec!["END".into()],
        ..ChatRequest::default()
    }
}

fn feed_pieces<'a>(kind: ProviderKind, pieces: impl IntoIterator<Item = &'a [u8]>) -> Vec<StreamEvent> {
    let mut parser = stream_parser(kind);
    let mut events = Vec::new();
    for piece in pieces {
        events.extend(parser.feed(piece));
    }
    events.extend(parser.finish());
    assert!(parser.finish().is_empty(), "a second finish must report nothing");
    events
}

/// Feeds `bytes` in one piece and finishes.
pub(crate) fn collect(kind: ProviderKind, bytes: &[u8]) -> (Vec<StreamEvent>, StreamSummary) {
    let events = feed_pieces(kind, [bytes]);
    let summary = StreamSummary::from_events(&events);
    (events, summary)
}

struct Fixture {
    name: &'static str,
    kind: ProviderKind,
    body: &'static str,
    text: &'static str,
    /// (id, name, arguments) per call.
    tools: &'static [(Option<&'static str>, &'static str, &'static str)],
    usage: (Option<u64>, Option<u64>),
    finish: Option<FinishReason>,
    /// The error variant's name, when the stream reports one.
    error: Option<&'static str>,
}

macro_rules! fixture {
    ($file:literal) => {
        include_str!(concat!("../../../tests/fixtures/providers/", $file))
    };
}

fn fixtures() -> Vec<Fixture> {
    use FinishReason::*;
    use ProviderKind::*;
    vec![
        Fixture {
            name: "openai_text.sse",
            kind: OpenAi,
            body: fixture!("openai_text.sse"),
            text: "Bonjour! Un café ☕ et 🚀.",
            tools: &[],
            usage: (Some(12), Some(7)),
            finish: Some(Stop),
            error: None,
        },
        Fixture {
            name: "openai_tools.sse",
            kind: OpenAi,
            body: fixture!("openai_tools.sse"),
            text: "",
            tools: &[
                (Some("call_1"), "get_weather", r#"{"city":"Paris"}"#),
                (Some("call_2"), "get_time", r#"{"tz":"Europe/Zürich"}"#),
            ],
            usage: (Some(50), Some(17)),
            finish: Some(ToolCalls),
            error: None,
        },
        Fixture {
            name: "openai_error.sse",
            kind: OpenAi,
            body: fixture!("openai_error.sse"),
            text: "Partial café ",
            tools: &[],
            usage: (None, None),
            finish: None,
            error: Some("Server"),
        },
        Fixture {
            name: "openai_error_event.sse",
            kind: OpenAi,
            body: fixture!("openai_error_event.sse"),
            text: "Half an answer",
            tools: &[],
            usage: (None, None),
            finish: None,
            error: Some("RateLimited"),
        },
        Fixture {
            name: "openai_early_end.sse",
            kind: OpenAi,
            body: fixture!("openai_early_end.sse"),
            text: "The answer is cut off at the cafés",
            tools: &[],
            usage: (None, None),
            finish: None,
            error: Some("StreamError"),
        },
        Fixture {
            name: "openrouter_crlf.sse",
            kind: OpenAiCompatible,
            body: fixture!("openrouter_crlf.sse"),
            text: "Hola café 🌮!",
            tools: &[],
            usage: (Some(5), Some(4)),
            finish: Some(Stop),
            error: None,
        },
        Fixture {
            name: "anthropic_text.sse",
            kind: Anthropic,
            body: fixture!("anthropic_text.sse"),
            text: "Un café ☕ avec 🥐.",
            tools: &[],
            usage: (Some(25), Some(15)),
            finish: Some(Stop),
            error: None,
        },
        Fixture {
            name: "anthropic_tools.sse",
            kind: Anthropic,
            body: fixture!("anthropic_tools.sse"),
            text: "Let me check.",
            tools: &[(Some("toolu_1"), "get_weather", r#"{"city": "Paris"}"#)],
            usage: (Some(25), Some(48)),
            finish: Some(ToolCalls),
            error: None,
        },
        Fixture {
            name: "anthropic_error.sse",
            kind: Anthropic,
            body: fixture!("anthropic_error.sse"),
            text: "Bien sûr",
            tools: &[],
            usage: (Some(25), Some(1)),
            finish: None,
            error: Some("Overloaded"),
        },
        Fixture {
            name: "anthropic_early_end.sse",
            kind: Anthropic,
            body: fixture!("anthropic_early_end.sse"),
            text: "Almost done…",
            tools: &[],
            usage: (Some(25), Some(1)),
            finish: None,
            error: Some("StreamError"),
        },
        Fixture {
            name: "gemini_text.sse",
            kind: Gemini,
            body: fixture!("gemini_text.sse"),
            text: "Un café ☕ et 🚀.",
            tools: &[],
            usage: (Some(9), Some(48)),
            finish: Some(Stop),
            error: None,
        },
        Fixture {
            name: "gemini_tools.sse",
            kind: Gemini,
            body: fixture!("gemini_tools.sse"),
            text: "Checking.",
            tools: &[(None, "get_weather", r#"{"city":"Paris"}"#), (None, "get_time", r#"{"tz":"Europe/Zürich"}"#)],
            usage: (Some(9), Some(8)),
            finish: Some(ToolCalls),
            error: None,
        },
        Fixture {
            name: "gemini_error.sse",
            kind: Gemini,
            body: fixture!("gemini_error.sse"),
            text: "Déjà ",
            tools: &[],
            usage: (Some(9), None),
            finish: None,
            error: Some("Overloaded"),
        },
        Fixture {
            name: "gemini_early_end.sse",
            kind: Gemini,
            body: fixture!("gemini_early_end.sse"),
            text: "Never finished",
            tools: &[],
            usage: (Some(9), Some(2)),
            finish: None,
            error: Some("StreamError"),
        },
        Fixture {
            name: "ollama_text.ndjson",
            kind: Ollama,
            body: fixture!("ollama_text.ndjson"),
            text: "Un café ☕ 🚀",
            tools: &[],
            usage: (Some(26), Some(12)),
            finish: Some(Stop),
            error: None,
        },
        Fixture {
            name: "ollama_tools.ndjson",
            kind: Ollama,
            body: fixture!("ollama_tools.ndjson"),
            text: "",
            tools: &[(None, "get_weather", r#"{"city":"Paris"}"#), (None, "get_time", r#"{"tz":"Europe/Zürich"}"#)],
            usage: (Some(30), Some(20)),
            finish: Some(ToolCalls),
            error: None,
        },
        Fixture {
            name: "ollama_error.ndjson",
            kind: Ollama,
            body: fixture!("ollama_error.ndjson"),
            text: "Voilà",
            tools: &[],
            usage: (None, None),
            finish: None,
            error: Some("StreamError"),
        },
        Fixture {
            name: "ollama_early_end.ndjson",
            kind: Ollama,
            body: fixture!("ollama_early_end.ndjson"),
            text: "Stopped early",
            tools: &[],
            usage: (None, None),
            finish: None,
            error: Some("StreamError"),
        },
    ]
}

fn variant_name(error: &ProviderError) -> String {
    let debug = format!("{error:?}");
    debug.split([' ', '{', '(']).next().unwrap_or_default().to_string()
}

#[test]
fn fixtures_decode_to_the_expected_reply() {
    for f in fixtures() {
        let (events, s) = collect(f.kind, f.body.as_bytes());
        let name = f.name;
        assert_eq!(s.text, f.text, "{name}: text");
        let tools: Vec<(Option<&str>, &str, &str)> = s
            .tool_calls
            .iter()
            .map(|c| (c.id.as_deref(), c.name.as_deref().unwrap_or_default(), c.arguments.as_str()))
            .collect();
        assert_eq!(tools, f.tools, "{name}: tool calls");
        for call in &s.tool_calls {
            assert!(
                serde_json::from_str::<serde_json::Value>(&call.arguments).is_ok(),
                "{name}: arguments must be JSON text"
            );
        }
        assert_eq!((s.input_tokens, s.output_tokens), f.usage, "{name}: usage");
        assert_eq!(s.finish, f.finish, "{name}: finish");
        let errors: Vec<String> = s.errors.iter().map(variant_name).collect();
        assert_eq!(errors, f.error.into_iter().map(str::to_string).collect::<Vec<_>>(), "{name}: errors");
        for error in &s.errors {
            assert_eq!(error.provider(), f.kind, "{name}");
            assert!(error.is_retryable(), "{name}: stream errors here are all transient");
            if let ProviderError::StreamError { message, .. } = error {
                if f.body.contains("error") {
                    assert_ne!(message, EARLY_END_MESSAGE, "{name}");
                } else {
                    assert_eq!(message, EARLY_END_MESSAGE, "{name}");
                    assert!(error.to_string().contains("the text so far is kept"), "{name}");
                }
            }
        }
        assert!(!events.is_empty(), "{name}");
    }
}

#[test]
fn fixtures_decode_the_same_at_every_split() {
    for f in fixtures() {
        let bytes = f.body.as_bytes();
        let whole = feed_pieces(f.kind, [bytes]);
        for i in 0..=bytes.len() {
            let (a, b) = bytes.split_at(i);
            assert_eq!(feed_pieces(f.kind, [a, b]), whole, "{} split at byte {i}", f.name);
        }
        assert_eq!(feed_pieces(f.kind, bytes.chunks(1)), whole, "{} byte by byte", f.name);
    }
}

#[test]
fn fixture_bytes_are_as_recorded() {
    let crlf = fixture!("openrouter_crlf.sse");
    assert!(crlf.contains("\r\n\r\n") && crlf.contains(": OPENROUTER PROCESSING"));
    assert!(!crlf.replace("\r\n", "").contains('\n'), "every line ending is CRLF");
    assert!(fixture!("gemini_text.sse").contains("\r\n"));
    assert!(!fixture!("gemini_text.sse").ends_with('\n'), "last event has no blank line");
    assert!(!fixture!("ollama_text.ndjson").ends_with('\n'), "last line has no newline");
    assert!(!fixture!("openai_early_end.sse").contains("[DONE]"));
}

proptest! {
    #[test]
    fn random_chunkings_match_the_whole_feed(
        which in 0usize..18,
        cuts in proptest::collection::vec(any::<usize>(), 0..8),
    ) {
        let all = fixtures();
        let Some(f) = all.get(which % all.len()) else { return Ok(()) };
        let bytes = f.body.as_bytes();
        let mut cuts: Vec<usize> = cuts.into_iter().map(|c| c % (bytes.len() + 1)).collect();
        cuts.sort_unstable();
        let mut pieces = Vec::new();
        let mut start = 0;
        for cut in cuts {
            pieces.push(&bytes[start..cut]);
            start = cut;
        }
        pieces.push(&bytes[start..]);
        prop_assert_eq!(feed_pieces(f.kind, pieces), feed_pieces(f.kind, [bytes]));
    }

    #[test]
    fn parsers_never_panic_on_garbage(
        which in 0usize..6,
        bytes in proptest::collection::vec(any::<u8>(), 0..400),
    ) {
        let kind = ProviderKind::ALL[which];
        let mut parser = stream_parser(kind);
        let _ = parser.feed(&bytes);
        let _ = parser.finish();
        let _ = classify_http_error(kind, 400, &String::from_utf8_lossy(&bytes), None);
        let _ = parse_models_response(kind, &String::from_utf8_lossy(&bytes));
    }

    #[test]
    fn parsers_never_panic_on_wellformed_frames_with_odd_json(
        which in 0usize..6,
        json_text in "[\\[\\]{}\":,0-9a-z_ ]{0,60}",
    ) {
        let kind = ProviderKind::ALL[which];
        let mut parser = stream_parser(kind);
        let frame = format!("event: error\ndata: {json_text}\n\n{json_text}\n");
        let _ = parser.feed(frame.as_bytes());
        let _ = parser.finish();
    }
}

#[test]
fn provider_ids_labels_and_defaults() {
    let table = [
        (ProviderKind::OpenAi, "openai", "OpenAI", "https://api.openai.com/v1", true),
        (ProviderKind::Anthropic, "anthropic", "Anthropic", "https://api.anthropic.com/v1", true),
        (ProviderKind::Gemini, "gemini", "Google Gemini", "https://generativelanguage.googleapis.com/v1beta", true),
        (ProviderKind::Ollama, "ollama", "Ollama", "http://localhost:11434", false),
        (ProviderKind::OpenAiCompatible, "openai-compatible", "OpenAI-compatible", "http://localhost:1234/v1", false),
        (ProviderKind::Browser, "browser", "In this browser (small model, no key)", "", false),
        (ProviderKind::Demo, "demo", "Sample answers (no key)", "", false),
    ];
    assert_eq!(table.len(), ProviderKind::ALL.len());
    for (kind, id, label, url, key) in table {
        assert_eq!(kind.id(), id);
        assert_eq!(ProviderKind::from_id(id), Some(kind));
        assert_eq!(kind.label(), label);
        assert_eq!(kind.to_string(), label);
        assert_eq!(kind.default_base_url(), url);
        assert_eq!(kind.needs_key(), key);
        assert_eq!(serde_json::to_value(kind).ok(), Some(json!(id)));
        assert_eq!(serde_json::from_value::<ProviderKind>(json!(id)).ok(), Some(kind));
    }
    assert_eq!(ProviderKind::from_id("OpenAI"), None);
    assert!(serde_json::from_value::<ProviderKind>(json!("claude")).is_err());
}

#[test]
fn every_provider_needs_a_model_and_keeps_keys_out_of_urls() {
    let settings = ProviderSettings { base_url: String::new(), api_key: KEY.into() };
    for kind in ProviderKind::ALL {
        if kind == ProviderKind::Demo {
            continue;
        }
        let mut chat = sample_request("m");
        let Ok(req) = build_chat_request(kind, &settings, &chat) else { panic!("{kind:?}") };
        assert!(!req.url.contains(KEY), "{kind:?}");
        let shown = format!("{:?}", req.redacted());
        assert!(!shown.contains(KEY) && !shown.contains("SECRET"), "{kind:?}: {shown}");
        if kind == ProviderKind::Browser {
            // Never fetched: handed to the model in this tab, with no key at all.
            assert_eq!(req.url, "browser://this-tab/v1/chat/completions");
            assert!(req.headers.iter().all(|(k, _)| k != "authorization"));
            assert!(build_models_request(kind, &settings).is_err());
        } else {
            let Ok(models) = build_models_request(kind, &settings) else { panic!("{kind:?}") };
            assert!(!models.url.contains(KEY), "{kind:?}");
        }
        chat.model = "  ".into();
        assert!(matches!(
            build_chat_request(kind, &settings, &chat),
            Err(ProviderError::MissingSetting { what: Setting::Model, .. })
        ));
    }
    assert_eq!(parse_models_response(ProviderKind::Demo, "").ok(), Some(vec![DEMO_MODEL.to_string()]));
    assert!(build_models_request(ProviderKind::Demo, &settings).is_err());
}

/// Tool definitions and a forced tool choice, in each provider's own shape.
#[test]
fn tool_definitions_and_choice_snapshots() {
    let schema = json!({"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]});
    let mut request = ChatRequest {
        model: "m".into(),
        messages: vec![ChatMessage::user("Weather in Paris?")],
        tools: vec![ToolSpec {
            name: "get_weather".into(),
            description: "Current weather".into(),
            parameters: schema.clone(),
        }],
        tool_choice: ToolChoice::Required,
        ..ChatRequest::default()
    };
    let body = |kind: ProviderKind, request: &ChatRequest| -> serde_json::Value {
        let settings = ProviderSettings { base_url: String::new(), api_key: KEY.into() };
        let http = build_chat_request(kind, &settings, request).expect("builds");
        serde_json::from_str(http.body.as_deref().unwrap_or_default()).unwrap_or_default()
    };
    let openai = body(ProviderKind::OpenAi, &request);
    assert_eq!(
        (openai["tools"].clone(), openai["tool_choice"].clone()),
        (
            json!([{"type": "function", "function": {"name": "get_weather", "description": "Current weather", "parameters": schema}}]),
            json!("required")
        )
    );
    let anthropic = body(ProviderKind::Anthropic, &request);
    assert_eq!(
        (anthropic["tools"].clone(), anthropic["tool_choice"].clone()),
        (
            json!([{"name": "get_weather", "description": "Current weather", "input_schema": schema}]),
            json!({"type": "any"})
        )
    );
    let gemini = body(ProviderKind::Gemini, &request);
    assert_eq!(
        (gemini["tools"].clone(), gemini["toolConfig"].clone()),
        (
            json!([{"functionDeclarations": [{"name": "get_weather", "description": "Current weather", "parametersJsonSchema": schema}]}]),
            json!({"functionCallingConfig": {"mode": "ANY"}})
        )
    );
    let ollama = body(ProviderKind::Ollama, &request);
    assert_eq!(ollama["tools"][0]["function"]["name"], "get_weather");
    assert!(ollama.get("tool_choice").is_none(), "Ollama has no tool_choice");
    // "none" keeps the tools described where the API allows it; Ollama leaves them out.
    request.tool_choice = ToolChoice::None;
    assert_eq!(body(ProviderKind::OpenAi, &request)["tool_choice"], json!("none"));
    assert_eq!(body(ProviderKind::Anthropic, &request)["tool_choice"], json!({"type": "none"}));
    assert!(body(ProviderKind::Ollama, &request).get("tools").is_none());
    // Without tools, no tool fields at all (plain requests hash as before).
    request.tools.clear();
    for kind in [ProviderKind::OpenAi, ProviderKind::Anthropic, ProviderKind::Gemini, ProviderKind::Ollama] {
        let b = body(kind, &request);
        for field in ["tools", "tool_choice", "toolConfig"] {
            assert!(b.get(field).is_none(), "{kind:?} {field}");
        }
    }
}

/// A streamed Gemini function call keeps its thoughtSignature for the next turn.
#[test]
fn gemini_thought_signatures_are_captured() {
    let chunk = json!({"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"f","args":{"a":1}},"thoughtSignature":"SIG=="}]},"finishReason":"STOP"}]});
    let mut parser = stream_parser(ProviderKind::Gemini);
    let mut events = parser.feed(format!("data: {chunk}\n\n").as_bytes());
    events.extend(parser.finish());
    let summary = StreamSummary::from_events(&events);
    assert_eq!(summary.tool_calls.len(), 1);
    assert_eq!(summary.tool_calls[0].signature.as_deref(), Some("SIG=="));
    assert_eq!(summary.tool_calls[0].arguments, r#"{"a":1}"#);
    assert_eq!(summary.finish, Some(FinishReason::ToolCalls));
}

#[test]
fn in_browser_model_failures_read_as_the_sentence_given() {
    let body =
        json!({"error": {"message": "The model x.gguf could not be loaded: bad magic.", "type": "local_model_error"}});
    let e = classify_http_error(ProviderKind::Browser, 422, &body.to_string(), None);
    assert_eq!(e.to_string(), "The model x.gguf could not be loaded: bad magic.");
    assert!(!e.is_retryable());
    assert_eq!(e.provider(), ProviderKind::Browser);
}
