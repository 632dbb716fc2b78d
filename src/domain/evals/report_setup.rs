//! What an eval ran, for the report a PM sends on: the flow's name, each variant's prompts,
//! models and parameters, and what every check asks for. Without it a report's numbers
//! cannot be reproduced or judged.

use super::checks::{Check, CheckKind};
use super::run::Variant;
use crate::domain::blocks::BlockConfig;
use crate::domain::flow::Flow;
use crate::domain::json_schema::OutputFormat;

/// One Prompt block as a variant runs it.
#[derive(Debug, Clone, PartialEq)]
pub struct PromptSetup {
    pub block: String,
    pub provider: String,
    pub model: String,
    /// "temperature 0.2 · max 400 tokens · JSON", or "defaults".
    pub parameters: String,
    pub system: String,
    pub user: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct VariantSetup {
    pub name: String,
    /// What the variant changes, in words ("model gpt-4o-mini on Draft reply").
    pub changes: String,
    pub prompts: Vec<PromptSetup>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct ReportSetup {
    pub flow: String,
    pub variants: Vec<VariantSetup>,
    /// (name, what it checks).
    pub checks: Vec<(String, String)>,
    /// How the run differed from a run in the editor ("Approval blocks were approved
    /// automatically.").
    pub notes: Vec<String>,
}

/// Said in the report of an eval over a flow with Approval blocks (nobody is there to decide).
pub const AUTO_APPROVED_NOTE: &str = "Approval blocks were approved automatically.";

/// The setup of an eval over `flow` with `variants` (the first being the flow as it is).
pub fn report_setup(flow: &Flow, variants: &[Variant], checks: &[Check]) -> ReportSetup {
    let variants = variants
        .iter()
        .map(|v| {
            let mut f = flow.clone();
            v.apply(&mut f);
            VariantSetup { name: v.name.clone(), changes: describe_changes(v, flow), prompts: prompts(&f) }
        })
        .collect();
    ReportSetup {
        flow: flow.meta.title.clone(),
        variants,
        checks: checks.iter().map(|c| (c.name.clone(), describe_check(&c.kind))).collect(),
        notes: flow
            .blocks
            .iter()
            .any(|b| matches!(b.config, BlockConfig::Approval(_)))
            .then(|| AUTO_APPROVED_NOTE.to_string())
            .into_iter()
            .collect(),
    }
}

fn prompts(flow: &Flow) -> Vec<PromptSetup> {
    flow.blocks
        .iter()
        .filter_map(|b| match &b.config {
            BlockConfig::Prompt(p) => {
                let mut params = Vec::new();
                if let Some(t) = p.temperature {
                    params.push(format!("temperature {t}"));
                }
                if let Some(m) = p.max_tokens {
                    params.push(format!("at most {m} tokens"));
                }
                params.push(
                    match p.output_format {
                        OutputFormat::Text => "text answer",
                        OutputFormat::Json => "JSON answer",
                        OutputFormat::JsonSchema { .. } => "JSON answer matching a schema",
                    }
                    .to_string(),
                );
                Some(PromptSetup {
                    block: b.title.clone(),
                    provider: p.provider.clone(),
                    model: p.model.clone(),
                    parameters: params.join(" \u{b7} "),
                    system: p.system.clone(),
                    user: p.user.clone(),
                })
            }
            _ => None,
        })
        .collect()
}

fn describe_changes(v: &Variant, flow: &Flow) -> String {
    let target = match &v.block {
        Some(id) => flow
            .blocks
            .iter()
            .find(|b| b.id.as_str() == id)
            .map_or_else(|| format!("block {id}"), |b| format!("\u{201c}{}\u{201d}", b.title)),
        None => "every Prompt block".to_string(),
    };
    let mut parts = Vec::new();
    if let Some(p) = &v.provider {
        parts.push(format!("provider {p}"));
    }
    if let Some(m) = &v.model {
        parts.push(format!("model {m}"));
    }
    if let Some(t) = v.temperature {
        parts.push(format!("temperature {t}"));
    }
    if v.system.is_some() {
        parts.push("its own system prompt".to_string());
    }
    if v.user.is_some() {
        parts.push("its own user prompt".to_string());
    }
    if parts.is_empty() {
        "the flow as it is".to_string()
    } else {
        format!("{} on {target}", parts.join(", "))
    }
}

fn quoted(t: &str) -> String {
    format!("\u{201c}{t}\u{201d}")
}

/// What a check asks for, in words.
pub fn describe_check(kind: &CheckKind) -> String {
    let case = |sensitive: bool| if sensitive { "" } else { " (any case)" };
    match kind {
        CheckKind::Contains { text, case_sensitive } => format!("contains {}{}", quoted(text), case(*case_sensitive)),
        CheckKind::NotContains { text, case_sensitive } => {
            format!("does not contain {}{}", quoted(text), case(*case_sensitive))
        }
        CheckKind::Equals { text } if text.is_empty() => "equals the expected value".to_string(),
        CheckKind::Equals { text } => format!("equals {}", quoted(text)),
        CheckKind::StartsWith { text } => format!("starts with {}", quoted(text)),
        CheckKind::Regex { pattern } => format!("matches the pattern {}", quoted(pattern)),
        CheckKind::Length { min, max } => match (min, max) {
            (Some(a), Some(b)) => format!("{a} to {b} characters long"),
            (Some(a), None) => format!("at least {a} characters long"),
            (None, Some(b)) => format!("at most {b} characters long"),
            (None, None) => "any length".to_string(),
        },
        CheckKind::ValidJson => "is valid JSON".to_string(),
        CheckKind::MatchesSchema { schema } => format!("is JSON matching the schema {schema}"),
        CheckKind::JsonField { path, equals } => format!("JSON field {} equals {}", quoted(path), quoted(equals)),
        CheckKind::NumberRange { path, min, max } => {
            let at = if path.is_empty() {
                "the first number".to_string()
            } else {
                format!("the number at {}", quoted(path))
            };
            let range = match (min, max) {
                (Some(a), Some(b)) => format!("between {a} and {b}"),
                (Some(a), None) => format!("at least {a}"),
                (None, Some(b)) => format!("at most {b}"),
                (None, None) => "any value".to_string(),
            };
            format!("{at} is {range}")
        }
        CheckKind::RouteTaken { block, route } if route.trim().is_empty() || route.trim() == "{{expected}}" => {
            format!("the Router {} took the expected route", quoted(block))
        }
        CheckKind::RouteTaken { block, route } => {
            format!("the Router {} took the route {}", quoted(block), quoted(route))
        }
        CheckKind::Similarity { provider, model, min } => {
            format!("means the same as the expected value (similarity ≥ {min} by {provider} {model})")
        }
        CheckKind::ModelGraded { rubric, provider, model, pass_score } => {
            format!("graded by {provider} {model} against the rubric {}; passes at {pass_score}/5", quoted(rubric))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::examples::starter_flow;

    #[test]
    fn a_variant_shows_its_model_and_prompts() {
        let flow = starter_flow(0);
        let variants = vec![
            Variant::base("As it is"),
            Variant { name: "Cheaper".into(), model: Some("gpt-4o-mini".into()), ..Variant::default() },
        ];
        let checks = vec![Check {
            name: "Polite".into(),
            kind: CheckKind::Contains { text: "thanks".into(), case_sensitive: false },
        }];
        let setup = report_setup(&flow, &variants, &checks);
        assert_eq!(setup.flow, flow.meta.title);
        assert_eq!(setup.variants[0].changes, "the flow as it is");
        assert_eq!(setup.variants[1].changes, "model gpt-4o-mini on every Prompt block");
        assert!(!setup.variants[1].prompts.is_empty());
        assert!(setup.variants[1].prompts.iter().all(|p| p.model == "gpt-4o-mini"));
        assert_eq!(setup.checks[0].1, "contains \u{201c}thanks\u{201d} (any case)");
    }
}
