//! The run engine against a fake transport: scheduling, streaming, faults, stop, cache,
//! budget and estimates. The transport answers in each provider's real wire format (the
//! recorded fixtures in tests/fixtures/providers, or small streams built here).

use std::collections::{BTreeMap, HashMap, VecDeque};

use chainboard::domain::blocks::{
    BlockConfig, InputConfig, InputValue, NoteConfig, OutputConfig, PromptConfig, UnknownConfig,
};
use chainboard::domain::engine::{
    backoff_ms, estimate, estimate_tokens, BlockRun, BlockStatus, Command, Engine, EngineConfig, Event, RequestId,
    RunCache, RunScope, StartError, DEFAULT_OUTPUT_TOKENS,
};
use chainboard::domain::flow::{Block, BlockId, Edge, EdgeId, Flow, Point, PortRef};
use chainboard::domain::json_schema::OutputFormat;
use chainboard::domain::pricing::{cost, PriceTable};
use chainboard::domain::providers::{
    ChatMessage, ChatRequest, HttpRequest, JsonMode, Method, ProviderKind, EARLY_END_MESSAGE,
};
use chainboard::domain::sample::SampleRule;
use proptest::prelude::*;
use serde_json::json;

// ---------------------------------------------------------------------------------------
// Recorded provider streams
// ---------------------------------------------------------------------------------------

const OPENAI_TEXT: &str = include_str!("fixtures/providers/openai_text.sse");
const ANTHROPIC_TEXT: &str = include_str!("fixtures/providers/anthropic_text.sse");
const GEMINI_TEXT: &str = include_str!("fixtures/providers/gemini_text.sse");
const OLLAMA_TEXT: &str = include_str!("fixtures/providers/ollama_text.ndjson");
const OPENAI_ERROR: &str = include_str!("fixtures/providers/openai_error.sse");
const OPENAI_ERROR_EVENT: &str = include_str!("fixtures/providers/openai_error_event.sse");
const ANTHROPIC_ERROR: &str = include_str!("fixtures/providers/anthropic_error.sse");
const GEMINI_ERROR: &str = include_str!("fixtures/providers/gemini_error.sse");
const OLLAMA_ERROR: &str = include_str!("fixtures/providers/ollama_error.ndjson");
const OPENAI_EARLY_END: &str = include_str!("fixtures/providers/openai_early_end.sse");
const ANTHROPIC_EARLY_END: &str = include_str!("fixtures/providers/anthropic_early_end.sse");
const GEMINI_EARLY_END: &str = include_str!("fixtures/providers/gemini_early_end.sse");
const OLLAMA_EARLY_END: &str = include_str!("fixtures/providers/ollama_early_end.ndjson");

/// A complete OpenAI Chat Completions stream saying `text`.
fn openai_sse(text: &str, usage: Option<(u64, u64)>) -> String {
    let mut s = String::new();
    for piece in text.split_inclusive(' ') {
        let chunk = json!({"choices":[{"index":0,"delta":{"content":piece},"finish_reason":null}]});
        s += &format!("data: {chunk}\n\n");
    }
    let stop = json!({"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]});
    s += &format!("data: {stop}\n\n");
    if let Some((i, o)) = usage {
        let u = json!({"choices":[],"usage":{"prompt_tokens":i,"completion_tokens":o,"total_tokens":i+o}});
        s += &format!("data: {u}\n\n");
    }
    s + "data: [DONE]\n\n"
}

/// Only the text chunks of an OpenAI stream, without its end.
fn openai_partial(text: &str) -> String {
    text.split_inclusive(' ')
        .map(|piece| {
            format!("data: {}\n\n", json!({"choices":[{"index":0,"delta":{"content":piece},"finish_reason":null}]}))
        })
        .collect()
}

/// A complete Anthropic Messages stream saying `text`.
fn anthropic_sse(text: &str) -> String {
    let events = [
        (
            "message_start",
            json!({"type":"message_start","message":{"id":"m","type":"message","role":"assistant","content":[],"model":"claude-haiku-4-5","usage":{"input_tokens":10,"output_tokens":1}}}),
        ),
        (
            "content_block_start",
            json!({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}),
        ),
        (
            "content_block_delta",
            json!({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":text}}),
        ),
        ("content_block_stop", json!({"type":"content_block_stop","index":0})),
        (
            "message_delta",
            json!({"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":5}}),
        ),
        ("message_stop", json!({"type":"message_stop"})),
    ];
    events.iter().map(|(name, data)| format!("event: {name}\ndata: {data}\n\n")).collect()
}

fn gemini_sse(text: &str) -> String {
    let data = json!({"candidates":[{"content":{"role":"model","parts":[{"text":text}]},"index":0,"finishReason":"STOP"}],
        "usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":4,"totalTokenCount":13}});
    format!("data: {data}\r\n\r\n")
}

fn ollama_ndjson(text: &str) -> String {
    let a = json!({"model":"m","message":{"role":"assistant","content":text},"done":false});
    let b = json!({"model":"m","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","prompt_eval_count":5,"eval_count":3});
    format!("{a}\n{b}\n")
}

/// The default answer: echoes the user message, so outputs depend on inputs.
fn echo_body(provider: ProviderKind, chat: &ChatRequest) -> String {
    let user = chat.messages.first().map(|m| m.text.as_str()).unwrap_or_default();
    let text = format!("echo: {user}");
    match provider {
        ProviderKind::Anthropic => anthropic_sse(&text),
        ProviderKind::Gemini => gemini_sse(&text),
        ProviderKind::Ollama => ollama_ndjson(&text),
        _ => openai_sse(&text, Some((10, 5))),
    }
}

// ---------------------------------------------------------------------------------------
// The fake transport
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone, Copy, PartialEq)]
enum End {
    /// The connection closes normally.
    Close,
    /// The connection drops (network error).
    Drop,
    /// Nothing more ever arrives.
    Hang,
}

#[derive(Debug, Clone)]
enum Reply {
    /// The provider's default echo answer after `delay`.
    Echo {
        delay: f64,
    },
    /// A 200 whose body is cut into `pieces` (at arbitrary bytes), `gap` ms apart.
    Stream {
        body: String,
        pieces: usize,
        delay: f64,
        gap: f64,
        end: End,
    },
    Http {
        status: u16,
        body: &'static str,
        retry_after: Option<&'static str>,
        delay: f64,
    },
    Network {
        delay: f64,
    },
    Never,
}

fn stream(body: impl Into<String>) -> Reply {
    Reply::Stream { body: body.into(), pieces: 5, delay: 10.0, gap: 10.0, end: End::Close }
}

fn http(status: u16, body: &'static str) -> Reply {
    Reply::Http { status, body, retry_after: None, delay: 10.0 }
}

#[derive(Debug, Clone)]
struct Sent {
    at: f64,
    request: RequestId,
    block: String,
    provider: ProviderKind,
    chat: ChatRequest,
}

#[derive(Debug)]
enum Item {
    Event(Event),
    Wake,
}

struct Sim {
    engine: Engine,
    begun: bool,
    /// Time spent inside the engine (not the fake transport).
    engine_time: std::time::Duration,
    now: f64,
    queue: Vec<(f64, u64, Item)>,
    seq: u64,
    scripts: HashMap<String, VecDeque<Reply>>,
    sends: Vec<Sent>,
    cancels: Vec<(f64, RequestId)>,
    wakes: Vec<f64>,
    live: BTreeMap<RequestId, ProviderKind>,
    peak: HashMap<ProviderKind, usize>,
    peak_total: usize,
}

impl Sim {
    /// A simulator around a new engine. Nothing is sent until the first `begin` (or `run`),
    /// so scripts given before apply to the first requests.
    fn start(flow: &Flow, scope: RunScope, cache: &RunCache, config: EngineConfig) -> Sim {
        let engine = Engine::start(flow, scope, cache, config, 0.0).expect("the flow can run");
        Sim {
            engine,
            begun: false,
            engine_time: std::time::Duration::ZERO,
            now: 0.0,
            queue: Vec::new(),
            seq: 0,
            scripts: HashMap::new(),
            sends: Vec::new(),
            cancels: Vec::new(),
            wakes: Vec::new(),
            live: BTreeMap::new(),
            peak: HashMap::new(),
            peak_total: 0,
        }
    }

    fn new(flow: &Flow) -> Sim {
        Sim::start(flow, RunScope::All, &RunCache::new(), EngineConfig::default())
    }

    /// The first poll.
    fn begin(&mut self) {
        self.begun = true;
        let clock = std::time::Instant::now();
        let cmds = self.engine.poll(self.now);
        self.engine_time += clock.elapsed();
        self.exec(cmds);
    }

    /// Scripts the replies for a block's requests, in order; afterwards it echoes.
    fn script(mut self, block: &str, replies: Vec<Reply>) -> Sim {
        self.scripts.insert(block.to_string(), replies.into());
        self
    }

    fn at(&mut self, at: f64, item: Item) {
        self.seq += 1;
        self.queue.push((at, self.seq, item));
    }

    fn exec(&mut self, cmds: Vec<Command>) {
        for cmd in cmds {
            match cmd {
                Command::Send { request, block, provider, chat } => {
                    let reply = self
                        .scripts
                        .get_mut(block.as_str())
                        .and_then(VecDeque::pop_front)
                        .unwrap_or(Reply::Echo { delay: 10.0 });
                    self.sends.push(Sent {
                        at: self.now,
                        request,
                        block: block.0.clone(),
                        provider,
                        chat: chat.clone(),
                    });
                    self.live.insert(request, provider);
                    let count = self.live.values().filter(|p| **p == provider).count();
                    let peak = self.peak.entry(provider).or_insert(0);
                    *peak = (*peak).max(count);
                    self.peak_total = self.peak_total.max(self.live.len());
                    let redacted = HttpRequest {
                        method: Method::Post,
                        url: format!("https://fake.test/{}", provider.id()),
                        headers: vec![("authorization".into(), "[redacted]".into())],
                        body: serde_json::to_string(&chat).ok(),
                        bytes: None,
                    };
                    self.at(self.now, Item::Event(Event::Sent { request, redacted }));
                    self.schedule_reply(request, provider, &chat, reply);
                }
                Command::CallTool { .. } | Command::Embed { .. } | Command::Moderate { .. } | Command::Call { .. } => {
                    panic!("these flows have no tools")
                }
                Command::Cancel { request } => {
                    self.cancels.push((self.now, request));
                    self.queue.retain(|(_, _, item)| !matches!(item, Item::Event(e) if e.request() == request));
                    if self.live.remove(&request).is_some() {
                        // The browser reports the abort; the engine must ignore it.
                        self.at(self.now, Item::Event(Event::Aborted { request }));
                    }
                }
                Command::WakeAt { at_ms } => {
                    self.wakes.push(at_ms);
                    self.at(at_ms, Item::Wake);
                }
            }
        }
    }

    fn schedule_reply(&mut self, request: RequestId, provider: ProviderKind, chat: &ChatRequest, reply: Reply) {
        let now = self.now;
        match reply {
            Reply::Echo { delay } => {
                let body = echo_body(provider, chat);
                self.schedule_stream(request, body, 3, now + delay, 5.0, End::Close);
            }
            Reply::Stream { body, pieces, delay, gap, end } => {
                self.schedule_stream(request, body, pieces, now + delay, gap, end)
            }
            Reply::Http { status, body, retry_after, delay } => self.at(
                now + delay,
                Item::Event(Event::HttpError {
                    request,
                    status,
                    body: body.to_string(),
                    retry_after: retry_after.map(str::to_string),
                }),
            ),
            Reply::Network { delay } => {
                self.at(now + delay, Item::Event(Event::NetworkError { request, message: "Failed to fetch".into() }))
            }
            Reply::Never => {}
        }
    }

    fn schedule_stream(&mut self, request: RequestId, body: String, pieces: usize, start: f64, gap: f64, end: End) {
        let bytes = body.into_bytes();
        let size = bytes.len().div_ceil(pieces.max(1)).max(1);
        let mut t = start;
        for chunk in bytes.chunks(size) {
            self.at(t, Item::Event(Event::Chunk { request, bytes: chunk.to_vec() }));
            t += gap;
        }
        match end {
            End::Close => self.at(t, Item::Event(Event::Done { request })),
            End::Drop => self.at(t, Item::Event(Event::NetworkError { request, message: "network error".into() })),
            End::Hang => {}
        }
    }

    /// Delivers everything scheduled up to `until` (inclusive), in time order.
    fn run_until(&mut self, until: f64) {
        if !self.begun {
            self.begin();
        }
        for _ in 0..100_000 {
            let next = self
                .queue
                .iter()
                .enumerate()
                .filter(|(_, (at, _, _))| *at <= until)
                .min_by(|a, b| (a.1 .0, a.1 .1).partial_cmp(&(b.1 .0, b.1 .1)).expect("times are numbers"))
                .map(|(i, _)| i);
            let Some(i) = next else { break };
            let (at, _, item) = self.queue.remove(i);
            self.now = self.now.max(at);
            let clock = std::time::Instant::now();
            let cmds = match item {
                Item::Event(event) => {
                    let request = event.request();
                    if matches!(
                        event,
                        Event::Done { .. }
                            | Event::HttpError { .. }
                            | Event::NetworkError { .. }
                            | Event::Aborted { .. }
                    ) {
                        self.live.remove(&request);
                    }
                    self.engine.on_event(event, self.now)
                }
                Item::Wake => self.engine.poll(self.now),
            };
            self.engine_time += clock.elapsed();
            self.exec(cmds);
        }
        self.now = self.now.max(until);
    }

    fn run(mut self) -> Sim {
        self.run_until(f64::MAX / 2.0);
        assert!(self.engine.is_finished(), "the run should be finished: {:?}", self.engine);
        self
    }

    fn block(&self, id: &str) -> &BlockRun {
        self.engine.block(&BlockId::new(id)).unwrap_or_else(|| panic!("{id} is part of the run"))
    }

    fn status(&self, id: &str) -> BlockStatus {
        self.block(id).status
    }

    fn output(&self, id: &str) -> &str {
        self.block(id).output.as_deref().unwrap_or_default()
    }

    fn sent_blocks(&self) -> Vec<&str> {
        self.sends.iter().map(|s| s.block.as_str()).collect()
    }

    fn sends_of(&self, block: &str) -> Vec<&Sent> {
        self.sends.iter().filter(|s| s.block == block).collect()
    }
}

// ---------------------------------------------------------------------------------------
// Flows
// ---------------------------------------------------------------------------------------

fn id(s: &str) -> BlockId {
    BlockId::new(s)
}

fn input(bid: &str, values: &[(&str, &str)]) -> Block {
    let values =
        values.iter().map(|(n, v)| InputValue { name: n.to_string(), value: v.to_string(), media: None }).collect();
    Block::new(id(bid), format!("In {bid}"), Point::default(), BlockConfig::Input(InputConfig { values }))
}

fn prompt_with(bid: &str, cfg: PromptConfig) -> Block {
    Block::new(id(bid), format!("Prompt {bid}"), Point::default(), BlockConfig::Prompt(cfg))
}

fn prompt(bid: &str, provider: &str, user: &str) -> Block {
    let model = match provider {
        "anthropic" => "claude-haiku-4-5",
        "gemini" => "gemini-2.5-flash",
        "ollama" => "qwen3",
        "demo" => "",
        _ => "gpt-4o-mini",
    };
    prompt_with(
        bid,
        PromptConfig { provider: provider.into(), model: model.into(), user: user.into(), ..PromptConfig::default() },
    )
}

fn output(bid: &str) -> Block {
    Block::new(id(bid), format!("Out {bid}"), Point::default(), BlockConfig::Output(OutputConfig {}))
}

fn wire(from: (&str, &str), to: (&str, &str)) -> Edge {
    Edge {
        id: EdgeId::new(format!("{}.{}->{}.{}", from.0, from.1, to.0, to.1)),
        from: PortRef::new(id(from.0), from.1),
        to: PortRef::new(id(to.0), to.1),
    }
}

fn flow(blocks: Vec<Block>, edges: Vec<Edge>) -> Flow {
    Flow { blocks, edges, ..Flow::default() }
}

/// in(topic) → p1 → p2 → out
fn chain() -> Flow {
    flow(
        vec![
            input("in", &[("topic", "tea")]),
            prompt("p1", "openai", "Name three facts about {{topic}}."),
            prompt("p2", "openai", "Summarise: {{facts}}"),
            output("out"),
        ],
        vec![
            wire(("in", "topic"), ("p1", "topic")),
            wire(("p1", "text"), ("p2", "facts")),
            wire(("p2", "text"), ("out", "value")),
        ],
    )
}

/// in(topic) fanning out to `n` prompts p1..pn of `provider`, each with an output o1..on.
fn fan(provider: &str, n: usize) -> Flow {
    let mut blocks = vec![input("in", &[("topic", "tea")])];
    let mut edges = Vec::new();
    for i in 1..=n {
        let (p, o) = (format!("p{i}"), format!("o{i}"));
        blocks.push(prompt(&p, provider, &format!("Fact {i} about {{{{topic}}}}")));
        blocks.push(output(&o));
        edges.push(wire(("in", "topic"), (&p, "topic")));
        edges.push(wire((&p, "text"), (&o, "value")));
    }
    flow(blocks, edges)
}

fn user_of(chat: &ChatRequest) -> &str {
    chat.messages.first().map(|m| m.text.as_str()).unwrap_or_default()
}

// ---------------------------------------------------------------------------------------
// Order, templating, parallelism
// ---------------------------------------------------------------------------------------

#[test]
fn runs_blocks_in_dependency_order_and_feeds_outputs_downstream() {
    let sim = Sim::new(&chain()).run();
    assert_eq!(sim.sent_blocks(), ["p1", "p2"]);
    let (p1, p2) = (&sim.sends[0], &sim.sends[1]);
    assert_eq!(user_of(&p1.chat), "Name three facts about tea.");
    assert_eq!(user_of(&p2.chat), "Summarise: echo: Name three facts about tea.");
    assert!(p2.at >= sim.block("p1").finished_ms.unwrap_or(f64::MAX), "p2 waits for p1");
    assert_eq!(sim.output("out"), "echo: Summarise: echo: Name three facts about tea.");
    assert_eq!(sim.block("in").port_value("topic"), Some("tea"));
    assert_eq!(sim.block("p1").port_value("text"), Some("echo: Name three facts about tea."));
    for b in ["in", "p1", "p2", "out"] {
        assert_eq!(sim.status(b), BlockStatus::Done, "{b}");
    }
    let summary = sim.engine.summary();
    assert_eq!(summary.count(BlockStatus::Done), 4);
    assert_eq!(summary.calls, 2);
    assert_eq!((summary.input_tokens, summary.output_tokens), (20, 10));
    assert!(summary.finished && summary.cost_complete && summary.cost_usd > 0.0);
    assert!(summary.elapsed_ms > 0.0);
    let p1 = sim.block("p1");
    assert_eq!(p1.attempts, 1);
    assert_eq!(p1.trace.sent.len(), 1, "the redacted request is kept");
    assert!(p1.trace.raw.contains("data: [DONE]"));
    assert!(p1.ttft_ms().is_some_and(|t| t > 0.0) && p1.total_ms() >= p1.ttft_ms());
}

#[test]
fn renders_the_exact_chat_request() {
    let schema = json!({"type":"object","properties":{"answer":{"type":"string"}},"required":["answer"]});
    let f = flow(
        vec![
            input("in", &[("name", "Ana"), ("topic", "green tea")]),
            prompt_with(
                "p",
                PromptConfig {
                    provider: "anthropic".into(),
                    model: " claude-haiku-4-5 ".into(),
                    temperature: Some(0.2),
                    max_tokens: Some(300),
                    system: "You write for {{name}}.".into(),
                    user: "Tell {{ name }} about {{topic}}. \\{{not a var}}".into(),
                    output_format: OutputFormat::JsonSchema { schema: schema.clone() },
                    ..PromptConfig::default()
                },
            ),
            prompt_with(
                "q",
                PromptConfig {
                    provider: "openai".into(),
                    model: "gpt-4o-mini".into(),
                    system: "   ".into(),
                    user: "{{topic}}".into(),
                    output_format: OutputFormat::Json,
                    ..PromptConfig::default()
                },
            ),
        ],
        vec![
            wire(("in", "name"), ("p", "name")),
            wire(("in", "topic"), ("p", "topic")),
            wire(("in", "topic"), ("q", "topic")),
        ],
    );
    let sim = Sim::new(&f).run();
    let p = sim.sends_of("p");
    let q = sim.sends_of("q");
    assert_eq!(
        p[0].chat,
        ChatRequest {
            model: "claude-haiku-4-5".into(),
            system: Some("You write for Ana.".into()),
            messages: vec![ChatMessage::user("Tell Ana about green tea. {{not a var}}")],
            temperature: Some(0.2),
            max_tokens: Some(300),
            json_mode: Some(JsonMode::Schema { name: "output".into(), schema }),
            stop: vec![],
            ..ChatRequest::default()
        }
    );
    assert_eq!(p[0].provider, ProviderKind::Anthropic);
    assert_eq!(
        q[0].chat,
        ChatRequest {
            model: "gpt-4o-mini".into(),
            system: None,
            messages: vec![ChatMessage::user("green tea")],
            json_mode: Some(JsonMode::AnyObject),
            ..ChatRequest::default()
        }
    );
    assert_eq!(sim.block("p").trace.chat.as_ref(), Some(&p[0].chat));
    assert_eq!(sim.block("p").trace.model.as_deref(), Some("claude-haiku-4-5"));
}

#[test]
fn independent_branches_run_in_parallel() {
    let mut sim = Sim::new(&fan("openai", 2));
    sim.begin();
    assert_eq!(sim.sent_blocks(), ["p1", "p2"], "both are sent by the first poll");
    assert_eq!(sim.status("p1"), BlockStatus::Running);
    assert_eq!(sim.status("p2"), BlockStatus::Running);
    assert_eq!(sim.engine.in_flight(), 2);
    sim = sim.run();
    assert_eq!(sim.peak[&ProviderKind::OpenAi], 2);
    assert_eq!(sim.output("o2"), "echo: Fact 2 about tea");
}

#[test]
fn concurrency_is_limited_per_provider() {
    let mut f = fan("openai", 6);
    f.blocks.push(prompt("a1", "anthropic", "{{topic}} one"));
    f.blocks.push(prompt("a2", "anthropic", "{{topic}} two"));
    f.edges.push(wire(("in", "topic"), ("a1", "topic")));
    f.edges.push(wire(("in", "topic"), ("a2", "topic")));
    let mut sim = Sim::new(&f);
    sim.begin();
    assert_eq!(sim.sent_blocks(), ["p1", "p2", "p3", "p4", "a1", "a2"]);
    assert_eq!(sim.status("p5"), BlockStatus::Queued);
    assert_eq!(sim.status("p6"), BlockStatus::Queued);
    let sim = sim.run();
    assert_eq!(sim.peak[&ProviderKind::OpenAi], 4);
    assert_eq!(sim.peak[&ProviderKind::Anthropic], 2);
    assert_eq!(sim.peak_total, 6);
    assert_eq!(sim.sends.len(), 8);
    assert!((1..=6).all(|i| sim.status(&format!("o{i}")) == BlockStatus::Done));

    let config = EngineConfig { concurrency_per_provider: 2, ..EngineConfig::default() };
    let sim = Sim::start(&fan("gemini", 5), RunScope::All, &RunCache::new(), config).run();
    assert_eq!(sim.peak[&ProviderKind::Gemini], 2);
    assert_eq!(sim.sends.len(), 5);
}

#[test]
fn every_provider_streams_its_recorded_wire_format() {
    // (provider, recorded stream, text, usage)
    let cases = [
        ("openai", OPENAI_TEXT, "Bonjour! Un café ☕ et 🚀.", (Some(12), Some(7))),
        ("anthropic", ANTHROPIC_TEXT, "Un café ☕ avec 🥐.", (Some(25), Some(15))),
        ("gemini", GEMINI_TEXT, "Un café ☕ et 🚀.", (Some(9), None)),
        ("ollama", OLLAMA_TEXT, "Un café ☕ 🚀", (Some(26), Some(12))),
    ];
    for (provider, body, text, (input_tokens, output_tokens)) in cases {
        for pieces in [1, 7, body.len()] {
            let f = flow(
                vec![input("in", &[("x", "hi")]), prompt("p", provider, "{{x}}")],
                vec![wire(("in", "x"), ("p", "x"))],
            );
            let sim = Sim::new(&f)
                .script("p", vec![Reply::Stream { body: body.into(), pieces, delay: 5.0, gap: 1.0, end: End::Close }])
                .run();
            let p = sim.block("p");
            assert_eq!(p.status, BlockStatus::Done, "{provider} in {pieces} pieces: {:?}", p.error);
            assert_eq!(p.output.as_deref(), Some(text), "{provider}");
            assert_eq!(p.usage.input_tokens, input_tokens, "{provider}");
            if output_tokens.is_some() {
                assert_eq!(p.usage.output_tokens, output_tokens, "{provider}");
            }
            assert_eq!(p.trace.raw, body, "{provider}: the raw stream is kept verbatim");
            assert!(!p.incomplete);
        }
    }
}

// ---------------------------------------------------------------------------------------
// Faults
// ---------------------------------------------------------------------------------------

#[test]
fn a_failed_branch_skips_its_downstream_only() {
    let f = flow(
        vec![
            input("in", &[("x", "hi")]),
            prompt("a", "openai", "{{x}}"),
            prompt("a2", "openai", "{{y}}"),
            output("oa"),
            prompt("b", "openai", "{{x}} too"),
            output("ob"),
        ],
        vec![
            wire(("in", "x"), ("a", "x")),
            wire(("a", "text"), ("a2", "y")),
            wire(("a2", "text"), ("oa", "value")),
            wire(("in", "x"), ("b", "x")),
            wire(("b", "text"), ("ob", "value")),
        ],
    );
    let sim = Sim::new(&f).script("a", vec![http(401, r#"{"error":{"message":"Incorrect API key provided: sk-abc***xyz","type":"invalid_request_error","code":"invalid_api_key"}}"#)]).run();
    let a = sim.block("a");
    assert_eq!(a.status, BlockStatus::Error);
    assert_eq!(a.attempts, 1, "a bad key is not retried");
    assert!(a.error.as_deref().is_some_and(|e| e.starts_with("OpenAI rejected the key (401).")), "{:?}", a.error);
    assert!(a.trace.raw.starts_with("HTTP 401\n"));
    for skipped in ["a2", "oa"] {
        assert_eq!(sim.status(skipped), BlockStatus::Skipped, "{skipped}");
        assert_eq!(sim.block(skipped).error.as_deref(), Some("Skipped: Prompt a failed."), "{skipped}");
    }
    assert_eq!(sim.status("b"), BlockStatus::Done);
    assert_eq!(sim.output("ob"), "echo: hi too");
    assert_eq!(sim.sent_blocks(), ["a", "b"]);
    let s = sim.engine.summary();
    assert_eq!((s.count(BlockStatus::Error), s.count(BlockStatus::Skipped), s.count(BlockStatus::Done)), (1, 2, 3));
}

struct FaultCase {
    name: &'static str,
    provider: &'static str,
    replies: Vec<Reply>,
    status: BlockStatus,
    attempts: u32,
    /// Retry notes, each matched as a suffix ("(429 rate limit)") or whole.
    retries: &'static [&'static str],
    error: Option<&'static str>,
}

#[test]
fn http_and_network_faults_are_retried_or_explained() {
    let ok = || Reply::Echo { delay: 10.0 };
    let cases = vec![
        FaultCase {
            name: "429 with retry-after, then success",
            provider: "openai",
            replies: vec![Reply::Http { status: 429, body: r#"{"error":{"message":"Rate limit reached","type":"requests","code":"rate_limit_exceeded"}}"#, retry_after: Some("2"), delay: 100.0 }, ok()],
            status: BlockStatus::Done,
            attempts: 2,
            retries: &["Retrying in 2 s (429 rate limit)"],
            error: None,
        },
        FaultCase {
            name: "529 and 503 back off, then success",
            provider: "anthropic",
            replies: vec![http(529, r#"{"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}"#), http(503, "upstream connect error"), ok()],
            status: BlockStatus::Done,
            attempts: 3,
            retries: &["(529 overloaded)", "(503 overloaded)"],
            error: None,
        },
        FaultCase {
            name: "500 until the retries run out",
            provider: "gemini",
            replies: vec![http(500, "{}"), http(500, "{}"), http(500, "{}"), http(500, "{}"), ok()],
            status: BlockStatus::Error,
            attempts: 4,
            retries: &["(500 server error)", "(500 server error)", "(500 server error)"],
            error: Some("Google Gemini had a server error (HTTP 500). Try again in a moment; if it keeps failing, check the provider's status page. (Gave up after 4 attempts.)"),
        },
        FaultCase {
            name: "401 is not retried",
            provider: "anthropic",
            replies: vec![http(401, r#"{"type":"error","error":{"type":"authentication_error","message":"invalid x-api-key"}}"#)],
            status: BlockStatus::Error,
            attempts: 1,
            retries: &[],
            error: Some("Anthropic rejected the key (401). Check the key in Settings → Anthropic."),
        },
        FaultCase {
            name: "400 is not retried",
            provider: "openai",
            replies: vec![http(400, r#"{"error":{"message":"max_tokens is too large","type":"invalid_request_error"}}"#)],
            status: BlockStatus::Error,
            attempts: 1,
            retries: &[],
            error: Some("OpenAI rejected the request (400): “max_tokens is too large”. Check the model name and this block's settings (max tokens, temperature, stop sequences, JSON schema)."),
        },
        FaultCase {
            name: "403 is not retried",
            provider: "openai",
            replies: vec![http(403, r#"{"error":{"message":"Country not supported"}}"#)],
            status: BlockStatus::Error,
            attempts: 1,
            retries: &[],
            error: None,
        },
        FaultCase {
            name: "a 429 for exhausted quota is not retried",
            provider: "openai",
            replies: vec![http(429, r#"{"error":{"message":"You exceeded your current quota","type":"insufficient_quota","code":"insufficient_quota"}}"#)],
            status: BlockStatus::Error,
            attempts: 1,
            retries: &[],
            error: None,
        },
        FaultCase {
            name: "a network failure before any byte is retried",
            provider: "ollama",
            replies: vec![Reply::Network { delay: 5.0 }, ok()],
            status: BlockStatus::Done,
            attempts: 2,
            retries: &["(network error)"],
            error: None,
        },
        FaultCase {
            name: "network failures until the retries run out",
            provider: "ollama",
            replies: vec![Reply::Network { delay: 5.0 }; 4],
            status: BlockStatus::Error,
            attempts: 4,
            retries: &["(network error)", "(network error)", "(network error)"],
            error: Some("Could not reach Ollama at https://fake.test/ollama. Check that Ollama is running and that it allows this page (start it with OLLAMA_ORIGINS set to this page's address). (Gave up after 4 attempts.)"),
        },
        FaultCase {
            name: "an overloaded error before any text in a 200 stream is retried",
            provider: "anthropic",
            replies: vec![
                stream("event: message_start\ndata: {\"type\":\"message_start\",\"message\":{\"usage\":{\"input_tokens\":5}}}\n\nevent: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\",\"message\":\"Overloaded\"}}\n\n"),
                ok(),
            ],
            status: BlockStatus::Done,
            attempts: 2,
            retries: &["(overloaded)"],
            error: None,
        },
    ];
    for case in cases {
        let f = flow(
            vec![input("in", &[("x", "hi")]), prompt("p", case.provider, "{{x}}"), output("o")],
            vec![wire(("in", "x"), ("p", "x")), wire(("p", "text"), ("o", "value"))],
        );
        let sim = Sim::new(&f).script("p", case.replies).run();
        let p = sim.block("p");
        let name = case.name;
        assert_eq!(p.status, case.status, "{name}: {:?}", p.error);
        assert_eq!(p.attempts, case.attempts, "{name}");
        assert_eq!(sim.sends.len(), case.attempts as usize, "{name}");
        assert_eq!(p.trace.retries.len(), case.retries.len(), "{name}: {:?}", p.trace.retries);
        for (note, want) in p.trace.retries.iter().zip(case.retries) {
            assert!(note.starts_with("Retrying in ") && note.ends_with(want), "{name}: {note}");
        }
        if let Some(want) = case.error {
            assert_eq!(p.error.as_deref(), Some(want), "{name}");
        }
        match case.status {
            BlockStatus::Done => {
                assert_eq!(p.error, None, "{name}");
                assert_eq!(sim.output("o"), "echo: hi", "{name}");
                assert_eq!(p.retry_at_ms, None, "{name}");
            }
            _ => {
                assert!(p.error.is_some(), "{name}");
                assert_eq!(sim.status("o"), BlockStatus::Skipped, "{name}");
            }
        }
    }
}

#[test]
fn retry_after_sets_the_wake_time_and_the_block_waits_queued() {
    let f =
        flow(vec![input("in", &[("x", "hi")]), prompt("p", "openai", "{{x}}")], vec![wire(("in", "x"), ("p", "x"))]);
    let mut sim =
        Sim::new(&f).script("p", vec![Reply::Http { status: 429, body: "{}", retry_after: Some("2"), delay: 100.0 }]);
    sim.run_until(100.0);
    let p = sim.block("p");
    assert_eq!(p.status, BlockStatus::Queued);
    assert_eq!(p.error, None);
    assert_eq!(p.retry_at_ms, Some(2100.0));
    assert_eq!(p.trace.retries, ["Retrying in 2 s (429 rate limit)"]);
    assert!(sim.wakes.contains(&2100.0), "{:?}", sim.wakes);
    sim.run_until(2099.0);
    assert_eq!(sim.sends.len(), 1, "no retry before the wait is over");
    let sim = sim.run();
    assert_eq!(sim.sends.len(), 2);
    assert_eq!(sim.sends[1].at, 2100.0);
    assert_eq!(sim.block("p").attempts, 2);
    assert_eq!(sim.status("p"), BlockStatus::Done);
    assert!(sim.block("p").ttft_ms().is_some_and(|t| t < 100.0), "time to first token counts from the retry");
}

#[test]
fn backoff_is_exponential_with_deterministic_jitter() {
    let f =
        flow(vec![input("in", &[("x", "hi")]), prompt("p", "anthropic", "{{x}}")], vec![wire(("in", "x"), ("p", "x"))]);
    let mut sim = Sim::new(&f);
    sim = sim.script("p", vec![http(529, "{}"), http(529, "{}"), http(503, "{}")]);
    sim.begin();
    let sim = sim.run();
    assert_eq!(sim.block("p").attempts, 4);
    let mut expected_wakes = Vec::new();
    for (retry, pair) in sim.sends.windows(2).enumerate() {
        let failed_at = pair[0].at + 10.0;
        let wait = backoff_ms(retry as u32 + 1, pair[0].request, 8000.0);
        let step = 500.0 * 2f64.powi(retry as i32);
        assert!(wait > step * 0.75 && wait <= step, "retry {retry}: {wait}");
        assert_eq!(pair[1].at, failed_at + wait, "retry {retry}");
        expected_wakes.push(failed_at + wait);
    }
    for w in expected_wakes {
        assert!(sim.wakes.contains(&w), "{w} in {:?}", sim.wakes);
    }
}

#[test]
fn errors_inside_a_200_stream_keep_the_partial_text() {
    let cases = [
        ("openai", OPENAI_ERROR, "Partial café ", "server error"),
        ("openai", OPENAI_ERROR_EVENT, "Half an answer", "rate limiting"),
        ("anthropic", ANTHROPIC_ERROR, "Bien sûr", "overloaded"),
        ("gemini", GEMINI_ERROR, "Déjà ", "overloaded"),
        ("ollama", OLLAMA_ERROR, "Voilà", "unexpected EOF"),
    ];
    for (provider, body, partial, says) in cases {
        let f = flow(
            vec![input("in", &[("x", "hi")]), prompt("p", provider, "{{x}}"), output("o")],
            vec![wire(("in", "x"), ("p", "x")), wire(("p", "text"), ("o", "value"))],
        );
        let mut sim = Sim::new(&f).script("p", vec![stream(body)]);
        sim.begin();
        let sim = sim.run();
        let p = sim.block("p");
        assert_eq!(p.status, BlockStatus::Error, "{provider}");
        assert_eq!(p.output.as_deref(), Some(partial), "{provider}");
        assert!(p.incomplete, "{provider}");
        assert_eq!(p.attempts, 1, "{provider}: text already streamed, so no retry");
        assert!(p.error.as_deref().is_some_and(|e| e.contains(says)), "{provider}: {:?}", p.error);
        assert_eq!(sim.status("o"), BlockStatus::Skipped);
        assert_eq!(p.outputs.get("text"), None, "a failed block puts nothing on its port");
    }
}

#[test]
fn a_stream_that_ends_early_keeps_the_partial_text() {
    let cases = [
        ("openai", OPENAI_EARLY_END, "The answer is cut off at the cafés"),
        ("anthropic", ANTHROPIC_EARLY_END, "Almost done…"),
        ("gemini", GEMINI_EARLY_END, "Never finished"),
        ("ollama", OLLAMA_EARLY_END, "Stopped early"),
    ];
    for (provider, body, partial) in cases {
        for end in [End::Close, End::Drop] {
            let f = flow(
                vec![input("in", &[("x", "hi")]), prompt("p", provider, "{{x}}")],
                vec![wire(("in", "x"), ("p", "x"))],
            );
            let mut sim = Sim::new(&f)
                .script("p", vec![Reply::Stream { body: body.into(), pieces: 4, delay: 5.0, gap: 5.0, end }]);
            sim.begin();
            let sim = sim.run();
            let p = sim.block("p");
            assert_eq!(p.status, BlockStatus::Error, "{provider} {end:?}");
            assert_eq!(p.output.as_deref(), Some(partial), "{provider} {end:?}");
            assert!(p.incomplete, "{provider} {end:?}");
            assert_eq!(p.attempts, 1, "{provider} {end:?}");
            let error = p.error.as_deref().unwrap_or_default();
            match end {
                End::Drop => assert_eq!(error, "The connection dropped mid-answer; the text so far is kept."),
                _ => assert!(error.contains(EARLY_END_MESSAGE), "{provider}: {error}"),
            }
        }
    }
}

#[test]
fn a_silent_request_times_out() {
    let f = flow(
        vec![input("in", &[("x", "hi")]), prompt("p", "openai", "{{x}}"), output("o")],
        vec![wire(("in", "x"), ("p", "x")), wire(("p", "text"), ("o", "value"))],
    );
    let mut sim = Sim::new(&f).script("p", vec![Reply::Never]);
    sim.begin();
    assert_eq!(sim.wakes, [120_000.0], "the first send asks to be woken at its deadline");
    sim.run_until(119_999.0);
    assert_eq!(sim.status("p"), BlockStatus::Running);
    let sim = sim.run();
    let p = sim.block("p");
    assert_eq!(p.status, BlockStatus::Error);
    assert_eq!(
        p.error.as_deref(),
        Some("No answer after 120 s: the request was stopped. Try again, or raise the timeout in Settings.")
    );
    assert!(!p.incomplete);
    assert_eq!(sim.cancels, [(120_000.0, sim.sends[0].request)]);
    assert_eq!(p.finished_ms, Some(120_000.0));
    assert_eq!(sim.status("o"), BlockStatus::Skipped);

    // A stream that stalls after some text keeps it; the timeout counts from the last byte.
    let config = EngineConfig { timeout_ms: 5_000.0, ..EngineConfig::default() };
    let mut sim = Sim::start(&f, RunScope::All, &RunCache::new(), config).script(
        "p",
        vec![Reply::Stream {
            body: openai_partial("Half of it"),
            pieces: 2,
            delay: 1000.0,
            gap: 1000.0,
            end: End::Hang,
        }],
    );
    sim.begin();
    let sim = sim.run();
    let p = sim.block("p");
    assert_eq!(p.status, BlockStatus::Error);
    assert_eq!(p.output.as_deref(), Some("Half of it"));
    assert!(p.incomplete);
    assert_eq!(p.error.as_deref(), Some("No new text for 5 s: the request was stopped. The text so far is kept."));
    assert_eq!(p.finished_ms, Some(7_000.0), "5 s after the last chunk at 2 s");
}

// ---------------------------------------------------------------------------------------
// Stop, late events, change tracking
// ---------------------------------------------------------------------------------------

#[test]
fn stop_cancels_everything_in_flight_and_keeps_partial_text() {
    let mut sim = Sim::new(&fan("openai", 6));
    for i in 1..=6 {
        let body = openai_sse(&format!("Answer number {i} is long"), None);
        sim = sim.script(
            &format!("p{i}"),
            vec![Reply::Stream { body, pieces: 10, delay: 10.0, gap: 50.0, end: End::Close }],
        );
    }
    sim.begin();
    sim.run_until(200.0);
    let in_flight: Vec<RequestId> = sim.sends.iter().map(|s| s.request).collect();
    assert_eq!(in_flight.len(), 4);
    let partial = sim.output("p1").to_string();
    assert!(!partial.is_empty(), "some text streamed");
    let cmds = sim.engine.stop(200.0);
    let cancelled: Vec<RequestId> = cmds
        .iter()
        .map(|c| match c {
            Command::Cancel { request } => *request,
            other => panic!("stop only cancels: {other:?}"),
        })
        .collect();
    assert_eq!(cancelled, in_flight);
    assert!(sim.engine.is_finished());
    for i in 1..=4 {
        let p = sim.block(&format!("p{i}"));
        assert_eq!(p.status, BlockStatus::Stopped);
        assert!(p.incomplete && p.output.as_deref().is_some_and(|t| !t.is_empty()), "p{i} keeps its text");
        assert_eq!(p.error.as_deref(), Some("Stopped. The text so far is kept."));
    }
    assert_eq!(sim.output("p1"), partial);
    for b in ["p5", "p6", "o1", "o5"] {
        assert_eq!(sim.status(b), BlockStatus::Stopped, "{b}");
        assert_eq!(sim.block(b).error.as_deref(), Some("Stopped before it ran."), "{b}");
    }
    sim.engine.take_changed();

    // Late events for the cancelled requests (the transport still had them queued).
    let before: Vec<BlockRun> = (1..=6).map(|i| sim.block(&format!("p{i}")).clone()).collect();
    let late = [
        Event::Chunk {
            request: in_flight[0],
            bytes: b"data: {\"choices\":[{\"delta\":{\"content\":\"more\"}}]}\n\n".to_vec(),
        },
        Event::Done { request: in_flight[0] },
        Event::HttpError { request: in_flight[1], status: 500, body: String::new(), retry_after: None },
        Event::NetworkError { request: in_flight[2], message: "reset".into() },
        Event::Aborted { request: in_flight[3] },
        Event::Sent {
            request: in_flight[3],
            redacted: HttpRequest { method: Method::Post, url: "x".into(), headers: vec![], body: None, bytes: None },
        },
    ];
    for event in late {
        assert_eq!(sim.engine.on_event(event, 300.0), [], "late events produce no commands");
    }
    assert!(sim.engine.poll(500_000.0).is_empty());
    let after: Vec<BlockRun> = (1..=6).map(|i| sim.block(&format!("p{i}")).clone()).collect();
    assert_eq!(before, after, "late events change nothing");
    assert!(sim.engine.take_changed().is_empty());
    assert_eq!(sim.engine.stop(600.0), [], "stopping twice is harmless");
}

#[test]
fn unknown_and_duplicate_events_are_ignored() {
    let mut sim = Sim::new(&chain()).run();
    sim.engine.take_changed();
    let done: Vec<BlockRun> = ["in", "p1", "p2", "out"].iter().map(|b| sim.block(b).clone()).collect();
    let first = sim.sends[0].request;
    let events = [
        Event::Done { request: first },
        Event::Done { request: first },
        Event::Chunk { request: first, bytes: b"data: [DONE]\n\n".to_vec() },
        Event::Chunk { request: 9_999, bytes: vec![0xff, 0xfe] },
        Event::HttpError { request: 0, status: 429, body: "{}".into(), retry_after: Some("1".into()) },
        Event::NetworkError { request: u64::MAX, message: String::new() },
        Event::Aborted { request: 42 },
    ];
    for event in events {
        assert_eq!(sim.engine.on_event(event, 10_000.0), []);
    }
    let after: Vec<BlockRun> = ["in", "p1", "p2", "out"].iter().map(|b| sim.block(b).clone()).collect();
    assert_eq!(done, after);
    assert!(sim.engine.take_changed().is_empty());
    assert!(sim.engine.is_finished());
}

#[test]
fn take_changed_names_only_the_blocks_that_changed() {
    let mut sim = Sim::new(&fan("openai", 2));
    assert_eq!(sim.engine.take_changed(), [id("in"), id("p1"), id("o1"), id("p2"), id("o2")]);
    sim = sim.script(
        "p1",
        vec![Reply::Stream {
            body: openai_sse("one two three", None),
            pieces: 3,
            delay: 10.0,
            gap: 10.0,
            end: End::Close,
        }],
    );
    sim = sim.script("p2", vec![Reply::Never]);
    sim.begin();
    assert_eq!(sim.engine.take_changed(), [id("in"), id("p1"), id("p2")]);
    assert!(sim.engine.take_changed().is_empty());
    sim.run_until(10.0);
    assert_eq!(sim.engine.take_changed(), [id("p1"), id("p2")], "both got their redacted request");
    sim.run_until(20.0);
    assert_eq!(sim.engine.take_changed(), [id("p1")], "a chunk changes only its block");
    sim.run_until(60.0);
    assert_eq!(sim.engine.take_changed(), [id("p1"), id("o1")]);
}

// ---------------------------------------------------------------------------------------
// Cache
// ---------------------------------------------------------------------------------------

fn cached_run(f: &Flow) -> RunCache {
    let sim = Sim::new(f).run();
    let mut cache = RunCache::new();
    sim.engine.write_cache(&mut cache);
    cache
}

#[test]
fn block_scope_reruns_one_block_with_upstream_from_the_cache() {
    let f = chain();
    let cache = cached_run(&f);
    assert_eq!(cache.len(), 2);

    let sim = Sim::start(&f, RunScope::Block(id("p2")), &cache, EngineConfig::default()).run();
    assert_eq!(sim.sent_blocks(), ["p2"], "only the block itself calls the model");
    assert_eq!(sim.status("p1"), BlockStatus::Cached);
    assert_eq!(sim.status("in"), BlockStatus::Done);
    assert_eq!(sim.status("p2"), BlockStatus::Done);
    assert!(sim.engine.block(&id("out")).is_none(), "downstream is not part of the run");
    assert_eq!(user_of(&sim.sends[0].chat), "Summarise: echo: Name three facts about tea.");
    assert_eq!(sim.block("p1").cost_usd, Some(0.0));
    assert_eq!(sim.engine.summary().count(BlockStatus::Cached), 1);

    // Without a cache the upstream prompt runs first.
    let sim = Sim::start(&f, RunScope::Block(id("p2")), &RunCache::new(), EngineConfig::default()).run();
    assert_eq!(sim.sent_blocks(), ["p1", "p2"]);
}

#[test]
fn from_scope_reruns_the_block_and_everything_downstream() {
    let mut f = chain();
    f.blocks.push(prompt("p3", "openai", "Title for: {{s}}"));
    f.edges.push(wire(("p2", "text"), ("p3", "s")));
    let cache = cached_run(&f);

    let sim = Sim::start(&f, RunScope::From(id("p2")), &cache, EngineConfig::default()).run();
    assert_eq!(sim.sent_blocks(), ["p2", "p3"]);
    assert_eq!(sim.status("p1"), BlockStatus::Cached);
    assert_eq!(sim.status("out"), BlockStatus::Done);

    let sim = Sim::start(&f, RunScope::From(id("p1")), &cache, EngineConfig::default()).run();
    assert_eq!(sim.sent_blocks(), ["p1", "p2", "p3"], "use_cache is off: downstream reruns");
    let config = EngineConfig { use_cache: true, ..EngineConfig::default() };
    let sim = Sim::start(&f, RunScope::From(id("p1")), &cache, config).run();
    assert_eq!(sim.sent_blocks(), ["p1"], "the named block reruns; unchanged downstream is cached");
    assert_eq!(sim.status("p2"), BlockStatus::Cached);
}

#[test]
fn editing_a_prompt_reruns_exactly_it_and_its_downstream() {
    let mut f = chain();
    f.blocks.push(prompt("q", "anthropic", "Poem about {{topic}}"));
    f.edges.push(wire(("in", "topic"), ("q", "topic")));
    let cache = cached_run(&f);
    let config = || EngineConfig { use_cache: true, ..EngineConfig::default() };

    let sim = Sim::start(&f, RunScope::All, &cache, config()).run();
    assert!(sim.sends.is_empty(), "nothing changed: everything is cached");
    assert_eq!(sim.engine.summary().count(BlockStatus::Cached), 3);
    assert_eq!(sim.output("out"), "echo: Summarise: echo: Name three facts about tea.");
    let keys: Vec<_> = ["p1", "p2", "q"].iter().map(|b| sim.block(b).cache_key).collect();

    // Edit p2: only p2 misses.
    let mut edited = f.clone();
    if let Some(BlockConfig::Prompt(c)) = edited.block_mut(&id("p2")).map(|b| &mut b.config) {
        c.user = "Summarise briefly: {{facts}}".into();
    }
    let sim = Sim::start(&edited, RunScope::All, &cache, config()).run();
    assert_eq!(sim.sent_blocks(), ["p2"]);
    assert_eq!(sim.block("p1").cache_key, keys[0]);
    assert_ne!(sim.block("p2").cache_key, keys[1]);
    assert_eq!(sim.block("q").cache_key, keys[2]);

    // Edit p1: p1 misses, and so does p2, because its input changed; q is untouched.
    let mut edited = f.clone();
    if let Some(BlockConfig::Prompt(c)) = edited.block_mut(&id("p1")).map(|b| &mut b.config) {
        c.temperature = Some(0.9);
    }
    let sim = Sim::start(&edited, RunScope::All, &cache, config()).run();
    assert_eq!(sim.sent_blocks(), ["p1"], "p1's output is the same echo, so p2 still hits");
    let mut edited = f.clone();
    if let Some(BlockConfig::Input(c)) = edited.block_mut(&id("in")).map(|b| &mut b.config) {
        c.values[0].value = "coffee".into();
    }
    let sim = Sim::start(&edited, RunScope::All, &cache, config()).run();
    assert_eq!(sim.sent_blocks(), ["p1", "q", "p2"], "a changed input reruns all its downstream prompts");

    // Failed and incomplete answers are not cached; demo answers are not either.
    let f = flow(
        vec![input("in", &[("x", "hi")]), prompt("p", "openai", "{{x}}"), prompt("d", "demo", "{{x}}")],
        vec![wire(("in", "x"), ("p", "x")), wire(("in", "x"), ("d", "x"))],
    );
    let mut sim = Sim::new(&f).script("p", vec![stream(OPENAI_EARLY_END)]);
    sim.begin();
    let sim = sim.run();
    let mut cache = RunCache::new();
    sim.engine.write_cache(&mut cache);
    assert!(cache.is_empty());
}

#[test]
fn the_cache_survives_serialisation() {
    let f = chain();
    let cache = cached_run(&f);
    let json = serde_json::to_string(&cache).expect("serialises");
    let back: RunCache = serde_json::from_str(&json).expect("parses");
    assert_eq!(back, cache);
    let sim = Sim::start(&f, RunScope::Block(id("p2")), &back, EngineConfig::default()).run();
    assert_eq!(sim.sent_blocks(), ["p2"]);
}

// ---------------------------------------------------------------------------------------
// Budget, demo, estimate
// ---------------------------------------------------------------------------------------

#[test]
fn the_budget_stops_the_run_before_a_call_would_pass_it() {
    let gpt4o = |bid: &str, user: &str, max_tokens: u32| {
        prompt_with(
            bid,
            PromptConfig {
                model: "gpt-4o".into(),
                max_tokens: Some(max_tokens),
                user: user.into(),
                ..PromptConfig::default()
            },
        )
    };
    let f = flow(
        vec![
            input("in", &[("x", "hi")]),
            gpt4o("p1", "{{x}}", 100),
            gpt4o("p2", "{{y}}", 1000),
            gpt4o("p3", "{{y}}!", 1000),
            output("o2"),
            prompt("d", "demo", "{{y}}"),
        ],
        vec![
            wire(("in", "x"), ("p1", "x")),
            wire(("p1", "text"), ("p2", "y")),
            wire(("p1", "text"), ("p3", "y")),
            wire(("p2", "text"), ("o2", "value")),
            wire(("p1", "text"), ("d", "y")),
        ],
    );
    let config = EngineConfig { budget_usd: Some(0.05), ..EngineConfig::default() };
    // p1 reports 1000 tokens in and 4000 out: $0.0025 + $0.04 = $0.0425 on gpt-4o.
    let mut sim = Sim::start(&f, RunScope::All, &RunCache::new(), config)
        .script("p1", vec![stream(openai_sse("ok", Some((1000, 4000))))]);
    sim.begin();
    let sim = sim.run();
    assert_eq!(sim.sent_blocks(), ["p1"]);
    assert!((sim.block("p1").cost_usd.unwrap_or_default() - 0.0425).abs() < 1e-9);
    let p2 = sim.block("p2");
    assert_eq!(p2.status, BlockStatus::Error);
    assert_eq!(
        p2.error.as_deref(),
        Some("Stopped before this call: it would pass the run's budget of $0.05 (spent $0.0425).")
    );
    assert_eq!(sim.status("p3"), BlockStatus::Stopped);
    assert_eq!(sim.block("p3").error.as_deref(), Some("Stopped: the run's budget is used up."));
    assert_eq!(sim.status("o2"), BlockStatus::Skipped);
    assert_eq!(sim.status("d"), BlockStatus::Done, "free demo calls still run");
    let s = sim.engine.summary();
    assert!((s.cost_usd - 0.0425).abs() < 1e-9 && s.cost_usd <= 0.05);

    // A budget that covers the estimate lets every call through.
    let config = EngineConfig { budget_usd: Some(1.0), ..EngineConfig::default() };
    let sim = Sim::start(&f, RunScope::All, &RunCache::new(), config).run();
    assert_eq!(sim.sends.len(), 3);
}

#[test]
fn parallel_calls_count_against_the_budget_while_in_flight() {
    let mut f = fan("openai", 3);
    for b in &mut f.blocks {
        if let BlockConfig::Prompt(c) = &mut b.config {
            c.model = "gpt-4o".into();
            c.max_tokens = Some(1000);
        }
    }
    // Each call is estimated at about $0.01 (1000 output tokens at $10/M).
    let config = EngineConfig { budget_usd: Some(0.025), ..EngineConfig::default() };
    let mut sim = Sim::start(&f, RunScope::All, &RunCache::new(), config);
    sim.begin();
    assert_eq!(sim.sent_blocks(), ["p1", "p2"]);
    assert_eq!(sim.status("p3"), BlockStatus::Error);
    assert!(sim.block("p3").error.as_deref().is_some_and(
        |e| e.starts_with("Stopped before this call: it would pass the run's budget of $0.025 (spent $0.02")
    ));
    let sim = sim.run();
    assert_eq!(sim.status("p1"), BlockStatus::Done);
}

#[test]
fn sample_answers_come_without_a_request_and_are_labelled() {
    let f = flow(
        vec![input("in", &[("x", "Tell me about tea")]), prompt("d", "demo", "{{x}}"), output("o")],
        vec![wire(("in", "x"), ("d", "x")), wire(("d", "text"), ("o", "value"))],
    );
    let mut sim = Sim::new(&f);
    let cmds = sim.engine.poll(0.0);
    assert!(cmds.is_empty(), "no Send, no timer: {cmds:?}");
    assert!(sim.engine.is_finished());
    let d = sim.block("d");
    let chat = d.trace.chat.clone().expect("the request is traced");
    assert_eq!(chat.model, "demo");
    let values = std::collections::BTreeMap::from([("x".to_string(), "Tell me about tea".to_string())]);
    let want = chainboard::domain::providers::sample_reply(&chat, &[], &values).0;
    assert_eq!(d.output.as_deref(), Some(want.as_str()));
    assert!(!want.is_empty() && !want.contains("Demo") && !want.contains("You wrote"), "{want}");
    assert!(d.sample && d.sample_rule.is_none(), "labelled as a sample answer");
    assert_eq!(d.status, BlockStatus::Done);
    assert_eq!(d.cost_usd, Some(0.0));
    assert_eq!(sim.output("o"), want);
    assert!(sim.block("o").sample, "an Output showing a sample answer is labelled too");
    sim.begin();
    assert!(sim.sends.is_empty());
}

#[test]
fn estimate_counts_calls_and_cost_like_the_run() {
    let mini = PriceTable::builtin().price(ProviderKind::OpenAi, "gpt-4o-mini").expect("priced");
    let mut f = chain();
    f.blocks.push(prompt("d", "demo", "{{topic}}"));
    f.edges.push(wire(("in", "topic"), ("d", "topic")));
    let config = EngineConfig::default();

    let est = estimate(&f, &RunScope::All, &RunCache::new(), &config);
    assert_eq!((est.calls, est.cached), (2, 0));
    // p1: "Name three facts about tea." is 27 characters; p2's input is p1's expected output
    // (512 tokens ≈ 2048 characters) plus "Summarise: " (11).
    let want = cost(mini, estimate_tokens(27), DEFAULT_OUTPUT_TOKENS)
        + cost(mini, estimate_tokens(11 + 4 * DEFAULT_OUTPUT_TOKENS as usize), DEFAULT_OUTPUT_TOKENS);
    assert!((est.cost_usd.unwrap_or_default() - want).abs() < 1e-12, "{est:?} vs {want}");
    assert!(est.unknown_models.is_empty());
    assert_eq!(est.describe(), "about $0.0007, 2 calls");

    // After a run, re-running one block costs one call.
    let cache = cached_run(&f);
    let est = estimate(&f, &RunScope::Block(id("p2")), &cache, &config);
    assert_eq!((est.calls, est.cached), (1, 1));
    let est = estimate(&f, &RunScope::All, &cache, &EngineConfig { use_cache: true, ..config.clone() });
    assert_eq!((est.calls, est.cached, est.cost_usd), (0, 2, Some(0.0)));
    assert_eq!(est.describe(), "no calls");

    // A model without a price makes the cost unknown, and says which.
    f.blocks.push(prompt_with(
        "local",
        PromptConfig {
            provider: "openai-compatible".into(),
            model: "my-local-model".into(),
            user: "{{topic}}".into(),
            ..PromptConfig::default()
        },
    ));
    f.edges.push(wire(("in", "topic"), ("local", "topic")));
    let est = estimate(&f, &RunScope::All, &RunCache::new(), &config);
    assert_eq!(est.calls, 3);
    assert_eq!(est.cost_usd, None);
    assert_eq!(est.unknown_models, ["my-local-model"]);
    assert_eq!(est.describe(), "3 calls (cost unknown for my-local-model)");

    // An unrunnable flow needs no calls.
    let est = estimate(&f, &RunScope::Block(id("ghost")), &RunCache::new(), &config);
    assert_eq!(est.calls, 0);
}

// ---------------------------------------------------------------------------------------
// Starting
// ---------------------------------------------------------------------------------------

#[test]
fn start_refuses_only_problems_the_run_needs() {
    let f = flow(
        vec![
            input("in", &[("x", "hi")]),
            prompt("a", "openai", "{{x}}"),
            output("oa"),
            prompt("b", "openai", "{{x}} and {{missing}}"),
            Block::new(id("note"), "", Point::default(), BlockConfig::Note(NoteConfig { text: "hello".into() })),
            Block::new(
                id("alien"),
                "",
                Point::default(),
                BlockConfig::Unknown(UnknownConfig { kind: "hologram".into(), raw: json!({}) }),
            ),
        ],
        vec![wire(("in", "x"), ("a", "x")), wire(("a", "text"), ("oa", "value")), wire(("in", "x"), ("b", "x"))],
    );
    let start = |scope| Engine::start(&f, scope, &RunCache::new(), EngineConfig::default(), 0.0);
    match start(RunScope::All) {
        Err(StartError::Invalid { problems }) => {
            assert_eq!(problems.len(), 1, "{problems:?}");
            assert_eq!(problems[0].block, Some(id("b")));
        }
        other => panic!("expected a refusal, got {other:?}"),
    }
    let err = start(RunScope::Block(id("b"))).expect_err("b cannot run");
    assert!(err.to_string().starts_with("This flow cannot run yet. Prompt b uses {{missing}}"), "{err}");
    assert_eq!(err.messages().len(), 1);
    assert!(matches!(start(RunScope::Block(id("ghost"))), Err(StartError::UnknownBlock(_))));

    let sim = Sim::start(&f, RunScope::From(id("a")), &RunCache::new(), EngineConfig::default()).run();
    assert_eq!(sim.sent_blocks(), ["a"]);
    assert_eq!(sim.status("oa"), BlockStatus::Done);
    assert!(sim.engine.block(&id("b")).is_none());

    // Without the broken prompt the whole flow runs; the note is left out and the block of
    // an unknown kind is shown as skipped.
    let mut ok = f.clone();
    ok.blocks.retain(|b| b.id != id("b"));
    ok.edges.retain(|e| e.to.block != id("b"));
    let sim = Sim::new(&ok).run();
    assert!(sim.engine.block(&id("note")).is_none());
    assert_eq!(sim.status("alien"), BlockStatus::Skipped);
    assert!(sim.block("alien").error.as_deref().is_some_and(|e| e.contains("not known")));
    assert_eq!(sim.status("oa"), BlockStatus::Done);
}

#[test]
fn an_empty_flow_finishes_at_once() {
    let mut engine = Engine::start(&Flow::default(), RunScope::All, &RunCache::new(), EngineConfig::default(), 5.0)
        .expect("nothing to refuse");
    assert!(engine.poll(5.0).is_empty());
    assert!(engine.is_finished());
    assert_eq!(engine.summary().calls, 0);
}

#[test]
fn a_200_block_flow_takes_the_engine_little_time() {
    let providers = ["openai", "anthropic", "gemini", "ollama"];
    let mut blocks = vec![input("in", &[("topic", "tea")])];
    let mut edges = Vec::new();
    for c in 0..18 {
        let mut prev = ("in".to_string(), "topic".to_string());
        for k in 0..10 {
            let p = format!("c{c}k{k}");
            blocks.push(prompt(&p, providers[(c + k) % 4], "{{v}} and more"));
            edges.push(wire((&prev.0, &prev.1), (&p, "v")));
            prev = (p, "text".to_string());
        }
        let o = format!("o{c}");
        blocks.push(output(&o));
        edges.push(wire((&prev.0, &prev.1), (&o, "value")));
    }
    blocks.push(output("last"));
    edges.push(wire(("c0k0", "text"), ("last", "value")));
    let f = flow(blocks, edges);
    assert_eq!(f.blocks.len(), 200);
    let sim = Sim::new(&f).run();
    assert_eq!(sim.sends.len(), 180);
    assert_eq!(sim.engine.summary().count(BlockStatus::Done), 200);
    // Timing is measured, never asserted (the machine is shared and noisy). Run
    // `cargo test --release --test engine a_200_block -- --nocapture` to see it; the
    // figure is recorded in docs/benchmarks.md.
    eprintln!("engine time for 200 blocks: {:?}", sim.engine_time);
}

// ---------------------------------------------------------------------------------------
// Robustness: any event order
// ---------------------------------------------------------------------------------------

#[derive(Debug, Clone)]
enum Op {
    Poll(u16),
    Sent(u8),
    Chunk(u8, u8, u16),
    Done(u8),
    Http(u8, u16, bool),
    Network(u8),
    Aborted(u8),
    Stop,
}

fn op() -> impl Strategy<Value = Op> {
    prop_oneof![
        3 => any::<u16>().prop_map(Op::Poll),
        1 => any::<u8>().prop_map(Op::Sent),
        6 => (any::<u8>(), any::<u8>(), any::<u16>()).prop_map(|(r, f, n)| Op::Chunk(r, f, n)),
        2 => any::<u8>().prop_map(Op::Done),
        2 => (any::<u8>(), prop::sample::select(vec![400u16, 401, 403, 404, 408, 429, 500, 502, 503, 529, 302]), any::<bool>())
            .prop_map(|(r, s, ra)| Op::Http(r, s, ra)),
        1 => any::<u8>().prop_map(Op::Network),
        1 => any::<u8>().prop_map(Op::Aborted),
        1 => Just(Op::Stop),
    ]
}

fn robustness_flow() -> Flow {
    let mut f = fan("openai", 5);
    for (i, provider) in ["anthropic", "gemini", "ollama", "demo"].iter().enumerate() {
        let p = format!("x{i}");
        f.blocks.push(prompt(&p, provider, "{{a}} {{b}}"));
        f.edges.push(wire(("in", "topic"), (&p, "a")));
        f.edges.push(wire(("p1", "text"), (&p, "b")));
    }
    f
}

const BODIES: [&str; 10] = [
    OPENAI_TEXT,
    ANTHROPIC_TEXT,
    GEMINI_TEXT,
    OLLAMA_TEXT,
    OPENAI_ERROR,
    ANTHROPIC_ERROR,
    OPENAI_EARLY_END,
    "data: {not json}\n\n",
    "\u{0}\u{ffff}garbage\r\n\r\n",
    "event: error\ndata: {\"type\":\"error\",\"error\":{\"type\":\"overloaded_error\"}}\n\n",
];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn no_event_sequence_panics_or_breaks_the_limits(ops in prop::collection::vec(op(), 0..80), budget in prop::option::of(0.0f64..0.01)) {
        let config = EngineConfig { budget_usd: budget, max_retries: 2, ..EngineConfig::default() };
        let mut engine = Engine::start(&robustness_flow(), RunScope::All, &RunCache::new(), config, 0.0).expect("runs");
        let mut now = 0.0;
        let mut cmds = engine.poll(now);
        let mut sent: Vec<RequestId> = Vec::new();
        for op in ops {
            for c in &cmds {
                if let Command::Send { request, .. } = c { sent.push(*request); }
                if let Command::WakeAt { at_ms } = c { prop_assert!(*at_ms > now - 1e-9); }
            }
            // Mostly real request ids, sometimes made-up ones.
            let pick = |r: u8| if r.is_multiple_of(5) || sent.is_empty() { u64::from(r) } else { sent[usize::from(r) % sent.len()] };
            now += 7.0;
            cmds = match op {
                Op::Poll(dt) => { now += f64::from(dt) * 4.0; engine.poll(now) }
                Op::Sent(r) => engine.on_event(Event::Sent { request: pick(r), redacted: HttpRequest { method: Method::Post, url: "https://x".into(), headers: vec![], body: None, bytes: None } }, now),
                Op::Chunk(r, f, n) => {
                    let body = BODIES[usize::from(f) % BODIES.len()].as_bytes();
                    let start = usize::from(n) % (body.len() + 1);
                    let end = (start + usize::from(n % 97) + 1).min(body.len());
                    engine.on_event(Event::Chunk { request: pick(r), bytes: body[start..end].to_vec() }, now)
                }
                Op::Done(r) => engine.on_event(Event::Done { request: pick(r) }, now),
                Op::Http(r, status, ra) => engine.on_event(Event::HttpError { request: pick(r), status, body: "{}".into(), retry_after: ra.then(|| "1".to_string()) }, now),
                Op::Network(r) => engine.on_event(Event::NetworkError { request: pick(r), message: "x".into() }, now),
                Op::Aborted(r) => engine.on_event(Event::Aborted { request: pick(r) }, now),
                Op::Stop => engine.stop(now),
            };
            prop_assert!(engine.in_flight() <= 4 * 4, "at most 4 per provider");
            let mut per_provider: HashMap<ProviderKind, usize> = HashMap::new();
            for (_, run) in engine.blocks() {
                if run.status == BlockStatus::Running {
                    if let Some(p) = run.trace.provider { *per_provider.entry(p).or_insert(0) += 1; }
                }
                if run.status.is_terminal() { prop_assert!(run.finished_ms.is_some()); }
            }
            prop_assert!(per_provider.values().all(|n| *n <= 4), "{per_provider:?}");
            let s = engine.summary();
            if let Some(b) = budget { prop_assert!(s.cost_usd <= b + 0.01, "spent {} of {b}", s.cost_usd); }
        }
        engine.stop(now + 1.0);
        prop_assert!(engine.is_finished());
        prop_assert!(engine.poll(now + 1e9).is_empty());
        let _ = engine.take_changed();
        prop_assert!(engine.blocks().all(|(_, r)| r.status.is_terminal()));
    }
}

#[test]
fn personal_data_is_redacted_before_sending_and_restored_in_the_answer() {
    let f = flow(
        vec![
            input("in", &[("topic", "the refund for jane.doe@example.com, card 4111 1111 1111 1111")]),
            prompt("p1", "openai", "Write about {{topic}}."),
            output("out"),
        ],
        vec![wire(("in", "topic"), ("p1", "topic")), wire(("p1", "text"), ("out", "value"))],
    );
    let config = EngineConfig { redact_personal_data: true, ..EngineConfig::default() };
    let sim = Sim::start(&f, RunScope::All, &RunCache::new(), config).run();
    let sent = user_of(&sim.sends[0].chat);
    assert_eq!(sent, "Write about the refund for [EMAIL_1], card [CARD_1].");
    // The trace keeps what was sent (redacted); the answer shows the originals again.
    assert!(!format!("{:?}", sim.block("p1").trace.sent).contains("jane.doe"));
    assert_eq!(sim.output("out"), "echo: Write about the refund for jane.doe@example.com, card 4111 1111 1111 1111.");
    // Without the setting, the text goes as it is.
    let plain = Sim::new(&f).run();
    assert!(user_of(&plain.sends[0].chat).contains("jane.doe@example.com"));
}

#[test]
fn the_estimate_knows_a_sample_answer_a_rule_gives_and_sizes_a_generated_one() {
    // in → p1 (sample answers) → p2 (OpenAI): what p1 answers is part of what OpenAI receives.
    let chained = |rules: Vec<SampleRule>| {
        let mut p1 = prompt("p1", "demo", "Reply to {{topic}}");
        if let BlockConfig::Prompt(c) = &mut p1.config {
            c.sample_answers = rules;
        }
        flow(
            vec![input("in", &[("topic", "a refund")]), p1, prompt("p2", "openai", "Polish: {{draft}}")],
            vec![wire(("in", "topic"), ("p1", "topic")), wire(("p1", "text"), ("p2", "draft"))],
        )
    };
    // A rule the user wrote gives the answer exactly: the e-mail address in it is found.
    let ruled = chained(vec![SampleRule::contains("refund", "Write to {{topic}} desk at help@example.com")]);
    let est = estimate(&ruled, &RunScope::All, &RunCache::new(), &EngineConfig::default());
    assert_eq!(est.calls, 1);
    assert_eq!(est.privacy_note().as_deref(), Some("Personal data would go to OpenAI: 1 e-mail address."));
    // An answer the generator would write is sized, not written: one call, estimated, no finding.
    let generated = estimate(&chained(vec![]), &RunScope::All, &RunCache::new(), &EngineConfig::default());
    assert_eq!(generated.calls, 1);
    assert!(generated.cost_usd.is_some_and(|c| c > 0.0));
    assert_eq!(generated.privacy_note(), None);
}

#[test]
fn the_estimate_says_which_provider_would_receive_personal_data() {
    let f = flow(
        vec![
            input("in", &[("topic", "a refund for jane.doe@example.com, phone +44 20 7946 0958")]),
            prompt("p1", "openai", "Write about {{topic}}."),
            prompt("p2", "demo", "Also {{topic}}"),
        ],
        vec![wire(("in", "topic"), ("p1", "topic")), wire(("in", "topic"), ("p2", "topic"))],
    );
    let est = estimate(&f, &RunScope::All, &RunCache::new(), &EngineConfig::default());
    // The local provider (sample answers) keeps it in the browser, so only OpenAI is named.
    assert_eq!(est.personal_data.len(), 1);
    assert_eq!(
        est.privacy_note().as_deref(),
        Some("Personal data would go to OpenAI: 1 e-mail address and 1 phone number.")
    );
    let clean = flow(
        vec![input("in", &[("topic", "tea")]), prompt("p1", "openai", "About {{topic}}")],
        vec![wire(("in", "topic"), ("p1", "topic"))],
    );
    assert_eq!(estimate(&clean, &RunScope::All, &RunCache::new(), &EngineConfig::default()).privacy_note(), None);
}
