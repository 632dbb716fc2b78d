//! Control flow in the engine: Router (rules and model), skipped branches, an Output fed by
//! several branches, Transform operations and Human approval, driven with a fake transport.

use std::collections::BTreeMap;

use chainboard::domain::blocks::router::{RouteChoice, DEFAULT_ROUTE};
use chainboard::domain::blocks::transform::{CountWhat, SplitBy};
use chainboard::domain::blocks::{
    ApprovalConfig, BlockConfig, InputConfig, InputValue, OutputConfig, PromptConfig, RouteRule, RouterConfig,
    RouterMode, RuleTest, TransformConfig, TransformOp,
};
use chainboard::domain::engine::{
    estimate, ApprovalDecision, ApprovalState, BlockRun, BlockStatus, Command, Engine, EngineConfig, Event, RunCache,
    RunScope,
};
use chainboard::domain::evals::cases::TestCase;
use chainboard::domain::evals::checks::{Check, CheckKind};
use chainboard::domain::evals::report_setup::{report_setup, AUTO_APPROVED_NOTE};
use chainboard::domain::evals::run::{EvalRun, EvalSpec, Variant};
use chainboard::domain::flow::{Block, BlockId, Edge, EdgeId, Flow, Point, PortRef};
use chainboard::domain::validate::validate;
use serde_json::json;

// ---------------------------------------------------------------------------------------
// Building flows and running them
// ---------------------------------------------------------------------------------------

fn block(id: &str, title: &str, config: BlockConfig) -> Block {
    Block::new(BlockId::new(id), title, Point::new(0.0, 0.0), config)
}

fn input(value: &str) -> Block {
    block(
        "in",
        "Request",
        BlockConfig::Input(InputConfig {
            values: vec![InputValue { name: "text".into(), value: value.into(), media: None }],
        }),
    )
}

fn prompt(id: &str, title: &str, user: &str) -> Block {
    block(
        id,
        title,
        BlockConfig::Prompt(PromptConfig {
            provider: "openai".into(),
            model: "gpt-4o-mini".into(),
            user: user.into(),
            ..PromptConfig::default()
        }),
    )
}

fn output(id: &str) -> Block {
    block(id, "Answer", BlockConfig::Output(OutputConfig::default()))
}

fn edge(n: usize, from: (&str, &str), to: (&str, &str)) -> Edge {
    Edge {
        id: EdgeId::new(format!("e{n}")),
        from: PortRef::new(BlockId::new(from.0), from.1),
        to: PortRef::new(BlockId::new(to.0), to.1),
    }
}

/// (block, port) at each end of an edge.
type Wire<'a> = ((&'a str, &'a str), (&'a str, &'a str));

fn flow(blocks: Vec<Block>, edges: &[Wire]) -> Flow {
    Flow { blocks, edges: edges.iter().enumerate().map(|(i, (a, b))| edge(i, *a, *b)).collect(), ..Flow::default() }
}

fn rule(route: &str, test: RuleTest) -> RouteRule {
    RouteRule { route: route.into(), test, case_sensitive: false }
}

fn router(mode: RouterMode, routes: &[&str], rules: Vec<RouteRule>) -> RouterConfig {
    RouterConfig {
        mode,
        routes: routes.iter().map(|r| r.to_string()).collect(),
        rules,
        provider: "openai".into(),
        model: "gpt-4o-mini".into(),
        instructions: String::new(),
    }
}

/// An OpenAI stream saying `text`.
fn openai_sse(text: &str) -> Vec<u8> {
    let chunk = json!({"choices":[{"index":0,"delta":{"content":text},"finish_reason":null}]});
    let stop = json!({"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]});
    format!("data: {chunk}\n\ndata: {stop}\n\ndata: [DONE]\n\n").into_bytes()
}

/// Runs `engine` until nothing more happens, answering each request with `answer(block)`.
/// Returns the blocks that were sent a request.
fn drive(engine: &mut Engine, answer: &dyn Fn(&str) -> String, first: Vec<Command>) -> Vec<String> {
    let mut queue = first;
    let mut sent = Vec::new();
    let mut now = 10.0;
    while let Some(cmd) = queue.pop() {
        now += 1.0;
        if let Command::Send { request, block, .. } = cmd {
            sent.push(block.to_string());
            let body = openai_sse(&answer(block.as_str()));
            queue.extend(engine.on_event(Event::Chunk { request, bytes: body }, now));
            queue.extend(engine.on_event(Event::Done { request }, now));
        }
    }
    sent
}

fn run(flow: &Flow, answer: &dyn Fn(&str) -> String) -> (Engine, Vec<String>) {
    run_with(flow, EngineConfig::default(), answer)
}

fn run_with(flow: &Flow, config: EngineConfig, answer: &dyn Fn(&str) -> String) -> (Engine, Vec<String>) {
    let mut engine = Engine::start(flow, RunScope::All, &RunCache::new(), config, 0.0).expect("starts");
    let first = engine.poll(1.0);
    let sent = drive(&mut engine, answer, first);
    (engine, sent)
}

fn state<'e>(engine: &'e Engine, id: &str) -> &'e BlockRun {
    engine.block(&BlockId::new(id)).expect("block in run")
}

/// Input → Router → (billing: Prompt "bill") / (bug: Prompt "bug") / (default: Prompt "other"),
/// every prompt → one Output.
fn triage(router_cfg: RouterConfig, text: &str) -> Flow {
    flow(
        vec![
            input(text),
            block("route", "Triage", BlockConfig::Router(router_cfg)),
            prompt("bill", "Billing reply", "Billing: {{text}}"),
            prompt("bug", "Bug reply", "Bug: {{text}}"),
            prompt("other", "Other reply", "Other: {{text}}"),
            output("out"),
        ],
        &[
            (("in", "text"), ("route", "value")),
            (("route", "billing"), ("bill", "text")),
            (("route", "bug"), ("bug", "text")),
            (("route", DEFAULT_ROUTE), ("other", "text")),
            (("bill", "text"), ("out", "value")),
            (("bug", "text"), ("out", "value")),
            (("other", "text"), ("out", "value")),
        ],
    )
}

fn rules_router(rules: Vec<RouteRule>) -> RouterConfig {
    router(RouterMode::Rules, &["billing", "bug"], rules)
}

fn route_of(cfg: &RouterConfig, input: &str) -> RouteChoice {
    cfg.choose_by_rules(input)
}

// ---------------------------------------------------------------------------------------
// Router rules
// ---------------------------------------------------------------------------------------

#[test]
fn each_rule_kind_matches_what_it_says() {
    let one = |test: RuleTest, input: &str| route_of(&rules_router(vec![rule("billing", test)]), input).route;
    let text = |s: &str| s.to_string();
    assert_eq!(one(RuleTest::Contains { text: text("Invoice") }, "my invoice is wrong"), "billing");
    assert_eq!(one(RuleTest::Contains { text: text("invoice") }, "my bill is wrong"), DEFAULT_ROUTE);
    assert_eq!(one(RuleTest::ContainsAny { words: text("refund, charged ,card") }, "I was CHARGED twice"), "billing");
    assert_eq!(one(RuleTest::ContainsAny { words: text("refund, card") }, "app crashes"), DEFAULT_ROUTE);
    assert_eq!(one(RuleTest::Equals { text: text("Billing") }, "  billing \n"), "billing");
    assert_eq!(one(RuleTest::Equals { text: text("billing") }, "billing please"), DEFAULT_ROUTE);
    assert_eq!(one(RuleTest::StartsWith { text: text("re:") }, "RE: invoice"), "billing");
    assert_eq!(one(RuleTest::EndsWith { text: text("?") }, "Can you help?"), "billing");
    assert_eq!(one(RuleTest::Matches { pattern: text(r"order #\d{4}") }, "Order #1234 never came"), "billing");
    assert_eq!(one(RuleTest::Matches { pattern: text(r"order #\d{4}") }, "order #12"), DEFAULT_ROUTE);
    let json_rule = RuleTest::JsonFieldEquals { path: text("customer.plan"), value: text("pro") };
    assert_eq!(one(json_rule.clone(), r#"{"customer":{"plan":"Pro"}}"#), "billing");
    assert_eq!(one(json_rule, r#"{"customer":{"plan":"free"}}"#), DEFAULT_ROUTE);
    let idx = RuleTest::JsonFieldEquals { path: text("items.1.qty"), value: text("3") };
    assert_eq!(one(idx, r#"{"items":[{"qty":1},{"qty":3}]}"#), "billing");
    let range = |min, max| RuleTest::NumberInRange { path: String::new(), min, max };
    assert_eq!(one(range(Some(1.0), Some(5.0)), " 4.5 "), "billing");
    assert_eq!(one(range(Some(1.0), Some(5.0)), "7"), DEFAULT_ROUTE);
    assert_eq!(one(range(None, Some(0.0)), "-3"), "billing");
    let field_range = RuleTest::NumberInRange { path: text("score"), min: Some(0.8), max: None };
    assert_eq!(one(field_range, r#"{"score": 0.93}"#), "billing");
}

#[test]
fn case_sensitive_rules_respect_case() {
    let mut r = rule("billing", RuleTest::Contains { text: "VIP".into() });
    r.case_sensitive = true;
    let cfg = rules_router(vec![r]);
    assert_eq!(route_of(&cfg, "a VIP customer").route, "billing");
    assert_eq!(route_of(&cfg, "a vip customer").route, DEFAULT_ROUTE);
}

#[test]
fn the_first_matching_rule_wins() {
    let cfg = rules_router(vec![
        rule("bug", RuleTest::Contains { text: "crash".into() }),
        rule("billing", RuleTest::Contains { text: "refund".into() }),
        rule("billing", RuleTest::Contains { text: "crash".into() }),
    ]);
    let choice = route_of(&cfg, "The app crashes and I want a refund");
    assert_eq!(choice.route, "bug");
    assert_eq!(choice.rule, Some(0));
    assert_eq!(route_of(&cfg, "refund please").rule, Some(1));
}

#[test]
fn no_match_goes_to_default_with_a_note_saying_why_a_rule_could_not_be_checked() {
    let cfg =
        rules_router(vec![rule("billing", RuleTest::JsonFieldEquals { path: "plan".into(), value: "pro".into() })]);
    let choice = route_of(&cfg, "plain text, not JSON");
    assert_eq!(choice.route, DEFAULT_ROUTE);
    let note = choice.note.expect("a note");
    assert!(note.contains("default") && note.contains("not JSON"), "{note}");
    let missing = route_of(&cfg, r#"{"tier":"pro"}"#).note.expect("a note");
    assert!(missing.contains("no field \u{201c}plan\u{201d}"), "{missing}");
}

// ---------------------------------------------------------------------------------------
// Skipped branches and Outputs fed by several branches
// ---------------------------------------------------------------------------------------

#[test]
fn blocks_on_routes_not_taken_are_skipped_and_the_output_shows_the_branch_that_ran() {
    let cfg = rules_router(vec![
        rule("billing", RuleTest::ContainsAny { words: "invoice, refund, charged".into() }),
        rule("bug", RuleTest::ContainsAny { words: "crash, error".into() }),
    ]);
    let f = triage(cfg, "I was charged twice this month");
    let (engine, sent) = run(&f, &|block| format!("reply from {block}"));
    assert!(engine.is_finished());
    assert_eq!(sent, vec!["bill"], "only the billing branch calls a model");
    let r = state(&engine, "route");
    assert_eq!(r.status, BlockStatus::Done);
    assert_eq!(r.route.as_ref().map(|c| c.route.as_str()), Some("billing"));
    assert_eq!(r.outputs.keys().collect::<Vec<_>>(), vec!["billing"]);
    assert_eq!(state(&engine, "bill").status, BlockStatus::Done);
    for skipped in ["bug", "other"] {
        let b = state(&engine, skipped);
        assert_eq!(b.status, BlockStatus::Skipped, "{skipped}");
        let why = b.error.as_deref().unwrap_or_default();
        assert!(why.contains("Triage") && why.contains("billing"), "{why}");
        assert!(!why.contains("failed"), "{why}");
    }
    let out = state(&engine, "out");
    assert_eq!(out.status, BlockStatus::Done);
    assert_eq!(out.output.as_deref(), Some("reply from bill"));
    let summary = engine.summary();
    assert_eq!(summary.count(BlockStatus::Skipped), 2);
    assert_eq!(summary.count(BlockStatus::Error), 0);
}

#[test]
fn the_default_route_takes_what_no_rule_matched() {
    let cfg = rules_router(vec![rule("billing", RuleTest::Contains { text: "invoice".into() })]);
    let (engine, sent) = run(&triage(cfg, "How do I change my avatar?"), &|b| format!("reply from {b}"));
    assert_eq!(sent, vec!["other"]);
    assert_eq!(state(&engine, "out").output.as_deref(), Some("reply from other"));
    assert_eq!(state(&engine, "bill").status, BlockStatus::Skipped);
}

#[test]
fn skipping_travels_down_a_branch_and_an_output_with_every_input_skipped_is_skipped() {
    // Router → yes → Prompt → Prompt → Output; the input goes to "default" (nothing there).
    let cfg = router(RouterMode::Rules, &["yes"], vec![rule("yes", RuleTest::Equals { text: "yes".into() })]);
    let f = flow(
        vec![
            input("no"),
            block("route", "Gate", BlockConfig::Router(cfg)),
            prompt("a", "First", "{{text}}"),
            prompt("b", "Second", "{{text}}"),
            output("out"),
        ],
        &[
            (("in", "text"), ("route", "value")),
            (("route", "yes"), ("a", "text")),
            (("a", "text"), ("b", "text")),
            (("b", "text"), ("out", "value")),
        ],
    );
    let (engine, sent) = run(&f, &|_| "x".into());
    assert!(sent.is_empty());
    assert!(engine.is_finished());
    for id in ["a", "b", "out"] {
        let b = state(&engine, id);
        assert_eq!(b.status, BlockStatus::Skipped, "{id}");
        assert!(b.error.as_deref().unwrap_or_default().contains("Gate"), "{id}: {:?}", b.error);
    }
}

#[test]
fn an_output_with_a_failed_branch_and_a_branch_that_ran_shows_the_one_that_ran() {
    // Two prompts both feed the Output; one fails, the other answers.
    let f = flow(
        vec![input("hi"), prompt("a", "A", "{{text}}"), prompt("b", "B", "{{text}}"), output("out")],
        &[
            (("in", "text"), ("a", "text")),
            (("in", "text"), ("b", "text")),
            (("a", "text"), ("out", "value")),
            (("b", "text"), ("out", "value")),
        ],
    );
    assert!(validate(&f).iter().all(|p| !p.message.contains("connections")), "an Output takes several inputs");
    let mut engine = Engine::start(&f, RunScope::All, &RunCache::new(), EngineConfig::default(), 0.0).unwrap();
    let mut queue = engine.poll(1.0);
    while let Some(cmd) = queue.pop() {
        if let Command::Send { request, block, .. } = cmd {
            if block.as_str() == "a" {
                let body = r#"{"error":{"message":"bad key","type":"invalid_request_error"}}"#.to_string();
                queue.extend(engine.on_event(Event::HttpError { request, status: 401, body, retry_after: None }, 5.0));
            } else {
                queue.extend(engine.on_event(Event::Chunk { request, bytes: openai_sse("from b") }, 5.0));
                queue.extend(engine.on_event(Event::Done { request }, 5.0));
            }
        }
    }
    assert_eq!(state(&engine, "a").status, BlockStatus::Error);
    assert_eq!(state(&engine, "out").status, BlockStatus::Done);
    assert_eq!(state(&engine, "out").output.as_deref(), Some("from b"));
}

#[test]
fn router_validation_names_the_problems() {
    let msgs = |cfg: RouterConfig| {
        let f = flow(
            vec![input("x"), block("route", "Triage", BlockConfig::Router(cfg))],
            &[(("in", "text"), ("route", "value"))],
        );
        validate(&f).into_iter().map(|p| p.message).collect::<Vec<_>>().join(" | ")
    };
    let none = msgs(router(RouterMode::Rules, &[], vec![]));
    assert!(none.contains("Add at least one route"), "{none}");
    let dup = msgs(router(RouterMode::Rules, &["a", "a"], vec![rule("a", RuleTest::Contains { text: "x".into() })]));
    assert!(dup.contains("Two routes are named \u{201c}a\u{201d}"), "{dup}");
    let missing =
        msgs(router(RouterMode::Rules, &["a"], vec![rule("billing", RuleTest::Contains { text: "x".into() })]));
    assert!(missing.contains("Rule 1 sends to \u{201c}billing\u{201d}, which is not one of the routes"), "{missing}");
    let bad = msgs(router(RouterMode::Rules, &["a"], vec![rule("a", RuleTest::Matches { pattern: "(".into() })]));
    assert!(bad.contains("Rule 1: the pattern is not valid"), "{bad}");
    let reserved = msgs(router(RouterMode::Rules, &["default"], vec![]));
    assert!(reserved.contains("always there"), "{reserved}");
    let ok = msgs(router(RouterMode::Rules, &["a"], vec![rule("a", RuleTest::Contains { text: "x".into() })]));
    assert!(!ok.contains("Triage"), "{ok}");
}

// ---------------------------------------------------------------------------------------
// Router by model
// ---------------------------------------------------------------------------------------

#[test]
fn model_answers_are_read_robustly() {
    let cfg = router(RouterMode::Model, &["billing", "bug", "other"], vec![]);
    let p = |a: &str| cfg.parse_model_answer(a);
    let exact = p("bug\nThe app crashes on start.");
    assert_eq!(exact.route, "bug");
    assert_eq!(exact.reason.as_deref(), Some("The app crashes on start."));
    assert_eq!(p("Billing").route, "billing");
    assert_eq!(p("**billing**").route, "billing");
    assert_eq!(p("Label: bug\nReason: it crashes").reason.as_deref(), Some("it crashes"));
    let inside = p("I would say this is a billing question, since it is about a charge.");
    assert_eq!(inside.route, "billing");
    assert!(inside.reason.unwrap().contains("charge"));
    // Whole words only: "debugging" does not name "bug".
    let garbage = p("Sorry, I am debugging something else right now.");
    assert_eq!(garbage.route, DEFAULT_ROUTE);
    let note = garbage.note.expect("a note");
    assert!(note.contains("none of the routes") && note.contains("debugging"), "{note}");
    assert_eq!(p("").route, DEFAULT_ROUTE);
}

#[test]
fn a_model_router_sends_one_call_keeps_the_reason_and_routes_by_its_answer() {
    let cfg = router(RouterMode::Model, &["billing", "bug"], vec![]);
    let f = triage(cfg, "The app shows a blank screen");
    let (engine, sent) = run(&f, &|b| match b {
        "route" => "bug\nA blank screen is a defect.".into(),
        other => format!("reply from {other}"),
    });
    assert_eq!(sent, vec!["route", "bug"]);
    let r = state(&engine, "route");
    let choice = r.route.as_ref().expect("a choice");
    assert_eq!(choice.route, "bug");
    assert_eq!(choice.reason.as_deref(), Some("A blank screen is a defect."));
    // The router passes its input on, not the model's answer.
    assert_eq!(r.outputs.get("bug").map(String::as_str), Some("The app shows a blank screen"));
    let chat = r.trace.chat.as_ref().expect("request kept in the trace");
    let system = chat.system.as_deref().unwrap_or_default();
    assert!(system.contains("- billing") && system.contains("- bug") && system.contains("- default"), "{system}");
    assert_eq!(state(&engine, "out").output.as_deref(), Some("reply from bug"));
    assert_eq!(state(&engine, "bill").status, BlockStatus::Skipped);
}

#[test]
fn a_garbage_model_answer_goes_to_default_with_a_note() {
    let cfg = router(RouterMode::Model, &["billing", "bug"], vec![]);
    let (engine, _) = run(&triage(cfg, "hello"), &|b| match b {
        "route" => "I cannot help with that.".into(),
        other => format!("reply from {other}"),
    });
    let choice = state(&engine, "route").route.clone().unwrap();
    assert_eq!(choice.route, DEFAULT_ROUTE);
    assert!(choice.note.unwrap().contains("I cannot help with that."));
    assert_eq!(state(&engine, "out").output.as_deref(), Some("reply from other"));
}

#[test]
fn sample_answers_route_by_the_words_of_the_input() {
    let mut cfg = router(RouterMode::Model, &["billing", "bug", "other"], vec![]);
    cfg.provider = "demo".into();
    cfg.model = String::new();
    let demo_prompt = |id: &str, t: &str| {
        block(
            id,
            t,
            BlockConfig::Prompt(PromptConfig {
                provider: "demo".into(),
                model: String::new(),
                user: "{{text}}".into(),
                ..PromptConfig::default()
            }),
        )
    };
    let make = |text: &str| {
        let mut f = triage(cfg.clone(), text);
        for id in ["bill", "bug", "other"] {
            let title = f.block(&BlockId::new(id)).unwrap().title.clone();
            let i = f.blocks.iter().position(|b| b.id.as_str() == id).unwrap();
            f.blocks[i] = demo_prompt(id, &title);
        }
        f.edges.retain(|e| e.from.block.as_str() != "route" || e.from.port != DEFAULT_ROUTE);
        f.edges.push(edge(99, ("route", "other"), ("other", "text")));
        f
    };
    let cases = [
        ("I was charged twice for my subscription, please refund me", "billing"),
        ("The app crashes with an error when I upload a photo", "bug"),
        ("Do you have a office in Berlin?", "other"),
    ];
    for (text, expected) in cases {
        let (engine, sent) = run(&make(text), &|_| unreachable!("sample answers send nothing"));
        assert!(sent.is_empty());
        let r = state(&engine, "route");
        assert_eq!(r.route.as_ref().map(|c| c.route.as_str()), Some(expected), "{text}");
        assert!(r.sample);
        assert!(r.route.as_ref().unwrap().reason.as_deref().is_some_and(|s| s.len() > 10));
        assert_eq!(state(&engine, "out").status, BlockStatus::Done);
    }
}

#[test]
fn the_estimate_counts_the_router_call_and_says_it_is_an_upper_bound() {
    let cfg = router(RouterMode::Model, &["billing", "bug"], vec![]);
    let est = estimate(&triage(cfg, "hi"), &RunScope::All, &RunCache::new(), &EngineConfig::default());
    assert_eq!(est.calls, 4, "the router and every branch's prompt");
    assert!(est.branches);
    assert!(est.describe().contains("at most 4 calls"), "{}", est.describe());
    let rules = rules_router(vec![rule("bug", RuleTest::Contains { text: "x".into() })]);
    let est = estimate(&triage(rules, "hi"), &RunScope::All, &RunCache::new(), &EngineConfig::default());
    assert_eq!(est.calls, 3);
}

// ---------------------------------------------------------------------------------------
// Transform
// ---------------------------------------------------------------------------------------

fn apply(op: TransformOp, value: &str) -> Result<String, String> {
    TransformConfig { op }.apply(&BTreeMap::from([("value".to_string(), value.to_string())]))
}

#[test]
fn transform_operations_do_what_they_say() {
    let t = TransformConfig { op: TransformOp::Template { template: "Dear {{name}}, re: {{topic}}".into() } };
    let ports: Vec<String> =
        chainboard::domain::blocks::KindSpec::input_ports(&t).into_iter().map(|p| p.name).collect();
    assert_eq!(ports, vec!["name", "topic"]);
    let vals = BTreeMap::from([("name".to_string(), "Ana".to_string()), ("topic".to_string(), "refund".to_string())]);
    assert_eq!(t.apply(&vals).unwrap(), "Dear Ana, re: refund");

    let json = r#"{"customer":{"name":"Ana"},"items":[{"title":"Mug"},{"title":"Kettle"}],"n":3}"#;
    assert_eq!(apply(TransformOp::Pick { path: "customer.name".into() }, json).unwrap(), "Ana");
    assert_eq!(apply(TransformOp::Pick { path: "items.1.title".into() }, json).unwrap(), "Kettle");
    assert_eq!(apply(TransformOp::Pick { path: "n".into() }, json).unwrap(), "3");
    assert_eq!(apply(TransformOp::Pick { path: "customer".into() }, json).unwrap(), "{\n  \"name\": \"Ana\"\n}");
    let fenced = "```json\n{\"a\": 1}\n```";
    assert_eq!(apply(TransformOp::Pick { path: "a".into() }, fenced).unwrap(), "1");

    let split = |by, sep: &str| TransformOp::Split { by, separator: sep.into() };
    assert_eq!(apply(split(SplitBy::Lines, ""), "one\n\n two \nthree").unwrap(), r#"["one","two","three"]"#);
    assert_eq!(apply(split(SplitBy::Separator, ";"), "a; b;;c").unwrap(), r#"["a","b","c"]"#);
    assert_eq!(
        apply(split(SplitBy::JsonArray, ""), r#"["x", 2, {"k":1}]"#).unwrap(),
        r#"["x","2","{\n  \"k\": 1\n}"]"#
    );

    assert_eq!(apply(TransformOp::Join { separator: ", ".into() }, r#"["a","b"]"#).unwrap(), "a, b");
    assert_eq!(apply(TransformOp::Join { separator: "\\n".into() }, r#"["a","b"]"#).unwrap(), "a\nb");

    assert_eq!(apply(TransformOp::Count { what: CountWhat::Items }, r#"[1,2,3]"#).unwrap(), "3");
    assert_eq!(apply(TransformOp::Count { what: CountWhat::Words }, " two  words\n").unwrap(), "2");
    assert_eq!(apply(TransformOp::Count { what: CountWhat::Characters }, "héllo").unwrap(), "5");

    assert_eq!(apply(TransformOp::Lowercase, "MiXeD").unwrap(), "mixed");
    assert_eq!(apply(TransformOp::Uppercase, "MiXeD").unwrap(), "MIXED");
    assert_eq!(apply(TransformOp::Trim, "  x \n").unwrap(), "x");
}

#[test]
fn transform_errors_are_plain_sentences() {
    let not_json = apply(TransformOp::Pick { path: "a".into() }, "hello").unwrap_err();
    assert!(not_json.contains("not JSON"), "{not_json}");
    let missing = apply(TransformOp::Pick { path: "a.b".into() }, r#"{"a":{}}"#).unwrap_err();
    assert!(missing.contains("no field \u{201c}a.b\u{201d}"), "{missing}");
    let not_list = apply(TransformOp::Join { separator: ",".into() }, "a, b").unwrap_err();
    assert!(not_list.contains("not a list"), "{not_list}");
    let object = apply(TransformOp::Count { what: CountWhat::Items }, r#"{"a":1}"#).unwrap_err();
    assert!(object.contains("not a list"), "{object}");
}

#[test]
fn a_transform_in_a_flow_runs_without_a_model_and_a_failure_is_the_blocks_error() {
    let t = |op| block("t", "Pick name", BlockConfig::Transform(TransformConfig { op }));
    let make = |value: &str, op| {
        flow(
            vec![input(value), t(op), output("out")],
            &[(("in", "text"), ("t", "value")), (("t", "result"), ("out", "value"))],
        )
    };
    let (engine, sent) =
        run(&make(r#"{"name":"Ana"}"#, TransformOp::Pick { path: "name".into() }), &|_| unreachable!());
    assert!(sent.is_empty());
    assert_eq!(state(&engine, "out").output.as_deref(), Some("Ana"));
    let (engine, _) = run(&make("not json", TransformOp::Pick { path: "name".into() }), &|_| unreachable!());
    assert_eq!(state(&engine, "t").status, BlockStatus::Error);
    assert!(state(&engine, "t").error.as_deref().unwrap().contains("not JSON"));
    assert_eq!(state(&engine, "out").status, BlockStatus::Skipped);
}

// ---------------------------------------------------------------------------------------
// Human approval
// ---------------------------------------------------------------------------------------

/// Input → Prompt "draft" → Approval → Prompt "send" → Output.
fn approval_flow() -> Flow {
    flow(
        vec![
            input("Ask Ana about the invoice"),
            prompt("draft", "Draft email", "Draft: {{text}}"),
            block("ok", "Approve email", BlockConfig::Approval(ApprovalConfig::default())),
            prompt("send", "Send email", "Send: {{text}}"),
            output("out"),
        ],
        &[
            (("in", "text"), ("draft", "text")),
            (("draft", "text"), ("ok", "value")),
            (("ok", "approved"), ("send", "text")),
            (("send", "text"), ("out", "value")),
        ],
    )
}

fn echo(block: &str) -> String {
    format!("{block} done")
}

fn start_and_wait() -> Engine {
    let (engine, sent) = run(&approval_flow(), &echo);
    assert_eq!(sent, vec!["draft"], "the run pauses before the approval");
    let ok = state(&engine, "ok");
    assert_eq!(ok.status, BlockStatus::Waiting);
    assert_eq!(ok.status.label(), "waiting");
    let approval = ok.approval.as_ref().expect("approval state");
    assert_eq!(approval.state, ApprovalState::Waiting);
    assert_eq!(approval.received, "draft done");
    assert_eq!(state(&engine, "send").status, BlockStatus::Queued);
    assert!(!engine.is_finished());
    engine
}

fn decide(engine: &mut Engine, decision: ApprovalDecision) -> Vec<String> {
    let cmds = engine.on_event(Event::Approval { block: BlockId::new("ok"), decision }, 50.0);
    drive(engine, &|b| format!("sent: {b}"), cmds)
}

#[test]
fn approving_continues_with_the_value() {
    let mut engine = start_and_wait();
    let sent = decide(&mut engine, ApprovalDecision::Approve);
    assert_eq!(sent, vec!["send"]);
    assert!(engine.is_finished());
    let ok = state(&engine, "ok");
    assert_eq!(ok.status, BlockStatus::Done);
    assert_eq!(ok.approval.as_ref().unwrap().state, ApprovalState::Approved);
    let chat = state(&engine, "send").trace.chat.clone().unwrap();
    assert_eq!(chat.messages[0].text, "Send: draft done");
    // A second decision changes nothing.
    let again = engine.on_event(
        Event::Approval { block: BlockId::new("ok"), decision: ApprovalDecision::Reject { reason: String::new() } },
        60.0,
    );
    assert!(again.is_empty());
    assert_eq!(state(&engine, "ok").approval.as_ref().unwrap().state, ApprovalState::Approved);
}

#[test]
fn editing_continues_with_the_edited_text() {
    let mut engine = start_and_wait();
    decide(&mut engine, ApprovalDecision::Edit { text: "Hi Ana, the invoice is attached.".into() });
    let ok = state(&engine, "ok");
    assert_eq!(ok.approval.as_ref().unwrap().state, ApprovalState::Edited);
    assert_eq!(ok.approval.as_ref().unwrap().received, "draft done", "the original is kept");
    let chat = state(&engine, "send").trace.chat.clone().unwrap();
    assert_eq!(chat.messages[0].text, "Send: Hi Ana, the invoice is attached.");
    assert_eq!(state(&engine, "out").status, BlockStatus::Done);
}

#[test]
fn rejecting_skips_the_branch_after_it() {
    let mut engine = start_and_wait();
    let sent = decide(&mut engine, ApprovalDecision::Reject { reason: "wrong tone".into() });
    assert!(sent.is_empty());
    assert!(engine.is_finished());
    assert_eq!(state(&engine, "ok").approval.as_ref().unwrap().state, ApprovalState::Rejected);
    for id in ["send", "out"] {
        let b = state(&engine, id);
        assert_eq!(b.status, BlockStatus::Skipped, "{id}");
        let why = b.error.as_deref().unwrap_or_default();
        assert!(why.contains("rejected by the reviewer") && why.contains("Approve email"), "{why}");
        assert!(why.contains("wrong tone"), "{why}");
    }
}

#[test]
fn stop_while_waiting_stops_cleanly() {
    let mut engine = start_and_wait();
    let cmds = engine.stop(70.0);
    assert!(cmds.is_empty(), "nothing is in flight");
    assert!(engine.is_finished());
    let ok = state(&engine, "ok");
    assert_eq!(ok.status, BlockStatus::Stopped);
    assert_eq!(ok.error.as_deref(), Some("Stopped while waiting for approval."));
    assert_eq!(state(&engine, "send").status, BlockStatus::Stopped);
    // A late decision is ignored.
    assert!(engine
        .on_event(Event::Approval { block: BlockId::new("ok"), decision: ApprovalDecision::Approve }, 80.0)
        .is_empty());
    assert_eq!(state(&engine, "ok").status, BlockStatus::Stopped);
}

#[test]
fn auto_approve_passes_the_value_on_at_once() {
    let config = EngineConfig { auto_approve: true, ..EngineConfig::default() };
    let (engine, sent) = run_with(&approval_flow(), config, &echo);
    assert_eq!(sent, vec!["draft", "send"]);
    assert!(engine.is_finished());
    assert_eq!(state(&engine, "ok").approval.as_ref().unwrap().state, ApprovalState::AutoApproved);
}

#[test]
fn eval_runs_approve_automatically_and_the_report_says_so() {
    let mut f = approval_flow();
    for b in &mut f.blocks {
        if let BlockConfig::Prompt(p) = &mut b.config {
            p.provider = "demo".into();
            p.model = String::new();
        }
    }
    let case = TestCase {
        inputs: BTreeMap::from([("text".to_string(), "Ask Ana about the invoice".to_string())]),
        expected: None,
        note: String::new(),
        ..TestCase::default()
    };
    let check =
        Check { name: "Not empty".into(), kind: CheckKind::NotContains { text: "zzzz".into(), case_sensitive: false } };
    let spec = EvalSpec {
        flow: f.clone(),
        target: BlockId::new("out"),
        cases: vec![case.clone(), case],
        checks: vec![check.clone()],
        variants: vec![Variant::base("Flow")],
        repetitions: 1,
        concurrency: 2,
        budget_usd: None,
    };
    let mut run = EvalRun::start(spec, EngineConfig::default(), vec![]);
    let mut now = 1.0;
    for _ in 0..50 {
        now += 1.0;
        let cmds = run.poll(now);
        assert!(cmds.iter().all(|c| !matches!(c, Command::Send { .. })), "sample answers send nothing");
        if run.is_finished() {
            break;
        }
    }
    assert!(run.is_finished(), "no approval holds an eval run");
    let results = run.results();
    assert_eq!(results.len(), 2);
    assert!(results.iter().all(|r| r.error.is_none() && r.output.is_some()), "{results:?}");
    let setup = report_setup(&f, &[Variant::base("Flow")], &[check]);
    assert_eq!(setup.notes, vec![AUTO_APPROVED_NOTE.to_string()]);
}

// ---------------------------------------------------------------------------------------
// Templates and the flow file
// ---------------------------------------------------------------------------------------

fn template(id: &str) -> Flow {
    let t = chainboard::domain::templates::TEMPLATES.iter().find(|t| t.id == id).expect("template");
    chainboard::domain::templates::with_provider((t.build)(0), "demo", "")
}

#[test]
fn the_triage_template_runs_on_sample_answers_and_takes_one_branch() {
    let f = template("triage");
    assert_eq!(validate(&f), vec![]);
    let (engine, sent) = run(&f, &|_| unreachable!("no key needed"));
    assert!(sent.is_empty() && engine.is_finished());
    assert_eq!(state(&engine, "router-1").route.as_ref().unwrap().route, "billing");
    assert_eq!(state(&engine, "prompt-billing").status, BlockStatus::Done);
    assert_eq!(state(&engine, "prompt-bug").status, BlockStatus::Skipped);
    assert_eq!(state(&engine, "prompt-other").status, BlockStatus::Skipped);
    assert!(state(&engine, "output-1").output.as_deref().unwrap().contains("refund"));
    // A bug report goes down the bug branch.
    let mut bug = f.clone();
    if let BlockConfig::Input(i) = &mut bug.blocks[0].config {
        i.values[0].value = "The app crashes with an error when I upload a photo.".into();
    }
    let (engine, _) = run(&bug, &|_| unreachable!());
    assert_eq!(state(&engine, "router-1").route.as_ref().unwrap().route, "bug");
    assert!(state(&engine, "output-1").output.as_deref().unwrap().contains("device"));
}

#[test]
fn the_approval_template_waits_for_a_person() {
    let f = template("approve-email");
    assert_eq!(validate(&f), vec![]);
    let (mut engine, _) = run(&f, &|_| unreachable!("no key needed"));
    let ok = state(&engine, "approval-1");
    assert_eq!(ok.status, BlockStatus::Waiting);
    assert!(ok.approval.as_ref().unwrap().received.contains("Dear Ana Ruiz"));
    let cmds = engine
        .on_event(Event::Approval { block: BlockId::new("approval-1"), decision: ApprovalDecision::Approve }, 9.0);
    drive(&mut engine, &|_| unreachable!(), cmds);
    assert!(engine.is_finished());
    assert!(state(&engine, "output-1").output.as_deref().unwrap().contains("Dear Ana Ruiz"));
}

#[test]
fn the_new_blocks_survive_a_save_and_load() {
    use chainboard::domain::flow_file::{from_json, to_json};
    let mut f = template("triage");
    f.blocks.push(block(
        "t",
        "Count",
        BlockConfig::Transform(TransformConfig {
            op: TransformOp::Split { by: SplitBy::Separator, separator: ";".into() },
        }),
    ));
    f.blocks.push(block(
        "r",
        "Rules",
        BlockConfig::Router(rules_router(vec![
            rule("bug", RuleTest::NumberInRange { path: "score".into(), min: Some(1.0), max: None }),
            RouteRule {
                route: "billing".into(),
                test: RuleTest::Matches { pattern: "x+".into() },
                case_sensitive: true,
            },
        ])),
    ));
    let text = to_json(&f);
    let back = from_json(&text).expect("loads");
    assert_eq!(back.blocks, f.blocks);
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let blocks = json["blocks"].as_array().unwrap();
    let router = blocks.iter().find(|b| b["id"] == "router-1").unwrap();
    assert_eq!(router["kind"], "router");
    assert_eq!(router["config"]["mode"], "model");
    let rules = blocks.iter().find(|b| b["id"] == "r").unwrap();
    assert_eq!(
        rules["config"]["rules"][0],
        json!({"route": "bug", "test": "number_in_range", "path": "score", "min": 1.0})
    );
    let t = blocks.iter().find(|b| b["id"] == "t").unwrap();
    assert_eq!(t["config"], json!({"op": "split", "by": "separator", "separator": ";"}));
}

#[test]
fn a_cached_model_router_routes_the_same_way_again() {
    let cfg = router(RouterMode::Model, &["billing", "bug"], vec![]);
    let f = triage(cfg, "The app shows a blank screen");
    let answer = |b: &str| match b {
        "route" => "bug\nA blank screen is a defect.".to_string(),
        other => format!("reply from {other}"),
    };
    let (first, _) = run(&f, &answer);
    let mut cache = RunCache::new();
    first.write_cache(&mut cache);
    let config = EngineConfig { use_cache: true, ..EngineConfig::default() };
    let mut engine = Engine::start(&f, RunScope::All, &cache, config, 0.0).unwrap();
    let cmds = engine.poll(1.0);
    let sent = drive(&mut engine, &answer, cmds);
    assert!(sent.is_empty(), "everything came from the cache: {sent:?}");
    let r = state(&engine, "route");
    assert_eq!(r.status, BlockStatus::Cached);
    assert_eq!(r.route.as_ref().unwrap().route, "bug");
    assert_eq!(r.outputs.get("bug").map(String::as_str), Some("The app shows a blank screen"));
    assert_eq!(state(&engine, "out").output.as_deref(), Some("reply from bug"));
}

#[test]
fn an_output_whose_branches_were_all_not_taken_is_skipped() {
    // Router a/b both feed the Output directly; the input goes to "default" (nothing there).
    let cfg = router(RouterMode::Rules, &["a", "b"], vec![rule("a", RuleTest::Equals { text: "a".into() })]);
    let f = flow(
        vec![input("zzz"), block("route", "Split", BlockConfig::Router(cfg)), output("out")],
        &[(("in", "text"), ("route", "value")), (("route", "a"), ("out", "value")), (("route", "b"), ("out", "value"))],
    );
    let (engine, _) = run(&f, &|_| unreachable!());
    assert!(engine.is_finished());
    let out = state(&engine, "out");
    assert_eq!(out.status, BlockStatus::Skipped);
    assert!(out.error.as_deref().unwrap().contains("\u{201c}default\u{201d}"), "{:?}", out.error);
    // The same flow with the input on route b shows b's value.
    let f2 = flow(
        f.blocks.iter().map(|b| if b.id.as_str() == "in" { input("b") } else { b.clone() }).collect(),
        &[(("in", "text"), ("route", "value")), (("route", "a"), ("out", "value")), (("route", "b"), ("out", "value"))],
    );
    let mut f2 = f2;
    if let BlockConfig::Router(r) = &mut f2.blocks[1].config {
        r.rules.push(rule("b", RuleTest::Equals { text: "b".into() }));
    }
    let (engine, _) = run(&f2, &|_| unreachable!());
    assert_eq!(state(&engine, "out").status, BlockStatus::Done);
    assert_eq!(state(&engine, "out").output.as_deref(), Some("b"));
}

#[test]
fn the_estimate_counts_calls_after_an_approval_as_an_upper_bound() {
    let est = estimate(&approval_flow(), &RunScope::All, &RunCache::new(), &EngineConfig::default());
    assert_eq!(est.calls, 2);
    assert!(est.branches);
    assert!(est.describe().starts_with("up to $"), "{}", est.describe());
}
