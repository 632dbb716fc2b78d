//! Decoding JSON text into a typed shape, with a wrong value named by its path
//! (`blocks[2].position.x`), the place a person should look.
//!
//! serde_json reports where decoding stopped as a line and column; [`path_at`] walks the text
//! to that byte and names the value it is in. (serde_path_to_error tracked the path by
//! wrapping every decoder, which doubled the decoding code of every shape in the wasm module.)
//! A value that is already parsed is decoded through its compact text, so its errors have a
//! position too.

use serde::de::DeserializeOwned;

/// A text that is not the expected shape: where, and what is wrong there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ShapeError {
    /// `blocks[2].position.x`; empty for the whole text.
    pub path: String,
    /// serde_json's sentence without its " at line 1 column 40".
    pub detail: String,
}

/// Decodes `T` from `text`; an error names the path of the value it is about.
pub fn decode<T: DeserializeOwned>(text: &str) -> Result<T, ShapeError> {
    serde_json::from_str(text)
        .map_err(|e| ShapeError { path: path_at(text, e.line(), e.column()), detail: without_position(&e.to_string()) })
}

/// Decodes `T` from an already parsed value, through its compact text (see the module note).
pub fn decode_value<T: DeserializeOwned>(value: &serde_json::Value) -> Result<T, ShapeError> {
    // Serialising a `Value` cannot fail: its keys are strings and its numbers finite.
    let text = serde_json::to_string(value).unwrap_or_default();
    decode(&text)
}

/// serde_json appends " at line X column Y", which means nothing once a path is given.
pub fn without_position(msg: &str) -> String {
    match msg.rfind(" at line ") {
        Some(i) => msg[..i].to_string(),
        None => msg.to_string(),
    }
}

/// One level of nesting on the way to the error.
enum Frame {
    /// In an object: the key of the member being read (none before the first key).
    Object(Option<String>),
    /// In an array: the index of the element being read.
    Array(usize),
}

/// The path of the value that serde_json's position (`line`, 1-based `column` of the last
/// byte it read; 0 = nothing read on that line) falls in. A position on an object's or
/// array's closing bracket (a missing field, a list too short) names that object or array;
/// anywhere else it names the innermost member being read.
pub fn path_at(text: &str, line: usize, column: usize) -> String {
    let bytes = text.as_bytes();
    let Some(last) = byte_offset(bytes, line, column) else { return String::new() };
    let mut stack: Vec<Frame> = Vec::new();
    let mut i = 0;
    while i <= last.min(bytes.len().saturating_sub(1)) {
        match bytes[i] {
            b'"' => {
                let close = string_end(bytes, i);
                // A string read where a key belongs is the key of the member that follows.
                if let Some(Frame::Object(key)) = stack.last_mut() {
                    if awaits_key(bytes, i) {
                        *key = Some(unescape(&text[i + 1..close.min(bytes.len())]));
                    }
                }
                i = close;
            }
            b'{' => stack.push(Frame::Object(None)),
            b'[' => stack.push(Frame::Array(0)),
            b'}' | b']' => {
                stack.pop();
            }
            b',' => {
                if let Some(Frame::Array(n)) = stack.last_mut() {
                    *n += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    let mut path = String::new();
    for frame in &stack {
        match frame {
            Frame::Object(Some(key)) => {
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
            }
            Frame::Object(None) => {}
            Frame::Array(n) => path.push_str(&format!("[{n}]")),
        }
    }
    path
}

/// The byte offset of the last byte read at (`line`, `column`), or `None` before the text.
fn byte_offset(bytes: &[u8], line: usize, column: usize) -> Option<usize> {
    let mut start = 0;
    for _ in 1..line.max(1) {
        start += bytes[start..].iter().position(|&b| b == b'\n')? + 1;
    }
    (start + column).checked_sub(1)
}

/// The index of the quote that closes the string opening at `open` (or the text's end).
fn string_end(bytes: &[u8], open: usize) -> usize {
    let mut j = open + 1;
    while j < bytes.len() {
        match bytes[j] {
            b'\\' => j += 2,
            b'"' => return j,
            _ => j += 1,
        }
    }
    bytes.len()
}

/// Whether the string opening at `open` is a key: the last byte before it (spaces aside) is
/// the `{` or `,` of an object.
fn awaits_key(bytes: &[u8], open: usize) -> bool {
    matches!(bytes[..open].iter().rev().find(|b| !b.is_ascii_whitespace()), Some(b'{' | b','))
}

/// A key as written, with JSON's escapes read (`\"` → `"`); an escape that does not read is
/// kept as written.
fn unescape(raw: &str) -> String {
    if !raw.contains('\\') {
        return raw.to_string();
    }
    serde_json::from_str::<String>(&format!("\"{raw}\"")).unwrap_or_else(|_| raw.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Point {
        x: f64,
        y: f64,
    }
    #[derive(Deserialize, Debug)]
    #[allow(dead_code)]
    struct Shape {
        name: String,
        points: Vec<Point>,
    }

    fn err(text: &str) -> ShapeError {
        decode::<Shape>(text).unwrap_err()
    }

    #[test]
    fn a_wrong_value_is_named_by_its_path() {
        let e = err(r#"{"name":"a","points":[{"x":1,"y":2},{"x":"left","y":2}]}"#);
        assert_eq!(e.path, "points[1].x");
        assert_eq!(e.detail, "invalid type: string \"left\", expected f64");
        // Spread over lines, with spaces.
        let e = err("{\n  \"name\": \"a\",\n  \"points\": [\n    {\"x\": 1, \"y\": true}\n  ]\n}");
        assert_eq!(e.path, "points[0].y");
    }

    #[test]
    fn a_missing_field_names_the_object_it_is_missing_from() {
        assert_eq!(err(r#"{"name":"a","points":[{"x":1,"y":2},{"x":1}]}"#).path, "points[1]");
        let e = err(r#"{"points":[]}"#);
        assert_eq!((e.path.as_str(), e.detail.as_str()), ("", "missing field `name`"));
    }

    #[test]
    fn a_value_of_the_wrong_kind_is_named_whatever_its_kind() {
        assert_eq!(err(r#"{"name":"a","points":"none"}"#).path, "points");
        assert_eq!(err(r#"{"name":"a","points":[7]}"#).path, "points[0]");
        assert_eq!(err(r#"{"name":"a","points":[{"x":1,"y":2},true]}"#).path, "points[1]");
        assert_eq!(err(r#"{"name":"a","points":[{"x":1,"y":2},[1]]}"#).path, "points[1]");
        assert_eq!(err(r#"{"name":{"first":"a"},"points":[]}"#).path, "name");
        assert_eq!(err(r#""hello""#).path, "");
        // A struct may be written as a list of its fields: the first one is a string.
        assert_eq!(err(r#"[1]"#).path, "[0]");
    }

    #[test]
    fn brackets_and_quotes_inside_strings_are_text() {
        let e = err(r#"{"name":"a}]\"[{","points":[{"x":1,"y":"b]}"}]}"#);
        assert_eq!(e.path, "points[0].y");
        #[derive(Deserialize, Debug)]
        #[allow(dead_code)]
        struct Odd {
            #[serde(rename = "we\"ird")]
            weird: u8,
        }
        assert_eq!(decode::<Odd>(r#"{"we\"ird": -1}"#).unwrap_err().path, "we\"ird");
    }

    #[test]
    fn a_parsed_value_is_decoded_through_its_text() {
        let v = serde_json::json!({"name": "a", "points": [{"x": 1, "y": null}]});
        assert_eq!(decode_value::<Shape>(&v).unwrap_err().path, "points[0].y");
        assert!(decode_value::<Shape>(&serde_json::json!({"name": "a", "points": []})).is_ok());
    }

    #[test]
    fn any_text_and_position_gives_a_path_without_panicking() {
        let texts = [
            "{\"é\":[\"\\",
            "{\"a\\\"",
            "]]}}",
            "[\"ü\\\"\",{\"k\":{",
            "\"\\u00e9\":1",
            "{\"a\":[1,[2,{\"b\":\"x\"}]]}\n\n",
        ];
        for text in texts {
            for line in 0..4 {
                for column in 0..=text.len() + 2 {
                    let _ = path_at(text, line, column);
                }
            }
        }
        assert_eq!(path_at(texts[5], 1, 18), "a[1][1].b");
    }

    #[test]
    fn positions_outside_the_text_give_the_whole_text() {
        assert_eq!(path_at("", 0, 0), "");
        assert_eq!(path_at("{}", 9, 1), "");
        assert_eq!(path_at("{\"a\":1}", 1, 99), "");
    }
}
