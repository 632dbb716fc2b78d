//! The versioned envelope of everything Chainboard keeps in the browser (lists, suites,
//! runs, settings, …). Writing adds the shape's schema version as a top-level `"v"` field;
//! reading checks it before decoding, so a damaged record or one saved by a newer Chainboard
//! is reported in words instead of silently becoming an empty default (which the next save
//! would then write over).
//!
//! Records written before versions existed have no `"v"`: they are version 0, today's shape,
//! and go through the same migration hook as any older version. Every stored shape is a JSON
//! object, so the field sits beside the shape's own fields (none of them is called `v`).
//!
//! Flow files and knowledge bases carry their own version fields (see `flow_file` and
//! `retrieval::knowledge`); scalar strings (the theme, API keys) have no shape to version.

use serde::de::DeserializeOwned;
use serde::Serialize;
use serde_json::{Map, Value};

/// The field that holds a record's schema version.
pub const VERSION_FIELD: &str = "v";

/// A shape kept in browser storage.
pub trait Stored: Serialize + DeserializeOwned {
    /// The version this build writes and the newest one it reads.
    const CURRENT_VERSION: u64;
    /// What the record is, for messages: "the list of flows", "the test cases", …
    const WHAT: &'static str;

    /// Turns a record saved as version `from` (0 = written before versions existed) into
    /// the current shape. Every version so far has today's shape, so this is the identity;
    /// a shape change bumps `CURRENT_VERSION` and rewrites the value here.
    fn migrate(from: u64, value: Value) -> Result<Value, StoredError> {
        let _ = from;
        Ok(value)
    }
}

/// Why a stored record could not be read, in words a PM understands (`Display`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StoredError {
    /// The text is not JSON at all (cut off, or damaged).
    NotJson { line: usize, column: usize },
    /// Saved by a newer Chainboard than this one.
    Newer { found: u64, supported: u64 },
    /// The version field is there but is not a whole number.
    BadVersion { found: String },
    /// JSON, but not the shape expected (`path` is empty for the whole record).
    WrongShape { path: String, detail: String },
}

impl std::fmt::Display for StoredError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            StoredError::NotJson { line, column } => {
                write!(f, "it is not valid JSON (damaged or cut off at line {line}, column {column})")
            }
            StoredError::Newer { found, supported } => write!(
                f,
                "it was saved by a newer Chainboard (version {found}; this app reads up to version {supported})"
            ),
            StoredError::BadVersion { found } => {
                write!(f, "its version field is {found}, which is not a version number")
            }
            StoredError::WrongShape { path, detail } if path.is_empty() || path == "." => {
                write!(f, "it does not have the expected shape ({detail})")
            }
            StoredError::WrongShape { path, detail } => {
                write!(f, "it does not have the expected shape at {path} ({detail})")
            }
        }
    }
}

impl std::error::Error for StoredError {}

/// The record as stored: its JSON with `"v": T::CURRENT_VERSION` added.
pub fn to_stored<T: Stored>(value: &T) -> String {
    let mut json = serde_json::to_value(value).unwrap_or(Value::Null);
    match &mut json {
        Value::Object(map) => {
            map.insert(VERSION_FIELD.to_string(), Value::from(T::CURRENT_VERSION));
            json.to_string()
        }
        // Not an object (never the case for the stored shapes): wrapped so the version has a place.
        other => {
            let mut map = Map::new();
            map.insert(VERSION_FIELD.to_string(), Value::from(T::CURRENT_VERSION));
            map.insert("value".to_string(), other.take());
            Value::Object(map).to_string()
        }
    }
}

/// Reads a stored record: its version (absent = 0), migrated to the current shape, decoded.
/// Never a default: every failure is an error that says what is wrong.
pub fn from_stored<T: Stored>(text: &str) -> Result<T, StoredError> {
    let mut value: Value =
        serde_json::from_str(text).map_err(|e| StoredError::NotJson { line: e.line(), column: e.column() })?;
    let version = match &mut value {
        Value::Object(map) => match map.remove(VERSION_FIELD) {
            None => 0,
            Some(Value::Number(n)) => n.as_u64().ok_or_else(|| StoredError::BadVersion { found: n.to_string() })?,
            Some(other) => return Err(StoredError::BadVersion { found: other.to_string() }),
        },
        _ => {
            return Err(StoredError::WrongShape {
                path: String::new(),
                detail: format!("expected an object, found {}", kind_of(&value)),
            })
        }
    };
    if version > T::CURRENT_VERSION {
        return Err(StoredError::Newer { found: version, supported: T::CURRENT_VERSION });
    }
    let value = T::migrate(version, value)?;
    crate::domain::util::json_error::decode_value(&value)
        .map_err(|e| StoredError::WrongShape { path: e.path, detail: e.detail })
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "true/false",
        Value::Number(_) => "a number",
        Value::String(_) => "text",
        Value::Array(_) => "a list",
        Value::Object(_) => "an object",
    }
}

/// A short fingerprint of a record's text (FNV-1a, hex), so a backup of the same unreadable
/// text is made once, however often it is loaded.
pub fn fingerprint(text: &str) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    format!("{h:016x}")
}

/// The sentence the app shows when `what` could not be loaded: what happened, that nothing
/// was written over it and where the copy is (`kept_as`), what the app does `instead`, and
/// what to do.
pub fn unreadable_message(what: &str, error: &StoredError, kept_as: Option<&str>, instead: &str) -> String {
    let kept = match kept_as {
        Some(key) => format!("Nothing was lost: the saved text is kept in this browser as \u{201c}{key}\u{201d}."),
        None => "It was not loaded, and Chainboard will not write over it in this tab (there was no room to keep a \
                 copy)."
            .to_string(),
    };
    let todo = match error {
        StoredError::Newer { .. } => " To use it, open Chainboard's latest version.",
        _ => "",
    };
    format!("Chainboard could not load {what}: {error}. {kept} {instead}{todo}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde::Deserialize;

    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    struct Shape {
        name: String,
        #[serde(default)]
        count: u32,
    }

    impl Stored for Shape {
        const CURRENT_VERSION: u64 = 2;
        const WHAT: &'static str = "the shape";
    }

    #[test]
    fn unversioned_records_are_version_zero_and_load() {
        assert_eq!(from_stored::<Shape>(r#"{"name":"a"}"#), Ok(Shape { name: "a".into(), count: 0 }));
    }

    #[test]
    fn the_current_version_round_trips() {
        let s = Shape { name: "a".into(), count: 3 };
        let text = to_stored(&s);
        assert!(text.contains("\"v\":2"), "{text}");
        assert_eq!(from_stored::<Shape>(&text), Ok(s));
    }

    #[test]
    fn every_failure_is_named() {
        let newer = from_stored::<Shape>(r#"{"v":3,"name":"a"}"#).unwrap_err();
        assert_eq!(newer, StoredError::Newer { found: 3, supported: 2 });
        assert!(newer.to_string().contains("newer Chainboard (version 3; this app reads up to version 2)"));
        let broken = from_stored::<Shape>(r#"{"name":"a""#).unwrap_err();
        assert!(matches!(broken, StoredError::NotJson { line: 1, .. }), "{broken:?}");
        assert!(broken.to_string().contains("not valid JSON"));
        let shape = from_stored::<Shape>(r#"{"name":7}"#).unwrap_err();
        assert!(shape.to_string().contains("at name"), "{shape}");
        let missing = from_stored::<Shape>(r#"{"count":1}"#).unwrap_err();
        assert!(missing.to_string().contains("missing field `name`"), "{missing}");
        let list = from_stored::<Shape>("[1]").unwrap_err();
        assert!(list.to_string().contains("expected an object, found a list"), "{list}");
        let bad = from_stored::<Shape>(r#"{"v":"two","name":"a"}"#).unwrap_err();
        assert!(bad.to_string().contains("\"two\""), "{bad}");
        assert!(matches!(from_stored::<Shape>(r#"{"v":-1,"name":"a"}"#), Err(StoredError::BadVersion { .. })));
        assert!(matches!(from_stored::<Shape>(""), Err(StoredError::NotJson { .. })));
    }

    #[test]
    fn the_message_says_what_where_and_what_to_do() {
        let e = StoredError::Newer { found: 9, supported: 1 };
        let m = unreadable_message("the test cases of this flow", &e, Some("k.unreadable-1"), "They start empty.");
        assert!(m.starts_with("Chainboard could not load the test cases of this flow: it was saved by a newer"), "{m}");
        assert!(
            m.contains("\u{201c}k.unreadable-1\u{201d}")
                && m.contains("They start empty. To use it, open Chainboard's latest version."),
            "{m}"
        );
        assert_eq!(fingerprint("a"), fingerprint("a"));
        assert_ne!(fingerprint("a"), fingerprint("b"));
    }
}
