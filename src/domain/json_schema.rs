//! Checking a JSON value against a JSON Schema: the subset models are asked to follow
//! (types, properties, required, additionalProperties, items, enum, const, numeric and length
//! bounds, anyOf/oneOf/allOf). Errors name the path, so "at $.items[2].price: expected a
//! number, got a string" tells a PM exactly where the model went wrong.
//!
//! Hand-written: a general validator crate (with regex for `pattern`) would cost far more
//! wasm than this. Keywords outside the subset (`pattern`, `format`, `$ref`) are ignored, and
//! `unsupported_keywords` lists them so the UI can say so.

use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The shape a Prompt asks its answer to take: a Prompt block's setting, what the engine asks
/// providers for and checks with [`validate`], and what the sample answers imitate. It lives
/// here, below blocks and providers, because both speak it.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum OutputFormat {
    #[default]
    Text,
    /// Any JSON object.
    Json,
    /// JSON matching a schema.
    JsonSchema { schema: serde_json::Value },
}

/// At most this many errors are reported; the first few are what a person reads anyway.
const MAX_ERRORS: usize = 20;

/// Every way `value` breaks `schema`, as sentences with a path. Empty means it matches.
pub fn validate(value: &Value, schema: &Value) -> Vec<String> {
    let mut errors = Vec::new();
    check(value, schema, "$", &mut errors);
    errors.truncate(MAX_ERRORS);
    errors
}

/// Keywords in `schema` (at any depth) that [`validate`] does not check.
pub fn unsupported_keywords(schema: &Value) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    collect_unsupported(schema, &mut out);
    out.sort();
    out.dedup();
    out
}

fn collect_unsupported(schema: &Value, out: &mut Vec<String>) {
    let Some(obj) = schema.as_object() else { return };
    for (key, sub) in obj {
        if matches!(
            key.as_str(),
            "pattern" | "format" | "$ref" | "patternProperties" | "if" | "not" | "dependentRequired"
        ) {
            out.push(key.clone());
        }
        match key.as_str() {
            "properties" | "$defs" | "definitions" => {
                for s in sub.as_object().into_iter().flat_map(|m| m.values()) {
                    collect_unsupported(s, out);
                }
            }
            "items" | "additionalProperties" => collect_unsupported(sub, out),
            "anyOf" | "oneOf" | "allOf" => {
                for s in sub.as_array().into_iter().flatten() {
                    collect_unsupported(s, out);
                }
            }
            _ => {}
        }
    }
}

fn type_name(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "an integer",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn has_type(value: &Value, ty: &str) -> bool {
    match ty {
        "null" => value.is_null(),
        "boolean" => value.is_boolean(),
        "integer" => value.as_f64().is_some_and(|n| n.fract() == 0.0),
        "number" => value.is_number(),
        "string" => value.is_string(),
        "array" => value.is_array(),
        "object" => value.is_object(),
        // An unknown type name cannot be checked; do not blame the value for it.
        _ => true,
    }
}

fn push(errors: &mut Vec<String>, path: &str, message: String) {
    if errors.len() < MAX_ERRORS {
        errors.push(format!("At {path}: {message}"));
    }
}

fn check(value: &Value, schema: &Value, path: &str, errors: &mut Vec<String>) {
    // `true`/`{}` accept anything; `false` accepts nothing.
    let obj = match schema {
        Value::Bool(true) => return,
        Value::Bool(false) => return push(errors, path, "no value is allowed here.".into()),
        Value::Object(obj) => obj,
        _ => return,
    };
    if let Some(ty) = obj.get("type") {
        let types: Vec<&str> = match ty {
            Value::String(s) => vec![s.as_str()],
            Value::Array(list) => list.iter().filter_map(Value::as_str).collect(),
            _ => Vec::new(),
        };
        if !types.is_empty() && !types.iter().any(|t| has_type(value, t)) {
            let wanted = types.join(" or ");
            return push(errors, path, format!("expected {wanted}, got {}.", type_name(value)));
        }
    }
    if let Some(allowed) = obj.get("enum").and_then(Value::as_array) {
        if !allowed.contains(value) {
            let list: Vec<String> = allowed.iter().map(Value::to_string).collect();
            push(errors, path, format!("{value} is not one of {}.", list.join(", ")));
        }
    }
    if let Some(expected) = obj.get("const") {
        if expected != value {
            push(errors, path, format!("expected {expected}, got {value}."));
        }
    }
    check_number(value, obj, path, errors);
    check_string(value, obj, path, errors);
    check_array(value, obj, path, errors);
    check_object(value, obj, path, errors);
    check_combinators(value, obj, path, errors);
}

fn check_number(value: &Value, obj: &serde_json::Map<String, Value>, path: &str, errors: &mut Vec<String>) {
    let Some(n) = value.as_f64() else { return };
    let bound = |k: &str| obj.get(k).and_then(Value::as_f64);
    if let Some(min) = bound("minimum").filter(|m| n < *m) {
        push(errors, path, format!("{n} is below the minimum {min}."));
    }
    if let Some(max) = bound("maximum").filter(|m| n > *m) {
        push(errors, path, format!("{n} is above the maximum {max}."));
    }
    if let Some(min) = bound("exclusiveMinimum").filter(|m| n <= *m) {
        push(errors, path, format!("{n} must be more than {min}."));
    }
    if let Some(max) = bound("exclusiveMaximum").filter(|m| n >= *m) {
        push(errors, path, format!("{n} must be less than {max}."));
    }
}

fn check_string(value: &Value, obj: &serde_json::Map<String, Value>, path: &str, errors: &mut Vec<String>) {
    let Some(s) = value.as_str() else { return };
    let len = s.chars().count() as u64;
    if let Some(min) = obj.get("minLength").and_then(Value::as_u64).filter(|m| len < *m) {
        push(errors, path, format!("the text has {len} characters; at least {min} are needed."));
    }
    if let Some(max) = obj.get("maxLength").and_then(Value::as_u64).filter(|m| len > *m) {
        push(errors, path, format!("the text has {len} characters; at most {max} are allowed."));
    }
}

fn check_array(value: &Value, obj: &serde_json::Map<String, Value>, path: &str, errors: &mut Vec<String>) {
    let Some(items) = value.as_array() else { return };
    let len = items.len() as u64;
    if let Some(min) = obj.get("minItems").and_then(Value::as_u64).filter(|m| len < *m) {
        push(errors, path, format!("the list has {len} items; at least {min} are needed."));
    }
    if let Some(max) = obj.get("maxItems").and_then(Value::as_u64).filter(|m| len > *m) {
        push(errors, path, format!("the list has {len} items; at most {max} are allowed."));
    }
    if let Some(item_schema) = obj.get("items") {
        for (i, item) in items.iter().enumerate() {
            check(item, item_schema, &format!("{path}[{i}]"), errors);
        }
    }
}

fn check_object(value: &Value, obj: &serde_json::Map<String, Value>, path: &str, errors: &mut Vec<String>) {
    let Some(map) = value.as_object() else { return };
    for name in obj.get("required").and_then(Value::as_array).into_iter().flatten().filter_map(Value::as_str) {
        if !map.contains_key(name) {
            push(errors, path, format!("the field \u{201c}{name}\u{201d} is missing."));
        }
    }
    let props = obj.get("properties").and_then(Value::as_object);
    for (key, v) in map {
        let child = format!("{path}.{key}");
        match props.and_then(|p| p.get(key)) {
            Some(s) => check(v, s, &child, errors),
            None => match obj.get("additionalProperties") {
                Some(Value::Bool(false)) => {
                    push(errors, path, format!("the field \u{201c}{key}\u{201d} is not allowed."))
                }
                Some(extra @ Value::Object(_)) => check(v, extra, &child, errors),
                _ => {}
            },
        }
    }
}

fn check_combinators(value: &Value, obj: &serde_json::Map<String, Value>, path: &str, errors: &mut Vec<String>) {
    let matches = |s: &Value| validate_at(value, s, path).is_empty();
    if let Some(all) = obj.get("allOf").and_then(Value::as_array) {
        for s in all {
            check(value, s, path, errors);
        }
    }
    if let Some(any) = obj.get("anyOf").and_then(Value::as_array) {
        if !any.iter().any(matches) {
            push(errors, path, "the value matches none of the allowed shapes (anyOf).".into());
        }
    }
    if let Some(one) = obj.get("oneOf").and_then(Value::as_array) {
        let n = one.iter().filter(|s| matches(s)).count();
        if n != 1 {
            push(errors, path, format!("the value must match exactly one allowed shape (oneOf); it matches {n}."));
        }
    }
}

fn validate_at(value: &Value, schema: &Value, path: &str) -> Vec<String> {
    let mut errors = Vec::new();
    check(value, schema, path, &mut errors);
    errors
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn order_schema() -> Value {
        json!({
            "type": "object",
            "properties": {
                "order": {"type": "string", "minLength": 2},
                "urgency": {"enum": ["low", "high"]},
                "items": {"type": "array", "minItems": 1, "items": {
                    "type": "object",
                    "properties": {"price": {"type": "number", "minimum": 0}},
                    "required": ["price"]
                }},
                "count": {"type": "integer"}
            },
            "required": ["order", "urgency"],
            "additionalProperties": false
        })
    }

    #[test]
    fn a_matching_value_has_no_errors() {
        let v = json!({"order": "A123", "urgency": "high", "items": [{"price": 9.5}], "count": 2});
        assert_eq!(validate(&v, &order_schema()), Vec::<String>::new());
        assert!(validate(&json!(3.0), &json!({"type": "integer"})).is_empty(), "3.0 is an integer in JSON Schema");
        assert!(validate(&json!("x"), &json!({"type": ["string", "null"]})).is_empty());
        assert!(validate(&json!(null), &json!(true)).is_empty());
    }

    #[test]
    fn errors_name_the_path_and_the_problem() {
        let v = json!({"order": "A", "urgency": "soon", "items": [{"price": "9"}, {}], "extra": 1, "count": 1.5});
        let errors = validate(&v, &order_schema());
        let expected = [
            "At $.order: the text has 1 characters; at least 2 are needed.",
            "At $.urgency: \"soon\" is not one of \"low\", \"high\".",
            "At $.items[0].price: expected number, got a string.",
            "At $.items[1]: the field \u{201c}price\u{201d} is missing.",
            "At $: the field \u{201c}extra\u{201d} is not allowed.",
            "At $.count: expected integer, got a number.",
        ];
        for e in expected {
            assert!(errors.iter().any(|x| x == e), "missing {e:?} in {errors:#?}");
        }
        assert_eq!(errors.len(), expected.len(), "{errors:#?}");
        assert_eq!(validate(&json!([]), &order_schema()), vec!["At $: expected object, got an array.".to_string()]);
    }

    #[test]
    fn combinators_and_bounds() {
        let s = json!({"anyOf": [{"type": "string"}, {"type": "number", "maximum": 10}]});
        assert!(validate(&json!("a"), &s).is_empty());
        assert!(validate(&json!(5), &s).is_empty());
        assert_eq!(validate(&json!(50), &s).len(), 1);
        let one = json!({"oneOf": [{"type": "number"}, {"type": "integer"}]});
        assert!(validate(&json!(1.5), &one).is_empty());
        assert!(validate(&json!(2), &one)[0].contains("matches 2"));
        assert!(validate(&json!(5), &json!({"exclusiveMaximum": 5}))[0].contains("less than 5"));
        assert!(validate(&json!([1, 2, 3]), &json!({"maxItems": 2}))[0].contains("at most 2"));
        assert!(validate(&json!(1), &json!(false))[0].contains("no value"));
    }

    #[test]
    fn unsupported_keywords_are_listed_not_failed() {
        let s =
            json!({"type": "object", "properties": {"email": {"type": "string", "format": "email", "pattern": "@"}}});
        assert!(validate(&json!({"email": "nope"}), &s).is_empty());
        assert_eq!(unsupported_keywords(&s), vec!["format".to_string(), "pattern".to_string()]);
    }

    #[test]
    fn error_lists_are_capped() {
        let s = json!({"type": "array", "items": {"type": "string"}});
        let v = Value::Array((0..100).map(|i| json!(i)).collect());
        assert_eq!(validate(&v, &s).len(), MAX_ERRORS);
    }
}
