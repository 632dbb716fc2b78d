//! Images and audio: each provider's request parts (snapshotted), the transcription upload
//! and its reply, size and support checks before a run, and media travelling through the
//! engine from an Input to a Prompt and through a Transcribe block.

use std::sync::Arc;

use chainboard::domain::blocks::{BlockConfig, InputConfig, InputValue, OutputConfig, PromptConfig, TranscribeConfig};
use chainboard::domain::engine::{BlockStatus, Command, Engine, EngineConfig, Event, RunCache, RunScope};
use chainboard::domain::flow::{Block, BlockId, Edge, EdgeId, Flow, Point, PortRef};
use chainboard::domain::media::wav::encode_wav;
use chainboard::domain::media::{MediaItem, MediaLibrary};
use chainboard::domain::providers::{
    build_chat_request, parser_for, ChatMessage, ChatRequest, ContentPart, ProviderKind, ProviderSettings, StreamEvent,
    Transcription,
};
use chainboard::domain::validate::{validate, Severity};
use serde_json::{json, Value};

/// The smallest valid PNG (1×1, transparent) and a short WAV.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\0\x01\0\0\x05\0\x01\r\n-\xb4\0\0\0\0IEND\xaeB`\x82";
const PNG_B64: &str = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGMAAQAABQABDQottAAAAABJRU5ErkJggg==";

fn wav() -> Vec<u8> {
    encode_wav(&[0.0, 0.25, -0.25, 0.0], 16_000)
}

fn settings() -> ProviderSettings {
    ProviderSettings { base_url: "http://127.0.0.1:4010/v1".into(), api_key: "sk-test".into() }
}

fn with_parts(model: &str, parts: Vec<ContentPart>) -> ChatRequest {
    let message = ChatMessage { parts, ..ChatMessage::user("[image photo.png] What is in the picture?") };
    ChatRequest { model: model.into(), messages: vec![message], ..ChatRequest::default() }
}

fn image_and_question() -> Vec<ContentPart> {
    vec![
        ContentPart::Media { name: "photo.png".into(), mime: "image/png".into(), data: PNG_B64.into() },
        ContentPart::Text { text: "What is in the picture?".into() },
    ]
}

fn body(kind: ProviderKind, request: &ChatRequest) -> Value {
    let http = build_chat_request(kind, &settings(), request).unwrap();
    serde_json::from_str(http.body.as_deref().unwrap()).unwrap()
}

#[test]
fn the_png_constant_is_the_base64_constant() {
    assert_eq!(chainboard::domain::util::base64::encode(PNG), PNG_B64);
}

#[test]
fn openai_gets_image_url_and_input_audio_parts() {
    let b = body(ProviderKind::OpenAi, &with_parts("gpt-4o-mini", image_and_question()));
    assert_eq!(
        b["messages"][0],
        json!({"role": "user", "content": [
            {"type": "image_url", "image_url": {"url": format!("data:image/png;base64,{PNG_B64}")}},
            {"type": "text", "text": "What is in the picture?"}
        ]})
    );
    let audio = chainboard::domain::util::base64::encode(&wav());
    let parts = vec![
        ContentPart::Text { text: "Summarise the call.".into() },
        ContentPart::Media { name: "call.wav".into(), mime: "audio/wav".into(), data: audio.clone() },
    ];
    let b = body(ProviderKind::OpenAi, &with_parts("gpt-4o-audio-preview", parts));
    assert_eq!(
        b["messages"][0]["content"][1],
        json!({"type": "input_audio", "input_audio": {"data": audio, "format": "wav"}})
    );
}

#[test]
fn anthropic_gets_base64_image_blocks() {
    let b = body(ProviderKind::Anthropic, &with_parts("claude-sonnet-4-5", image_and_question()));
    assert_eq!(
        b["messages"][0],
        json!({"role": "user", "content": [
            {"type": "image", "source": {"type": "base64", "media_type": "image/png", "data": PNG_B64}},
            {"type": "text", "text": "What is in the picture?"}
        ]})
    );
}

#[test]
fn gemini_gets_inline_data_parts_for_images_and_audio() {
    let audio = chainboard::domain::util::base64::encode(&wav());
    let mut parts = image_and_question();
    parts.push(ContentPart::Media { name: "call.wav".into(), mime: "audio/wav".into(), data: audio.clone() });
    let b = body(ProviderKind::Gemini, &with_parts("gemini-2.5-flash", parts));
    assert_eq!(
        b["contents"][0],
        json!({"role": "user", "parts": [
            {"inline_data": {"mime_type": "image/png", "data": PNG_B64}},
            {"text": "What is in the picture?"},
            {"inline_data": {"mime_type": "audio/wav", "data": audio}}
        ]})
    );
}

#[test]
fn ollama_gets_images_beside_the_text() {
    let b = body(ProviderKind::Ollama, &with_parts("llama3.2-vision", image_and_question()));
    assert_eq!(b["messages"][0], json!({"role": "user", "content": "What is in the picture?", "images": [PNG_B64]}));
}

#[test]
fn traces_show_the_shape_not_the_bytes() {
    let big = chainboard::domain::util::base64::encode(&vec![7u8; 30_000]);
    let parts = vec![ContentPart::Media { name: "big.png".into(), mime: "image/png".into(), data: big.clone() }];
    let http = build_chat_request(ProviderKind::OpenAi, &settings(), &with_parts("gpt-4o", parts)).unwrap();
    let shown = http.redacted().body.unwrap();
    assert!(!shown.contains(&big[..400]), "the trace carries the data");
    assert!(shown.contains("base64, 30 kB"), "{shown}");
    assert!(shown.contains("data:image/png;base64,"), "{shown}");
}

fn transcription_request(kind: ProviderKind, model: &str) -> ChatRequest {
    let audio = chainboard::domain::util::base64::encode(&wav());
    let message = ChatMessage {
        parts: vec![
            ContentPart::Text { text: "Transcribe this recording word for word.".into() },
            ContentPart::Media { name: "call \"1\".wav".into(), mime: "audio/wav".into(), data: audio },
        ],
        ..ChatMessage::user("Transcribe [audio call.wav]")
    };
    let _ = kind;
    ChatRequest {
        model: model.into(),
        messages: vec![message],
        transcription: Some(Transcription { language: "en".into(), hint: "Chainboard".into() }),
        ..ChatRequest::default()
    }
}

#[test]
fn openai_transcription_is_a_multipart_upload_of_the_audio() {
    let req = transcription_request(ProviderKind::OpenAi, "gpt-4o-mini-transcribe");
    let http = build_chat_request(ProviderKind::OpenAi, &settings(), &req).unwrap();
    assert_eq!(http.url, "http://127.0.0.1:4010/v1/audio/transcriptions");
    let content_type = http.header("content-type").unwrap().to_string();
    let boundary = content_type.strip_prefix("multipart/form-data; boundary=").unwrap();
    let bytes = http.bytes.as_deref().unwrap();
    let text = String::from_utf8_lossy(bytes);
    for field in
        [("model", "gpt-4o-mini-transcribe"), ("response_format", "json"), ("language", "en"), ("prompt", "Chainboard")]
    {
        let part =
            format!("--{boundary}\r\nContent-Disposition: form-data; name=\"{}\"\r\n\r\n{}\r\n", field.0, field.1);
        assert!(text.contains(&part), "missing {part:?} in {text}");
    }
    // The file part carries the exact WAV bytes, and a name that cannot break the header.
    let header = format!(
        "--{boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"call 1.wav\"\r\nContent-Type: audio/wav\r\n\r\n"
    );
    let start = text.find(&header).unwrap() + header.len();
    let audio = wav();
    assert_eq!(&bytes[start..start + audio.len()], &audio[..]);
    assert!(bytes.ends_with(format!("\r\n--{boundary}--\r\n").as_bytes()));
    // The trace gets a readable summary, never the key.
    let shown = http.redacted();
    assert!(shown.body.clone().unwrap_or_default().contains("file=call 1.wav (audio/wav, 52 B)"));
    assert!(shown.bytes.is_none());
    assert_eq!(shown.header("authorization"), Some("[redacted]"));
}

#[test]
fn a_transcription_reply_is_one_json_object() {
    let req = transcription_request(ProviderKind::OpenAi, "whisper-1");
    let mut parser = parser_for(ProviderKind::OpenAi, &req);
    let reply = br#"{"text":"Hi, I'm calling about order 4821.","usage":{"type":"tokens","input_tokens":14,"output_tokens":9}}"#;
    let mut events = parser.feed(&reply[..20]);
    events.extend(parser.feed(&reply[20..]));
    events.extend(parser.finish());
    assert_eq!(events[0], StreamEvent::TextDelta("Hi, I'm calling about order 4821.".into()));
    assert!(events.contains(&StreamEvent::Usage { input_tokens: Some(14), output_tokens: Some(9) }));
    let mut broken = parser_for(ProviderKind::OpenAi, &req);
    broken.feed(b"<html>502</html>");
    assert!(matches!(broken.finish()[0], StreamEvent::Error(_)));
}

#[test]
fn gemini_transcribes_through_a_chat_call() {
    let req = transcription_request(ProviderKind::Gemini, "gemini-2.5-flash");
    let b = body(ProviderKind::Gemini, &req);
    assert_eq!(b["contents"][0]["parts"][0], json!({"text": "Transcribe this recording word for word."}));
    assert_eq!(b["contents"][0]["parts"][1]["inline_data"]["mime_type"], "audio/wav");
}

// ---- through the engine ----

fn block(id: &str, config: BlockConfig) -> Block {
    Block::new(BlockId(id.into()), id, Point { x: 0.0, y: 0.0 }, config)
}

fn edge(n: usize, from: (&str, &str), to: (&str, &str)) -> Edge {
    Edge {
        id: EdgeId(format!("e{n}")),
        from: PortRef { block: BlockId(from.0.into()), port: from.1.into() },
        to: PortRef { block: BlockId(to.0.into()), port: to.1.into() },
    }
}

fn library(items: Vec<MediaItem>) -> Arc<MediaLibrary> {
    let mut lib = MediaLibrary::default();
    for item in items {
        lib.insert(item);
    }
    Arc::new(lib)
}

/// Photo → Prompt("{{photo}} Which category…") → Output.
fn photo_flow(provider: &str, model: &str, photo: &MediaItem) -> Flow {
    let mut f = Flow::default();
    f.blocks.push(block(
        "in",
        BlockConfig::Input(InputConfig { values: vec![InputValue::with_media("photo", photo.meta.clone())] }),
    ));
    f.blocks.push(block(
        "ask",
        BlockConfig::Prompt(PromptConfig {
            provider: provider.into(),
            model: model.into(),
            user: "{{photo}}\nWhich category is this product in?".into(),
            ..PromptConfig::default()
        }),
    ));
    f.blocks.push(block("out", BlockConfig::Output(OutputConfig::default())));
    f.edges = vec![edge(1, ("in", "photo"), ("ask", "photo")), edge(2, ("ask", "text"), ("out", "value"))];
    f
}

fn id(s: &str) -> BlockId {
    BlockId(s.into())
}

#[test]
fn an_input_image_reaches_the_provider_as_an_image_part() {
    let photo = MediaItem::from_file("mug.png", PNG.to_vec()).unwrap();
    let f = photo_flow("openai", "gpt-4o-mini", &photo);
    assert!(validate(&f).is_empty(), "{:?}", validate(&f));
    let config = EngineConfig { media: Some(library(vec![photo.clone()])), ..EngineConfig::default() };
    let mut engine = Engine::start(&f, RunScope::All, &RunCache::new(), config, 0.0).unwrap();
    let commands = engine.poll(0.0);
    let Some(Command::Send { chat, provider, .. }) = commands.iter().find(|c| matches!(c, Command::Send { .. })) else {
        panic!("{commands:?}")
    };
    assert_eq!(chat.messages[0].text, "[image mug.png (67 B)]\nWhich category is this product in?");
    let b = body(*provider, chat);
    assert_eq!(b["messages"][0]["content"][0]["image_url"]["url"], format!("data:image/png;base64,{PNG_B64}"));
    assert_eq!(b["messages"][0]["content"][1]["text"], "\nWhich category is this product in?");
}

#[test]
fn providers_that_cannot_take_the_media_are_flagged_before_the_run() {
    let photo = MediaItem::from_file("mug.png", PNG.to_vec()).unwrap();
    let f = photo_flow("browser", "smollm", &photo);
    let problems = validate(&f);
    assert_eq!(problems.len(), 1, "{problems:?}");
    assert_eq!(problems[0].severity, Severity::Error);
    assert!(problems[0].message.contains("read text only"), "{}", problems[0].message);
    assert!(Engine::start(&f, RunScope::All, &RunCache::new(), EngineConfig::default(), 0.0).is_err());

    let call = MediaItem::from_file("call.wav", wav()).unwrap();
    let mut f = photo_flow("anthropic", "claude-sonnet-4-5", &call);
    f.blocks[0].config =
        BlockConfig::Input(InputConfig { values: vec![InputValue::with_media("photo", call.meta.clone())] });
    let problems = validate(&f);
    assert!(problems[0].message.contains("Anthropic models do not take audio"), "{problems:?}");

    // A compatible server may or may not: a warning, and the run goes ahead.
    let f = photo_flow("openai-compatible", "local-model", &photo);
    let problems = validate(&f);
    assert_eq!(problems[0].severity, Severity::Warning);
}

#[test]
fn media_missing_from_this_browser_is_a_clear_error() {
    let photo = MediaItem::from_file("mug.png", PNG.to_vec()).unwrap();
    let f = photo_flow("openai", "gpt-4o-mini", &photo);
    let mut engine = Engine::start(&f, RunScope::All, &RunCache::new(), EngineConfig::default(), 0.0).unwrap();
    engine.poll(0.0);
    let ask = engine.block(&id("ask")).unwrap();
    assert_eq!(ask.status, BlockStatus::Error);
    assert!(ask.error.as_deref().unwrap().contains("Add the file again"), "{:?}", ask.error);
}

/// Call recording → Transcribe → Prompt (summarise) → Output.
fn call_flow(provider: &str, call: &MediaItem) -> Flow {
    let mut f = Flow::default();
    f.blocks.push(block(
        "in",
        BlockConfig::Input(InputConfig { values: vec![InputValue::with_media("call", call.meta.clone())] }),
    ));
    f.blocks.push(block(
        "listen",
        BlockConfig::Transcribe(TranscribeConfig {
            provider: provider.into(),
            model: if provider == "demo" { "demo".into() } else { "gpt-4o-mini-transcribe".into() },
            ..TranscribeConfig::default()
        }),
    ));
    f.blocks.push(block(
        "sum",
        BlockConfig::Prompt(PromptConfig {
            provider: "demo".into(),
            model: "demo".into(),
            user: "Summarise the complaint: {{text}}".into(),
            ..PromptConfig::default()
        }),
    ));
    f.blocks.push(block("out", BlockConfig::Output(OutputConfig::default())));
    f.edges = vec![
        edge(1, ("in", "call"), ("listen", "audio")),
        edge(2, ("listen", "text"), ("sum", "text")),
        edge(3, ("sum", "text"), ("out", "value")),
    ];
    f
}

#[test]
fn a_transcript_flows_on_to_the_next_block() {
    let call = MediaItem::from_file("call.wav", wav()).unwrap();
    let f = call_flow("openai", &call);
    assert!(validate(&f).is_empty(), "{:?}", validate(&f));
    let config = EngineConfig { media: Some(library(vec![call])), ..EngineConfig::default() };
    let mut engine = Engine::start(&f, RunScope::All, &RunCache::new(), config, 0.0).unwrap();
    let commands = engine.poll(0.0);
    let Some(Command::Send { request, chat, provider, .. }) =
        commands.iter().find(|c| matches!(c, Command::Send { .. }))
    else {
        panic!("{commands:?}")
    };
    let http = build_chat_request(*provider, &settings(), chat).unwrap();
    assert!(http.url.ends_with("/audio/transcriptions"));
    let request = *request;
    let mut now = 1.0;
    for event in [
        Event::Chunk { request, bytes: br#"{"text":"My blender arrived "#.to_vec() },
        Event::Chunk { request, bytes: br#"broken."}"#.to_vec() },
        Event::Done { request },
    ] {
        engine.on_event(event, now);
        now += 1.0;
    }
    assert_eq!(engine.block(&id("listen")).unwrap().outputs.get("text").unwrap(), "My blender arrived broken.");
    let sum = engine.block(&id("sum")).unwrap();
    assert_eq!(sum.status, BlockStatus::Done);
    assert!(sum.trace.chat.as_ref().unwrap().messages[0].text.contains("My blender arrived broken."));
    assert!(engine.is_finished());
}

#[test]
fn the_demo_transcribes_offline_and_text_is_refused_as_audio() {
    let call = MediaItem::from_file("call.wav", wav()).unwrap();
    let f = call_flow("demo", &call);
    let config = EngineConfig { media: Some(library(vec![call])), ..EngineConfig::default() };
    let mut engine = Engine::start(&f, RunScope::All, &RunCache::new(), config, 0.0).unwrap();
    engine.poll(0.0);
    let listen = engine.block(&id("listen")).unwrap();
    assert_eq!(listen.status, BlockStatus::Done);
    assert!(listen.outputs.get("text").unwrap().contains("order 4821"));
    assert!(listen.sample, "a sample transcript is labelled");
    assert_eq!(engine.block(&id("sum")).unwrap().status, BlockStatus::Done);

    let mut text_only = call_flow("openai", &MediaItem::from_file("call.wav", wav()).unwrap());
    text_only.blocks[0].config = BlockConfig::Input(InputConfig {
        values: vec![InputValue { name: "call".into(), value: "hello".into(), media: None }],
    });
    let problems = validate(&text_only);
    assert!(problems[0].message.contains("Add a recording"), "{problems:?}");
}

#[test]
fn exports_carry_media_and_imports_check_it() {
    use chainboard::domain::flow_file::{media_of, to_json, with_media};
    let photo = MediaItem::from_file("mug.png", PNG.to_vec()).unwrap();
    let call = MediaItem::from_file("call.wav", wav()).unwrap();
    let flow = photo_flow("openai", "gpt-4o-mini", &photo);
    let json = with_media(to_json(&flow), &[&photo, &call]);
    let back = media_of(&json);
    assert_eq!(back, vec![photo.clone(), call.clone()]);
    // The flow itself still loads, with the reference.
    let loaded = chainboard::domain::flow_file::from_json(&json).unwrap();
    assert_eq!(loaded.blocks[0].config, flow.blocks[0].config);
    // Tampered bytes or a non-media file are left out, never an error.
    let tampered = json.replace(PNG_B64, &PNG_B64.replace("EQVR4", "EQVR5"));
    assert_eq!(media_of(&tampered).len(), 1);
    assert!(media_of("{\"media\": [{\"id\": 1}], \"x\": ").is_empty());
}

#[test]
fn share_links_carry_the_reference_never_the_file() {
    use chainboard::domain::share::{decode, encode, Decoded, SharePayload};
    let photo = MediaItem::from_file("mug.png", PNG.to_vec()).unwrap();
    let flow = photo_flow("openai", "gpt-4o-mini", &photo);
    let link = encode(&SharePayload { flow: flow.clone(), ..SharePayload::default() });
    let Ok(Decoded::Open(payload)) = decode(&link) else { panic!("the link does not open") };
    let json = chainboard::domain::flow_file::to_json(&payload.flow);
    assert!(!json.contains(PNG_B64) && !json.contains("\"data\""), "{json}");
    assert!(json.contains("mug.png"), "the viewer sees which file the value needs");
}
