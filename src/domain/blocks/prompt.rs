//! Prompt: one model call. Its input ports are the `{{variables}}` of its templates.

use super::tool::{DEFAULT_MAX_STEPS, TOOLS_PORT};
use super::{KindSpec, Port};
use crate::domain::providers::{ProviderKind, ToolChoice};
use crate::domain::sample::{rule_problems, SampleRule};
use crate::domain::template;
use serde::{Deserialize, Serialize};

/// The port carrying the model's answer.
pub const PROMPT_OUTPUT_PORT: &str = "text";

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

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PromptConfig {
    pub provider: String,
    #[serde(default)]
    pub model: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub temperature: Option<f64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub max_tokens: Option<u32>,
    #[serde(default)]
    pub system: String,
    #[serde(default)]
    pub user: String,
    #[serde(default, skip_serializing_if = "is_text")]
    pub output_format: OutputFormat,
    /// With a JSON Schema format: when the answer does not match, ask the model once to fix it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub repair_json: bool,
    /// With tools connected: whether and which tool the model must call.
    #[serde(default, skip_serializing_if = "ToolChoice::is_auto")]
    pub tool_choice: ToolChoice,
    /// With tools connected: model calls allowed before the agent is stopped.
    #[serde(default = "default_max_steps", skip_serializing_if = "is_default_max_steps")]
    pub max_steps: u32,
    /// Sample answers (the no-key provider `demo`): the first rule that matches the rendered
    /// user message answers. Kept when another provider is chosen.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub sample_answers: Vec<SampleRule>,
}

fn is_text(f: &OutputFormat) -> bool {
    *f == OutputFormat::Text
}

fn default_max_steps() -> u32 {
    DEFAULT_MAX_STEPS
}

fn is_default_max_steps(n: &u32) -> bool {
    *n == DEFAULT_MAX_STEPS
}

impl Default for PromptConfig {
    fn default() -> Self {
        PromptConfig {
            provider: "openai".into(),
            model: "gpt-4o-mini".into(),
            temperature: None,
            max_tokens: None,
            system: String::new(),
            user: "{{text}}".into(),
            output_format: OutputFormat::Text,
            repair_json: false,
            tool_choice: ToolChoice::Auto,
            max_steps: DEFAULT_MAX_STEPS,
            sample_answers: Vec::new(),
        }
    }
}

impl PromptConfig {
    /// Variables of the system template, then of the user template, without repeats.
    pub fn variables(&self) -> Vec<String> {
        let mut names = template::variables(&self.system);
        // A set, not `names.contains`: thousands of variables must stay linear.
        let mut seen: std::collections::HashSet<String> = names.iter().cloned().collect();
        for v in template::variables(&self.user) {
            if seen.insert(v.clone()) {
                names.push(v);
            }
        }
        names
    }
}

impl KindSpec for PromptConfig {
    const KIND: &'static str = "prompt";
    const LABEL: &'static str = "Prompt";

    /// The template variables, then the `tools` port (a variable with that name would
    /// clash, and is reported as a problem).
    fn input_ports(&self) -> Vec<Port> {
        let mut ports: Vec<Port> = self.variables().into_iter().filter(|v| v != TOOLS_PORT).map(Port::text).collect();
        ports.push(Port::tool(TOOLS_PORT));
        ports
    }

    fn output_ports(&self) -> Vec<Port> {
        vec![Port::text(PROMPT_OUTPUT_PORT)]
    }

    fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        // The provider is kept as a string in the config so a flow naming a provider from a
        // newer version still opens; it is flagged here instead.
        if ProviderKind::from_id(&self.provider).is_none() {
            let known: Vec<&str> = ProviderKind::ALL.iter().map(|k| k.id()).collect();
            out.push(format!(
                "Unknown provider \u{201c}{}\u{201d}. Choose one of: {}.",
                self.provider,
                known.join(", ")
            ));
        }
        if self.model.trim().is_empty() && self.provider != "demo" {
            out.push("Choose a model.".to_string());
        }
        if self.user.trim().is_empty() {
            out.push("Write the user message: it is what the model is asked.".to_string());
        }
        if let Some(t) = self.temperature {
            if !(0.0..=2.0).contains(&t) || t.is_nan() {
                out.push(format!("Temperature {t} is out of range: use 0 to 2."));
            }
        }
        if self.variables().iter().any(|v| v == TOOLS_PORT) {
            out.push(format!(
                "{{{{{TOOLS_PORT}}}}} is the name of the tools port: rename the variable (for example {{{{tool_list}}}})."
            ));
        }
        if self.max_steps == 0 || self.max_steps > 50 {
            out.push(format!("Step limit {}: use 1 to 50.", self.max_steps));
        }
        if self.max_tokens == Some(0) {
            out.push("Max tokens must be at least 1.".to_string());
        }
        if self.provider == "demo" {
            out.extend(rule_problems(&self.sample_answers));
        }
        for (label, text) in [("System", &self.system), ("User", &self.user)] {
            if let Err(e) = template::parse(text) {
                out.push(format!("{label} template: {e}"));
            }
        }
        out
    }
}
