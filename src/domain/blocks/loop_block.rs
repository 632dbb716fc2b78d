//! Loop ("For each item"): runs a body once per item of a list value and joins the results.
//!
//! The list arrives on the `list` port as text: one item per line, a JSON array, or CSV rows
//! with a header (each row as `column: value` lines or as a JSON object). The body is a
//! Prompt template applied to each item (`{{item}}`, `{{index}}`, plus any other variable,
//! which becomes an input port of the loop) or another flow of the workspace (the item goes
//! into one of its Input values; its Output blocks are the item's result).
//!
//! Splitting lives here, next to the settings that choose it, so the engine, the estimate
//! and the inspector's preview split the same way.

use super::prompt::PromptConfig;
use super::{KindSpec, Port};
use crate::domain::util::csv::{detect_delimiter, parse_rows};
use crate::domain::util::json_error::{decode_value, ShapeError};
use serde::{Deserialize, Serialize};

/// The list to run over.
pub const LIST_PORT: &str = "list";
/// The joined results.
pub const LOOP_OUTPUT_PORT: &str = "results";
/// The variable holding the current item in a prompt body.
pub const ITEM_VAR: &str = "item";
/// The item's position (from 1) in a prompt body.
pub const INDEX_VAR: &str = "index";
/// The most items a loop may be set to run.
pub const MAX_ITEMS_LIMIT: u32 = 1000;
/// The most items run at once.
pub const MAX_CONCURRENCY: u32 = 16;

/// How the list value is cut into items.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SplitMode {
    /// A JSON array when the text is one; CSV when the first line is a header with two or
    /// more columns and every row has as many; lines otherwise.
    #[default]
    Auto,
    Lines,
    JsonArray,
    Csv,
}

impl SplitMode {
    pub const ALL: [SplitMode; 4] = [SplitMode::Auto, SplitMode::Lines, SplitMode::JsonArray, SplitMode::Csv];

    pub fn id(self) -> &'static str {
        match self {
            SplitMode::Auto => "auto",
            SplitMode::Lines => "lines",
            SplitMode::JsonArray => "json_array",
            SplitMode::Csv => "csv",
        }
    }

    pub fn from_id(id: &str) -> Option<SplitMode> {
        SplitMode::ALL.into_iter().find(|m| m.id() == id)
    }

    pub fn label(self) -> &'static str {
        match self {
            SplitMode::Auto => "Automatic",
            SplitMode::Lines => "One item per line",
            SplitMode::JsonArray => "JSON array",
            SplitMode::Csv => "CSV rows (with a header)",
        }
    }
}

/// How a CSV row becomes an item.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CsvRowAs {
    /// `column: value` on one line each: reads well in a prompt.
    #[default]
    Text,
    /// `{"column": "value", …}`.
    Json,
}

/// How the results are put together on the `results` port.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JoinMode {
    /// A JSON array with one entry per item, in order; a failed or unfinished item is `null`,
    /// so positions still match the list.
    #[default]
    JsonArray,
    /// The results one after another, separated by `separator`; failed items are left out.
    Text,
}

/// What runs once per item.
// One per Loop block, never in a hot collection: boxing the prompt would only make every
// match and constructor noisier.
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum LoopBody {
    /// A prompt applied to each item, with a provider and model like a Prompt block.
    Prompt(PromptConfig),
    /// Another flow of the workspace, run once per item.
    Flow {
        /// The workspace id of the flow.
        flow_id: String,
        /// The Input value that receives the item; empty means the flow's first one.
        #[serde(default, skip_serializing_if = "String::is_empty")]
        input: String,
    },
}

/// The fields of [`LoopBody::Flow`] in a file.
#[derive(Deserialize)]
struct FlowBody {
    flow_id: String,
    #[serde(default)]
    input: String,
}

/// Read by hand, not derived: a derived internally tagged enum buffers the body and decodes it
/// with a second copy of `PromptConfig`'s decoder, which was the largest single decoder in the
/// module the app starts with. This reads the body as a JSON value and decodes the variant from
/// its text with the decoders flow files already use. The written form is the derived one.
impl<'de> Deserialize<'de> for LoopBody {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error;
        let value = serde_json::Value::deserialize(d)?;
        // An error inside the body keeps its path within the body (`body.temperature`).
        let inner = |e: ShapeError| {
            D::Error::custom(if e.path.is_empty() { e.detail } else { format!("{}: {}", e.path, e.detail) })
        };
        let Some(tag) = value.get("type") else {
            return Err(if value.is_object() {
                D::Error::missing_field("type")
            } else {
                D::Error::custom("the loop's body is not an object with a \"type\"")
            });
        };
        match tag.as_str() {
            Some("prompt") => decode_value::<PromptConfig>(&value).map(LoopBody::Prompt).map_err(inner),
            Some("flow") => decode_value::<FlowBody>(&value)
                .map(|b| LoopBody::Flow { flow_id: b.flow_id, input: b.input })
                .map_err(inner),
            Some(other) => Err(D::Error::unknown_variant(other, &["prompt", "flow"])),
            None => Err(D::Error::custom(format!("the body's \"type\" is {tag}, not \"prompt\" or \"flow\""))),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct LoopConfig {
    #[serde(default)]
    pub split: SplitMode,
    #[serde(default, skip_serializing_if = "is_default")]
    pub csv_rows: CsvRowAs,
    pub body: LoopBody,
    /// Items run at once (also bounded by the provider limit in Settings).
    #[serde(default = "default_concurrency")]
    pub concurrency: u32,
    /// A longer list is refused with a problem rather than cut.
    #[serde(default = "default_max_items")]
    pub max_items: u32,
    #[serde(default)]
    pub join: JoinMode,
    /// Between results when joining as text.
    #[serde(default = "default_separator")]
    pub separator: String,
}

fn is_default<T: Default + PartialEq>(v: &T) -> bool {
    *v == T::default()
}

fn default_concurrency() -> u32 {
    4
}

fn default_max_items() -> u32 {
    100
}

fn default_separator() -> String {
    "\n".to_string()
}

/// The prompt a new loop starts with.
pub fn default_body_prompt() -> PromptConfig {
    PromptConfig { user: "Summarise in one sentence:\n\n{{item}}".into(), ..PromptConfig::default() }
}

impl Default for LoopConfig {
    fn default() -> Self {
        LoopConfig {
            split: SplitMode::Auto,
            csv_rows: CsvRowAs::Text,
            body: LoopBody::Prompt(default_body_prompt()),
            concurrency: default_concurrency(),
            max_items: default_max_items(),
            join: JoinMode::JsonArray,
            separator: default_separator(),
        }
    }
}

impl LoopConfig {
    /// The inline prompt, when the body is one.
    pub fn prompt(&self) -> Option<&PromptConfig> {
        match &self.body {
            LoopBody::Prompt(p) => Some(p),
            LoopBody::Flow { .. } => None,
        }
    }

    /// Variables of the prompt body that come from the loop's own input ports (every one
    /// but `item` and `index`).
    pub fn extra_variables(&self) -> Vec<String> {
        self.prompt()
            .map(|p| p.variables().into_iter().filter(|v| v != ITEM_VAR && v != INDEX_VAR && v != LIST_PORT).collect())
            .unwrap_or_default()
    }

    /// Cuts `text` into items with this loop's settings.
    pub fn split(&self, text: &str) -> Result<Vec<String>, String> {
        split_items(text, self.split, self.csv_rows)
    }

    /// The list cut into items, refused with a sentence when it is longer than `max_items`.
    pub fn items(&self, text: &str) -> Result<Vec<String>, String> {
        let items = self.split(text)?;
        let max = self.max_items as usize;
        if items.len() > max {
            return Err(format!(
                "The list has {} items; this loop runs at most {max}. Raise \u{201c}Max items\u{201d} \
                 (up to {MAX_ITEMS_LIMIT}) or shorten the list.",
                items.len()
            ));
        }
        Ok(items)
    }

    /// Puts the results together; `None` is an item that failed or did not finish.
    pub fn join_results(&self, results: &[Option<String>]) -> String {
        match self.join {
            JoinMode::JsonArray => {
                let values: Vec<serde_json::Value> = results
                    .iter()
                    .map(|r| match r {
                        // A result that is JSON stays JSON; other text is a string.
                        Some(text) => serde_json::from_str::<serde_json::Value>(text.trim())
                            .ok()
                            .filter(|v| v.is_object() || v.is_array())
                            .unwrap_or_else(|| serde_json::Value::String(text.clone())),
                        None => serde_json::Value::Null,
                    })
                    .collect();
                serde_json::to_string_pretty(&values).unwrap_or_default()
            }
            JoinMode::Text => results.iter().flatten().map(String::as_str).collect::<Vec<_>>().join(&self.separator),
        }
    }
}

/// Cuts a list value into items. See [`SplitMode`].
pub fn split_items(text: &str, mode: SplitMode, csv_rows: CsvRowAs) -> Result<Vec<String>, String> {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    match mode {
        SplitMode::Lines => Ok(lines(text)),
        SplitMode::JsonArray => json_items(text),
        SplitMode::Csv => csv_items(text, csv_rows),
        SplitMode::Auto => {
            let trimmed = text.trim_start();
            if trimmed.starts_with('[') {
                if let Ok(items) = json_items(text) {
                    return Ok(items);
                }
            }
            if looks_like_csv(text) {
                if let Ok(items) = csv_items(text, csv_rows) {
                    return Ok(items);
                }
            }
            Ok(lines(text))
        }
    }
}

/// Non-blank lines, trimmed.
fn lines(text: &str) -> Vec<String> {
    text.lines().map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
}

fn json_items(text: &str) -> Result<Vec<String>, String> {
    let value: serde_json::Value = serde_json::from_str(text.trim())
        .map_err(|e| format!("The list is not a JSON array: {e}. Check the brackets and commas, or split by lines."))?;
    let serde_json::Value::Array(items) = value else {
        return Err("The list is JSON but not an array: put the items in [ … ].".to_string());
    };
    Ok(items
        .into_iter()
        .map(|v| match v {
            serde_json::Value::String(s) => s,
            other => other.to_string(),
        })
        .collect())
}

/// A header of two or more columns, and every row as wide as the header.
fn looks_like_csv(text: &str) -> bool {
    let delimiter = detect_delimiter(text);
    if delimiter == '\u{1f}' {
        return false;
    }
    match parse_rows(text, delimiter) {
        Ok(rows) => {
            rows.len() >= 2 && rows.first().is_some_and(|h| h.len() >= 2 && rows.iter().all(|r| r.len() == h.len()))
        }
        Err(_) => false,
    }
}

fn csv_items(text: &str, csv_rows: CsvRowAs) -> Result<Vec<String>, String> {
    let rows = parse_rows(text, detect_delimiter(text)).map_err(|e| format!("The list is not readable as CSV: {e}"))?;
    let mut rows = rows.into_iter();
    let Some(header) = rows.next() else {
        return Ok(Vec::new());
    };
    let header: Vec<String> = header.iter().map(|h| h.trim().to_string()).collect();
    Ok(rows
        .map(|row| {
            let pairs = header.iter().enumerate().map(|(i, name)| {
                let name = if name.is_empty() { format!("column {}", i + 1) } else { name.clone() };
                (name, row.get(i).cloned().unwrap_or_default())
            });
            match csv_rows {
                CsvRowAs::Text => pairs.map(|(k, v)| format!("{k}: {v}")).collect::<Vec<_>>().join("\n"),
                CsvRowAs::Json => {
                    let map: serde_json::Map<String, serde_json::Value> =
                        pairs.map(|(k, v)| (k, serde_json::Value::String(v))).collect();
                    serde_json::Value::Object(map).to_string()
                }
            }
        })
        .collect())
}

impl KindSpec for LoopConfig {
    const KIND: &'static str = "loop";
    const LABEL: &'static str = "For each item";

    /// The list, then the prompt body's other variables.
    fn input_ports(&self) -> Vec<Port> {
        let mut ports = vec![Port::text(LIST_PORT)];
        ports.extend(self.extra_variables().into_iter().map(Port::text));
        ports
    }

    fn output_ports(&self) -> Vec<Port> {
        vec![Port::text(LOOP_OUTPUT_PORT)]
    }

    fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        match &self.body {
            LoopBody::Prompt(p) => {
                if !p.variables().iter().any(|v| v == ITEM_VAR) {
                    out.push("Put {{item}} in the prompt: it is where each item of the list goes.".to_string());
                }
                // The prompt's own checks (provider, model, templates), without the tools ones.
                out.extend(p.problems());
            }
            LoopBody::Flow { flow_id, .. } => {
                if flow_id.trim().is_empty() {
                    out.push("Choose the flow to run for each item.".to_string());
                }
            }
        }
        if !(1..=MAX_CONCURRENCY).contains(&self.concurrency) {
            out.push(format!("Items at once must be 1 to {MAX_CONCURRENCY}."));
        }
        if !(1..=MAX_ITEMS_LIMIT).contains(&self.max_items) {
            out.push(format!("Max items must be 1 to {MAX_ITEMS_LIMIT}."));
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ports_are_the_list_and_the_other_variables() {
        let mut c = LoopConfig::default();
        if let LoopBody::Prompt(p) = &mut c.body {
            p.user = "In {{tone}} words: {{item}} ({{index}})".into();
        }
        let names: Vec<String> = c.input_ports().into_iter().map(|p| p.name).collect();
        assert_eq!(names, ["list", "tone"]);
        assert!(c.problems().is_empty(), "{:?}", c.problems());
    }

    #[test]
    fn a_prompt_without_item_is_a_problem() {
        let mut c = LoopConfig::default();
        if let LoopBody::Prompt(p) = &mut c.body {
            p.user = "Hello {{name}}".into();
        }
        assert!(c.problems()[0].contains("{{item}}"));
    }

    #[test]
    fn json_round_trip_keeps_the_body() {
        let c = LoopConfig {
            body: LoopBody::Flow { flow_id: "f1".into(), input: "ticket".into() },
            ..LoopConfig::default()
        };
        let json = serde_json::to_value(&c).unwrap_or_default();
        assert_eq!(json["body"]["type"], "flow");
        let back: LoopConfig = serde_json::from_value(json).expect("reads back");
        assert_eq!(back, c);
    }
}
