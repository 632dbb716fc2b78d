//! Eval runs against a fake transport that answers in OpenAI's wire format: every case ×
//! repetition × variant runs, at most `concurrency` at a time; model-graded checks ask a
//! judge; provider failures are kept apart; stop and resume finish the rest exactly once.

use std::collections::{BTreeMap, BTreeSet};

use chainboard::domain::blocks::{BlockConfig, InputConfig, InputValue, OutputConfig, PromptConfig};
use chainboard::domain::engine::{Command, EngineConfig, Event, RequestId};
use chainboard::domain::evals::cases::{parse_table, TestCase};
use chainboard::domain::evals::checks::{Check, CheckKind, CheckResult};
use chainboard::domain::evals::report::summarize;
use chainboard::domain::evals::run::{EvalRun, EvalSpec, JobResult, Variant};
use chainboard::domain::flow::{Block, BlockId, Edge, EdgeId, Flow, Point, PortRef};
use chainboard::domain::providers::ChatRequest;
use chainboard::domain::sample::JUDGE_SYSTEM;
use serde_json::json;

fn flow() -> Flow {
    Flow {
        blocks: vec![
            Block::new(
                BlockId::new("in"),
                "Question",
                Point::new(0.0, 0.0),
                BlockConfig::Input(InputConfig {
                    values: vec![InputValue { name: "question".into(), value: String::new(), media: None }],
                }),
            ),
            Block::new(
                BlockId::new("p"),
                "Answer",
                Point::new(0.0, 0.0),
                BlockConfig::Prompt(PromptConfig {
                    provider: "openai".into(),
                    model: "good".into(),
                    user: "{{question}}".into(),
                    ..PromptConfig::default()
                }),
            ),
            Block::new(BlockId::new("out"), "Reply", Point::new(0.0, 0.0), BlockConfig::Output(OutputConfig {})),
        ],
        edges: vec![
            Edge {
                id: EdgeId::new("e1"),
                from: PortRef::new(BlockId::new("in"), "question"),
                to: PortRef::new(BlockId::new("p"), "question"),
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

fn sse(text: &str) -> Vec<u8> {
    let chunk = json!({"choices":[{"index":0,"delta":{"content":text},"finish_reason":"stop"}]});
    let usage = json!({"choices":[],"usage":{"prompt_tokens":10,"completion_tokens":4}});
    format!("data: {chunk}\n\ndata: {usage}\n\ndata: [DONE]\n\n").into_bytes()
}

/// The model "good" answers "yes"; "flaky" answers "yes" on even repetitions of odd
/// questions only; the judge gives 5 to answers with "yes". "Question 7" fails with a 500.
fn reply(chat: &ChatRequest, rep_counter: &mut BTreeMap<String, u32>) -> Result<Vec<u8>, u16> {
    let user = chat.messages.first().map(|m| m.text.clone()).unwrap_or_default();
    if chat.system.as_deref() == Some(JUDGE_SYSTEM) {
        let score = if user.contains("RESPONSE:\nyes") { 5 } else { 2 };
        return Ok(sse(&json!({"score": score, "reason": "graded"}).to_string()));
    }
    if user == "Question 7" && chat.model == "flaky" {
        return Err(500);
    }
    let seen = rep_counter.entry(format!("{}:{user}", chat.model)).or_insert(0);
    *seen += 1;
    let n: u32 = user.trim_start_matches("Question ").parse().unwrap_or(0);
    let yes = chat.model == "good" || (n % 2 == 1 && *seen % 2 == 1);
    Ok(sse(if yes { "yes" } else { "no" }))
}

struct Outcome {
    results: Vec<JobResult>,
    peak_in_flight: usize,
    model_calls: usize,
}

/// Runs `run` to the end (or until `stop_after` model calls, then stops it).
fn drive(mut run: EvalRun, stop_after: Option<usize>) -> (EvalRun, Outcome) {
    let mut queue: Vec<Command> = run.poll(0.0);
    let mut in_flight: BTreeSet<RequestId> = BTreeSet::new();
    let mut waiting: Vec<(RequestId, ChatRequest)> = Vec::new();
    let mut embeds: Vec<(RequestId, Vec<String>)> = Vec::new();
    let mut peak = 0;
    let mut calls = 0;
    let mut reps = BTreeMap::new();
    let mut now = 0.0;
    loop {
        while let Some(cmd) = queue.pop() {
            match cmd {
                Command::Send { request, chat, .. } => {
                    in_flight.insert(request);
                    waiting.push((request, chat));
                }
                Command::Cancel { request } => {
                    in_flight.remove(&request);
                    waiting.retain(|(r, _)| *r != request);
                }
                Command::CallTool { .. } => panic!("no tools here"),
                Command::Moderate { .. } => panic!("no moderation rules here"),
                Command::Call { .. } => panic!("eval runs make no outside calls"),
                Command::Embed { request, inputs, .. } => embeds.push((request, inputs)),
                Command::WakeAt { .. } => {}
            }
        }
        peak = peak.max(in_flight.len());
        if stop_after.is_some_and(|n| calls >= n) && run.stopped().is_none() {
            queue.extend(run.stop(now, "Stopped by the test."));
            waiting.clear();
            in_flight.clear();
            continue;
        }
        // Embeddings: letter counts, so equal texts are identical vectors.
        if let Some((request, inputs)) = embeds.pop() {
            let data: Vec<serde_json::Value> = inputs
                .iter()
                .enumerate()
                .map(|(i, t)| {
                    let v: Vec<f64> = (b'a'..=b'z')
                        .map(|c| t.bytes().filter(|b| b.to_ascii_lowercase() == c).count() as f64 + 0.01)
                        .collect();
                    json!({"object": "embedding", "index": i, "embedding": v})
                })
                .collect();
            let body = json!({"object": "list", "data": data, "model": "e"}).to_string();
            queue.extend(run.on_event(Event::ToolResponse { request, status: 200, body }, now));
            continue;
        }
        // Answer the oldest request (FIFO), as a server would.
        if waiting.is_empty() {
            now += 10_000.0;
            let more = run.poll(now);
            if more.is_empty() {
                break;
            }
            queue.extend(more);
            continue;
        }
        let (request, chat) = waiting.remove(0);
        calls += 1;
        now += 20.0;
        match reply(&chat, &mut reps) {
            Ok(body) => {
                queue.extend(run.on_event(Event::Chunk { request, bytes: body }, now));
                queue.extend(run.on_event(Event::Done { request }, now));
            }
            Err(status) => {
                let body = r#"{"error":{"message":"boom","type":"server_error"}}"#.to_string();
                queue.extend(run.on_event(Event::HttpError { request, status, body, retry_after: None }, now));
            }
        }
        in_flight.remove(&request);
    }
    assert!(run.is_finished(), "the eval run ends");
    let results = run.results();
    (run, Outcome { results, peak_in_flight: peak, model_calls: calls })
}

fn spec(cases: Vec<TestCase>, checks: Vec<Check>, repetitions: u32) -> EvalSpec {
    EvalSpec {
        flow: flow(),
        target: BlockId::new("out"),
        cases,
        checks,
        variants: vec![
            Variant::base("Good model"),
            Variant { name: "Flaky model".into(), model: Some("flaky".into()), ..Variant::default() },
        ],
        repetitions,
        concurrency: 4,
        budget_usd: None,
    }
}

fn ten_cases() -> Vec<TestCase> {
    let table: String = std::iter::once("question,expected".to_string())
        .chain((0..10).map(|i| format!("Question {i},yes")))
        .collect::<Vec<_>>()
        .join("\n");
    parse_table(&table).expect("parses").1
}

fn contains_expected() -> Check {
    Check { name: "Says yes".into(), kind: CheckKind::Contains { text: "{{expected}}".into(), case_sensitive: false } }
}

#[test]
fn every_case_repetition_and_variant_runs_within_the_concurrency_limit() {
    let config = EngineConfig { max_retries: 1, max_backoff_ms: 1.0, ..EngineConfig::default() };
    let run = EvalRun::start(spec(ten_cases(), vec![contains_expected()], 3), config, vec![]);
    assert_eq!(run.total(), 60);
    let (_, out) = drive(run, None);
    assert_eq!(out.results.len(), 60);
    assert!(out.peak_in_flight <= 4, "peak {}", out.peak_in_flight);
    let report =
        summarize(&out.results, &["Good model".into(), "Flaky model".into()], &["Says yes".into()], &[false; 10]);
    let good = &report.variants[0];
    assert_eq!((good.passes, good.evaluated, good.run_errors), (30, 30, 0));
    let flaky = &report.variants[1];
    // Question 7 fails at the provider on every repetition: errors, not failures.
    assert_eq!(flaky.run_errors, 3);
    assert_eq!(flaky.evaluated, 27);
    // Odd questions alternate yes/no across repetitions: those cases show mixed results.
    assert!(flaky.consistency.mixed >= 3, "{:?}", flaky.cases);
    // The case is the unit: 9 paired cases (question 7 never ran), each worse with the flaky
    // model: every one of the 2^9 sign patterns but the two most extreme is less extreme.
    let cmp = &report.comparisons[0];
    assert_eq!((cmp.paired.cases, cmp.paired.cases_base_ahead), (9, 9));
    assert!((cmp.paired.p_value - 2.0 / 512.0).abs() < 1e-12, "{cmp:?}");
    assert!(cmp.verdict.starts_with("Flaky model: pass rate 70 points lower than Good model"), "{}", cmp.verdict);
    assert!(cmp.verdict.contains("Flaky model is worse"), "{}", cmp.verdict);
    assert!(cmp.warnings.iter().any(|w| w.starts_with("Only 9 paired cases")), "{:?}", cmp.warnings);
    // A provider failure was retried (max_retries = 1) before it counted as an error.
    assert_eq!(out.model_calls, 30 + 27 + 3 * 2);
}

#[test]
fn model_graded_checks_ask_a_judge_per_run() {
    let judge = Check {
        name: "Helpful".into(),
        kind: CheckKind::ModelGraded {
            rubric: "Says yes.".into(),
            provider: "openai".into(),
            model: "judge".into(),
            pass_score: 4,
        },
    };
    let mut s = spec(ten_cases(), vec![judge], 1);
    s.variants.truncate(1);
    let (_, out) = drive(EvalRun::start(s, EngineConfig::default(), vec![]), None);
    assert_eq!(out.results.len(), 10);
    assert_eq!(out.model_calls, 20, "one answer and one judge call per run");
    for r in &out.results {
        assert_eq!(r.checks, vec![CheckResult::Pass { score: Some(5), reason: "graded".into() }]);
    }
}

#[test]
fn stop_then_resume_runs_each_remaining_job_once() {
    let s = spec(ten_cases(), vec![contains_expected()], 2);
    // No retries, so every job is exactly one model call.
    let config = EngineConfig { max_retries: 0, ..EngineConfig::default() };
    let (stopped, first) = drive(EvalRun::start(s.clone(), config.clone(), vec![]), Some(12));
    assert!(stopped.stopped().is_some());
    let kept = first.results.len();
    assert!((8..40).contains(&kept), "{kept}");
    let (_, second) = drive(EvalRun::start(s, config, first.results.clone()), None);
    assert_eq!(second.results.len(), 40);
    assert_eq!(second.model_calls, 40 - kept, "finished runs are not repeated");
    let keys: BTreeSet<(usize, usize, u32)> = second.results.iter().map(|r| (r.variant, r.case, r.rep)).collect();
    assert_eq!(keys.len(), 40);
}

#[test]
fn a_budget_stops_new_runs() {
    let mut s = spec(ten_cases(), vec![contains_expected()], 1);
    s.flow.blocks.iter_mut().for_each(|b| {
        if let BlockConfig::Prompt(p) = &mut b.config {
            p.model = "gpt-4o".into();
        }
    });
    s.variants.truncate(1);
    s.concurrency = 1;
    // gpt-4o: 10 tokens in + 4 out costs a little over $0.00006 per run.
    s.budget_usd = Some(0.0002);
    let (run, out) = drive(EvalRun::start(s, EngineConfig::default(), vec![]), None);
    assert!(out.results.len() < 10, "{}", out.results.len());
    assert!(run.stopped().is_some_and(|w| w.contains("budget")));
}

#[test]
fn similarity_checks_compare_embeddings_of_answer_and_expected() {
    let similar = Check {
        name: "Close to expected".into(),
        kind: CheckKind::Similarity { provider: "openai".into(), model: "text-embedding-3-small".into(), min: 0.95 },
    };
    let (_, out) = drive(EvalRun::start(spec(ten_cases(), vec![similar], 1), EngineConfig::default(), vec![]), None);
    assert_eq!(out.results.len(), 20);
    let report = summarize(
        &out.results,
        &["Good model".into(), "Flaky model".into()],
        &["Close to expected".into()],
        &[false; 10],
    );
    // "yes" against the expected "yes" is identical; "no" is not.
    assert_eq!(report.variants[0].checks[0].passes, 10);
    assert!(out
        .results
        .iter()
        .filter(|r| r.variant == 0)
        .all(|r| matches!(&r.checks[0], CheckResult::Pass { reason, .. } if reason == "similarity 1.00")));
    assert!(report.variants[1].checks[0].passes < 10);
}

#[test]
fn batch_answers_go_through_the_same_checks_and_statistics() {
    use chainboard::domain::evals::batch::BatchAnswer;
    let mut s = spec(ten_cases(), vec![contains_expected()], 1);
    s.variants.truncate(1);
    let answers: Vec<BatchAnswer> = (0..10)
        .map(|c| BatchAnswer {
            key: (0, c, 0),
            output: if c == 9 {
                Err("Rate limited".into())
            } else {
                Ok(if c < 6 { "yes".into() } else { "no".into() })
            },
            input_tokens: 5,
            output_tokens: 1,
        })
        .collect();
    let (run, commands) = EvalRun::from_answers(s, EngineConfig::default(), answers, 0.0);
    assert!(commands.is_empty(), "local checks need no requests");
    assert!(run.is_finished());
    let report = summarize(&run.results(), &["Good model".into()], &["Says yes".into()], &[false; 10]);
    let v = &report.variants[0];
    assert_eq!((v.passes, v.evaluated, v.run_errors), (6, 9, 1));
}
