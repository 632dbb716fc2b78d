//! The agent loop driven by recorded multi-turn exchanges in each provider's wire format:
//! a single call, parallel calls, a tool error, the step limit, arguments streamed in
//! fragments, HTTP tools (approved and not), and the offline demo.

use std::collections::BTreeSet;

use chainboard::domain::blocks::tool::{HttpAction, HttpMethod, MockAction, MockRow, ToolAction, TOOLS_PORT};
use chainboard::domain::blocks::{BlockConfig, InputConfig, InputValue, PromptConfig, ToolConfig};
use chainboard::domain::engine::{
    step_limit_message, BlockRun, BlockStatus, Command, Engine, EngineConfig, Event, RunCache, RunScope,
};
use chainboard::domain::flow::{Block, BlockId, Edge, EdgeId, Flow, Point, PortRef};
use chainboard::domain::providers::{
    build_chat_request, ChatRequest, HttpRequest, Method, ProviderKind, ProviderSettings, Role, ToolChoice,
};
use serde_json::{json, Value};

fn block(id: &str, config: BlockConfig) -> Block {
    Block::new(BlockId::new(id), id, Point::new(0.0, 0.0), config)
}

fn edge(n: usize, from: (&str, &str), to: (&str, &str)) -> Edge {
    Edge {
        id: EdgeId(format!("e{n}")),
        from: PortRef::new(BlockId::new(from.0), from.1),
        to: PortRef::new(BlockId::new(to.0), to.1),
    }
}

fn mock_tool(name: &str, response: &str) -> ToolConfig {
    ToolConfig {
        name: name.into(),
        description: format!("{name} for tests"),
        action: ToolAction::Mock(MockAction { response: response.into(), rows: vec![] }),
        ..ToolConfig::default()
    }
}

/// Input → agent Prompt (user: "{{question}}") with `tools` connected.
fn agent_flow(provider: &str, tools: Vec<ToolConfig>, max_steps: u32) -> Flow {
    let mut blocks = vec![
        block(
            "in",
            BlockConfig::Input(InputConfig {
                values: vec![InputValue { name: "question".into(), value: "Where is order A123?".into(), media: None }],
            }),
        ),
        block(
            "agent",
            BlockConfig::Prompt(PromptConfig {
                provider: provider.into(),
                model: "m".into(),
                user: "{{question}}".into(),
                max_steps,
                ..PromptConfig::default()
            }),
        ),
    ];
    let mut edges = vec![edge(0, ("in", "question"), ("agent", "question"))];
    for (i, tool) in tools.into_iter().enumerate() {
        let id = format!("tool{i}");
        blocks.push(block(&id, BlockConfig::Tool(tool)));
        edges.push(edge(i + 1, (&id, "tool"), ("agent", TOOLS_PORT)));
    }
    Flow { blocks, edges, ..Flow::default() }
}

/// Drives an engine: each model request gets the next scripted body; each tool HTTP request
/// gets `tool_reply`.
struct Driver {
    engine: Engine,
    replies: Vec<String>,
    sent: Vec<ChatRequest>,
    tool_calls: Vec<HttpRequest>,
    tool_reply: (u16, String),
    now: f64,
}

impl Driver {
    fn new(flow: &Flow, replies: Vec<String>, config: EngineConfig) -> Driver {
        let engine = Engine::start(flow, RunScope::All, &RunCache::new(), config, 0.0).expect("the flow can run");
        Driver { engine, replies, sent: vec![], tool_calls: vec![], tool_reply: (200, String::new()), now: 0.0 }
    }

    fn run(mut self) -> Driver {
        let mut pending = self.engine.poll(self.now);
        let mut guard = 0;
        while let Some(cmd) = pending.pop() {
            guard += 1;
            assert!(guard < 10_000, "the run does not end");
            self.now += 5.0;
            match cmd {
                Command::Send { request, chat, .. } => {
                    self.sent.push(chat);
                    let body = if self.replies.is_empty() { String::new() } else { self.replies.remove(0) };
                    // Arbitrary chunk boundaries: 7 bytes at a time.
                    for piece in body.as_bytes().chunks(7) {
                        pending.extend(self.engine.on_event(Event::Chunk { request, bytes: piece.to_vec() }, self.now));
                    }
                    pending.extend(self.engine.on_event(Event::Done { request }, self.now));
                }
                Command::CallTool { request, http, .. } => {
                    self.tool_calls.push(http);
                    let (status, body) = self.tool_reply.clone();
                    pending.extend(self.engine.on_event(Event::ToolResponse { request, status, body }, self.now));
                }
                Command::Cancel { .. } | Command::WakeAt { .. } => {}
                Command::Embed { .. } => panic!("agents do not embed"),
                Command::Moderate { .. } => panic!("agents do not moderate"),
                Command::Call { .. } => panic!("agents make no outside calls"),
            }
        }
        assert!(self.engine.is_finished(), "{:?}", self.engine);
        self
    }

    fn agent(&self) -> &BlockRun {
        self.engine.block(&BlockId::new("agent")).expect("the agent ran")
    }
}

fn sse(events: &[Value]) -> String {
    events.iter().map(|e| format!("data: {e}\n\n")).collect::<String>()
}

fn openai_text(text: &str) -> String {
    sse(&[
        json!({"choices":[{"index":0,"delta":{"content":text},"finish_reason":null}]}),
        json!({"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}),
        json!({"choices":[],"usage":{"prompt_tokens":30,"completion_tokens":8}}),
    ]) + "data: [DONE]\n\n"
}

/// One call whose arguments arrive in three fragments, as OpenAI streams them.
fn openai_call(id: &str, name: &str, args: &str) -> String {
    let (a, rest) = args.split_at(args.len() / 3);
    let (b, c) = rest.split_at(rest.len() / 2);
    let mut events = vec![json!({"choices":[{"index":0,"delta":{"role":"assistant","content":null,"tool_calls":[
        {"index":0,"id":id,"type":"function","function":{"name":name,"arguments":""}}]},"finish_reason":null}]})];
    for piece in [a, b, c] {
        events.push(json!({"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"function":{"arguments":piece}}]},"finish_reason":null}]}));
    }
    events.push(json!({"choices":[{"index":0,"delta":{},"finish_reason":"tool_calls"}]}));
    events.push(json!({"choices":[],"usage":{"prompt_tokens":20,"completion_tokens":10}}));
    sse(&events) + "data: [DONE]\n\n"
}

#[test]
fn openai_single_call_with_fragmented_arguments_then_answer() {
    let flow = agent_flow("openai", vec![ToolConfig::default()], 8);
    let d = Driver::new(
        &flow,
        vec![openai_call("call_1", "lookup_order", r#"{"order_id": "A123"}"#), openai_text("Order A123 has shipped.")],
        EngineConfig::default(),
    )
    .run();
    let run = d.agent();
    assert_eq!(run.status, BlockStatus::Done, "{:?}", run.error);
    assert_eq!(run.output.as_deref(), Some("Order A123 has shipped."));
    assert_eq!(run.port_value("text"), Some("Order A123 has shipped."));
    assert_eq!(run.steps.len(), 2);
    let call = &run.steps[0].calls[0];
    assert_eq!((call.id.as_str(), call.name.as_str()), ("call_1", "lookup_order"));
    assert_eq!(call.arguments, r#"{"order_id": "A123"}"#);
    let result = call.result.as_ref().expect("the tool answered");
    assert_eq!(result.content, r#"{"order": "A123", "status": "shipped"}"#);
    // Time to first token is the first step's, never negative.
    assert!(run.ttft_ms().is_some_and(|t| t > 0.0), "{:?} {:?}", run.first_token_ms, run.sent_ms);
    // Tokens of both calls are added up.
    assert_eq!((run.usage.input_tokens, run.usage.output_tokens), (Some(50), Some(18)));
    // The second request echoes the call and carries the result, in OpenAI's shape.
    assert_eq!(d.sent.len(), 2);
    assert_eq!(d.sent[0].tools.len(), 1);
    let http = build_chat_request(
        ProviderKind::OpenAi,
        &ProviderSettings { base_url: String::new(), api_key: "sk-x".into() },
        &d.sent[1],
    )
    .expect("builds");
    let body: Value = serde_json::from_str(http.body.as_deref().unwrap_or_default()).unwrap_or_default();
    assert_eq!(
        body["messages"],
        json!([
            {"role": "user", "content": "Where is order A123?"},
            {"role": "assistant", "content": null, "tool_calls": [
                {"id": "call_1", "type": "function", "function": {"name": "lookup_order", "arguments": "{\"order_id\": \"A123\"}"}}
            ]},
            {"role": "tool", "tool_call_id": "call_1", "content": "{\"order\": \"A123\", \"status\": \"shipped\"}"}
        ])
    );
    assert_eq!(body["tools"][0]["function"]["name"], "lookup_order");
}

#[test]
fn anthropic_parallel_calls_are_all_answered_in_one_user_turn() {
    let weather = mock_tool("get_weather", "20°C in {{city}}");
    let weather = ToolConfig {
        params: vec![chainboard::domain::blocks::tool::ToolParam {
            name: "city".into(),
            required: true,
            ..Default::default()
        }],
        ..weather
    };
    let time = ToolConfig { params: vec![], ..mock_tool("get_time", "12:00") };
    let flow = agent_flow("anthropic", vec![weather, time], 8);
    let events = [
        (
            "message_start",
            json!({"type":"message_start","message":{"id":"m1","type":"message","role":"assistant","content":[],"model":"claude","usage":{"input_tokens":40,"output_tokens":1}}}),
        ),
        (
            "content_block_start",
            json!({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}),
        ),
        (
            "content_block_delta",
            json!({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Checking both."}}),
        ),
        ("content_block_stop", json!({"type":"content_block_stop","index":0})),
        (
            "content_block_start",
            json!({"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"toolu_1","name":"get_weather","input":{}}}),
        ),
        (
            "content_block_delta",
            json!({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\"city\": \"Pa"}}),
        ),
        (
            "content_block_delta",
            json!({"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"ris\"}"}}),
        ),
        ("content_block_stop", json!({"type":"content_block_stop","index":1})),
        (
            "content_block_start",
            json!({"type":"content_block_start","index":2,"content_block":{"type":"tool_use","id":"toolu_2","name":"get_time","input":{}}}),
        ),
        ("content_block_stop", json!({"type":"content_block_stop","index":2})),
        (
            "message_delta",
            json!({"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":30}}),
        ),
        ("message_stop", json!({"type":"message_stop"})),
    ];
    let first: String = events.iter().map(|(n, d)| format!("event: {n}\ndata: {d}\n\n")).collect();
    let answer = [
        (
            "message_start",
            json!({"type":"message_start","message":{"id":"m2","type":"message","role":"assistant","content":[],"model":"claude","usage":{"input_tokens":90,"output_tokens":1}}}),
        ),
        (
            "content_block_start",
            json!({"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}),
        ),
        (
            "content_block_delta",
            json!({"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Sunny, 20°C at noon."}}),
        ),
        (
            "message_delta",
            json!({"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":9}}),
        ),
        ("message_stop", json!({"type":"message_stop"})),
    ];
    let second: String = answer.iter().map(|(n, d)| format!("event: {n}\ndata: {d}\n\n")).collect();
    let d = Driver::new(&flow, vec![first, second], EngineConfig::default()).run();
    let run = d.agent();
    assert_eq!(run.status, BlockStatus::Done, "{:?}", run.error);
    assert_eq!(run.output.as_deref(), Some("Sunny, 20°C at noon."));
    assert_eq!(run.steps[0].text, "Checking both.");
    let results: Vec<&str> =
        run.steps[0].calls.iter().map(|c| c.result.as_ref().map_or("", |r| r.content.as_str())).collect();
    assert_eq!(results, ["20°C in Paris", "12:00"]);
    let http = build_chat_request(
        ProviderKind::Anthropic,
        &ProviderSettings { base_url: String::new(), api_key: "sk-ant".into() },
        &d.sent[1],
    )
    .expect("builds");
    let body: Value = serde_json::from_str(http.body.as_deref().unwrap_or_default()).unwrap_or_default();
    assert_eq!(
        body["messages"][1],
        json!({"role": "assistant", "content": [
            {"type": "text", "text": "Checking both."},
            {"type": "tool_use", "id": "toolu_1", "name": "get_weather", "input": {"city": "Paris"}},
            {"type": "tool_use", "id": "toolu_2", "name": "get_time", "input": {}}
        ]})
    );
    assert_eq!(
        body["messages"][2],
        json!({"role": "user", "content": [
            {"type": "tool_result", "tool_use_id": "toolu_1", "content": "20°C in Paris"},
            {"type": "tool_result", "tool_use_id": "toolu_2", "content": "12:00"}
        ]})
    );
    assert_eq!(body["tools"][0]["input_schema"]["required"], json!(["city"]));
}

#[test]
fn gemini_tool_errors_go_back_to_the_model_with_the_signature_kept() {
    let flow = agent_flow("gemini", vec![ToolConfig::default()], 8);
    // The model calls a tool that does not exist; Gemini sends no call id.
    let first = format!(
        "data: {}\r\n\r\n",
        json!({"candidates":[{"content":{"role":"model","parts":[{"functionCall":{"name":"track_parcel","args":{"id":"A123"}},"thoughtSignature":"CiQBsig=="}]},"finishReason":"STOP","index":0}],
            "usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":8}})
    );
    let second = format!(
        "data: {}\r\n\r\n",
        json!({"candidates":[{"content":{"role":"model","parts":[{"text":"I cannot track parcels."}]},"finishReason":"STOP","index":0}]})
    );
    let d = Driver::new(&flow, vec![first, second], EngineConfig::default()).run();
    let run = d.agent();
    assert_eq!(run.status, BlockStatus::Done);
    let result = run.steps[0].calls[0].result.clone().expect("answered");
    assert!(result.is_error && result.content.contains("no tool named"), "{result:?}");
    let http = build_chat_request(
        ProviderKind::Gemini,
        &ProviderSettings { base_url: String::new(), api_key: "AIza".into() },
        &d.sent[1],
    )
    .expect("builds");
    let body: Value = serde_json::from_str(http.body.as_deref().unwrap_or_default()).unwrap_or_default();
    assert_eq!(
        body["contents"][1],
        json!({"role": "model", "parts": [
            {"functionCall": {"name": "track_parcel", "args": {"id": "A123"}}, "thoughtSignature": "CiQBsig=="}
        ]})
    );
    let response = &body["contents"][2]["parts"][0]["functionResponse"];
    assert_eq!(response["name"], "track_parcel");
    assert!(response.get("id").is_none(), "a made-up id is never sent to Gemini");
    assert!(response["response"]["error"].as_str().is_some_and(|e| e.contains("lookup_order")));
    assert_eq!(body["tools"][0]["functionDeclarations"][0]["name"], "lookup_order");
}

#[test]
fn ollama_whole_calls_and_tool_messages_by_name() {
    let flow = agent_flow("ollama", vec![ToolConfig::default()], 8);
    let first = format!(
        "{}\n{}\n",
        json!({"model":"m","message":{"role":"assistant","content":"","tool_calls":[{"function":{"name":"lookup_order","arguments":{"order_id":"A123"}}}]},"done":false}),
        json!({"model":"m","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop"})
    );
    let second = format!(
        "{}\n{}\n",
        json!({"model":"m","message":{"role":"assistant","content":"Shipped."},"done":false}),
        json!({"model":"m","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop"})
    );
    let d = Driver::new(&flow, vec![first, second], EngineConfig::default()).run();
    assert_eq!(d.agent().output.as_deref(), Some("Shipped."));
    let http = build_chat_request(ProviderKind::Ollama, &ProviderSettings::default(), &d.sent[1]).expect("builds");
    let body: Value = serde_json::from_str(http.body.as_deref().unwrap_or_default()).unwrap_or_default();
    assert_eq!(
        body["messages"][1],
        json!({"role": "assistant", "content": "", "tool_calls": [{"function": {"name": "lookup_order", "arguments": {"order_id": "A123"}}}]})
    );
    assert_eq!(
        body["messages"][2],
        json!({"role": "tool", "tool_name": "lookup_order", "content": "{\"order\": \"A123\", \"status\": \"shipped\"}"})
    );
}

#[test]
fn the_step_limit_stops_a_runaway_loop_with_a_clear_message() {
    let flow = agent_flow("openai", vec![ToolConfig::default()], 3);
    let replies = (0..10).map(|i| openai_call(&format!("call_{i}"), "lookup_order", r#"{"order_id":"A1"}"#)).collect();
    let d = Driver::new(&flow, replies, EngineConfig::default()).run();
    let run = d.agent();
    assert_eq!(run.status, BlockStatus::Error);
    assert_eq!(run.error.as_deref(), Some(step_limit_message(3).as_str()));
    assert_eq!(d.sent.len(), 3, "three model calls, no more");
    assert_eq!(run.steps.len(), 3);
}

#[test]
fn a_forced_tool_choice_applies_to_the_first_call_only() {
    let mut flow = agent_flow("openai", vec![ToolConfig::default()], 8);
    if let Some(BlockConfig::Prompt(p)) =
        flow.blocks.iter_mut().find(|b| b.id.as_str() == "agent").map(|b| &mut b.config)
    {
        p.tool_choice = ToolChoice::Tool("lookup_order".into());
    }
    let d = Driver::new(
        &flow,
        vec![openai_call("c1", "lookup_order", r#"{"order_id":"A1"}"#), openai_text("Done.")],
        EngineConfig::default(),
    )
    .run();
    assert_eq!(d.sent[0].tool_choice, ToolChoice::Tool("lookup_order".into()));
    assert_eq!(d.sent[1].tool_choice, ToolChoice::Auto);
    let http = build_chat_request(
        ProviderKind::OpenAi,
        &ProviderSettings { base_url: String::new(), api_key: "k".into() },
        &d.sent[0],
    )
    .expect("builds");
    let body: Value = serde_json::from_str(http.body.as_deref().unwrap_or_default()).unwrap_or_default();
    assert_eq!(body["tool_choice"], json!({"type": "function", "function": {"name": "lookup_order"}}));
}

fn http_tool() -> ToolConfig {
    ToolConfig {
        action: ToolAction::Http(HttpAction {
            method: HttpMethod::Get,
            url: "http://127.0.0.1:4011/orders/{{order_id}}".into(),
            json_path: "status".into(),
            ..HttpAction::default()
        }),
        ..ToolConfig::default()
    }
}

#[test]
fn http_tools_call_approved_hosts_and_read_the_json_path() {
    let flow = agent_flow("openai", vec![http_tool()], 8);
    let config =
        EngineConfig { approved_hosts: BTreeSet::from(["127.0.0.1:4011".to_string()]), ..EngineConfig::default() };
    let mut d = Driver::new(
        &flow,
        vec![openai_call("c1", "lookup_order", r#"{"order_id":"A 1/2"}"#), openai_text("It is late.")],
        config,
    );
    d.tool_reply = (200, r#"{"status":"late","eta":"Friday"}"#.into());
    let d = d.run();
    assert_eq!(d.tool_calls.len(), 1);
    assert_eq!(d.tool_calls[0].method, Method::Get);
    assert_eq!(d.tool_calls[0].url, "http://127.0.0.1:4011/orders/A%201%2F2");
    let run = d.agent();
    assert_eq!(run.steps[0].calls[0].result.as_ref().map(|r| r.content.as_str()), Some("late"));
    assert_eq!(run.output.as_deref(), Some("It is late."));
    assert!(run.trace.raw.contains("--- tool lookup_order: GET http://127.0.0.1:4011/orders/A%201%2F2 ---"));
}

#[test]
fn http_tools_never_call_a_host_that_was_not_approved() {
    let flow = agent_flow("openai", vec![http_tool()], 8);
    let d = Driver::new(
        &flow,
        vec![openai_call("c1", "lookup_order", r#"{"order_id":"A1"}"#), openai_text("Sorry.")],
        EngineConfig::default(),
    )
    .run();
    assert!(d.tool_calls.is_empty(), "no request to an unapproved host");
    let result = d.agent().steps[0].calls[0].result.clone().expect("answered");
    assert!(result.is_error && result.content.contains("127.0.0.1:4011"), "{result:?}");
}

#[test]
fn failing_http_tools_report_the_status_to_the_model() {
    let flow = agent_flow("openai", vec![http_tool()], 8);
    let config =
        EngineConfig { approved_hosts: BTreeSet::from(["127.0.0.1:4011".to_string()]), ..EngineConfig::default() };
    let mut d = Driver::new(
        &flow,
        vec![openai_call("c1", "lookup_order", r#"{"order_id":"A1"}"#), openai_text("Not found.")],
        config,
    );
    d.tool_reply = (404, "no such order".into());
    let d = d.run();
    let result = d.agent().steps[0].calls[0].result.clone().expect("answered");
    assert_eq!((result.is_error, result.content.as_str()), (true, "HTTP 404: no such order"));
    let msg = &d.sent[1].messages[2];
    assert_eq!(msg.role, Role::User);
    assert!(msg.tool_results[0].is_error);
}

#[test]
fn the_sample_agent_calls_the_tool_then_answers_from_its_result_offline() {
    let tool = ToolConfig {
        action: ToolAction::Mock(MockAction {
            response: "unknown order".into(),
            rows: vec![MockRow { argument: "order_id".into(), equals: "A123".into(), response: "shipped".into() }],
        }),
        ..ToolConfig::default()
    };
    let flow = agent_flow("demo", vec![tool], 8);
    let d = Driver::new(&flow, vec![], EngineConfig::default()).run();
    assert!(d.sent.is_empty(), "the demo sends nothing");
    let run = d.agent();
    assert_eq!(run.status, BlockStatus::Done, "{:?}", run.error);
    assert_eq!(run.steps.len(), 2);
    assert_eq!(run.steps[0].calls[0].arguments, r#"{"order_id":"A123"}"#);
    assert!(run.sample, "labelled as a sample answer");
    let out = run.output.clone().unwrap_or_default();
    assert!(out.contains("I checked for you: shipped."), "{out}");
    assert!(!out.to_lowercase().contains("demo"), "{out}");
}

#[test]
fn stopping_an_agent_cancels_its_tool_calls() {
    let flow = agent_flow("openai", vec![http_tool()], 8);
    let config =
        EngineConfig { approved_hosts: BTreeSet::from(["127.0.0.1:4011".to_string()]), ..EngineConfig::default() };
    let mut engine = Engine::start(&flow, RunScope::All, &RunCache::new(), config, 0.0).expect("runs");
    let cmds = engine.poll(0.0);
    let Some(Command::Send { request, .. }) = cmds.into_iter().find(|c| matches!(c, Command::Send { .. })) else {
        panic!("no send");
    };
    let body = openai_call("c1", "lookup_order", r#"{"order_id":"A1"}"#);
    engine.on_event(Event::Chunk { request, bytes: body.into_bytes() }, 1.0);
    let cmds = engine.on_event(Event::Done { request }, 2.0);
    let tool_request = cmds.iter().find_map(|c| match c {
        Command::CallTool { request, .. } => Some(*request),
        _ => None,
    });
    let tool_request = tool_request.expect("the tool is called");
    let cmds = engine.stop(3.0);
    assert!(cmds.contains(&Command::Cancel { request: tool_request }));
    assert!(engine.is_finished());
    assert_eq!(engine.block(&BlockId::new("agent")).map(|r| r.status), Some(BlockStatus::Stopped));
}

fn subflow_tool(flow_id: &str) -> ToolConfig {
    ToolConfig {
        action: ToolAction::SubFlow(chainboard::domain::blocks::tool::SubFlowAction { flow_id: flow_id.into() }),
        ..ToolConfig::default()
    }
}

/// Input(order_id) → Prompt (OpenAI) → Output: a flow another flow's agent can call.
fn lookup_flow() -> Flow {
    use chainboard::domain::blocks::OutputConfig;
    Flow {
        blocks: vec![
            block(
                "sub-in",
                BlockConfig::Input(InputConfig {
                    values: vec![InputValue { name: "order_id".into(), value: "X".into(), media: None }],
                }),
            ),
            block(
                "sub-p",
                BlockConfig::Prompt(PromptConfig {
                    provider: "openai".into(),
                    model: "m".into(),
                    user: "Status of {{order_id}}?".into(),
                    ..PromptConfig::default()
                }),
            ),
            block("sub-out", BlockConfig::Output(OutputConfig {})),
        ],
        edges: vec![
            edge(0, ("sub-in", "order_id"), ("sub-p", "order_id")),
            edge(1, ("sub-p", "text"), ("sub-out", "value")),
        ],
        ..Flow::default()
    }
}

#[test]
fn a_sub_flow_tool_runs_another_flow_with_the_arguments_as_inputs() {
    let flow = agent_flow("openai", vec![subflow_tool("lookup")], 8);
    let config = EngineConfig {
        subflows: std::collections::BTreeMap::from([("lookup".to_string(), lookup_flow())]),
        ..EngineConfig::default()
    };
    let d = Driver::new(
        &flow,
        vec![
            openai_call("c1", "lookup_order", r#"{"order_id":"A123"}"#),
            openai_text("A123 is packed."),
            openai_text("Your order is packed."),
        ],
        config,
    )
    .run();
    // The sub-flow's prompt was rendered with the argument, and its output came back.
    assert_eq!(d.sent.len(), 3);
    assert_eq!(d.sent[1].messages[0].text, "Status of A123?");
    let run = d.agent();
    assert_eq!(run.status, BlockStatus::Done, "{:?}", run.error);
    assert_eq!(run.steps[0].calls[0].result.as_ref().map(|r| r.content.as_str()), Some("A123 is packed."));
    assert_eq!(run.output.as_deref(), Some("Your order is packed."));
    assert_eq!(d.engine.summary().calls, 3, "the sub-flow's call counts too");
}

#[test]
fn a_missing_or_self_calling_sub_flow_is_an_error_result_not_a_hang() {
    let flow = agent_flow("openai", vec![subflow_tool("gone")], 8);
    let d = Driver::new(
        &flow,
        vec![openai_call("c1", "lookup_order", r#"{"order_id":"A1"}"#), openai_text("Sorry.")],
        EngineConfig::default(),
    )
    .run();
    let result = d.agent().steps[0].calls[0].result.clone().expect("answered");
    assert!(result.is_error && result.content.contains("not in this workspace"), "{result:?}");

    // A flow whose agent calls itself (with a model that always calls the tool) stops at the
    // nesting limit: the third level's tool call is refused, and every level ends at its
    // step limit of 2 (the second step's call is never run). Sends: 2 per level, 3 levels.
    let recursive = agent_flow("openai", vec![subflow_tool("self")], 2);
    let config = EngineConfig {
        subflows: std::collections::BTreeMap::from([("self".to_string(), recursive.clone())]),
        ..EngineConfig::default()
    };
    let replies = (0..40).map(|_| openai_call("c", "lookup_order", r#"{"order_id":"A1"}"#)).collect();
    let d = Driver::new(&recursive, replies, config).run();
    assert_eq!(d.sent.len(), 6);
    assert!(d.engine.is_finished());
    assert_eq!(d.agent().error.as_deref(), Some(step_limit_message(2).as_str()));
}
