//! Writes every gallery template's exports (Python, Node, promptfoo) under an output folder
//! and, with `--engine PORT`, runs each template with Chainboard's own engine against the mock
//! provider on 127.0.0.1:PORT, writing what each Output block showed (`expected.json`).
//! tests/export/run-exports.mjs compares the exported programs' answers with those.
//!
//! Usage: cargo run --example export_flows -- OUT_DIR [--engine PORT] [--provider ID MODEL]

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::sync::Arc;

use chainboard::domain::blocks::{BlockConfig, InputValue};
use chainboard::domain::engine::RunCache;
use chainboard::domain::engine::{Command, Engine, EngineConfig, Event, RunScope};
use chainboard::domain::evals::checks::{evaluate, grade_reply, Evaluation};
use chainboard::domain::evals::run::{case_flow, Variant};
use chainboard::domain::evals::suite::EvalSuite;
use chainboard::domain::export_code::{export, ExportSource, ExportTarget};
use chainboard::domain::flow::Flow;
use chainboard::domain::media::{MediaItem, MediaLibrary};
use chainboard::domain::providers::{build_chat_request, HttpRequest, ProviderSettings};
use chainboard::domain::retrieval::knowledge::KnowledgeBase;
use chainboard::domain::template::literal;
use chainboard::domain::templates::{suite_with_provider, with_provider, Template, TEMPLATES};

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(out) = args.first() else {
        eprintln!("usage: export_flows OUT_DIR [--engine PORT] [--provider ID MODEL]");
        std::process::exit(2);
    };
    let port = args.iter().position(|a| a == "--engine").and_then(|i| args.get(i + 1)).cloned();
    let provider = args
        .iter()
        .position(|a| a == "--provider")
        .and_then(|i| Some((args.get(i + 1)?.clone(), args.get(i + 2)?.clone())));
    let hostile = Template {
        id: "hostile-titles",
        title: "Hostile titles",
        shows: "",
        build: hostile_flow,
        suite: None,
        documents: None,
        samples: &[],
    };
    for t in TEMPLATES.iter().chain([&hostile]) {
        let (flow, media) = with_samples(t);
        let flow = match &provider {
            Some((id, model)) => with_provider(flow, id, model),
            None => flow,
        };
        let suite = t.suite.map(|f| f());
        let suite = match (&provider, suite) {
            (Some((id, model)), Some(s)) => Some(suite_with_provider(s, id, model)),
            (_, s) => s,
        };
        let source = ExportSource { flow: flow.clone(), knowledge: t.documents.map(|f| f()), suite };
        // A flow the exporter cannot write whole yet (its code has TODOs) cannot match the
        // app's answers: it is listed, not run (tests/export_code.rs checks the TODOs are there).
        let python = export(ExportTarget::Python, &source);
        if python.iter().any(|f| f.text.contains("TODO")) {
            println!("not run (the export has TODOs): {}", t.id);
            continue;
        }
        let dir = Path::new(out).join(t.id);
        for target in ExportTarget::ALL {
            for file in export(target, &source) {
                write(&dir.join(target.id()).join(&file.path), &file.text);
            }
        }
        if let (Some(port), Some(suite)) = (&port, &source.suite) {
            let counts = run_eval(&source, suite, &media, port);
            write(&dir.join("expected-eval.json"), &(serde_json::to_string_pretty(&counts).unwrap_or_default() + "\n"));
        }
        if let Some(port) = &port {
            let answers = run_engine(&source, media, port);
            write(&dir.join("expected.json"), &(serde_json::to_string_pretty(&answers).unwrap_or_default() + "\n"));
        }
    }
}

fn write(path: &Path, text: &str) {
    if let Some(parent) = path.parent() {
        let _ = std::fs::create_dir_all(parent);
    }
    if let Err(e) = std::fs::write(path, text) {
        eprintln!("cannot write {}: {e}", path.display());
        std::process::exit(1);
    }
}

/// The template's flow with its sample files in its Input values, as the gallery stores them.
fn with_samples(t: &Template) -> (Flow, MediaLibrary) {
    let mut flow = (t.build)(0);
    let mut library = MediaLibrary::default();
    for (name, path) in t.samples {
        let bytes = std::fs::read(path).unwrap_or_default();
        let file = path.rsplit('/').next().unwrap_or(path);
        let Ok(item) = MediaItem::from_file(file, bytes) else {
            eprintln!("{}: cannot read the sample {path}", t.id);
            continue;
        };
        for b in &mut flow.blocks {
            if let BlockConfig::Input(i) = &mut b.config {
                for v in i.values.iter_mut().filter(|v| v.name == *name) {
                    *v = InputValue::with_media(v.name.clone(), item.meta.clone());
                }
            }
        }
        library.insert(item);
    }
    (flow, library)
}

/// Runs the flow with the app's engine, performing its requests against the mock provider,
/// and returns each Output block's title and answer.
fn run_engine(source: &ExportSource, media: MediaLibrary, port: &str) -> serde_json::Value {
    let config = EngineConfig {
        knowledge: source.knowledge.clone().map(|k| Arc::new(KnowledgeBase::from_portable(k))),
        media: Some(Arc::new(media)),
        ..EngineConfig::default()
    };
    let mut engine = match Engine::start(&source.flow, RunScope::All, &RunCache::default(), config, 0.0) {
        Ok(e) => e,
        Err(e) => return serde_json::json!({"error": format!("{e:?}")}),
    };
    let mut queue = engine.poll(0.0);
    let mut now = 0.0;
    while !engine.is_finished() {
        if queue.is_empty() {
            now += 1000.0;
            queue = engine.poll(now);
            if now > 600_000.0 {
                break;
            }
            continue;
        }
        let command = queue.remove(0);
        let more = match command {
            Command::Send { request, provider, chat, .. } => {
                let base = match provider.id() {
                    "anthropic" => format!("http://127.0.0.1:{port}/v1"),
                    "gemini" => format!("http://127.0.0.1:{port}/v1beta"),
                    "ollama" => format!("http://127.0.0.1:{port}"),
                    _ => format!("http://127.0.0.1:{port}/v1"),
                };
                let settings = ProviderSettings { base_url: base, api_key: "test-key".into() };
                match build_chat_request(provider, &settings, &chat) {
                    Ok(http) => match send(&http) {
                        Ok((status, body)) if (200..300).contains(&status) => {
                            let mut cmds = engine.on_event(Event::Chunk { request, bytes: body }, now);
                            cmds.extend(engine.on_event(Event::Done { request }, now));
                            cmds
                        }
                        Ok((status, body)) => engine.on_event(
                            Event::HttpError {
                                request,
                                status,
                                body: String::from_utf8_lossy(&body).into(),
                                retry_after: None,
                            },
                            now,
                        ),
                        Err(message) => engine.on_event(Event::NetworkError { request, message }, now),
                    },
                    Err(e) => engine.on_event(Event::NetworkError { request, message: format!("{e:?}") }, now),
                }
            }
            Command::CallTool { request, http, .. } => match send(&http) {
                Ok((status, body)) => engine.on_event(
                    Event::ToolResponse { request, status, body: String::from_utf8_lossy(&body).into() },
                    now,
                ),
                Err(message) => engine.on_event(Event::ToolFailed { request, message }, now),
            },
            Command::Embed { request, .. } => {
                engine.on_event(Event::ToolFailed { request, message: "no embeddings here".into() }, now)
            }
            // The gallery's guardrail uses the sample moderation: nothing is asked here.
            Command::Moderate { request, .. } => {
                engine.on_event(Event::ToolFailed { request, message: "no moderation here".into() }, now)
            }
            Command::Cancel { .. } | Command::WakeAt { .. } => Vec::new(),
        };
        queue.extend(more);
        queue.extend(engine.poll(now));
    }
    let answers: Vec<serde_json::Value> = source
        .flow
        .blocks
        .iter()
        .filter(|b| matches!(b.config, BlockConfig::Output(_)))
        .map(|b| {
            let run = engine.block(&b.id);
            serde_json::json!({
                "output": b.display_name(),
                "answer": run.and_then(|r| r.output.clone()).unwrap_or_default(),
                "error": run.and_then(|r| r.error.clone()),
            })
        })
        .collect();
    serde_json::Value::Array(answers)
}

/// The app's eval of the suite's cases on the base flow, once each: a case passes when every
/// check passes. Judged checks go through the app's judge prompt to the mock, as in the app.
fn run_eval(source: &ExportSource, suite: &EvalSuite, media: &MediaLibrary, port: &str) -> serde_json::Value {
    let target = match &suite.target {
        Some(id) => source.flow.blocks.iter().find(|b| b.id.as_str() == id),
        None => source.flow.blocks.iter().find(|b| matches!(b.config, BlockConfig::Output(_))),
    };
    let target = target.map(|b| b.display_name()).unwrap_or_default();
    let (mut passed, mut failed) = (0, 0);
    for case in &suite.cases {
        let flow = case_flow(&source.flow, case, &Variant::base("Base"));
        let run = ExportSource { flow, ..source.clone() };
        let answers = run_engine(&run, media.clone(), port);
        let answer = answers
            .as_array()
            .and_then(|a| a.iter().find(|o| o["output"] == target.as_str()))
            .and_then(|o| o["answer"].as_str())
            .unwrap_or_default()
            .to_string();
        let inputs = case.inputs.iter().map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join("\n");
        let all =
            suite.checks.iter().all(|check| match evaluate(&check.kind, &answer, case.expected.as_deref(), &inputs) {
                Evaluation::Done(result) => result.passed() == Some(true),
                Evaluation::Embed { .. } => false,
                Evaluation::Judge { system, user, provider, model, pass_score } => {
                    let reply = judge(&system, &user, &provider, &model, port);
                    grade_reply(&reply, pass_score).passed() == Some(true)
                }
            });
        if all {
            passed += 1;
        } else {
            failed += 1;
        }
    }
    serde_json::json!({"passed": passed, "failed": failed})
}

/// One judge call, run as a one-Prompt flow through the engine.
fn judge(system: &str, user: &str, provider: &str, model: &str, port: &str) -> String {
    use chainboard::domain::blocks::{OutputConfig, PromptConfig};
    use chainboard::domain::flow::{Block, BlockId, Edge, EdgeId, Point, PortRef};
    let prompt = PromptConfig {
        provider: provider.into(),
        model: model.into(),
        system: literal(system),
        user: literal(user),
        ..PromptConfig::default()
    };
    let flow = Flow {
        blocks: vec![
            Block::new(BlockId::new("judge"), "Judge", Point::default(), BlockConfig::Prompt(prompt)),
            Block::new(BlockId::new("out"), "Grade", Point::default(), BlockConfig::Output(OutputConfig {})),
        ],
        edges: vec![Edge {
            id: EdgeId::new("e"),
            from: PortRef::new(BlockId::new("judge"), "text"),
            to: PortRef::new(BlockId::new("out"), "value"),
        }],
        ..Flow::default()
    };
    let source = ExportSource { flow, knowledge: None, suite: None };
    let answers = run_engine(&source, MediaLibrary::default(), port);
    answers[0]["answer"].as_str().unwrap_or_default().to_string()
}

/// A blocking HTTP/1.1 request to 127.0.0.1 (the mock provider): status and whole body.
fn send(request: &HttpRequest) -> Result<(u16, Vec<u8>), String> {
    let rest = request.url.strip_prefix("http://").ok_or("only http:// here")?;
    let (authority, path) = rest.split_once('/').map_or((rest, "/".to_string()), |(a, p)| (a, format!("/{p}")));
    let mut stream = TcpStream::connect(authority).map_err(|e| e.to_string())?;
    // A reply that never ends fails the run instead of hanging `make test`.
    stream.set_read_timeout(Some(std::time::Duration::from_secs(30))).map_err(|e| e.to_string())?;
    let body: Vec<u8> = match (&request.bytes, &request.body) {
        (Some(bytes), _) => bytes.as_ref().clone(),
        (None, Some(text)) => text.clone().into_bytes(),
        (None, None) => Vec::new(),
    };
    let mut head = format!(
        "{} {path} HTTP/1.1\r\nhost: {authority}\r\nconnection: close\r\ncontent-length: {}\r\n",
        request.method.as_str(),
        body.len()
    );
    for (name, value) in &request.headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).map_err(|e| e.to_string())?;
    stream.write_all(&body).map_err(|e| e.to_string())?;
    // Read until the body is complete (by content-length or the last chunk), not until the
    // server closes the connection: a keep-alive server may wait seconds before it does.
    let mut raw = Vec::new();
    let mut buf = [0u8; 16 * 1024];
    loop {
        if let Some(split) = raw.windows(4).position(|w| w == b"\r\n\r\n") {
            let headers = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
            let body = &raw[split + 4..];
            let length = headers
                .lines()
                .find_map(|l| l.strip_prefix("content-length:"))
                .and_then(|v| v.trim().parse::<usize>().ok());
            let complete = match length {
                Some(n) => body.len() >= n,
                None => headers.contains("transfer-encoding: chunked") && body.ends_with(b"0\r\n\r\n"),
            };
            if complete {
                break;
            }
        }
        let n = stream.read(&mut buf).map_err(|e| format!("{e} ({} {})", request.method.as_str(), request.url))?;
        if n == 0 {
            break;
        }
        raw.extend_from_slice(&buf[..n]);
    }
    let split = raw.windows(4).position(|w| w == b"\r\n\r\n").ok_or("no headers")?;
    let headers = String::from_utf8_lossy(&raw[..split]).to_ascii_lowercase();
    let status: u16 = headers.split_whitespace().nth(1).and_then(|s| s.parse().ok()).ok_or("no status")?;
    let mut body = raw[split + 4..].to_vec();
    if headers.contains("transfer-encoding: chunked") {
        body = dechunk(&body);
    }
    Ok((status, body))
}

fn dechunk(mut data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    while let Some(line_end) = data.windows(2).position(|w| w == b"\r\n") {
        let size_text = String::from_utf8_lossy(&data[..line_end]);
        let size = usize::from_str_radix(size_text.split(';').next().unwrap_or("0").trim(), 16).unwrap_or(0);
        data = &data[line_end + 2..];
        if size == 0 || data.len() < size {
            break;
        }
        out.extend_from_slice(&data[..size]);
        data = data.get(size + 2..).unwrap_or_default();
    }
    out
}

/// Text that breaks careless code generators: quotes of every language, line breaks, comment
/// ends, template-literal and f-string syntax, shell and YAML specials.
const HOSTILE: &str = "Quote \" ' ` \"\"\" ''' */ <!-- ${process.exit(1)} {__import__('os')} \\ \\n\nnext line\r\n# not a comment: - [x] | &anchor *alias !!tag %\u{2028}end";

/// Every title, value and prompt hostile; it still runs (the mock answers "Say hello").
fn hostile_flow(now: i64) -> Flow {
    use chainboard::domain::blocks::{InputConfig, OutputConfig, PromptConfig};
    use chainboard::domain::flow::{Block, BlockId, Edge, EdgeId, FlowMeta, Point, PortRef};
    let block = |id: &str, config| Block::new(BlockId::new(id), format!("{HOSTILE} {id}"), Point::default(), config);
    let edge = |n: &str, from: (&str, &str), to: (&str, &str)| Edge {
        id: EdgeId::new(n),
        from: PortRef::new(BlockId::new(from.0), from.1),
        to: PortRef::new(BlockId::new(to.0), to.1),
    };
    Flow {
        meta: FlowMeta { title: HOSTILE.into(), description: HOSTILE.into(), created_ms: now, updated_ms: now },
        blocks: vec![
            block(
                "input-1",
                BlockConfig::Input(InputConfig {
                    values: vec![InputValue { name: "class".into(), value: HOSTILE.into(), media: None }],
                }),
            ),
            block(
                "prompt-1",
                BlockConfig::Prompt(PromptConfig {
                    system: HOSTILE.into(),
                    user: format!("Say hello \\{{{{ {{{{class}}}} {HOSTILE}"),
                    ..PromptConfig::default()
                }),
            ),
            block("output-1", BlockConfig::Output(OutputConfig {})),
        ],
        edges: vec![
            edge("e1", ("input-1", "class"), ("prompt-1", "class")),
            edge("e2", ("prompt-1", "text"), ("output-1", "value")),
        ],
    }
}
