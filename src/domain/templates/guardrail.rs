//! "Support bot with a privacy guardrail": a Router used as a guardrail checks each message
//! before any model sees it. Personal data, blocked words or a very long message send it to
//! "flagged" (held in this browser for a person); everything else goes to the reply prompt.
//! Abuse is caught by the moderation rule, on the sample moderation so the template runs
//! without a key (untick "Sample moderation" to ask OpenAI's moderation endpoint). Its eval
//! suite checks the guardrail's decision on each case ("Route taken").

use super::{answers, edges, input, note, output, prompt};
use crate::domain::blocks::router::{RouteRule, RuleTest};
use crate::domain::blocks::{BlockConfig, RouterConfig, RouterMode};
use crate::domain::evals::cases::TestCase;
use crate::domain::evals::checks::{Check, CheckKind};
use crate::domain::evals::suite::EvalSuite;
use crate::domain::flow::{Block, BlockId, Flow, Point};
use crate::domain::json_schema::OutputFormat;
use crate::domain::sample::SampleRule;

fn flag(test: RuleTest) -> RouteRule {
    RouteRule { route: "flagged".into(), test, case_sensitive: false }
}

pub(super) fn guardrail_flow(now: i64) -> Flow {
    let guard = Block::new(
        BlockId::new("router-1"),
        "Guardrail",
        Point::new(360.0, 160.0),
        BlockConfig::Router(RouterConfig {
            mode: RouterMode::Rules,
            routes: vec!["flagged".into()],
            rules: vec![
                flag(RuleTest::PersonalData),
                flag(RuleTest::ContainsAny { words: "password, passcode, social security".into() }),
                flag(RuleTest::LongerThan { chars: 4000 }),
                flag(RuleTest::Moderation { categories: String::new(), min_score: None, sample: true }),
            ],
            provider: "openai".into(),
            model: "gpt-4o-mini".into(),
            instructions: String::new(),
        }),
    );
    Flow {
        meta: super::meta(
            "Support bot with a privacy guardrail",
            "Messages with personal data are held back before any model sees them.",
            now,
        ),
        blocks: vec![
            input(
                "input-1",
                "Customer message",
                40.0,
                180.0,
                &[("message", "Hi, please change my card to 4111 1111 1111 1111 and confirm to ana.ruiz@example.com.")],
            ),
            guard,
            answers(
                prompt(
                    "prompt-1",
                    "Support reply",
                    720.0,
                    60.0,
                    "You answer customers of an online shop, warmly and in three sentences or fewer.",
                    "Customer message:\n{{message}}\n\nWrite the reply.",
                    OutputFormat::Text,
                ),
                vec![SampleRule::otherwise(
                    "Thanks for getting in touch! I have passed your message to the right team, and someone will reply within one working day.",
                )],
            ),
            output("output-1", "Reply", 1060.0, 80.0),
            output("output-2", "Held for a person", 720.0, 340.0),
            note(
                "note-1",
                40.0,
                420.0,
                "Run it: the card number and e-mail address send the message to \u{201c}flagged\u{201d}, so no model sees it. Remove them and run again: the reply prompt answers. Evaluate checks the guardrail\u{2019}s decision on eight messages (\u{201c}Route taken\u{201d}).",
            ),
        ],
        edges: edges(&[
            ("input-1", "message", "router-1", "value"),
            ("router-1", "default", "prompt-1", "message"),
            ("prompt-1", "text", "output-1", "value"),
            ("router-1", "flagged", "output-2", "value"),
        ]),
    }
}

/// The guardrail's test cases: each message with the route the guardrail must take, checked
/// by "Route taken". Runs on rules and sample moderation, so it needs no key.
pub(super) fn guardrail_suite() -> EvalSuite {
    let messages = [
        ("Hi, please change my card to 4111 1111 1111 1111 and confirm to ana.ruiz@example.com.", "flagged"),
        ("Where is my parcel? It was due on Monday.", "default"),
        ("My password is tea4two, can you reset it for me?", "flagged"),
        ("You idiots lost my parcel again.", "flagged"),
        ("Can I return shoes I bought 20 days ago?", "default"),
        ("Call me on +44 20 7946 0958 about the refund.", "flagged"),
        ("Order 88231 of 12/03 for $49 never arrived.", "default"),
        ("Do you ship to Norway, and how long does it take?", "default"),
    ];
    let cases = messages
        .iter()
        .map(|(m, route)| TestCase {
            inputs: [("message".to_string(), m.to_string())].into_iter().collect(),
            expected: Some(route.to_string()),
            ..TestCase::default()
        })
        .collect();
    EvalSuite {
        cases,
        checks: vec![Check {
            name: "Guardrail decision".into(),
            kind: CheckKind::RouteTaken { block: "router-1".into(), route: "{{expected}}".into() },
        }],
        repetitions: 1,
        target: Some("output-1".into()),
        ..EvalSuite::default()
    }
}
