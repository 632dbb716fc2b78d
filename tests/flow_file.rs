//! The flow file format: round trips, migration, and every kind of bad file.

use chainboard::domain::blocks::BlockConfig;
use chainboard::domain::examples::starter_flow;
use chainboard::domain::flow::BlockId;
use chainboard::domain::flow_file::{check_file_size, from_json, to_json, ImportError, MAX_FILE_BYTES};
use chainboard::domain::validate::validate;

/// Loads `text` and returns the error message a person would see.
fn load_error(text: &str) -> String {
    match from_json(text) {
        Ok(_) => panic!("expected an error for {text:.80}"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn round_trip_is_exact() {
    let flow = starter_flow(1_795_420_800_000);
    let text = to_json(&flow);
    assert!(text.contains("\"format\": \"chainboard.flow\""));
    assert!(text.contains("\"version\": 3"));
    assert!(text.contains("\"created\": \"2026-11-23T08:00:00Z\""));
    assert_eq!(from_json(&text).unwrap(), flow);
    assert_eq!(to_json(&from_json(&text).unwrap()), text, "saving is stable");
}

#[test]
fn the_documented_example_loads_and_is_valid() {
    let doc = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/docs/flow-format.md")).unwrap();
    let start = doc.find("```json\n").expect("docs/flow-format.md has a full json example") + 8;
    let end = start + doc[start..].find("```").unwrap();
    let flow = from_json(&doc[start..end]).unwrap_or_else(|e| panic!("the documented example fails: {e}"));
    assert!(flow.blocks.len() >= 3);
    assert_eq!(validate(&flow), vec![], "the documented example is a valid flow");
}

#[test]
fn version_1_is_migrated() {
    let flow = from_json(include_str!("fixtures/flows/v1_draft.json")).unwrap();
    assert_eq!(flow.meta.title, "Old draft");
    let ask = flow.block(&BlockId::new("ask")).unwrap();
    assert_eq!((ask.position.x, ask.position.y), (300.0, 20.0));
    match &ask.config {
        BlockConfig::Prompt(p) => assert_eq!(p.user, "Answer briefly: {{question}}"),
        other => panic!("expected a prompt, got {other:?}"),
    }
    assert_eq!(flow.edges[0].from.block, BlockId::new("in"));
    assert_eq!(flow.edges[0].to.port, "question");
    assert_eq!(validate(&flow), vec![]);
    // Saving writes the current version.
    assert!(to_json(&flow).contains("\"version\": 3"));
}

#[test]
fn malformed_files_say_where_and_what() {
    let good = to_json(&starter_flow(0));
    let cases: Vec<(String, &str)> = vec![
        (String::new(), "The file is empty."),
        (good[..good.len() / 2].to_string(), "The file ends too early (line"),
        (
            "{\"format\": \"chainboard.flow\", \"version\": 2,,}".into(),
            "This is not valid JSON: line 1, column 44: key must be a string.",
        ),
        ("[1, 2]".into(), "This is not a Chainboard flow file: the file is not a JSON object."),
        ("{\"version\": 2}".into(), "This is not a Chainboard flow file: it has no \u{201c}format\u{201d}"),
        (
            "{\"format\": \"excalidraw\", \"version\": 2}".into(),
            "This is not a Chainboard flow file: the \u{201c}format\u{201d} field is \"excalidraw\"",
        ),
        (
            "{\"format\": \"chainboard.flow\", \"version\": 7}".into(),
            "This flow was saved by a newer Chainboard (file version 7; this app reads up to version 3)",
        ),
        ("{\"format\": \"chainboard.flow\", \"version\": \"2\"}".into(), "The \u{201c}version\u{201d} field is \"2\""),
        ("{\"format\": \"chainboard.flow\", \"version\": -1}".into(), "The \u{201c}version\u{201d} field is -1"),
        (
            good.replacen("\"x\": 40.0", "\"x\": \"left\"", 1),
            "At blocks[0].position.x: invalid type: string \"left\", expected f64.",
        ),
        (good.replacen("\"values\"", "\"valuez\"", 1), "At blocks[0].config: missing field `values`."),
        (
            good.replacen("\"max_tokens\": 400", "\"max_tokens\": -4", 1),
            "At blocks[1].config.max_tokens: invalid value: integer `-4`",
        ),
        (
            good.replacen("\"id\": \"prompt-1\"", "\"id\": \"input-1\"", 1),
            "At blocks[1].id: the id \u{201c}input-1\u{201d} is used twice",
        ),
        (
            good.replacen("\"edges\": [", "\"edges\": [7, ", 1),
            "At edges[0]: invalid type: integer `7`, expected struct EdgeDto.",
        ),
        (
            good.replacen("2026", "20x6", 1).replacen(
                "\"created\": \"1970-01-01T00:00:00Z\"",
                "\"created\": \"last tuesday\"",
                1,
            ),
            "At created: \u{201c}last tuesday\u{201d} is not a time like",
        ),
    ];
    for (text, expected) in cases {
        let msg = load_error(&text);
        assert!(msg.starts_with(expected), "for input {:.60?}\n  got:      {msg}\n  expected: {expected}", text);
    }
}

#[test]
fn a_value_of_the_wrong_type_is_quoted_briefly_and_without_escapes() {
    // Found by tests/fuzz.rs: serde quoted the whole value, with Rust's escapes ("\u{3347a}").
    let value = format!("\\\"\\u001b[0m\u{3347a} {}", "x".repeat(500));
    let text = format!(r#"{{"format":"chainboard.flow","version":2,"edges":"{value}"}}"#);
    assert_eq!(
        load_error(&text),
        format!("At edges: invalid type: string \"\"[0m\u{3347a} {}\u{2026}\", expected a sequence.", "x".repeat(34))
    );
    let text = r#"{"format":"chainboard.flow","version":2,"blocks":[{"id":"a","kind":"note","config":{"text":7}}]}"#;
    assert_eq!(load_error(text), "At blocks[0].config.text: invalid type: integer `7`, expected a string.");
}

#[test]
fn huge_files_are_refused_without_parsing() {
    let huge =
        format!("{{\"format\":\"chainboard.flow\",\"version\":2,\"description\":\"{}\"}}", "a".repeat(MAX_FILE_BYTES));
    assert!(matches!(from_json(&huge), Err(ImportError::TooLarge { .. })));
    assert!(load_error(&huge).starts_with("The file is 25.0 MB; Chainboard opens flow files up to 25 MB."));
}

/// The browser checks a file's size before reading it: a 100 MB file gets the same sentence
/// as a 25 MB string would, without ever being read.
#[test]
fn oversized_files_are_refused_by_their_size_alone() {
    assert_eq!(check_file_size(MAX_FILE_BYTES as u64), Ok(()));
    assert_eq!(check_file_size(0), Ok(()));
    let refused = check_file_size(100 * 1024 * 1024).unwrap_err();
    assert_eq!(refused, ImportError::TooLarge { bytes: 100 * 1024 * 1024 });
    assert_eq!(refused.to_string(), "The file is 100.0 MB; Chainboard opens flow files up to 25 MB.");
    // Sizes past what a 32-bit usize holds (wasm32) are refused, not wrapped around.
    assert!(matches!(check_file_size(5 * 1024 * 1024 * 1024), Err(ImportError::TooLarge { .. })));
}

#[test]
fn deeply_nested_json_is_an_error_not_a_crash() {
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    assert!(from_json(&deep).is_err());
}

#[test]
fn unknown_kinds_survive_a_round_trip() {
    let good = to_json(&starter_flow(0));
    let text = good.replacen(
        "\"kind\": \"output\",\n      \"title\": \"Reply\",",
        "\"kind\": \"hologram\",\n      \"title\": \"Reply\",",
        1,
    );
    assert_ne!(text, good);
    let flow = from_json(&text).unwrap();
    assert_eq!(flow.blocks[2].config.kind_id(), "hologram");
    assert!(to_json(&flow).contains("\"kind\": \"hologram\""));
    assert!(validate(&flow)
        .iter()
        .any(|p| p.message.contains("does not know the block kind \u{201c}hologram\u{201d}")));
}

#[test]
fn keys_in_a_file_are_dropped_never_kept() {
    let good = to_json(&starter_flow(0));
    let secret = "sk-test-DO-NOT-KEEP-1234567890";
    let text = good
        .replacen("\"provider\": \"openai\",", &format!("\"provider\": \"openai\",\n \"api_key\": \"{secret}\","), 1)
        .replacen("\"format\"", &format!("\"apiKey\": \"{secret}\", \"format\""), 1);
    assert!(text.contains(secret));
    let flow = from_json(&text).unwrap();
    assert!(!to_json(&flow).contains(secret));
    assert!(!format!("{flow:?}").contains(secret));
}

#[test]
fn a_byte_order_mark_is_accepted() {
    let text = format!("\u{feff}{}", to_json(&starter_flow(0)));
    assert!(from_json(&text).is_ok());
}

#[test]
fn exports_carry_the_eval_suite_and_old_readers_ignore_it() {
    use chainboard::domain::bundle::Bundle;
    use chainboard::domain::evals::checks::{Check, CheckKind};
    use chainboard::domain::evals::suite::EvalSuite;
    use chainboard::domain::flow_file::{from_json, to_json};
    let flow = chainboard::domain::examples::starter_flow(0);
    let text = "email,expected\n\"Hi, late\",sorry";
    let suite = EvalSuite {
        cases: chainboard::domain::evals::cases::parse_table(text).expect("parses").1,
        checks: vec![Check {
            name: "Apologises".into(),
            kind: CheckKind::Contains { text: "{{expected}}".into(), case_sensitive: false },
        }],
        ..EvalSuite::default()
    };
    let evals_of = |text: &str| Bundle::parse(text).ok().and_then(|r| r.bundle.evals);
    let file = Bundle { evals: Some(suite.clone()), ..Bundle::new(flow.clone()) }.to_json();
    assert_eq!(evals_of(&file), Some(suite));
    assert_eq!(from_json(&file).ok(), Some(flow.clone()), "the flow reads the same with the extra field");
    // No suite: the file is the plain flow file.
    assert_eq!(Bundle { evals: Some(EvalSuite::default()), ..Bundle::new(flow.clone()) }.to_json(), to_json(&flow));
    assert_eq!(evals_of(&to_json(&flow)), None);
    assert!(Bundle::parse("{\"evals\": 5}").is_err(), "not a flow file");
}

/// Found by tests/fuzz.rs: block settings are decoded through their text (util::json_error), and
/// serde_json's quick float parser could land one bit off a large number, so saving a loaded
/// file changed it. Parsing is exact now (serde_json's `float_roundtrip`).
#[test]
fn large_numbers_in_settings_survive_loading_and_saving() {
    let text = r##"{"blocks":[{"config":{"values":[{"name":"email","value":"Hello, order 88-1203 arrived today but the lamp is cracked. I need a replacement before my parents visit on Friday."}]},"id":"input-1","kind":"input","position":{"x":40.0,"y":160.0},"title":"Email"},{"config":{"max_tokens":400,"model":"gpt-4o-mini","output_format":{"schema":{"additionalProperties":false,"properties":{"issue":{"enum":["late","damaged","wrong item","other"],"type":"string"},"order_number":{"type":"string"},"urgent":{"type":"boolean"}},"required":null,"type":{"format":{"format":4.962864729257623e+189}}},"type":"json_schema"},"provider":"openai","sample_answers":[{"answer":"{\n  \"order_number\": \"88-1203\",\n  \"issue\": \"damaged\",\n  \"urgent\": true\n}","text":"88-1203","when":"contains"}],"system":"You extract fields from customer emails. Use only what the email says.","temperature":0.2,"user":"Extract the order number, the issue and whether it is urgent:\n\n{{email}}"},"id":"prompt-1","kind":"prompt","position":{"x":360.0,"y":136.0},"title":"Extract"},{"config":{},"id":"output-1","kind":"output","position":{"x":680.0,"y":160.0},"title":"Fields"}],"created":"2026-11-23T08:00:00Z","description":"Structured fields from free text.","edges":[{"from":{"block":"input-1","port":"email"},"id":"e-1","to":{"block":"prompt-1","port":"email"}},{"from":{"block":"prompt-1","port":"text"},"id":"e-2","to":{"block":"output-1","port":"value"}}],"format":"chainboard.flow","title":"Extract fields from an email","updated":"2026-11-23T08:00:00Z","version":3}"##;
    let saved = to_json(&from_json(text).unwrap());
    assert!(saved.contains("4.962864729257623e+189"), "{saved}");
    let resaved = to_json(&from_json(&saved).unwrap());
    assert_eq!(saved, resaved);
}

#[test]
fn a_bad_value_in_a_loop_body_is_named_inside_the_body() {
    // As Chainboard writes it, more settings follow the body.
    let file = |body: &str| {
        format!(
            "{{\"format\": \"chainboard.flow\", \"version\": 3, \"blocks\": [{{\"id\": \"l\", \"kind\": \"loop\", \"position\": {{\"x\": 0, \"y\": 0}}, \"config\": {{\"body\": {body}, \"concurrency\": 2}}}}], \"edges\": []}}"
        )
    };
    let cases = [
        (
            r#"{"type": "prompt", "provider": "openai", "temperature": "hot"}"#,
            "At blocks[0].config.body: temperature: invalid type: string \"hot\", expected f64.",
        ),
        (r#"{"type": "prompt"}"#, "At blocks[0].config.body: missing field `provider`."),
        (r#"{"type": "flow"}"#, "At blocks[0].config.body: missing field `flow_id`."),
        (r#"{"type": "script"}"#, "At blocks[0].config.body: unknown variant `script`, expected `prompt` or `flow`."),
        (r#"{"provider": "openai"}"#, "At blocks[0].config.body: missing field `type`."),
        (r#""prompt""#, "At blocks[0].config.body: the loop's body is not an object with a \"type\"."),
    ];
    for (body, expected) in cases {
        let msg = load_error(&file(body));
        assert_eq!(msg, expected, "for body {body}");
    }
    // Both kinds of body still load.
    let prompt =
        from_json(&file(r#"{"type": "prompt", "provider": "demo", "user": "{{item}}", "top_p": 0.5}"#)).unwrap();
    let BlockConfig::Loop(cfg) = &prompt.blocks[0].config else { panic!("a loop") };
    assert_eq!(cfg.prompt().map(|p| (p.user.as_str(), p.params.top_p)), Some(("{{item}}", Some(0.5))));
    let flow = from_json(&file(r#"{"type": "flow", "flow_id": "f2"}"#)).unwrap();
    let BlockConfig::Loop(cfg) = &flow.blocks[0].config else { panic!("a loop") };
    assert!(cfg.prompt().is_none());
}
