//! Guardrails: a Router's guardrail rules (personal data, blocked words, length) hold a
//! message back before any model sees it, and say why (the gallery's privacy guardrail).

use chainboard::domain::blocks::router::{RouteRule, RuleTest};
use chainboard::domain::blocks::{BlockConfig, InputValue, RouterConfig, RouterMode};
use chainboard::domain::engine::{BlockStatus, Engine, EngineConfig, RunCache, RunScope};
use chainboard::domain::flow::{BlockId, Flow};
use chainboard::domain::templates::{with_provider, TEMPLATES};

fn guard(rules: Vec<RuleTest>) -> RouterConfig {
    RouterConfig {
        mode: RouterMode::Rules,
        routes: vec!["flagged".into()],
        rules: rules
            .into_iter()
            .map(|test| RouteRule { route: "flagged".into(), test, case_sensitive: false })
            .collect(),
        ..RouterConfig::default()
    }
}

#[test]
fn guardrail_rules_flag_personal_data_blocked_words_and_length_with_a_reason() {
    let g = guard(vec![
        RuleTest::PersonalData,
        RuleTest::ContainsAny { words: "password, passcode".into() },
        RuleTest::LongerThan { chars: 40 },
    ]);
    let c = g.choose_by_rules("Write to ana.ruiz@example.com or call +44 20 7946 0958");
    assert_eq!(c.route, "flagged");
    assert_eq!(c.reason.as_deref(), Some("Personal data found: 1 e-mail address and 1 phone number."));
    let c = g.choose_by_rules("My PASSWORD is tea");
    assert_eq!((c.route.as_str(), c.reason.as_deref()), ("flagged", Some("Contains \u{201c}password\u{201d}.")));
    let c = g.choose_by_rules(&"a".repeat(41));
    assert_eq!(c.reason.as_deref(), Some("41 characters, more than the 40 allowed."));
    // Order numbers, dates and prices are not personal data: the message passes.
    let c = g.choose_by_rules("Order 88231 of 12/03 for $49");
    assert_eq!(c.route, "default");
    // A zero limit is a problem the PM sees, not a guardrail that flags everything silently.
    use chainboard::domain::blocks::KindSpec;
    assert!(guard(vec![RuleTest::LongerThan { chars: 0 }])
        .problems()
        .iter()
        .any(|p| p.contains("most characters allowed")));
}

fn run(flow: &Flow) -> Engine {
    let mut engine =
        Engine::start(flow, RunScope::All, &RunCache::new(), EngineConfig::default(), 0.0).expect("starts");
    assert!(engine.poll(0.0).is_empty(), "sample answers and rules send nothing");
    assert!(engine.is_finished());
    engine
}

#[test]
fn the_privacy_guardrail_template_holds_personal_data_back_from_the_model() {
    let t = TEMPLATES.iter().find(|t| t.id == "privacy-guardrail").expect("template");
    let mut flow = with_provider((t.build)(0), "demo", "");
    let engine = run(&flow);
    let status = |e: &Engine, id: &str| e.block(&BlockId::new(id)).map(|r| r.status);
    assert_eq!(status(&engine, "router-1"), Some(BlockStatus::Done));
    let route = engine.block(&BlockId::new("router-1")).and_then(|r| r.route.clone()).expect("route");
    assert_eq!(route.route, "flagged");
    assert_eq!(route.reason.as_deref(), Some("Personal data found: 1 e-mail address and 1 card number."));
    assert_eq!(status(&engine, "prompt-1"), Some(BlockStatus::Skipped), "no model saw the message");
    let held = engine.block(&BlockId::new("output-2")).and_then(|r| r.output.clone()).unwrap_or_default();
    assert!(held.contains("4111 1111 1111 1111"), "held in this browser for a person: {held}");

    // Without personal data the reply prompt answers and the held branch is skipped.
    for b in &mut flow.blocks {
        if let BlockConfig::Input(i) = &mut b.config {
            i.values = vec![InputValue {
                name: "message".into(),
                value: "Where is my parcel? It was due on Monday.".into(),
                media: None,
            }];
        }
    }
    let engine = run(&flow);
    assert_eq!(status(&engine, "prompt-1"), Some(BlockStatus::Done));
    assert_eq!(status(&engine, "output-2"), Some(BlockStatus::Skipped));
    assert!(engine
        .block(&BlockId::new("output-1"))
        .and_then(|r| r.output.clone())
        .is_some_and(|o| o.contains("Thanks")));
}

// ---- OpenAI moderation as a guardrail test ----

use chainboard::domain::blocks::InputConfig;
use chainboard::domain::engine::{Command, Event};
use chainboard::domain::flow::{Block, Edge, EdgeId, Point, PortRef};
use chainboard::domain::providers::{HttpRequest, Method};

const FLAGGED_REPLY: &str = r#"{"id":"modr-1","model":"omni-moderation-latest","results":[{"flagged":true,
  "categories":{"harassment":true,"violence":false,"hate":false},
  "category_scores":{"harassment":0.91,"violence":0.40,"hate":0.01}}]}"#;

fn moderated_flow(message: &str, sample: bool) -> Flow {
    let mut flow = Flow::default();
    let input = InputConfig { values: vec![InputValue { name: "message".into(), value: message.into(), media: None }] };
    flow.blocks.push(Block::new(BlockId::new("in"), "Message", Point::new(0.0, 0.0), BlockConfig::Input(input)));
    let g = guard(vec![RuleTest::Moderation { categories: String::new(), min_score: Some(0.4), sample }]);
    flow.blocks.push(Block::new(BlockId::new("guard"), "Guardrail", Point::new(300.0, 0.0), BlockConfig::Router(g)));
    flow.edges.push(Edge {
        id: EdgeId("e1".into()),
        from: PortRef::new(BlockId::new("in"), "message"),
        to: PortRef::new(BlockId::new("guard"), "value"),
    });
    flow
}

fn moderate_command(commands: &[Command]) -> Option<(u64, String)> {
    commands.iter().find_map(|c| match c {
        Command::Moderate { request, input, .. } => Some((*request, input.clone())),
        _ => None,
    })
}

fn sent(url: &str) -> HttpRequest {
    HttpRequest {
        method: Method::Post,
        url: url.into(),
        headers: vec![("authorization".into(), "Bearer sk-secret".into())],
        body: Some(r#"{"model":"omni-moderation-latest","input":"x"}"#.into()),
        bytes: None,
    }
}

#[test]
fn a_moderation_rule_asks_openai_through_the_engine_and_routes_with_the_categories() {
    let flow = moderated_flow("You are useless and I will find you", false);
    let mut engine =
        Engine::start(&flow, RunScope::All, &RunCache::new(), EngineConfig::default(), 0.0).expect("starts");
    let commands = engine.poll(0.0);
    let (request, input) = moderate_command(&commands).expect("a moderation request");
    assert_eq!(input, "You are useless and I will find you");
    assert_eq!(engine.block(&BlockId::new("guard")).map(|r| r.status), Some(BlockStatus::Running));
    engine.on_event(Event::Sent { request, redacted: sent("https://api.openai.com/v1/moderations") }, 1.0);
    // A rate limit first: retried after the provider's Retry-After, like a Prompt's call.
    let after = engine.on_event(
        Event::HttpError {
            request,
            status: 429,
            body: r#"{"error":{"message":"Rate limit reached"}}"#.into(),
            retry_after: Some("1".into()),
        },
        2.0,
    );
    assert!(after.iter().any(|c| matches!(c, Command::WakeAt { .. })), "{after:?}");
    assert!(moderate_command(&after).is_none(), "not before the wait");
    let again = engine.poll(1_100.0);
    let (retry, _) = moderate_command(&again).expect("sent again after the wait");
    engine.on_event(Event::Sent { request: retry, redacted: sent("https://api.openai.com/v1/moderations") }, 1_101.0);
    engine.on_event(Event::ToolResponse { request: retry, status: 200, body: FLAGGED_REPLY.into() }, 1_200.0);
    assert!(engine.is_finished());
    let run = engine.block(&BlockId::new("guard")).expect("ran");
    assert_eq!(run.status, BlockStatus::Done);
    assert_eq!(run.attempts, 2);
    assert_eq!(run.cost_usd, Some(0.0), "moderation is free");
    let route = run.route.clone().expect("route");
    assert_eq!(route.route, "flagged");
    assert_eq!(route.reason.as_deref(), Some("Flagged by OpenAI moderation: harassment (0.91), violence (0.40)."));
    assert_eq!(run.trace.retries.len(), 1);
    // The trace keeps both attempts with the key hidden.
    assert_eq!(run.trace.sent.len(), 2);
    assert!(run.trace.sent.iter().all(|s| s.header("authorization") == Some("[redacted]")));
    assert_eq!(run.outputs.get("flagged").map(String::as_str), Some("You are useless and I will find you"));
    assert_eq!(engine.summary().cost_usd, 0.0);
}

#[test]
fn a_moderation_rule_that_finds_nothing_goes_to_default_and_a_refusal_fails_the_router() {
    let flow = moderated_flow("Where is my parcel?", false);
    let mut engine =
        Engine::start(&flow, RunScope::All, &RunCache::new(), EngineConfig::default(), 0.0).expect("starts");
    let (request, _) = moderate_command(&engine.poll(0.0)).expect("asks");
    let clean = r#"{"results":[{"flagged":false,"categories":{"hate":false},"category_scores":{"hate":0.02}}]}"#;
    engine.on_event(Event::ToolResponse { request, status: 200, body: clean.into() }, 5.0);
    let route = engine.block(&BlockId::new("guard")).and_then(|r| r.route.clone()).expect("route");
    assert_eq!(route.route, "default");
    assert!(route
        .note
        .as_deref()
        .unwrap_or_default()
        .contains("Not flagged by OpenAI moderation (highest: hate 0.02)."));

    // A wrong key is not retried: the Router fails and says why.
    let mut engine =
        Engine::start(&flow, RunScope::All, &RunCache::new(), EngineConfig::default(), 0.0).expect("starts");
    let (request, _) = moderate_command(&engine.poll(0.0)).expect("asks");
    let body = r#"{"error":{"message":"Incorrect API key provided.","code":"invalid_api_key"}}"#;
    let out = engine.on_event(Event::HttpError { request, status: 401, body: body.into(), retry_after: None }, 5.0);
    assert!(moderate_command(&out).is_none());
    let run = engine.block(&BlockId::new("guard")).expect("ran");
    assert_eq!(run.status, BlockStatus::Error);
    assert!(run.error.as_deref().unwrap_or_default().starts_with("OpenAI moderation could not check the input"));

    // No answer within the timeout: stopped, with the Prompt's advice.
    let config = EngineConfig { timeout_ms: 1_000.0, ..EngineConfig::default() };
    let mut engine = Engine::start(&flow, RunScope::All, &RunCache::new(), config, 0.0).expect("starts");
    let (request, _) = moderate_command(&engine.poll(0.0)).expect("asks");
    let out = engine.poll(1_001.0);
    assert!(out.iter().any(|c| matches!(c, Command::Cancel { request: r } if *r == request)));
    assert!(engine.is_finished());
    assert!(engine
        .block(&BlockId::new("guard"))
        .and_then(|r| r.error.clone())
        .unwrap_or_default()
        .contains("after 1 s"));
}

#[test]
fn the_sample_moderation_sends_nothing_and_says_so() {
    let engine = run(&moderated_flow("Shut up, you idiot.", true));
    let route = engine.block(&BlockId::new("guard")).and_then(|r| r.route.clone()).expect("route");
    assert_eq!(route.route, "flagged");
    assert_eq!(
        route.reason.as_deref(),
        Some("Flagged by OpenAI moderation: harassment (0.90) (sample moderation, no request sent).")
    );
    let engine = run(&moderated_flow("Thanks for the quick reply!", true));
    let route = engine.block(&BlockId::new("guard")).and_then(|r| r.route.clone()).expect("route");
    assert_eq!(route.route, "default");
    assert!(route
        .note
        .as_deref()
        .unwrap_or_default()
        .contains("Not flagged by the sample moderation (no request sent)."));
}

#[test]
fn a_flow_file_without_the_new_fields_still_loads_and_the_rule_round_trips() {
    let g = guard(vec![RuleTest::Moderation {
        categories: "harassment, violence".into(),
        min_score: Some(0.5),
        sample: false,
    }]);
    let json = serde_json::to_value(&g).expect("serialises");
    assert_eq!(json["rules"][0]["test"], "moderation");
    let back: RouterConfig = serde_json::from_value(json).expect("loads");
    assert_eq!(back, g);
    let bare: RouterConfig =
        serde_json::from_str(r#"{"routes":["flagged"],"rules":[{"route":"flagged","test":"moderation"}]}"#)
            .expect("loads");
    assert_eq!(bare.rules[0].test, RuleTest::Moderation { categories: String::new(), min_score: None, sample: false });
    assert!(bare.uses_openai_moderation());
    use chainboard::domain::blocks::KindSpec;
    let bad = guard(vec![RuleTest::Moderation { categories: String::new(), min_score: Some(3.0), sample: false }]);
    assert!(bad.problems().iter().any(|p| p.contains("between 0 and 1")));
}

// ---- The guardrail's decision in evals ----

use chainboard::domain::evals::checks::{Check, CheckKind, CheckResult};
use chainboard::domain::evals::export::{html_report, results_csv};
use chainboard::domain::evals::report::summarize;
use chainboard::domain::evals::run::{EvalRun, EvalSpec, JobResult, Variant};

fn guardrail_eval(checks: Vec<Check>) -> (EvalSpec, Vec<JobResult>) {
    let t = TEMPLATES.iter().find(|t| t.id == "privacy-guardrail").expect("template");
    let suite = t.suite.expect("the guardrail template has a suite")();
    let spec = EvalSpec {
        flow: with_provider((t.build)(0), "demo", ""),
        target: BlockId::new(suite.target.clone().unwrap_or_default()),
        cases: suite.cases.clone(),
        checks,
        variants: vec![Variant::base("Guardrail")],
        repetitions: 1,
        concurrency: 4,
        budget_usd: None,
    };
    let mut run = EvalRun::start(spec.clone(), EngineConfig::default(), vec![]);
    for i in 0..100 {
        assert!(run.poll(i as f64).is_empty(), "rules and sample moderation send nothing");
        if run.is_finished() {
            break;
        }
    }
    assert!(run.is_finished());
    let results = run.results();
    (spec, results)
}

#[test]
fn the_guardrail_template_s_suite_checks_the_route_taken_and_passes_without_a_key() {
    let t = TEMPLATES.iter().find(|t| t.id == "privacy-guardrail").expect("template");
    let suite = t.suite.expect("suite")();
    let (spec, results) = guardrail_eval(suite.checks.clone());
    assert_eq!(results.len(), 8);
    for r in &results {
        assert!(r.error.is_none(), "a held-back case is not a run error: {:?}", r.error);
        assert_eq!(r.routes.len(), 1);
        assert_eq!(r.checks[0].passed(), Some(true), "case {}: {:?} {:?}", r.case + 1, r.checks[0], r.routes);
    }
    let by_case = |i: usize| results.iter().find(|r| r.case == i).expect("result");
    // Held back: the reason is kept, and there is no reply.
    let held = by_case(0);
    assert_eq!(held.routes[0].route, "flagged");
    assert_eq!(
        held.routes[0].describe(),
        "Guardrail: flagged \u{2014} Personal data found: 1 e-mail address and 1 card number."
    );
    assert_eq!(held.output.as_deref(), Some(""));
    assert_eq!(
        by_case(3).routes[0].reason.as_deref(),
        Some("Flagged by OpenAI moderation: harassment (0.90) (sample moderation, no request sent).")
    );
    // Let through: the reply prompt answered.
    assert_eq!(by_case(1).routes[0].route, "default");
    assert!(by_case(1).output.as_deref().unwrap_or_default().contains("Thanks"));

    // The CSV and the HTML report show the route per Router.
    let checks: Vec<String> = spec.checks.iter().map(|c| c.name.clone()).collect();
    let csv = results_csv(&["Guardrail".into()], &["message".into()], &spec.cases, &checks, &results);
    let header = csv.lines().next().unwrap_or_default();
    assert!(header.contains(",run error,route: Guardrail,Guardrail decision,"), "{header}");
    assert!(csv.contains("flagged \u{2014} Personal data found: 1 e-mail address and 1 card number."), "{csv}");
    let report = summarize(&results, &["Guardrail".into()], &checks, &vec![false; spec.cases.len()]);
    let html = html_report("Guardrail", "", &report, None, &checks, &spec.cases, &results);
    assert!(html.contains("<th>Route: Guardrail</th>"));
    assert!(html.contains("<td class=\"route\">default \u{2014} No rule matched"), "route cells");
}

#[test]
fn a_route_check_fails_when_the_guardrail_lets_through_what_it_should_hold_and_says_why() {
    // "Everything must go to the reply": wrong for the four messages the guardrail holds back.
    let check = Check {
        name: "Always answered".into(),
        kind: CheckKind::RouteTaken { block: "router-1".into(), route: "default".into() },
    };
    let (_, results) = guardrail_eval(vec![check]);
    let failed: Vec<&JobResult> = results.iter().filter(|r| r.checks[0].passed() == Some(false)).collect();
    assert_eq!(failed.len(), 4);
    let first = failed.iter().find(|r| r.case == 0).expect("case 1 fails");
    match &first.checks[0] {
        CheckResult::Fail { reason, .. } => assert_eq!(
            reason,
            "\u{201c}Guardrail\u{201d} sent it to \u{201c}flagged\u{201d}, not \u{201c}default\u{201d}. Personal data \
             found: 1 e-mail address and 1 card number."
        ),
        other => panic!("{other:?}"),
    }
    // A check on a Router that is not in the flow fails rather than passing silently; one
    // without a Router named is an error in the check, not a failure of the flow.
    let (_, results) = guardrail_eval(vec![
        Check {
            name: "Ghost".into(),
            kind: CheckKind::RouteTaken { block: "router-9".into(), route: "flagged".into() },
        },
        Check { name: "Unset".into(), kind: CheckKind::RouteTaken { block: String::new(), route: "flagged".into() } },
    ]);
    assert!(results.iter().all(|r| r.checks[0].passed() == Some(false)));
    assert!(results.iter().all(|r| matches!(r.checks[1], CheckResult::Error { .. })));
}

#[test]
fn the_estimate_counts_the_moderation_call_and_names_openai_for_the_personal_data_it_would_see() {
    use chainboard::domain::engine::estimate;
    let flow = moderated_flow("Write to ana.ruiz@example.com", false);
    let est = estimate(&flow, &RunScope::All, &RunCache::new(), &EngineConfig::default());
    assert_eq!(est.calls, 1);
    assert_eq!(est.cost_usd, Some(0.0));
    assert_eq!(est.privacy_note().as_deref(), Some("Personal data would go to OpenAI: 1 e-mail address."));
    // The sample moderation asks nobody.
    let est = estimate(
        &moderated_flow("Write to ana.ruiz@example.com", true),
        &RunScope::All,
        &RunCache::new(),
        &EngineConfig::default(),
    );
    assert_eq!((est.calls, est.privacy_note()), (0, None));
}

#[test]
fn without_an_openai_key_a_moderation_rule_is_named_and_moves_to_the_sample_moderation() {
    use chainboard::domain::providers::ProviderKind;
    use chainboard::domain::try_it::{instead_of, providers_missing_keys};
    let flow = moderated_flow("Shut up, idiot", false);
    assert_eq!(providers_missing_keys(&flow, |_| false), vec![ProviderKind::OpenAi]);
    assert!(providers_missing_keys(&flow, |k| k == ProviderKind::OpenAi).is_empty());
    let router = |f: &Flow| match f.block(&BlockId::new("guard")).map(|b| &b.config) {
        Some(BlockConfig::Router(r)) => r.clone(),
        _ => panic!("router"),
    };
    assert!(router(&flow).moderation_key_problem(false).is_some_and(|p| p.contains("needs your OpenAI key")));
    assert_eq!(router(&flow).moderation_key_problem(true), None);
    let sampled = instead_of(&flow, &[ProviderKind::OpenAi], ProviderKind::Demo);
    assert!(!router(&sampled).uses_openai_moderation());
    assert_eq!(router(&sampled).moderation_key_problem(false), None);
    let engine = run(&sampled);
    let route = engine.block(&BlockId::new("guard")).and_then(|r| r.route.clone()).expect("route");
    assert_eq!(route.route, "flagged");
}
