//! Structured output: an answer requested as JSON matching a schema is parsed and checked.
//! A mismatch is an error that names where the model went wrong, with the text kept; when
//! the block allows it, the model is asked once to repair its answer first.

use super::node::Phase;
use super::plan::NodeKind;
use super::state::BlockStatus;
use super::Engine;
use crate::domain::flow::BlockId;
use crate::domain::json_schema::validate;
use crate::domain::json_schema::OutputFormat;
use crate::domain::json_view::try_parse_json;
use crate::domain::providers::{ChatMessage, ProviderKind};

/// How many schema errors the block's message quotes.
const QUOTED_ERRORS: usize = 3;

/// The follow-up that asks the model to fix an answer that broke the schema.
pub fn repair_message(errors: &[String]) -> String {
    format!(
        "Your answer does not match the required JSON Schema:\n- {}\nReply with only the corrected JSON.",
        errors.join("\n- ")
    )
}

/// Problems of `text` against `schema`: not JSON at all, or the schema's errors.
pub fn structured_errors(text: &str, schema: &serde_json::Value) -> Vec<String> {
    match try_parse_json(text) {
        Some(value) => validate(&value, schema),
        None => vec!["The answer is not valid JSON.".to_string()],
    }
}

fn failure_message(errors: &[String], repaired: bool) -> String {
    let shown: Vec<&str> = errors.iter().take(QUOTED_ERRORS).map(String::as_str).collect();
    let more = errors.len().saturating_sub(QUOTED_ERRORS);
    let more = if more > 0 { format!(" (and {more} more)") } else { String::new() };
    let after = if repaired { " even after one repair request" } else { "" };
    format!("The answer does not match the JSON Schema{after}: {}{more}", shown.join(" "))
}

impl Engine {
    /// Checks a finished answer that must match a schema. Returns true when it handled the
    /// block (asked for a repair, or failed it); false lets the caller finish it as Done.
    pub(super) fn check_structured(&mut self, id: &BlockId, now: f64) -> bool {
        let Some(node) = self.nodes.get_mut(id) else {
            return false;
        };
        let NodeKind::Prompt(cfg) = &node.plan.kind else {
            return false;
        };
        // The demo cannot follow a schema and says so in its text.
        if node.provider == Some(ProviderKind::Demo) || node.run.incomplete {
            return false;
        }
        let OutputFormat::JsonSchema { schema } = &cfg.output_format else {
            return false;
        };
        let output = node.run.output.clone().unwrap_or_default();
        let errors = structured_errors(&output, schema);
        if errors.is_empty() {
            return false;
        }
        if cfg.repair_json && !node.run.repaired {
            let Some(mut chat) = node.run.trace.chat.clone() else {
                return false;
            };
            chat.messages.push(ChatMessage::assistant(output));
            chat.messages.push(ChatMessage::user(repair_message(&errors)));
            node.run.trace.chat = Some(chat);
            node.run.schema_errors = errors;
            node.run.repaired = true;
            node.run.output = None;
            node.phase = Phase::Ready { not_before: now };
            return true;
        }
        let repaired = node.run.repaired;
        node.run.output = Some(output);
        node.finish(BlockStatus::Error, Some(failure_message(&errors, repaired)), now);
        node.run.schema_errors = errors;
        true
    }
}
