//! One run loop for every run: the flow engine and the eval run are both `Machine`s, so the
//! same driver (here a fake transport that answers every model call in OpenAI's wire format)
//! runs either to the end, and Stop cancels what is in flight and finishes either.

use std::collections::BTreeSet;

use chainboard::domain::blocks::{BlockConfig, InputConfig, InputValue, OutputConfig, PromptConfig};
use chainboard::domain::engine::{Command, Engine, EngineConfig, Event, Machine, RequestId, RunCache, RunScope};
use chainboard::domain::evals::cases::TestCase;
use chainboard::domain::evals::checks::{Check, CheckKind};
use chainboard::domain::evals::run::{EvalRun, EvalSpec, Variant, STOPPED_BY_YOU};
use chainboard::domain::flow::{Block, BlockId, Edge, EdgeId, Flow, Point, PortRef};
use serde_json::json;

fn flow() -> Flow {
    let block = |id: &str, config| Block::new(BlockId::new(id), id, Point::new(0.0, 0.0), config);
    let edge = |n: &str, from: (&str, &str), to: (&str, &str)| Edge {
        id: EdgeId::new(n),
        from: PortRef::new(BlockId::new(from.0), from.1),
        to: PortRef::new(BlockId::new(to.0), to.1),
    };
    Flow {
        blocks: vec![
            block(
                "in",
                BlockConfig::Input(InputConfig {
                    values: vec![InputValue { name: "question".into(), value: "Hi?".into(), media: None }],
                }),
            ),
            block(
                "p",
                BlockConfig::Prompt(PromptConfig {
                    provider: "openai".into(),
                    model: "m".into(),
                    user: "{{question}}".into(),
                    ..PromptConfig::default()
                }),
            ),
            block("out", BlockConfig::Output(OutputConfig {})),
        ],
        edges: vec![edge("e1", ("in", "question"), ("p", "question")), edge("e2", ("p", "text"), ("out", "value"))],
        ..Flow::default()
    }
}

fn sse(text: &str) -> Vec<u8> {
    let chunk = json!({"choices":[{"index":0,"delta":{"content":text},"finish_reason":"stop"}]});
    format!("data: {chunk}\n\ndata: [DONE]\n\n").into_bytes()
}

/// Drives any machine to the end: every model call is answered "yes" (in arrival order);
/// after `stop_after` answers it presses Stop. Returns (answers given, requests cancelled).
fn drive(m: &mut dyn Machine, stop_after: Option<usize>) -> (usize, usize) {
    let mut queue = m.poll(0.0);
    let mut waiting: Vec<RequestId> = Vec::new();
    let mut cancelled: BTreeSet<RequestId> = BTreeSet::new();
    let mut answers = 0;
    let mut now = 0.0;
    loop {
        for cmd in std::mem::take(&mut queue) {
            match cmd {
                Command::Send { request, .. } => waiting.push(request),
                Command::Cancel { request } => {
                    cancelled.insert(request);
                    waiting.retain(|r| *r != request);
                }
                Command::WakeAt { .. } => {}
                other => panic!("not asked here: {other:?}"),
            }
        }
        if stop_after == Some(answers) && !waiting.is_empty() {
            queue = m.stop(now);
            assert!(queue.iter().all(|c| matches!(c, Command::Cancel { .. })), "{queue:?}");
            assert!(!queue.is_empty(), "Stop cancels the requests in flight");
            continue;
        }
        if waiting.is_empty() {
            now += 1_000.0;
            queue = m.poll(now);
            if queue.is_empty() {
                break;
            }
            continue;
        }
        let request = waiting.remove(0);
        answers += 1;
        now += 10.0;
        queue.extend(m.on_event(Event::Chunk { request, bytes: sse("yes") }, now));
        queue.extend(m.on_event(Event::Done { request }, now));
    }
    assert!(m.is_finished(), "the machine ends");
    // Whatever still arrives for a cancelled request is ignored.
    for request in &cancelled {
        assert!(m.on_event(Event::Done { request: *request }, now).is_empty());
    }
    (answers, cancelled.len())
}

fn engine() -> Engine {
    Engine::start(&flow(), RunScope::All, &RunCache::new(), EngineConfig::default(), 0.0).expect("starts")
}

fn eval() -> EvalRun {
    let cases = (1..=4)
        .map(|i| TestCase {
            inputs: [("question".to_string(), format!("Question {i}"))].into(),
            expected: Some("yes".into()),
            ..TestCase::default()
        })
        .collect();
    let spec = EvalSpec {
        flow: flow(),
        target: BlockId::new("out"),
        cases,
        checks: vec![Check {
            name: "Says yes".into(),
            kind: CheckKind::Contains { text: "{{expected}}".into(), case_sensitive: false },
        }],
        variants: vec![Variant::base("Base")],
        repetitions: 1,
        concurrency: 2,
        budget_usd: None,
    };
    EvalRun::start(spec, EngineConfig::default(), Vec::new())
}

#[test]
fn the_same_loop_runs_a_flow_and_an_eval_to_the_end() {
    let mut e = engine();
    assert_eq!(drive(&mut e, None), (1, 0));
    assert_eq!(e.block(&BlockId::new("out")).and_then(|r| r.output.clone()).as_deref(), Some("yes"));

    let mut run = eval();
    assert_eq!(drive(&mut run, None), (4, 0));
    assert_eq!(run.completed(), 4);
    assert!(run.stopped().is_none());
}

#[test]
fn stop_cancels_in_flight_and_finishes_either() {
    let mut e = engine();
    assert_eq!(drive(&mut e, Some(0)), (0, 1));

    let mut run = eval();
    let (answers, cancelled) = drive(&mut run, Some(1));
    assert_eq!(answers, 1);
    assert_eq!(cancelled, 2, "the two cases in flight (concurrency 2: the answer let a third start)");
    assert_eq!(run.stopped(), Some(STOPPED_BY_YOU));
}
