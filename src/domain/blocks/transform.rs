//! Transform: reshapes text and JSON without a model. A small, fixed set of operations, each
//! a pure function of the input values (no code runs), so the inspector can preview it on
//! the last run's value and the engine finishes it at once.

use std::collections::BTreeMap;

use super::{KindSpec, Port};
use crate::domain::template;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// The input port of every operation but `template` (whose ports are its variables).
pub const TRANSFORM_INPUT_PORT: &str = "value";
/// The port carrying the result.
pub const TRANSFORM_OUTPUT_PORT: &str = "result";

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SplitBy {
    #[default]
    Lines,
    Separator,
    /// The input is a JSON array; each item becomes one entry (strings without quotes).
    JsonArray,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CountWhat {
    #[default]
    Items,
    Words,
    Characters,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum TransformOp {
    /// `{{variables}}` filled from the inputs, as in a Prompt.
    Template {
        template: String,
    },
    /// The JSON field at a dotted path (`customer.name`, `items.0.title`).
    Pick {
        path: String,
    },
    /// Text into a list (a JSON array of strings); blank entries are dropped.
    Split {
        #[serde(default)]
        by: SplitBy,
        #[serde(default, skip_serializing_if = "String::is_empty")]
        separator: String,
    },
    /// A JSON array into text, items joined with `separator` (`\n` means a new line).
    Join {
        #[serde(default)]
        separator: String,
    },
    Count {
        #[serde(default)]
        what: CountWhat,
    },
    Lowercase,
    Uppercase,
    Trim,
}

impl TransformOp {
    /// Operation ids and their names in the inspector.
    pub const KINDS: [(&'static str, &'static str); 8] = [
        ("template", "Fill a template"),
        ("pick", "Pick a JSON field"),
        ("split", "Split into a list"),
        ("join", "Join a list"),
        ("count", "Count"),
        ("lowercase", "Lowercase"),
        ("uppercase", "Uppercase"),
        ("trim", "Trim spaces"),
    ];

    pub fn kind_id(&self) -> &'static str {
        match self {
            TransformOp::Template { .. } => "template",
            TransformOp::Pick { .. } => "pick",
            TransformOp::Split { .. } => "split",
            TransformOp::Join { .. } => "join",
            TransformOp::Count { .. } => "count",
            TransformOp::Lowercase => "lowercase",
            TransformOp::Uppercase => "uppercase",
            TransformOp::Trim => "trim",
        }
    }

    /// A fresh operation of kind `id` (unknown ids give `trim`).
    pub fn of_kind(id: &str) -> TransformOp {
        match id {
            "template" => TransformOp::Template { template: "{{value}}".into() },
            "pick" => TransformOp::Pick { path: String::new() },
            "split" => TransformOp::Split { by: SplitBy::Lines, separator: String::new() },
            "join" => TransformOp::Join { separator: ", ".into() },
            "count" => TransformOp::Count { what: CountWhat::Items },
            "lowercase" => TransformOp::Lowercase,
            "uppercase" => TransformOp::Uppercase,
            _ => TransformOp::Trim,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TransformConfig {
    #[serde(flatten)]
    pub op: TransformOp,
}

impl Default for TransformConfig {
    fn default() -> Self {
        TransformConfig { op: TransformOp::Trim }
    }
}

impl KindSpec for TransformConfig {
    const KIND: &'static str = "transform";
    const LABEL: &'static str = "Transform";

    fn input_ports(&self) -> Vec<Port> {
        match &self.op {
            TransformOp::Template { template } => template::variables(template).into_iter().map(Port::text).collect(),
            _ => vec![Port::text(TRANSFORM_INPUT_PORT)],
        }
    }

    fn output_ports(&self) -> Vec<Port> {
        vec![Port::text(TRANSFORM_OUTPUT_PORT)]
    }

    fn problems(&self) -> Vec<String> {
        match &self.op {
            TransformOp::Template { template } => match template::parse(template) {
                Err(e) => vec![format!("The template: {e}")],
                Ok(_) if template.trim().is_empty() => vec!["Write the template.".to_string()],
                Ok(_) => Vec::new(),
            },
            TransformOp::Pick { path } if path.trim().is_empty() => {
                vec!["Name the JSON field to pick, for example \u{201c}customer.name\u{201d}.".to_string()]
            }
            TransformOp::Split { by: SplitBy::Separator, separator } if separator.is_empty() => {
                vec!["Write the separator to split on.".to_string()]
            }
            _ => Vec::new(),
        }
    }
}

impl TransformConfig {
    /// Applies the operation to the input values (by port). `Err` is a sentence for the user.
    pub fn apply(&self, inputs: &BTreeMap<String, String>) -> Result<String, String> {
        let value = || inputs.get(TRANSFORM_INPUT_PORT).map_or("", String::as_str);
        match &self.op {
            TransformOp::Template { template } => {
                template::render(template, |n| inputs.get(n).map(String::as_str)).map_err(|e| e.to_string())
            }
            TransformOp::Pick { path } => pick(value(), path),
            TransformOp::Split { by, separator } => split(value(), *by, separator),
            TransformOp::Join { separator } => join(value(), separator),
            TransformOp::Count { what } => count(value(), *what),
            TransformOp::Lowercase => Ok(value().to_lowercase()),
            TransformOp::Uppercase => Ok(value().to_uppercase()),
            TransformOp::Trim => Ok(value().trim().to_string()),
        }
    }
}

fn parse_json(input: &str) -> Result<Value, String> {
    serde_json::from_str(strip_fence(input)).map_err(|_| {
        "The input is not JSON, so there is no field to pick. Ask the block before it for JSON.".to_string()
    })
}

/// Models often wrap JSON in a ```json fence; the fence is not part of the value.
fn strip_fence(input: &str) -> &str {
    let t = input.trim();
    let Some(inner) = t.strip_prefix("```") else {
        return t;
    };
    let inner = inner.strip_prefix("json").unwrap_or(inner);
    inner.strip_suffix("```").unwrap_or(inner).trim()
}

/// JSON text for a value; a string comes out without quotes.
fn as_text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => serde_json::to_string_pretty(other).unwrap_or_default(),
    }
}

fn pick(input: &str, path: &str) -> Result<String, String> {
    let json = parse_json(input)?;
    crate::domain::util::json_path::json_at(&json, path)
        .map(as_text)
        .ok_or_else(|| format!("The input has no field \u{201c}{}\u{201d}.", path.trim()))
}

/// A list's items as text: a JSON array's entries.
fn list_items(input: &str) -> Result<Vec<String>, String> {
    match serde_json::from_str::<Value>(strip_fence(input)) {
        Ok(Value::Array(items)) => Ok(items.iter().map(as_text).collect()),
        Ok(_) => Err("The input is JSON but not a list (a JSON array like [\"a\", \"b\"]).".to_string()),
        Err(_) => Err("The input is not a list: expected a JSON array like [\"a\", \"b\"]. \
                       Split it into a list first."
            .to_string()),
    }
}

fn split(input: &str, by: SplitBy, separator: &str) -> Result<String, String> {
    let items: Vec<String> = match by {
        SplitBy::Lines => input.lines().map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect(),
        SplitBy::Separator => {
            if separator.is_empty() {
                return Err("Write the separator to split on.".to_string());
            }
            let sep = unescape(separator);
            input.split(sep.as_str()).map(str::trim).filter(|s| !s.is_empty()).map(String::from).collect()
        }
        SplitBy::JsonArray => list_items(input)?,
    };
    serde_json::to_string(&items).map_err(|e| e.to_string())
}

fn join(input: &str, separator: &str) -> Result<String, String> {
    Ok(list_items(input)?.join(&unescape(separator)))
}

/// `\n` and `\t` as typed in a one-line field mean a new line and a tab.
fn unescape(s: &str) -> String {
    s.replace("\\n", "\n").replace("\\t", "\t")
}

fn count(input: &str, what: CountWhat) -> Result<String, String> {
    let n = match what {
        CountWhat::Items => list_items(input)?.len(),
        CountWhat::Words => input.split_whitespace().count(),
        CountWhat::Characters => input.chars().count(),
    };
    Ok(n.to_string())
}
