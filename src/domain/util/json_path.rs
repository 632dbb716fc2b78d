//! Reading a value at a dotted path inside JSON (`a.b.0.c`, an optional leading `$.`), as tool
//! results, Router and Transform rules and eval checks do.

use serde_json::Value;

/// Follows `a.b.0.c` (an optional leading `$.` is allowed) into a JSON value.
pub fn json_at<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    let path = path.trim().trim_start_matches('$').trim_start_matches('.');
    let mut current = value;
    for key in path.split('.').filter(|k| !k.is_empty()) {
        current = match current {
            Value::Object(map) => map.get(key)?,
            Value::Array(items) => items.get(key.parse::<usize>().ok()?)?,
            _ => return None,
        };
    }
    Some(current)
}
