//! Control flow: Router, Transform and Approval blocks, and the branches they leave untaken.
//!
//! A Router puts its input on one output port (the chosen route) and nothing on the others;
//! an Approval that is rejected puts nothing on its port. A block fed by a port that carries
//! nothing is Skipped with a sentence saying which branch was not taken, and that sentence
//! travels on to the blocks after it (see `schedule::upstream`).

use std::collections::BTreeMap;

use super::node::{Node, Phase};
use super::plan::NodeKind;
use super::state::{ApprovalDecision, ApprovalRun, ApprovalState, BlockStatus};
use super::Engine;
use crate::domain::blocks::approval::{APPROVAL_INPUT_PORT, APPROVAL_OUTPUT_PORT};
use crate::domain::blocks::router::{RouterMode, RuleStep, ROUTER_INPUT_PORT};
use crate::domain::blocks::transform::TRANSFORM_OUTPUT_PORT;
use crate::domain::blocks::{PromptConfig, RouterConfig, TransformConfig};
use crate::domain::flow::BlockId;
use crate::domain::providers::ProviderKind;
use crate::domain::template;

impl Engine {
    /// A Router whose input is ready: rules decide at once; a model is asked otherwise.
    pub(super) fn resolve_router(
        &mut self,
        id: &BlockId,
        cfg: RouterConfig,
        values: &BTreeMap<String, String>,
        now: f64,
    ) {
        let value = values.get(ROUTER_INPUT_PORT).cloned().unwrap_or_default();
        let Some(node) = self.nodes.get_mut(id) else {
            return;
        };
        node.held_value = Some(value.clone());
        match cfg.mode {
            RouterMode::Rules => match cfg.choose_step(&value) {
                RuleStep::Chosen(choice) => {
                    node.run.outputs = BTreeMap::from([(choice.route.clone(), value.clone())]);
                    node.run.output = Some(value);
                    node.run.route = Some(choice);
                    node.finish(BlockStatus::Done, None, now);
                }
                // OpenAI's moderation endpoint decides this rule (see `moderation`).
                RuleStep::NeedsModeration { .. } => self.queue_moderation(id, now),
            },
            RouterMode::Model => {
                let Some(provider) = super::schedule::take_provider(node, &cfg.provider, now) else { return };
                let prompt = router_prompt(&cfg);
                if provider == ProviderKind::Demo {
                    node.sample_values = values.clone();
                }
                match super::build_chat(&prompt, provider, |n| values.get(n).map(String::as_str)) {
                    Ok(chat) => self.queue_call(id, provider, chat, now),
                    Err(e) => node.finish(BlockStatus::Error, Some(e.to_string()), now),
                }
            }
        }
    }

    /// A Transform runs at once; a failed operation is the block's error, in plain words.
    pub(super) fn resolve_transform(
        &mut self,
        id: &BlockId,
        cfg: &TransformConfig,
        values: &BTreeMap<String, String>,
        now: f64,
    ) {
        let Some(node) = self.nodes.get_mut(id) else {
            return;
        };
        match cfg.apply(values) {
            Ok(result) => {
                node.run.outputs = BTreeMap::from([(TRANSFORM_OUTPUT_PORT.to_string(), result.clone())]);
                node.run.output = Some(result);
                node.finish(BlockStatus::Done, None, now);
            }
            Err(e) => node.finish(BlockStatus::Error, Some(e), now),
        }
    }

    /// An Approval holds its value until [`super::Event::Approval`] (or passes it on at once
    /// when the run approves automatically).
    pub(super) fn resolve_approval(&mut self, id: &BlockId, values: &BTreeMap<String, String>, now: f64) {
        let auto = self.config.auto_approve;
        let Some(node) = self.nodes.get_mut(id) else {
            return;
        };
        let value = values.get(APPROVAL_INPUT_PORT).cloned().unwrap_or_default();
        node.run.output = Some(value.clone());
        if auto {
            node.run.approval =
                Some(ApprovalRun { state: ApprovalState::AutoApproved, received: value.clone(), reason: None });
            node.run.outputs = BTreeMap::from([(APPROVAL_OUTPUT_PORT.to_string(), value)]);
            node.finish(BlockStatus::Done, None, now);
            return;
        }
        node.run.approval = Some(ApprovalRun { state: ApprovalState::Waiting, received: value.clone(), reason: None });
        node.held_value = Some(value);
        node.run.status = BlockStatus::Waiting;
        node.phase = Phase::Awaiting;
    }

    /// A person's decision about a waiting Approval block. Anything else is ignored.
    pub(super) fn decide(&mut self, id: &BlockId, decision: ApprovalDecision, now: f64) {
        let Some(node) = self.nodes.get_mut(id) else {
            return;
        };
        if node.phase != Phase::Awaiting {
            return;
        }
        let received = node.held_value.take().unwrap_or_default();
        let (state, passed, reason) = match decision {
            ApprovalDecision::Approve => (ApprovalState::Approved, Some(received.clone()), None),
            ApprovalDecision::Edit { text } if text == received => (ApprovalState::Approved, Some(text), None),
            ApprovalDecision::Edit { text } => (ApprovalState::Edited, Some(text), None),
            ApprovalDecision::Reject { reason } => {
                let reason = reason.trim().to_string();
                (ApprovalState::Rejected, None, (!reason.is_empty()).then_some(reason))
            }
        };
        if state == ApprovalState::Edited {
            // A person wrote this text: it is no longer a sample answer.
            node.run.sample = false;
        }
        node.run.approval = Some(ApprovalRun { state, received, reason });
        match passed {
            Some(text) => {
                node.run.output = Some(text.clone());
                node.run.outputs = BTreeMap::from([(APPROVAL_OUTPUT_PORT.to_string(), text)]);
            }
            None => node.run.outputs.clear(),
        }
        node.finish(BlockStatus::Done, None, now);
        self.changed.mark(id);
    }
}

/// The Prompt a model-mode Router sends: the route list as the system prompt (escaped, so a
/// route description with braces stays text), the input as the user message.
pub(super) fn router_prompt(cfg: &RouterConfig) -> PromptConfig {
    PromptConfig {
        provider: cfg.provider.clone(),
        model: cfg.model.clone(),
        system: template::literal(&cfg.model_system_prompt()),
        user: format!("{{{{{ROUTER_INPUT_PORT}}}}}"),
        ..PromptConfig::default()
    }
}

/// After a model-mode Router's answer (streamed, cached or a sample answer): reads the
/// chosen route and puts the router's input on that port only. Runs before the answer is
/// remembered for the cache, so it must leave `output` (the answer) alone.
pub(super) fn settle_route(node: &mut Node) {
    let NodeKind::Router(cfg) = &node.plan.kind else {
        return;
    };
    if !node.run.status.has_result() {
        return;
    }
    let answer = node.run.output.clone().unwrap_or_default();
    let choice = cfg.parse_model_answer(&answer);
    let value = node.held_value.clone().unwrap_or_default();
    // `output` keeps the model's answer: it is what the cache stores and the trace shows.
    node.run.outputs = BTreeMap::from([(choice.route.clone(), value)]);
    node.run.route = Some(choice);
}

/// Why nothing comes out of `dep`'s `port`, when that is a branch not taken (a route the
/// Router did not choose, a rejected Approval). `None` for every other block.
pub(super) fn not_taken(dep: &Node, port: &str) -> Option<String> {
    if dep.run.outputs.contains_key(port) {
        return None;
    }
    let title = &dep.plan.title;
    match &dep.plan.kind {
        NodeKind::Router(_) => {
            let chosen = dep.run.route.as_ref().map_or("another route", |c| c.route.as_str());
            Some(format!(
                "Skipped: \u{201c}{title}\u{201d} sent the input to \u{201c}{chosen}\u{201d}, not \u{201c}{port}\u{201d}."
            ))
        }
        NodeKind::Approval => Some(match dep.run.approval.as_ref().and_then(|a| a.reason.as_deref()) {
            Some(reason) => format!("Skipped: rejected by the reviewer at \u{201c}{title}\u{201d} ({reason})."),
            None => format!("Skipped: rejected by the reviewer at \u{201c}{title}\u{201d}."),
        }),
        _ => None,
    }
}
