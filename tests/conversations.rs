//! Prompt messages (few-shot examples), conversations (history carried into conversational
//! Prompts, the memory limit, multi-turn eval cases), model parameters per provider, and the
//! flow file's version 3 with its migration from version 2.

use std::collections::BTreeMap;

use chainboard::domain::blocks::{
    BlockConfig, ExampleTurn, InputConfig, InputValue, Memory, ModelParams, OutputConfig, PromptConfig,
};
use chainboard::domain::conversation::{Conversation, Turn};
use chainboard::domain::engine::{canonical_request_json, Command, Engine, EngineConfig, Event, RunCache, RunScope};
use chainboard::domain::evals::cases::TestCase;
use chainboard::domain::evals::checks::{Check, CheckKind};
use chainboard::domain::evals::run::{EvalRun, EvalSpec, Variant};
use chainboard::domain::flow::{Block, BlockId, Edge, EdgeId, Flow, Point, PortRef};
use chainboard::domain::flow_file::{from_json, to_json};
use chainboard::domain::providers::{build_chat_request, ChatRequest, ProviderKind, ProviderSettings, Role};
use serde_json::{json, Value};

fn prompt(cfg: PromptConfig) -> Flow {
    Flow {
        blocks: vec![
            Block::new(
                BlockId::new("in"),
                "Message",
                Point::new(0.0, 0.0),
                BlockConfig::Input(InputConfig {
                    values: vec![InputValue {
                        name: "message".into(),
                        value: "typed on the canvas".into(),
                        media: None,
                    }],
                }),
            ),
            Block::new(BlockId::new("p"), "Reply", Point::new(0.0, 0.0), BlockConfig::Prompt(cfg)),
            Block::new(BlockId::new("out"), "Answer", Point::new(0.0, 0.0), BlockConfig::Output(OutputConfig {})),
        ],
        edges: vec![
            Edge {
                id: EdgeId::new("e1"),
                from: PortRef::new(BlockId::new("in"), "message"),
                to: PortRef::new(BlockId::new("p"), "message"),
            },
            Edge {
                id: EdgeId::new("e2"),
                from: PortRef::new(BlockId::new("p"), "text"),
                to: PortRef::new(BlockId::new("out"), "value"),
            },
        ],
        ..Flow::default()
    }
}

fn chat_config(provider: &str) -> PromptConfig {
    PromptConfig {
        provider: provider.into(),
        model: "m".into(),
        system: "You are a kind support agent.".into(),
        user: "{{message}}".into(),
        examples: vec![
            ExampleTurn { role: Role::User, text: "Where is my parcel?".into() },
            ExampleTurn { role: Role::Assistant, text: "Sorry about that! Could you share the order number?".into() },
        ],
        conversation: Some(Memory::default()),
        ..PromptConfig::default()
    }
}

/// The request the engine sends first for `flow`.
fn first_request(flow: &Flow, config: EngineConfig) -> ChatRequest {
    let mut engine = Engine::start(flow, RunScope::All, &RunCache::new(), config, 0.0).expect("runs");
    engine
        .poll(0.0)
        .into_iter()
        .find_map(|c| match c {
            Command::Send { chat, .. } => Some(chat),
            _ => None,
        })
        .expect("a request is sent")
}

fn body(kind: ProviderKind, chat: &ChatRequest) -> Value {
    let settings = ProviderSettings { base_url: String::new(), api_key: "k".into() };
    let http = build_chat_request(kind, &settings, chat).expect("builds");
    serde_json::from_str(http.body.as_deref().unwrap_or_default()).expect("JSON body")
}

fn history() -> Conversation {
    Conversation {
        turns: vec![Turn::new("My invoice is wrong.", "I am sorry! Which invoice number?")],
        message: Some("It is INV-42.".into()),
        input: None,
    }
}

// ---- Migration ----------------------------------------------------------------------------

#[test]
fn a_version_2_file_loads_with_the_same_meaning_and_saves_as_version_3() {
    let text = include_str!("fixtures/flows/v2_support.json");
    let flow = from_json(text).expect("a version-2 file loads");
    let BlockConfig::Prompt(p) = &flow.block(&BlockId::new("reply")).expect("the prompt").config else {
        panic!("the prompt is still a prompt")
    };
    assert_eq!(p.system, "You are a kind support agent.");
    assert_eq!(p.user, "Reply to: {{message}}");
    assert_eq!((p.temperature, p.max_tokens), (Some(0.2), Some(300)));
    assert!(p.examples.is_empty() && p.conversation.is_none() && p.params.is_empty());
    let saved = to_json(&flow);
    assert!(saved.contains("\"version\": 3"), "{saved}");
    for new_field in ["examples", "conversation", "top_p", "seed", "stop\"", "thinking", "reasoning"] {
        assert!(!saved.contains(new_field), "an unchanged prompt writes no {new_field}");
    }
    assert_eq!(from_json(&saved).expect("reloads"), flow);
    // Its request is exactly what version 2 sent: same JSON, so the same cache key.
    let chat = first_request(&flow, EngineConfig::default());
    assert_eq!(
        canonical_request_json(ProviderKind::OpenAi, &chat),
        r#"{"v":1,"provider":"openai","request":{"model":"gpt-4o-mini","system":"You are a kind support agent.","messages":[{"role":"user","text":"Reply to: My invoice is wrong."}],"temperature":0.2,"max_tokens":300,"json_mode":null,"stop":[]}}"#
    );
    assert_eq!(
        body(ProviderKind::OpenAi, &chat),
        json!({"model": "gpt-4o-mini", "stream": true, "stream_options": {"include_usage": true},
               "messages": [{"role": "system", "content": "You are a kind support agent."},
                            {"role": "user", "content": "Reply to: My invoice is wrong."}],
               "temperature": 0.2, "max_completion_tokens": 300})
    );
}

#[test]
fn a_newer_file_says_which_version_this_app_reads() {
    let err = from_json(r#"{"format":"chainboard.flow","version":4}"#).expect_err("refused").to_string();
    assert!(
        err.contains("newer Chainboard") && err.contains("file version 4") && err.contains("up to version 3"),
        "{err}"
    );
}

#[test]
fn version_3_fields_round_trip() {
    let mut cfg = chat_config("anthropic");
    cfg.params = ModelParams {
        top_p: Some(0.9),
        stop: vec!["END".into()],
        seed: Some(7),
        reasoning_effort: Some("low".into()),
        thinking_budget: Some(2048),
    };
    let flow = prompt(cfg);
    let text = to_json(&flow);
    assert!(text.contains("\"examples\"") && text.contains("\"conversation\"") && text.contains("\"top_p\": 0.9"));
    assert_eq!(from_json(&text).expect("loads"), flow);
}

// ---- Messages and history per provider ---------------------------------------------------

#[test]
fn few_shot_turns_and_history_go_between_system_and_user_for_every_provider() {
    let config = EngineConfig { conversation: Some(history()), ..EngineConfig::default() };
    let openai = first_request(&prompt(chat_config("openai")), config.clone());
    let texts: Vec<(Role, &str)> = openai.messages.iter().map(|m| (m.role, m.text.as_str())).collect();
    assert_eq!(
        texts,
        [
            (Role::User, "Where is my parcel?"),
            (Role::Assistant, "Sorry about that! Could you share the order number?"),
            (Role::User, "My invoice is wrong."),
            (Role::Assistant, "I am sorry! Which invoice number?"),
            (Role::User, "It is INV-42."),
        ],
        "examples, then the history, then the new message (which replaced the Input's value)"
    );
    let b = body(ProviderKind::OpenAi, &openai);
    assert_eq!(b["messages"][0], json!({"role": "system", "content": "You are a kind support agent."}));
    assert_eq!(
        b["messages"][2],
        json!({"role": "assistant", "content": "Sorry about that! Could you share the order number?"})
    );
    assert_eq!(b["messages"][5], json!({"role": "user", "content": "It is INV-42."}));

    let ollama = body(ProviderKind::Ollama, &first_request(&prompt(chat_config("ollama")), config.clone()));
    assert_eq!(ollama["messages"].as_array().map(Vec::len), Some(6));
    assert_eq!(ollama["messages"][4]["role"], "assistant");

    let anthropic = body(ProviderKind::Anthropic, &first_request(&prompt(chat_config("anthropic")), config.clone()));
    assert_eq!(anthropic["system"], "You are a kind support agent.");
    let roles: Vec<&str> =
        anthropic["messages"].as_array().into_iter().flatten().filter_map(|m| m["role"].as_str()).collect();
    assert_eq!(roles, ["user", "assistant", "user", "assistant", "user"]);

    let gemini = body(ProviderKind::Gemini, &first_request(&prompt(chat_config("gemini")), config));
    assert_eq!(gemini["systemInstruction"], json!({"parts": [{"text": "You are a kind support agent."}]}));
    let roles: Vec<&str> =
        gemini["contents"].as_array().into_iter().flatten().filter_map(|m| m["role"].as_str()).collect();
    assert_eq!(roles, ["user", "model", "user", "model", "user"]);
    assert_eq!(gemini["contents"][4], json!({"role": "user", "parts": [{"text": "It is INV-42."}]}));
}

#[test]
fn anthropic_merges_consecutive_turns_of_one_role() {
    let mut cfg = chat_config("anthropic");
    cfg.examples = vec![
        ExampleTurn { role: Role::User, text: "Example question".into() },
        ExampleTurn { role: Role::Assistant, text: "Example answer".into() },
        ExampleTurn { role: Role::User, text: "A second example question".into() },
    ];
    cfg.conversation = None;
    let b = body(ProviderKind::Anthropic, &first_request(&prompt(cfg), EngineConfig::default()));
    assert_eq!(
        b["messages"],
        json!([
            {"role": "user", "content": "Example question"},
            {"role": "assistant", "content": "Example answer"},
            {"role": "user", "content": "A second example question\n\ntyped on the canvas"}
        ])
    );
}

#[test]
fn example_turns_are_templates() {
    let mut cfg = chat_config("openai");
    cfg.examples = vec![ExampleTurn { role: Role::User, text: "In {{lang}}: hello".into() }];
    cfg.conversation = None;
    assert_eq!(cfg.variables(), ["lang", "message"], "example variables become input ports");
}

#[test]
fn a_prompt_that_is_not_conversational_gets_no_history() {
    let mut cfg = chat_config("openai");
    cfg.conversation = None;
    cfg.examples.clear();
    let config = EngineConfig { conversation: Some(history()), ..EngineConfig::default() };
    let chat = first_request(&prompt(cfg), config);
    assert_eq!(chat.messages.len(), 1);
    assert_eq!(chat.messages[0].text, "It is INV-42.", "but the chat message still reaches the Input");
}

#[test]
fn the_memory_limit_keeps_the_most_recent_turns() {
    let mut cfg = chat_config("openai");
    cfg.examples.clear();
    cfg.conversation = Some(Memory { turns: 2 });
    let turns: Vec<Turn> = (1..=5).map(|i| Turn::new(format!("q{i}"), format!("a{i}"))).collect();
    let flow = prompt(cfg);
    assert_eq!(chainboard::domain::conversation::dropped_turns(&flow, turns.len()), 3);
    let config = EngineConfig {
        conversation: Some(Conversation { turns, message: Some("q6".into()), input: None }),
        ..EngineConfig::default()
    };
    let chat = first_request(&flow, config);
    let texts: Vec<&str> = chat.messages.iter().map(|m| m.text.as_str()).collect();
    assert_eq!(texts, ["q4", "a4", "q5", "a5", "q6"]);
}

// ---- Model parameters ---------------------------------------------------------------------

fn with_params(provider: &str) -> Flow {
    let mut cfg = chat_config(provider);
    cfg.examples.clear();
    cfg.conversation = None;
    cfg.temperature = Some(0.5);
    cfg.params = ModelParams {
        top_p: Some(0.9),
        stop: vec!["###".into()],
        seed: Some(42),
        reasoning_effort: Some("low".into()),
        thinking_budget: Some(2048),
    };
    prompt(cfg)
}

fn body_for(kind: ProviderKind) -> Value {
    body(kind, &first_request(&with_params(kind.id()), EngineConfig::default()))
}

#[test]
fn openai_gets_top_p_stop_seed_and_reasoning_effort_but_no_thinking_budget() {
    let b = body_for(ProviderKind::OpenAi);
    assert_eq!((b["top_p"].clone(), b["stop"].clone(), b["seed"].clone()), (json!(0.9), json!(["###"]), json!(42)));
    assert_eq!(b["reasoning_effort"], "low");
    assert!(b.get("thinking").is_none() && b.get("thinking_budget").is_none());
}

#[test]
fn anthropic_gets_thinking_and_top_p_but_no_seed_and_no_temperature_while_thinking() {
    let b = body_for(ProviderKind::Anthropic);
    assert_eq!(b["thinking"], json!({"type": "enabled", "budget_tokens": 2048}));
    assert_eq!((b["top_p"].clone(), b["stop_sequences"].clone()), (json!(0.9), json!(["###"])));
    assert_eq!(b["max_tokens"], json!(2048 + 1024), "max_tokens is above the thinking budget");
    for absent in ["seed", "temperature", "reasoning_effort"] {
        assert!(b.get(absent).is_none(), "{absent} is not sent: {b}");
    }
}

#[test]
fn gemini_gets_its_generation_config() {
    let b = body_for(ProviderKind::Gemini);
    assert_eq!(
        b["generationConfig"],
        json!({"temperature": 0.5, "topP": 0.9, "stopSequences": ["###"], "seed": 42,
               "thinkingConfig": {"thinkingBudget": 2048}})
    );
}

#[test]
fn ollama_puts_them_under_options() {
    let b = body_for(ProviderKind::Ollama);
    assert_eq!(b["options"], json!({"temperature": 0.5, "top_p": 0.9, "stop": ["###"], "seed": 42}));
    assert!(b.get("think").is_none() && b.get("reasoning_effort").is_none());
}

#[test]
fn unsupported_parameters_are_warnings_not_problems() {
    let BlockConfig::Prompt(p) = &with_params("anthropic").blocks[1].config else { panic!("a prompt") };
    let warnings = p.parameter_warnings();
    assert!(warnings.iter().any(|w| w.starts_with("Seed is not sent")), "{warnings:?}");
    assert!(warnings.iter().any(|w| w.starts_with("Reasoning effort is not sent")), "{warnings:?}");
    assert!(warnings.iter().any(|w| w.contains("takes no temperature")), "{warnings:?}");
    use chainboard::domain::blocks::KindSpec;
    assert_eq!(p.problems(), Vec::<String>::new(), "the flow still runs");
    let BlockConfig::Prompt(o) = &with_params("ollama").blocks[1].config else { panic!("a prompt") };
    assert_eq!(o.parameter_warnings().len(), 2, "{:?}", o.parameter_warnings());
}

#[test]
fn bad_parameter_values_are_problems_in_words() {
    let mut cfg = chat_config("anthropic");
    cfg.params.top_p = Some(1.5);
    cfg.params.thinking_budget = Some(100);
    cfg.params.reasoning_effort = Some("extreme".into());
    use chainboard::domain::blocks::KindSpec;
    let problems = cfg.problems();
    assert!(problems.iter().any(|p| p.contains("Top P 1.5 is out of range")), "{problems:?}");
    assert!(problems.iter().any(|p| p.contains("at least 1024")), "{problems:?}");
    assert!(problems.iter().any(|p| p.contains("\u{201c}extreme\u{201d} is unknown")), "{problems:?}");
}

// ---- Multi-turn eval cases ----------------------------------------------------------------

/// Answers "N messages, last: <text>" so a check can see what was sent.
fn sse_reply(chat: &ChatRequest) -> Vec<u8> {
    let last = chat.messages.last().map(|m| m.text.clone()).unwrap_or_default();
    let text = format!("{} messages, last: {last}", chat.messages.len());
    let chunk = json!({"choices":[{"index":0,"delta":{"content":text},"finish_reason":"stop"}]});
    format!("data: {chunk}\n\ndata: [DONE]\n\n").into_bytes()
}

#[test]
fn a_multi_turn_case_sends_its_history_and_checks_the_last_answer() {
    let mut cfg = chat_config("openai");
    cfg.examples.clear();
    let flow = prompt(cfg);
    let single = TestCase { inputs: BTreeMap::from([("message".into(), "hello".into())]), ..TestCase::default() };
    let multi = TestCase {
        inputs: BTreeMap::from([("message".into(), "It is INV-42.".into())]),
        history: vec![Turn::new("My invoice is wrong.", "Which invoice number?")],
        ..TestCase::default()
    };
    let json = serde_json::to_string(&multi).expect("serialises");
    assert!(json.contains("\"history\":[{\"user\":\"My invoice is wrong.\",\"assistant\":\"Which invoice number?\"}]"));
    assert_eq!(serde_json::from_str::<TestCase>(&json).expect("reads back"), multi);
    let spec = EvalSpec {
        flow,
        target: BlockId::new("out"),
        cases: vec![single, multi],
        checks: vec![Check {
            name: "sent".into(),
            kind: CheckKind::Contains { text: "messages, last".into(), case_sensitive: false },
        }],
        variants: vec![Variant::base("As it is")],
        repetitions: 1,
        concurrency: 1,
        budget_usd: None,
    };
    let mut run = EvalRun::start(spec, EngineConfig::default(), Vec::new());
    let mut queue = run.poll(0.0);
    let mut now = 0.0;
    for _ in 0..100 {
        let Some(cmd) = queue.pop() else { break };
        now += 1.0;
        if let Command::Send { request, chat, .. } = cmd {
            queue.extend(run.on_event(Event::Chunk { request, bytes: sse_reply(&chat) }, now));
            queue.extend(run.on_event(Event::Done { request }, now));
        }
    }
    assert!(run.is_finished());
    let mut outputs: Vec<(usize, String)> =
        run.results().iter().map(|r| (r.case, r.output.clone().unwrap_or_default())).collect();
    outputs.sort();
    assert_eq!(
        outputs,
        [(0, "1 messages, last: hello".to_string()), (1, "3 messages, last: It is INV-42.".to_string())]
    );
    assert!(run.results().iter().all(|r| r.checks.iter().all(|c| c.passed() == Some(true))));
}

// ---- Sample answers in a chat -------------------------------------------------------------

fn demo_answer(turns: Vec<Turn>, message: &str) -> String {
    let mut cfg = chat_config("demo");
    cfg.model = String::new();
    let flow = prompt(cfg);
    let config = EngineConfig {
        conversation: Some(Conversation { turns, message: Some(message.into()), input: None }),
        ..EngineConfig::default()
    };
    let mut engine = Engine::start(&flow, RunScope::All, &RunCache::new(), config, 0.0).expect("runs");
    let _ = engine.poll(0.0);
    assert!(engine.is_finished(), "sample answers need no transport");
    engine.block(&BlockId::new("out")).and_then(|r| r.output.clone()).unwrap_or_default()
}

#[test]
fn sample_answers_reply_to_the_last_message_and_remember_the_earlier_ones() {
    let first = demo_answer(Vec::new(), "My invoice shows the wrong address.");
    println!("{first}");
    assert!(first.contains("your invoice shows the wrong address"), "{first}");
    let second =
        demo_answer(vec![Turn::new("My invoice shows the wrong address.", first)], "Can you send a corrected copy?");
    println!("{second}");
    assert!(second.contains("send a corrected copy") && second.contains("About the invoice"), "{second}");
    let thanks = demo_answer(vec![Turn::new("My invoice shows the wrong address.", "…")], "Thanks!");
    println!("{thanks}");
    assert!(thanks.starts_with("You're welcome!") && thanks.contains("the invoice"), "{thanks}");
}

#[test]
fn the_chatbot_template_chats_without_a_key() {
    use chainboard::domain::templates::{with_provider, TEMPLATES};
    let t = TEMPLATES.iter().find(|t| t.id == "chatbot-memory").expect("the template exists");
    let flow = with_provider((t.build)(0), "demo", "");
    let BlockConfig::Prompt(p) = &flow.blocks[1].config else { panic!("a prompt") };
    assert!(p.conversation.is_some() && p.examples.len() == 2 && !p.system.is_empty());
    let run = |turns: Vec<Turn>, message: &str| {
        let config = EngineConfig {
            conversation: Some(Conversation { turns, message: Some(message.into()), input: None }),
            ..EngineConfig::default()
        };
        let mut engine = Engine::start(&flow, RunScope::All, &RunCache::new(), config, 0.0).expect("runs");
        let _ = engine.poll(0.0);
        engine.block(&BlockId::new("output-1")).and_then(|r| r.output.clone()).unwrap_or_default()
    };
    let first = run(Vec::new(), "I ordered running shoes last week but they are too small.");
    assert!(first.contains("they are too small"), "{first}");
    let second = run(
        vec![Turn::new("I ordered running shoes last week but they are too small.", first)],
        "How do I return them?",
    );
    assert!(second.contains("return"), "{second}");
}
