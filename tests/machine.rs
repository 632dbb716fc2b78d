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

// ---------------------------------------------------------------------------------------------
// Calls outside a flow (`Fetch`): the same loop, with retries, timeout, budget and a trace.

mod fetch {
    use chainboard::domain::engine::{
        BatchCall, Command, EngineConfig, Event, Fetch, FetchEnd, Machine, ProviderCall, RequestId,
    };
    use chainboard::domain::providers::{build_models_request, ProviderKind, ProviderSettings};

    fn config() -> EngineConfig {
        EngineConfig { timeout_ms: 30_000.0, ..EngineConfig::default() }
    }

    fn sent(cmds: &[Command]) -> RequestId {
        cmds.iter()
            .find_map(|c| match c {
                Command::Call { request, .. } => Some(*request),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no call in {cmds:?}"))
    }

    fn wake(cmds: &[Command]) -> f64 {
        cmds.iter()
            .find_map(|c| match c {
                Command::WakeAt { at_ms } => Some(*at_ms),
                _ => None,
            })
            .unwrap_or_else(|| panic!("no timer in {cmds:?}"))
    }

    #[test]
    fn a_reply_ends_it_with_the_body() {
        let mut f = Fetch::new(ProviderKind::OpenAi, ProviderCall::Models, &config(), 0.0);
        let cmds = f.poll(0.0);
        assert!(matches!(&cmds[0], Command::Call { provider: ProviderKind::OpenAi, call: ProviderCall::Models, .. }));
        assert_eq!(wake(&cmds), 30_000.0, "the timeout is armed");
        let r = sent(&cmds);
        let body = r#"{"data":[]}"#.to_string();
        assert!(f.on_event(Event::ToolResponse { request: r, status: 200, body: body.clone() }, 5.0).is_empty());
        assert!(f.is_finished());
        assert_eq!(f.end(), Some(&FetchEnd::Ok(body)));
        assert_eq!(f.attempts(), 1);
    }

    /// A fetch of a batch's status: the smallest call that goes through the retries.
    fn status_fetch() -> Fetch {
        let call = ProviderCall::Batch(BatchCall::Status { batch_id: "b1".into() });
        Fetch::new(ProviderKind::OpenAi, call, &config(), 0.0)
    }

    #[test]
    fn a_failure_that_is_the_same_every_time_is_said_once() {
        let mut f = status_fetch();
        let mut now = 0.0;
        let mut r = sent(&f.poll(now));
        while !f.is_finished() {
            let cmds = f.on_event(Event::NetworkError { request: r, message: "reset".into() }, now);
            if f.is_finished() {
                break;
            }
            now = wake(&cmds);
            r = sent(&f.poll(now));
        }
        assert_eq!(f.attempts(), 4);
        assert_eq!(f.retry_note().as_deref(), Some("Tried 4 times, a network error each time."));
    }

    #[test]
    fn rate_limits_and_network_failures_are_retried_with_backoff_then_given_up() {
        let mut f = status_fetch();
        let mut now = 0.0;
        let mut r = sent(&f.poll(now));
        let cmds = f.on_event(
            Event::HttpError { request: r, status: 429, body: "{}".into(), retry_after: Some("2".into()) },
            now,
        );
        assert_eq!(wake(&cmds), 2_000.0, "retry-after is honoured");
        assert!(f.poll(1_000.0).iter().all(|c| matches!(c, Command::WakeAt { .. })), "not before the wait");
        now = 2_000.0;
        let cmds = f.poll(now);
        let second = sent(&cmds);
        assert_ne!(second, r, "each attempt has its own id");
        // News of the first attempt is ignored now.
        assert!(f.on_event(Event::ToolResponse { request: r, status: 200, body: "late".into() }, now).is_empty());
        assert!(!f.is_finished());
        r = second;
        for _ in 0..3 {
            let cmds = f.on_event(Event::NetworkError { request: r, message: "reset".into() }, now);
            if f.is_finished() {
                break;
            }
            now = wake(&cmds);
            r = sent(&f.poll(now));
        }
        assert!(f.is_finished());
        assert_eq!(f.attempts(), 4, "the first try and 3 retries");
        assert_eq!(f.end(), Some(&FetchEnd::Network("reset".into())));
        assert!(f.trace().iter().any(|l| l.starts_with("Retrying in 2 s (429 rate limit)")), "{:?}", f.trace());
        assert_eq!(f.trace().last().map(String::as_str), Some("Gave up after 4 attempts."));
        assert_eq!(f.retry_note().as_deref(), Some("Tried 4 times: 429 rate limit, network error \u{d7}3."));
    }

    #[test]
    fn an_answer_after_a_retry_says_so_and_a_first_answer_says_nothing() {
        let mut f = Fetch::new(ProviderKind::OpenAi, ProviderCall::Models, &config(), 0.0);
        let r = sent(&f.poll(0.0));
        let cmds = f.on_event(Event::HttpError { request: r, status: 500, body: "{}".into(), retry_after: None }, 0.0);
        let r = sent(&f.poll(wake(&cmds)));
        f.on_event(Event::ToolResponse { request: r, status: 200, body: "{}".into() }, 10_000.0);
        assert_eq!(f.end(), Some(&FetchEnd::Ok("{}".into())));
        assert_eq!(f.retry_note().as_deref(), Some("Answered on attempt 2, after 500 server error."));

        let mut first = Fetch::new(ProviderKind::OpenAi, ProviderCall::Models, &config(), 0.0);
        let r = sent(&first.poll(0.0));
        first.on_event(Event::ToolResponse { request: r, status: 200, body: "{}".into() }, 5.0);
        assert_eq!(first.retry_note(), None);
        // What the person reads: the outcome, then the retries when there were any.
        assert_eq!(f.with_retry_note("Connected.".into()), "Connected. Answered on attempt 2, after 500 server error.");
        assert_eq!(first.with_retry_note("Connected.".into()), "Connected.");
    }

    #[test]
    fn a_refusal_is_not_retried() {
        let mut f = Fetch::new(ProviderKind::Anthropic, ProviderCall::Models, &config(), 0.0);
        let r = sent(&f.poll(0.0));
        let body = r#"{"error":{"type":"authentication_error","message":"invalid x-api-key"}}"#.to_string();
        assert!(f.on_event(Event::HttpError { request: r, status: 401, body, retry_after: None }, 1.0).is_empty());
        assert!(matches!(f.end(), Some(FetchEnd::Http { status: 401, .. })));
        assert_eq!(f.attempts(), 1);
    }

    #[test]
    fn silence_times_out_and_cancels_then_retries() {
        let cfg = EngineConfig { max_retries: 1, ..config() };
        let mut f = Fetch::new(ProviderKind::OpenAi, ProviderCall::Models, &cfg, 0.0);
        let r = sent(&f.poll(0.0));
        assert!(f.poll(29_999.0).iter().all(|c| !matches!(c, Command::Cancel { .. })));
        let cmds = f.poll(30_000.0);
        assert!(cmds.contains(&Command::Cancel { request: r }));
        let r2 = sent(&f.poll(wake(&cmds)));
        let cmds = f.poll(wake(&cmds) + 30_000.0);
        assert!(cmds.contains(&Command::Cancel { request: r2 }));
        assert_eq!(f.end(), Some(&FetchEnd::TimedOut { secs: "30".into() }));
    }

    #[test]
    fn a_call_over_the_budget_is_never_sent() {
        let cfg = EngineConfig { budget_usd: Some(0.01), ..config() };
        let embed = ProviderCall::Embed { model: "e".into(), inputs: vec!["q".into()] };
        let mut f = Fetch::new(ProviderKind::OpenAi, embed.clone(), &cfg, 0.02);
        assert!(f.poll(0.0).is_empty());
        assert!(matches!(f.end(), Some(FetchEnd::OverBudget(why)) if why.contains("budget of $0.01")));
        let mut ok = Fetch::new(ProviderKind::OpenAi, embed, &cfg, 0.001);
        assert!(!ok.poll(0.0).is_empty());
    }

    #[test]
    fn stop_cancels_the_call_in_flight() {
        let mut f = Fetch::new(ProviderKind::OpenAi, ProviderCall::Models, &config(), 0.0);
        let r = sent(&f.poll(0.0));
        assert_eq!(f.stop(1.0), vec![Command::Cancel { request: r }]);
        assert!(f.is_finished());
        assert_eq!(f.end(), Some(&FetchEnd::Stopped));
        assert!(f.stop(2.0).is_empty());
    }

    #[test]
    fn the_trace_never_holds_the_key() {
        let key = "sk-secret-123";
        let settings = ProviderSettings { api_key: key.into(), ..ProviderSettings::default() };
        let http = build_models_request(ProviderKind::OpenAi, &settings).expect("builds");
        assert!(http.headers.iter().any(|(_, v)| v.contains(key)), "the request itself carries it");
        let mut f = Fetch::new(ProviderKind::OpenAi, ProviderCall::Models, &config(), 0.0);
        let cmds = f.poll(0.0);
        assert!(!format!("{cmds:?}").contains(key), "commands never carry a key");
        let r = sent(&cmds);
        f.on_event(Event::Sent { request: r, redacted: http.redacted() }, 1.0);
        f.on_event(Event::ToolResponse { request: r, status: 200, body: "{}".into() }, 2.0);
        assert!(f.trace()[0].starts_with("Sent GET "), "{:?}", f.trace());
        assert!(!f.trace().join("\n").contains(key));
    }
}
