//! Structured output: answers requested as JSON matching a schema are validated; a mismatch
//! fails the block with the path of the problem, or triggers one repair request when the
//! block allows it.

use chainboard::domain::blocks::{BlockConfig, InputConfig, InputValue, PromptConfig};
use chainboard::domain::engine::{
    repair_message, structured_errors, BlockStatus, Command, Engine, EngineConfig, Event, RunCache, RunScope,
};
use chainboard::domain::flow::{Block, BlockId, Edge, EdgeId, Flow, Point, PortRef};
use chainboard::domain::json_schema::OutputFormat;
use chainboard::domain::providers::{ChatRequest, Role};
use serde_json::{json, Value};

fn schema() -> Value {
    json!({"type": "object", "properties": {"urgency": {"enum": ["low", "high"]}}, "required": ["urgency"]})
}

fn flow(repair: bool) -> Flow {
    Flow {
        blocks: vec![
            Block::new(
                BlockId::new("in"),
                "in",
                Point::new(0.0, 0.0),
                BlockConfig::Input(InputConfig {
                    values: vec![InputValue { name: "email".into(), value: "Help!".into(), media: None }],
                }),
            ),
            Block::new(
                BlockId::new("p"),
                "Extract",
                Point::new(0.0, 0.0),
                BlockConfig::Prompt(PromptConfig {
                    provider: "openai".into(),
                    model: "gpt-4o-mini".into(),
                    user: "{{email}}".into(),
                    output_format: OutputFormat::JsonSchema { schema: schema() },
                    repair_json: repair,
                    ..PromptConfig::default()
                }),
            ),
        ],
        edges: vec![Edge {
            id: EdgeId("e".into()),
            from: PortRef::new(BlockId::new("in"), "email"),
            to: PortRef::new(BlockId::new("p"), "email"),
        }],
        ..Flow::default()
    }
}

fn openai_text(text: &str) -> String {
    let chunk = json!({"choices":[{"index":0,"delta":{"content":text},"finish_reason":"stop"}]});
    format!("data: {chunk}\n\ndata: [DONE]\n\n")
}

/// Runs the flow answering each request with the next reply; returns the engine and requests.
fn run(flow: &Flow, replies: &[&str]) -> (Engine, Vec<ChatRequest>) {
    let mut engine = Engine::start(flow, RunScope::All, &RunCache::new(), EngineConfig::default(), 0.0).expect("runs");
    let mut pending = engine.poll(0.0);
    let mut sent = Vec::new();
    let mut replies = replies.iter();
    while let Some(cmd) = pending.pop() {
        if let Command::Send { request, chat, .. } = cmd {
            sent.push(chat);
            let body = openai_text(replies.next().copied().unwrap_or("{}"));
            pending.extend(engine.on_event(Event::Chunk { request, bytes: body.into_bytes() }, 1.0));
            pending.extend(engine.on_event(Event::Done { request }, 2.0));
        }
    }
    assert!(engine.is_finished());
    (engine, sent)
}

#[test]
fn a_matching_answer_is_done() {
    let (engine, sent) = run(&flow(false), &["```json\n{\"urgency\": \"high\"}\n```"]);
    let p = engine.block(&BlockId::new("p")).expect("ran");
    assert_eq!(p.status, BlockStatus::Done);
    assert!(p.schema_errors.is_empty());
    assert_eq!(sent.len(), 1);
}

#[test]
fn a_mismatch_fails_with_the_path_and_keeps_the_text() {
    let (engine, sent) = run(&flow(false), &[r#"{"urgency": "soon"}"#]);
    let p = engine.block(&BlockId::new("p")).expect("ran");
    assert_eq!(p.status, BlockStatus::Error);
    assert_eq!(p.output.as_deref(), Some(r#"{"urgency": "soon"}"#));
    assert_eq!(
        p.error.as_deref(),
        Some("The answer does not match the JSON Schema: At $.urgency: \"soon\" is not one of \"low\", \"high\".")
    );
    assert_eq!(sent.len(), 1, "no repair unless the block asks for it");
}

#[test]
fn one_repair_request_can_fix_the_answer() {
    let (engine, sent) = run(&flow(true), &["Sure! It is urgent.", r#"{"urgency": "high"}"#]);
    let p = engine.block(&BlockId::new("p")).expect("ran");
    assert_eq!(p.status, BlockStatus::Done, "{:?}", p.error);
    assert_eq!(p.port_value("text"), Some(r#"{"urgency": "high"}"#));
    assert!(p.repaired);
    assert_eq!(p.schema_errors, vec!["The answer is not valid JSON.".to_string()]);
    assert_eq!(sent.len(), 2);
    let repair = &sent[1].messages;
    assert_eq!(repair.len(), 3);
    assert_eq!((repair[1].role, repair[1].text.as_str()), (Role::Assistant, "Sure! It is urgent."));
    assert_eq!(repair[2].text, repair_message(&["The answer is not valid JSON.".to_string()]));
}

#[test]
fn a_failed_repair_is_an_error_and_only_one_is_tried() {
    let (engine, sent) = run(&flow(true), &["nope", r#"{"urgency": 3}"#, r#"{"urgency": "low"}"#]);
    let p = engine.block(&BlockId::new("p")).expect("ran");
    assert_eq!(p.status, BlockStatus::Error);
    assert!(p.error.as_deref().is_some_and(|e| e.contains("even after one repair request")), "{:?}", p.error);
    assert_eq!(sent.len(), 2);
}

#[test]
fn structured_errors_reports_non_json() {
    assert_eq!(structured_errors("hello", &schema()), vec!["The answer is not valid JSON.".to_string()]);
    assert!(structured_errors(r#"{"urgency":"low"}"#, &schema()).is_empty());
}
