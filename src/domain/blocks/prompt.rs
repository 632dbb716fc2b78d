//! Prompt: one model call. Its input ports are the `{{variables}}` of its templates.

use super::tool::{DEFAULT_MAX_STEPS, TOOLS_PORT};
use super::{KindSpec, Port};
use crate::domain::json_schema::OutputFormat;
use crate::domain::providers::{supports, Param, ProviderKind, Role, ToolChoice};
use crate::domain::sample::{rule_problems, SampleRule};
use crate::domain::template;
use serde::{Deserialize, Serialize};

/// The port carrying the model's answer.
pub const PROMPT_OUTPUT_PORT: &str = "text";

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
    /// Few-shot example turns, sent in order between the system message and the user
    /// message. Each text is a template. Empty in flows that predate file version 3.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub examples: Vec<ExampleTurn>,
    /// Set when the block remembers the conversation in the Chat panel: earlier turns go
    /// before the user message.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub conversation: Option<Memory>,
    /// Sampling and reasoning settings beyond temperature and max tokens.
    #[serde(flatten)]
    pub params: ModelParams,
}

/// One few-shot turn: what a user might say, or how the assistant should answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExampleTurn {
    pub role: Role,
    #[serde(default)]
    pub text: String,
}

/// How much of the conversation a conversational Prompt is sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Memory {
    /// The most recent turns sent (one turn = a user message and the answer to it).
    #[serde(default = "default_memory_turns")]
    pub turns: u32,
}

/// Turns a conversational Prompt remembers unless told otherwise.
pub const DEFAULT_MEMORY_TURNS: u32 = 20;

fn default_memory_turns() -> u32 {
    DEFAULT_MEMORY_TURNS
}

impl Default for Memory {
    fn default() -> Self {
        Memory { turns: DEFAULT_MEMORY_TURNS }
    }
}

/// Model parameters people expect from a playground. Each is sent only to providers that
/// take it (see `providers::supports`); the others get a warning in the inspector.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ModelParams {
    /// Nucleus sampling: 0 to 1.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub top_p: Option<f64>,
    /// The model stops before writing any of these.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub stop: Vec<String>,
    /// Best-effort repeatable sampling.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub seed: Option<u64>,
    /// OpenAI reasoning models: "minimal", "low", "medium" or "high".
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reasoning_effort: Option<String>,
    /// Anthropic extended thinking and Gemini thinking: tokens the model may think with.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub thinking_budget: Option<u32>,
}

/// The reasoning efforts OpenAI accepts.
pub const REASONING_EFFORTS: [&str; 4] = ["minimal", "low", "medium", "high"];
/// Anthropic refuses smaller thinking budgets.
pub const MIN_ANTHROPIC_THINKING: u32 = 1024;

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
            examples: Vec::new(),
            conversation: None,
            params: ModelParams::default(),
        }
    }
}

impl PromptConfig {
    /// Variables of the system template, the example turns, then the user template,
    /// without repeats.
    pub fn variables(&self) -> Vec<String> {
        let mut names = template::variables(&self.system);
        // A set, not `names.contains`: thousands of variables must stay linear.
        let mut seen: std::collections::HashSet<String> = names.iter().cloned().collect();
        let texts = self.examples.iter().map(|e| e.text.as_str()).chain(std::iter::once(self.user.as_str()));
        for text in texts {
            for v in template::variables(text) {
                if seen.insert(v.clone()) {
                    names.push(v);
                }
            }
        }
        names
    }

    /// Settings this block has that its provider does not take: they are kept, not sent.
    pub fn parameter_warnings(&self) -> Vec<String> {
        let Some(kind) = ProviderKind::from_id(&self.provider) else { return Vec::new() };
        if kind == ProviderKind::Demo {
            return Vec::new();
        }
        let p = &self.params;
        let mut out = Vec::new();
        let set = [
            (Param::TopP, p.top_p.is_some(), "Top P"),
            (Param::Stop, !p.stop.is_empty(), "Stop sequences"),
            (Param::Seed, p.seed.is_some(), "Seed"),
            (Param::ReasoningEffort, p.reasoning_effort.is_some(), "Reasoning effort"),
            (Param::ThinkingBudget, p.thinking_budget.is_some(), "Thinking budget"),
        ];
        for (param, is_set, label) in set {
            if is_set && !supports(kind, param) {
                out.push(format!("{label} is not sent: {} does not take it.", kind.label()));
            }
        }
        if kind == ProviderKind::Anthropic && p.thinking_budget.is_some() && self.temperature.is_some() {
            out.push("With a thinking budget Anthropic takes no temperature: it is not sent.".to_string());
        }
        out
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
        for (i, turn) in self.examples.iter().enumerate() {
            if let Err(e) = template::parse(&turn.text) {
                out.push(format!("Example {} template: {e}", i + 1));
            }
        }
        if self.conversation.is_some_and(|m| m.turns == 0 || m.turns > 1000) {
            out.push("Remembered turns: use 1 to 1000.".to_string());
        }
        out.extend(self.params.problems(&self.provider));
        out
    }
}

impl ModelParams {
    /// Values no provider takes.
    fn problems(&self, provider: &str) -> Vec<String> {
        let mut out = Vec::new();
        if let Some(p) = self.top_p {
            if !(0.0..=1.0).contains(&p) || p.is_nan() {
                out.push(format!("Top P {p} is out of range: use 0 to 1."));
            }
        }
        if self.stop.iter().any(|s| s.is_empty()) {
            out.push("A stop sequence is empty: write it or remove it.".to_string());
        }
        if let Some(effort) = &self.reasoning_effort {
            if !REASONING_EFFORTS.contains(&effort.as_str()) {
                out.push(format!(
                    "Reasoning effort \u{201c}{effort}\u{201d} is unknown: use {}.",
                    REASONING_EFFORTS.join(", ")
                ));
            }
        }
        if provider == "anthropic" && self.thinking_budget.is_some_and(|b| b < MIN_ANTHROPIC_THINKING) {
            out.push(format!("Anthropic needs a thinking budget of at least {MIN_ANTHROPIC_THINKING} tokens."));
        }
        out
    }

    pub fn is_empty(&self) -> bool {
        *self == ModelParams::default()
    }
}
