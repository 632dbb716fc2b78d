//! Guardrail decisions in evals: which route each Router of the flow took for a case, and
//! why, kept with the result; the "Route taken" check compares one Router's route with the
//! route the check (or the case's expected value) names.

use serde::{Deserialize, Serialize};

use super::checks::CheckResult;
use crate::domain::blocks::BlockConfig;
use crate::domain::engine::Engine;
use crate::domain::flow::Flow;

/// One Router's decision in one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RouteTaken {
    /// The Router's block id.
    pub block: String,
    pub title: String,
    pub route: String,
    /// Why: a guardrail's reason, the model's reason, or the note ("No rule matched…").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
}

impl RouteTaken {
    /// "Guardrail: flagged — Personal data found: 1 e-mail address."
    pub fn describe(&self) -> String {
        match &self.reason {
            Some(r) => format!("{}: {} \u{2014} {}", self.title, self.route, r),
            None => format!("{}: {}", self.title, self.route),
        }
    }
}

/// The routes `engine`'s Routers took, in the flow's block order. Routers that did not
/// decide (skipped, failed) are left out.
pub fn routes_taken(flow: &Flow, engine: &Engine) -> Vec<RouteTaken> {
    flow.blocks
        .iter()
        .filter(|b| matches!(b.config, BlockConfig::Router(_)))
        .filter_map(|b| {
            let run = engine.block(&b.id)?;
            let choice = run.route.as_ref().filter(|_| run.status.has_result())?;
            Some(RouteTaken {
                block: b.id.as_str().to_string(),
                title: b.title.clone(),
                route: choice.route.clone(),
                reason: choice.reason.clone().or_else(|| choice.note.clone()),
            })
        })
        .collect()
}

/// The Routers of `flow`: (block id, title, route names with `default` last).
pub fn routers(flow: &Flow) -> Vec<(String, String, Vec<String>)> {
    flow.blocks
        .iter()
        .filter_map(|b| match &b.config {
            BlockConfig::Router(r) => Some((b.id.as_str().to_string(), b.title.clone(), r.route_names())),
            _ => None,
        })
        .collect()
}

/// The "Route taken" check: `block` took `route` (empty or `{{expected}}`: the case's
/// expected value).
pub fn route_check(routes: &[RouteTaken], block: &str, route: &str, expected: Option<&str>) -> CheckResult {
    let wanted = if route.trim().is_empty() || route.trim() == "{{expected}}" {
        match expected {
            Some(e) if !e.trim().is_empty() => e.trim().to_string(),
            _ => {
                return CheckResult::Error {
                    message: "This check uses the case's expected route, and the case has no expected value.".into(),
                }
            }
        }
    } else {
        route.trim().to_string()
    };
    if block.trim().is_empty() {
        return CheckResult::Error { message: "Choose the Router this check looks at.".into() };
    }
    match routes.iter().find(|r| r.block == block) {
        Some(r) if r.route == wanted => CheckResult::Pass { score: None, reason: r.describe() },
        Some(r) => CheckResult::Fail {
            score: None,
            reason: format!(
                "\u{201c}{}\u{201d} sent it to \u{201c}{}\u{201d}, not \u{201c}{wanted}\u{201d}.{}",
                r.title,
                r.route,
                r.reason.as_deref().map(|why| format!(" {why}")).unwrap_or_default()
            ),
        },
        None => CheckResult::Fail {
            score: None,
            reason: "The Router did not decide a route in this run (it was skipped or failed).".into(),
        },
    }
}
