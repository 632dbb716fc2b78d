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
