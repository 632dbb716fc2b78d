//! Helpers for the JSON output view: recognise JSON in model output (bare, or inside a
//! ```json fence as models often write it), one-line summaries for collapsed nodes,
//! and pretty printing.

use serde_json::Value;

/// Characters of a string shown in its summary before it is cut with `…`.
pub const STRING_PREVIEW_CHARS: usize = 40;

/// The JSON object or array in `text`, if it is one: either the whole text, or the body
/// of the first fenced block tagged `json` (any case), or of an untagged fence that
/// opens the text. Prose around a fence is ignored; an unterminated fence runs to the
/// end. A bare number, string, boolean or null is not treated as JSON output, so a
/// plain answer such as `42` stays text.
pub fn try_parse_json(text: &str) -> Option<Value> {
    let text = text.trim_start_matches('\u{feff}').trim();
    parse_container(text).or_else(|| fenced_json(text).and_then(parse_container))
}

fn parse_container(text: &str) -> Option<Value> {
    let text = text.trim();
    if !(text.starts_with('{') || text.starts_with('[')) {
        return None;
    }
    // serde_json limits nesting (128 levels), so hostile input cannot overflow the stack.
    serde_json::from_str::<Value>(text).ok().filter(|v| v.is_object() || v.is_array())
}

/// A fence line: its character, length and info string.
fn fence(line: &str) -> Option<(char, usize, &str)> {
    let line = line.trim();
    let ch = line.chars().next().filter(|&c| c == '`' || c == '~')?;
    let len = line.chars().take_while(|&c| c == ch).count();
    (len >= 3).then(|| (ch, len, line.get(len..).unwrap_or("").trim()))
}

fn fenced_json(text: &str) -> Option<&str> {
    let mut offset = 0;
    let mut open: Option<(char, usize, bool, usize)> = None; // (char, len, is json, body start)
    let mut first_line = true;
    for line in text.split_inclusive('\n') {
        let line_start = offset;
        offset += line.len();
        match open {
            None => {
                if let Some((ch, len, info)) = fence(line) {
                    let lang = info.split_whitespace().next().unwrap_or("");
                    let json = lang.eq_ignore_ascii_case("json") || (lang.is_empty() && first_line);
                    open = Some((ch, len, json, offset));
                }
            }
            Some((ch, len, json, body_start)) => {
                let closes = fence(line).is_some_and(|(c, l, info)| c == ch && l >= len && info.is_empty());
                if closes {
                    if json {
                        return text.get(body_start..line_start);
                    }
                    open = None;
                }
            }
        }
        first_line = false;
    }
    match open {
        Some((_, _, true, body_start)) => text.get(body_start..),
        _ => None,
    }
}

/// A one-line summary of a value for a collapsed node: `{3 keys}`, `[12 items]`,
/// `"a string cut at forty characters…"`, or the value itself for scalars.
pub fn summarize(value: &Value) -> String {
    match value {
        Value::Null => "null".to_owned(),
        Value::Bool(b) => b.to_string(),
        Value::Number(n) => n.to_string(),
        Value::String(s) => quoted_preview(s, STRING_PREVIEW_CHARS),
        Value::Array(items) => match items.len() {
            0 => "[]".to_owned(),
            1 => "[1 item]".to_owned(),
            n => format!("[{n} items]"),
        },
        Value::Object(map) => match map.len() {
            0 => "{}".to_owned(),
            1 => "{1 key}".to_owned(),
            n => format!("{{{n} keys}}"),
        },
    }
}

/// `s` as a JSON string literal (escapes included), cut after `max` characters.
fn quoted_preview(s: &str, max: usize) -> String {
    let mut chars = s.chars();
    let head: String = chars.by_ref().take(max).collect();
    let cut = chars.next().is_some();
    let mut out = serde_json::to_string(&head).unwrap_or_else(|_| format!("\"{head}\""));
    if cut && out.ends_with('"') {
        out.pop();
        out.push_str("…\"");
    }
    out
}

/// The value pretty-printed with two-space indentation.
pub fn pretty(value: &Value) -> String {
    serde_json::to_string_pretty(value).unwrap_or_else(|_| value.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use serde_json::json;

    #[test]
    fn recognises_json_in_the_shapes_models_write() {
        let cases: &[(&str, Option<Value>)] = &[
            (r#"{"a": 1}"#, Some(json!({"a": 1}))),
            ("  [1, 2, 3]\n", Some(json!([1, 2, 3]))),
            ("\u{feff}{}", Some(json!({}))),
            ("```json\n{\"a\": [true, null]}\n```", Some(json!({"a": [true, null]}))),
            ("```JSON\n[1]\n```\n", Some(json!([1]))),
            ("~~~json\n{\"k\": \"v\"}\n~~~", Some(json!({"k": "v"}))),
            ("```\n{\"untagged\": 1}\n```", Some(json!({"untagged": 1}))),
            ("Here is the result:\n\n```json\n{\"x\": 2}\n```\nHope it helps!", Some(json!({"x": 2}))),
            ("```json\n{\"open\": \"fence\"}", Some(json!({"open": "fence"}))),
            ("````json\n{\"s\": \"```\"}\n````", Some(json!({"s": "```"}))),
            ("```python\nprint(1)\n```\n```json\n{\"second\": true}\n```", Some(json!({"second": true}))),
            ("intro\n```\n{\"untagged after prose\": 1}\n```", None),
            ("```json\nnot json\n```", None),
            ("{\"a\": 1", None),
            ("{\"a\": 1} trailing words", None),
            ("42", None),
            ("\"just a string\"", None),
            ("true", None),
            ("null", None),
            ("", None),
            ("Plain prose answer.", None),
            ("```json\n42\n```", None),
        ];
        for (input, expected) in cases {
            assert_eq!(&try_parse_json(input), expected, "input: {input:?}");
        }
    }

    #[test]
    fn deep_nesting_is_rejected_without_overflowing() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(try_parse_json(&deep), None);
        let fenced = format!("```json\n{}\n```", "{\"a\":".repeat(50_000));
        assert_eq!(try_parse_json(&fenced), None);
    }

    #[test]
    fn summaries() {
        let long = "x".repeat(100);
        let cases: &[(Value, &str)] = &[
            (json!(null), "null"),
            (json!(true), "true"),
            (json!(false), "false"),
            (json!(12), "12"),
            (json!(-1.5), "-1.5"),
            (json!("hi"), "\"hi\""),
            (json!("line\nbreak \"quoted\""), "\"line\\nbreak \\\"quoted\\\"\""),
            (json!(long), "\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…\""),
            (json!([]), "[]"),
            (json!([1]), "[1 item]"),
            (json!([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]), "[12 items]"),
            (json!({}), "{}"),
            (json!({"a": 1}), "{1 key}"),
            (json!({"a": 1, "b": [2], "c": {"d": 3}}), "{3 keys}"),
        ];
        for (value, expected) in cases {
            assert_eq!(summarize(value), *expected, "value: {value}");
        }
    }

    #[test]
    fn string_summary_cuts_at_forty_characters() {
        let s = "é".repeat(41);
        let summary = summarize(&json!(s));
        assert_eq!(summary, format!("\"{}…\"", "é".repeat(40)));
        assert_eq!(summarize(&json!("é".repeat(40))), format!("\"{}\"", "é".repeat(40)));
    }

    #[test]
    fn pretty_prints_with_two_space_indent() {
        assert_eq!(pretty(&json!({"a": [1, 2]})), "{\n  \"a\": [\n    1,\n    2\n  ]\n}");
        assert_eq!(pretty(&json!([])), "[]");
        assert_eq!(pretty(&json!("s")), "\"s\"");
    }

    proptest! {
        #[test]
        fn never_panics(text in any::<String>()) {
            let _ = try_parse_json(&text);
            let fenced = format!("```json\n{text}\n```");
            let _ = try_parse_json(&fenced);
            let summary = summarize(&Value::String(text.clone()));
            prop_assert!(summary.chars().count() <= 2 + 1 + STRING_PREVIEW_CHARS * 6);
        }

        #[test]
        fn round_trips_what_pretty_prints(keys in proptest::collection::vec("[a-z]{1,6}", 0..6)) {
            let value = Value::Object(keys.iter().map(|k| (k.clone(), json!([k, 1]))).collect());
            prop_assert_eq!(try_parse_json(&pretty(&value)), Some(value.clone()));
            prop_assert_eq!(try_parse_json(&format!("```json\n{}\n```", pretty(&value))), Some(value));
        }
    }
}
