//! The agent loop: a Prompt with tools connected sends the tool definitions, runs the calls
//! the model makes (mock answers at once, HTTP calls through the browser layer), sends the
//! results back and repeats until the model answers without calling a tool, or the step
//! limit stops it.

use std::collections::BTreeMap;

use super::node::{Phase, ToolInFlight};
use super::state::BlockStatus;
use super::{Command, Engine, RequestId};
use crate::domain::blocks::prompt::PROMPT_OUTPUT_PORT;
use crate::domain::blocks::tool::{ToolAction, TOOLS_PORT};
use crate::domain::blocks::ToolConfig;
use crate::domain::flow::BlockId;
use crate::domain::providers::{
    demo_agent_events, ChatMessage, Role, ToolCallMessage, ToolChoice, ToolResultMessage, ToolSpec, SYNTHETIC_ID_PREFIX,
};
use crate::domain::tools::{http_result, prepare_call, Prepared, ToolResult};

use super::events::apply_stream_event;
use super::plan::NodeKind;

/// The sentence an agent shows when its step limit stopped it.
pub fn step_limit_message(steps: u32) -> String {
    format!(
        "Stopped after {steps} model calls: the model was still calling tools. Raise the step limit on this \
         block, or tell the model in the prompt when it has enough to answer."
    )
}

/// The provider-neutral definitions of `tools`; two tools with one name would be ambiguous.
pub(super) fn tool_specs(tools: &[ToolConfig]) -> Result<Vec<ToolSpec>, String> {
    let mut specs: Vec<ToolSpec> = Vec::with_capacity(tools.len());
    for tool in tools {
        if specs.iter().any(|s| s.name == tool.name) {
            return Err(format!(
                "Two connected tools are named \u{201c}{}\u{201d}: the model could not tell them apart. Rename one.",
                tool.name
            ));
        }
        let parameters = tool.parameters_schema().map_err(|e| format!("Tool {}: {e}", tool.name))?;
        specs.push(ToolSpec { name: tool.name.clone(), description: tool.description.clone(), parameters });
    }
    Ok(specs)
}

impl Engine {
    /// The tools connected to a block's `tools` port, in connection order.
    pub(super) fn connected_tools(&self, id: &BlockId) -> Vec<ToolConfig> {
        let Some(node) = self.nodes.get(id) else {
            return Vec::new();
        };
        node.plan
            .inputs
            .iter()
            .filter(|(port, _)| port == TOOLS_PORT)
            .filter_map(|(_, from)| match &self.nodes.get(&from.block)?.plan.kind {
                NodeKind::Tool(cfg) => Some(cfg.clone()),
                _ => None,
            })
            .collect()
    }

    /// A model call of an agent has ended: answer, stop at the step limit, or run the tools.
    pub(super) fn end_agent_step(&mut self, id: &BlockId, now: f64, out: &mut Vec<Command>) {
        let approved = self.config.approved_hosts.clone();
        let timeout = self.config.timeout_ms;
        let Some(node) = self.nodes.get_mut(id) else {
            return;
        };
        node.step_open = false;
        let text = node.run.output.clone().unwrap_or_default();
        let steps = node.run.steps.len();
        let limit = node.run.max_steps.unwrap_or(1);
        let Some(step) = node.run.steps.last_mut() else {
            return;
        };
        step.text = text.clone();
        if step.calls.is_empty() {
            node.run.output = Some(text.clone());
            node.run.outputs = BTreeMap::from([(PROMPT_OUTPUT_PORT.to_string(), text)]);
            node.finish(BlockStatus::Done, None, now);
            return;
        }
        if steps >= usize::try_from(limit).unwrap_or(usize::MAX) {
            node.run.output = Some(text);
            node.finish(BlockStatus::Error, Some(step_limit_message(limit)), now);
            return;
        }
        let mut pending = 0;
        let mut subflows: Vec<(usize, String, String)> = Vec::new();
        for (i, call) in step.calls.iter_mut().enumerate() {
            if call.id.is_empty() {
                call.id = format!("{SYNTHETIC_ID_PREFIX}{steps}_{i}");
            }
            let tool = node.tools.iter().find(|t| t.name == call.name);
            let Some(tool) = tool else {
                let names: Vec<&str> = node.tools.iter().map(|t| t.name.as_str()).collect();
                call.result = Some(ToolResult::error(format!(
                    "There is no tool named \u{201c}{}\u{201d}. The tools are: {}.",
                    call.name,
                    names.join(", ")
                )));
                continue;
            };
            if let ToolAction::SubFlow(sub) = &tool.action {
                subflows.push((i, sub.flow_id.clone(), call.arguments.clone()));
                pending += 1;
                continue;
            }
            match prepare_call(tool, &call.arguments, |host| approved.contains(host)) {
                Prepared::Done(result) => call.result = Some(result),
                Prepared::Http(http) => {
                    let request = self.next_request;
                    self.next_request = self.next_request.saturating_add(1);
                    let json_path = match &tool.action {
                        ToolAction::Http(h) => h.json_path.clone(),
                        ToolAction::Mock(_) | ToolAction::SubFlow(_) => String::new(),
                    };
                    let host = tool.http_host().unwrap_or_default();
                    node.run.trace.push_raw(&format!(
                        "\n--- tool {}: {} {} ---\n",
                        call.name,
                        http.method.as_str(),
                        http.url
                    ));
                    self.tool_requests.insert(
                        request,
                        ToolInFlight { block: id.clone(), call: i, json_path, host, deadline: now + timeout },
                    );
                    out.push(Command::CallTool { request, block: id.clone(), http });
                    pending += 1;
                }
            }
        }
        if pending == 0 {
            self.continue_agent(id, now);
            return;
        }
        node.phase = Phase::Tools;
        for (call, flow_id, arguments) in subflows {
            self.start_subflow(id, call, &flow_id, &arguments, now, out);
        }
    }

    /// Every call of the last step has its result: send them back for the next step.
    fn continue_agent(&mut self, id: &BlockId, now: f64) {
        let halted = self.halt.is_some();
        let Some(node) = self.nodes.get_mut(id) else {
            return;
        };
        let Some(step) = node.run.steps.last() else {
            return;
        };
        let Some(mut chat) = node.run.trace.chat.clone() else {
            return;
        };
        let calls = step
            .calls
            .iter()
            .map(|c| ToolCallMessage {
                id: c.id.clone(),
                name: c.name.clone(),
                arguments: c.arguments.clone(),
                signature: c.signature.clone(),
            })
            .collect();
        let results = step
            .calls
            .iter()
            .map(|c| {
                let result = c.result.clone().unwrap_or_else(|| ToolResult::error("The tool gave no result."));
                ToolResultMessage {
                    call_id: c.id.clone(),
                    name: c.name.clone(),
                    content: result.content,
                    is_error: result.is_error,
                }
            })
            .collect();
        chat.messages.push(ChatMessage {
            role: Role::Assistant,
            text: step.text.clone(),
            parts: Vec::new(),
            tool_calls: calls,
            tool_results: Vec::new(),
        });
        chat.messages.push(ChatMessage {
            role: Role::User,
            text: String::new(),
            parts: Vec::new(),
            tool_calls: Vec::new(),
            tool_results: results,
        });
        // A forced tool choice applies to the first call; forcing it again would loop until
        // the step limit.
        if matches!(chat.tool_choice, ToolChoice::Required | ToolChoice::Tool(_)) {
            chat.tool_choice = ToolChoice::Auto;
        }
        node.run.trace.chat = Some(chat);
        node.run.output = None;
        if halted {
            node.finish(BlockStatus::Stopped, Some(super::schedule::budget_used_up()), now);
        } else {
            node.phase = Phase::Ready { not_before: now };
        }
        self.changed.mark(id);
    }

    /// Records a tool result; the agent continues once its last call is answered.
    fn tool_answered(&mut self, request: RequestId, result: ToolResult, now: f64) {
        let Some(r) = self.tool_requests.remove(&request) else {
            return;
        };
        self.call_answered(&r.block, r.call, result, now);
    }

    /// Records the result of call `call` of the block's last step; the agent continues once
    /// nothing is outstanding (HTTP requests or sub-flows).
    pub(super) fn call_answered(&mut self, block: &BlockId, call: usize, result: ToolResult, now: f64) {
        let Some(node) = self.nodes.get_mut(block) else {
            return;
        };
        let label = if result.is_error { "error" } else { "ok" };
        node.run.trace.push_raw(&format!("\n--- tool result ({label}) ---\n{}\n", result.content));
        if let Some(c) = node.run.steps.last_mut().and_then(|s| s.calls.get_mut(call)) {
            c.result = Some(result);
        }
        self.changed.mark(block);
        let waiting =
            self.tool_requests.values().any(|t| &t.block == block) || self.children.values().any(|c| &c.block == block);
        let in_tools = matches!(self.nodes.get(block).map(|n| n.phase), Some(Phase::Tools));
        if !waiting && in_tools {
            self.continue_agent(block, now);
        }
    }

    pub(super) fn on_tool_response(&mut self, request: RequestId, status: u16, body: &str, now: f64) {
        let Some(json_path) = self.tool_requests.get(&request).map(|r| r.json_path.clone()) else {
            return;
        };
        self.tool_answered(request, http_result(status, body, &json_path), now);
    }

    pub(super) fn on_tool_failed(&mut self, request: RequestId, message: &str, now: f64) {
        let Some(host) = self.tool_requests.get(&request).map(|r| r.host.clone()) else {
            return;
        };
        let result = ToolResult::error(format!(
            "The request to {host} failed: {}. Is the server running, and does it allow requests from this page (CORS)?",
            message.trim().trim_end_matches('.')
        ));
        self.tool_answered(request, result, now);
    }

    /// The demo provider answers an agent's step at once: it calls the first tool, then
    /// describes the result.
    pub(super) fn demo_agent_step(&mut self, id: &BlockId, now: f64, out: &mut Vec<Command>) {
        let Some(node) = self.nodes.get_mut(id) else {
            return;
        };
        let Some(chat) = node.run.trace.chat.clone() else {
            return;
        };
        node.open_step();
        node.run.status = BlockStatus::Running;
        node.run.sent_ms.get_or_insert(now);
        node.run.attempts = node.run.attempts.max(1);
        node.run.cost_usd = Some(0.0);
        let rules = match &node.plan.kind {
            super::plan::NodeKind::Prompt(cfg) => cfg.sample_answers.clone(),
            _ => Vec::new(),
        };
        node.run.sample = true;
        let first_user = chat.messages.iter().find(|m| m.role == Role::User).map_or("", |m| m.text.as_str());
        node.run.sample_rule = crate::domain::sample::matching_rule(&rules, first_user);
        for event in demo_agent_events(&chat, &rules, &node.sample_values) {
            // The demo never reports errors.
            let _ = apply_stream_event(&mut node.run, event, now);
        }
        self.changed.mark(id);
        self.end_agent_step(id, now, out);
    }
}
