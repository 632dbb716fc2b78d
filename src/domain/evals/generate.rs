//! Test cases written by a model from a description ("20 angry customer emails about late
//! delivery"). The reply is parsed into cases for the user to review before they are added.

use std::collections::BTreeMap;

use serde_json::Value;

use super::cases::{TestCase, MAX_CASES};
use super::run::prompt_flow;
use crate::domain::blocks::PromptConfig;
use crate::domain::flow::Flow;
use crate::domain::json_schema::OutputFormat;
use crate::domain::json_view::try_parse_json;
use crate::domain::template::literal;

/// The block whose answer holds the generated cases.
pub const GENERATOR_BLOCK: &str = "generator";
/// At most this many cases are asked for at once.
pub const MAX_GENERATED: usize = 50;

const SYSTEM: &str = "You write test cases for evaluating an AI feature. Make them varied and realistic, \
including hard and unusual ones. Reply with JSON only, in this shape: \
{\"cases\": [{\"<field>\": \"<text>\", \"expected\": \"<what a good answer must contain, or empty>\"}]}";

/// A flow that asks `provider`/`model` for `count` cases with `columns`.
pub fn generator_flow(description: &str, count: usize, columns: &[String], provider: &str, model: &str) -> Flow {
    let count = count.clamp(1, MAX_GENERATED);
    let fields = columns.iter().map(|c| format!("\"{c}\"")).collect::<Vec<_>>().join(", ");
    let user = format!(
        "Write {count} varied test cases: {}\nEach case has the fields {fields}, and \"expected\".",
        description.trim()
    );
    prompt_flow(
        GENERATOR_BLOCK,
        PromptConfig {
            provider: provider.to_string(),
            model: model.to_string(),
            temperature: Some(0.9),
            system: literal(SYSTEM),
            user: literal(&user),
            output_format: OutputFormat::Json,
            ..PromptConfig::default()
        },
    )
}

fn text_of(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// The cases in a generator's reply: `{"cases": [...]}` or a bare array of objects. Fields
/// the flow does not have are dropped; missing ones are empty.
pub fn parse_generated(reply: &str, columns: &[String]) -> Result<Vec<TestCase>, String> {
    let value = try_parse_json(reply).ok_or_else(|| {
        "The model's reply is not JSON, so no cases could be read from it. Try again, or another model.".to_string()
    })?;
    let list = match &value {
        Value::Array(items) => items,
        Value::Object(map) => map
            .get("cases")
            .or_else(|| map.values().find(|v| v.is_array()))
            .and_then(Value::as_array)
            .ok_or("The reply has no list of cases.")?,
        _ => return Err("The reply has no list of cases.".to_string()),
    };
    let cases: Vec<TestCase> = list
        .iter()
        .filter_map(Value::as_object)
        .take(MAX_CASES)
        .map(|obj| {
            let inputs: BTreeMap<String, String> =
                columns.iter().map(|c| (c.clone(), obj.get(c).map(text_of).unwrap_or_default())).collect();
            let expected = obj.get("expected").map(text_of).filter(|e| !e.trim().is_empty());
            TestCase { inputs, expected, note: "generated".to_string(), ..TestCase::default() }
        })
        .filter(|c| c.inputs.values().any(|v| !v.trim().is_empty()))
        .collect();
    if cases.is_empty() {
        return Err("The reply's cases had none of the flow's fields.".to_string());
    }
    Ok(cases)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::blocks::BlockConfig;
    use crate::domain::flow::BlockId;
    use crate::domain::validate::validate;

    #[test]
    fn the_generator_flow_is_valid_and_asks_for_the_fields() {
        let flow =
            generator_flow("angry emails about {{late}} parcels", 20, &["email".into()], "openai", "gpt-4o-mini");
        assert!(validate(&flow).is_empty(), "{:?}", validate(&flow));
        let Some(BlockConfig::Prompt(p)) = flow.block(&BlockId::new(GENERATOR_BLOCK)).map(|b| &b.config) else {
            panic!("no generator prompt");
        };
        assert!(p.user.contains("Write 20 varied test cases: angry emails about \\{{late}} parcels"));
        assert!(p.user.contains("the fields \"email\""));
        assert_eq!(p.output_format, OutputFormat::Json);
    }

    #[test]
    fn replies_become_cases_for_review() {
        let cols = vec!["email".to_string(), "tone".to_string()];
        let reply = r#"{"cases": [
            {"email": "Where is my parcel?!", "tone": "angry", "expected": "apology"},
            {"email": "Still nothing.", "expected": ""},
            {"other": "dropped"},
            "not an object"
        ]}"#;
        let cases = parse_generated(reply, &cols).expect("parses");
        assert_eq!(cases.len(), 2);
        assert_eq!(cases[0].inputs.get("tone").map(String::as_str), Some("angry"));
        assert_eq!(cases[0].expected.as_deref(), Some("apology"));
        assert_eq!(cases[1].inputs.get("tone").map(String::as_str), Some(""));
        assert_eq!(cases[1].expected, None);
        let bare = parse_generated("```json\n[{\"email\": \"hi\"}]\n```", &cols).expect("parses");
        assert_eq!(bare.len(), 1);
        assert!(parse_generated("Sure! Here are some cases:", &cols).is_err());
        assert!(parse_generated(r#"{"cases": [{"x": 1}]}"#, &cols).is_err());
        assert!(parse_generated(r#"{"note": "none"}"#, &cols).is_err());
    }
}
