//! Sub-flow tools: a tool call that runs another flow of the workspace, with the call's
//! arguments as that flow's input values and its Output blocks as the result.
//!
//! The sub-flow runs in a child engine. Its commands go out under this engine's request ids
//! (so the browser layer sees one stream of commands), and events for those ids are routed
//! back to the child.

use std::collections::BTreeMap;

use super::{Command, Engine, EngineConfig, Event, RunCache, RunScope};
use crate::domain::blocks::BlockConfig;
use crate::domain::flow::{BlockId, Flow};
use crate::domain::tools::{parse_arguments, ToolResult};

/// Sub-flows may call sub-flows, this deep; a flow that calls itself stops here.
pub const MAX_SUBFLOW_DEPTH: u32 = 3;

pub(super) struct Child {
    pub(super) engine: Box<Engine>,
    /// The agent block and the call this sub-flow answers.
    pub(super) block: BlockId,
    pub(super) call: usize,
    pub(super) title: String,
    /// For a Loop block's item: which one (the child answers that item, not a tool call).
    pub(super) item: Option<usize>,
}

/// `flow` with the Input values named like arguments set to the arguments' values.
fn with_arguments(mut flow: Flow, arguments: &str) -> Result<Flow, String> {
    let args = parse_arguments(arguments)?;
    for block in &mut flow.blocks {
        if let BlockConfig::Input(input) = &mut block.config {
            for v in &mut input.values {
                if let Some(a) = args.get(&v.name) {
                    v.value = match a {
                        serde_json::Value::String(s) => s.clone(),
                        other => other.to_string(),
                    };
                }
            }
        }
    }
    Ok(flow)
}

/// The sub-flow's answer: its Output blocks (one: the text; several: an object by title).
pub(super) fn result_of(flow: &Flow, engine: &Engine) -> ToolResult {
    let mut outputs: Vec<(String, String)> = Vec::new();
    let mut failures: Vec<String> = Vec::new();
    for block in &flow.blocks {
        let Some(run) = engine.block(&block.id) else { continue };
        if let Some(error) = &run.error {
            if !run.status.has_result() && !matches!(block.config, BlockConfig::Note(_)) {
                failures.push(format!("{}: {error}", block.display_name()));
            }
        }
        if matches!(block.config, BlockConfig::Output(_)) && run.status.has_result() {
            outputs.push((block.display_name(), run.output.clone().unwrap_or_default()));
        }
    }
    if let Some(first) = failures.first() {
        return ToolResult::error(format!("The flow failed. {first}"));
    }
    match outputs.as_slice() {
        [] => ToolResult::error("The flow has no Output block, so it returned nothing."),
        [(_, only)] => ToolResult::ok(only.clone()),
        many => {
            let map: serde_json::Map<String, serde_json::Value> =
                many.iter().map(|(k, v)| (k.clone(), serde_json::Value::String(v.clone()))).collect();
            ToolResult::ok(serde_json::Value::Object(map).to_string())
        }
    }
}

impl Engine {
    pub(super) fn start_subflow(
        &mut self,
        block: &BlockId,
        call: usize,
        flow_id: &str,
        arguments: &str,
        now: f64,
        out: &mut Vec<Command>,
    ) {
        let fail = |e: String| ToolResult::error(e);
        let result = if self.config.depth + 1 >= MAX_SUBFLOW_DEPTH {
            Err(fail(format!("Sub-flows can be nested {MAX_SUBFLOW_DEPTH} deep at most (does a flow call itself?).")))
        } else {
            match self.config.subflows.get(flow_id) {
                None => {
                    Err(fail("The flow this tool runs is not in this workspace any more. Choose another one.".into()))
                }
                Some(flow) => with_arguments(flow.clone(), arguments).map_err(fail).and_then(|flow| {
                    let config = EngineConfig {
                        depth: self.config.depth + 1,
                        use_cache: false,
                        auto_approve: true,
                        ..self.config.clone()
                    };
                    Engine::start(&flow, RunScope::All, &RunCache::new(), config, now)
                        .map(|engine| (flow, engine))
                        .map_err(|e| fail(format!("The flow cannot run: {e}")))
                }),
            }
        };
        let (flow, engine) = match result {
            Ok(pair) => pair,
            Err(result) => {
                self.call_answered(block, call, result, now);
                return;
            }
        };
        let title = flow.meta.title.clone();
        if let Some(node) = self.nodes.get_mut(block) {
            node.run.trace.push_raw(&format!("\n--- tool runs the flow \u{201c}{title}\u{201d} ---\n"));
        }
        let child = Child { engine: Box::new(engine), block: block.clone(), call, title, item: None };
        self.launch_child(child, flow, now, out);
    }

    /// Starts a child engine: its first commands go out under our ids. A child that finishes
    /// at once (sample answers) is finished here.
    pub(super) fn launch_child(&mut self, child: Child, flow: Flow, now: f64, out: &mut Vec<Command>) {
        let key = self.next_request;
        self.next_request = self.next_request.saturating_add(1);
        self.children.insert(key, child);
        self.subflow_flows.insert(key, flow);
        let commands = self.children.get_mut(&key).map(|c| c.engine.poll(now)).unwrap_or_default();
        self.adopt(key, commands, now, out);
    }

    /// Turns a child's commands into ours; finishes the child when it is done.
    fn adopt(&mut self, key: u64, commands: Vec<Command>, now: f64, out: &mut Vec<Command>) {
        let block = self.children.get(&key).map(|c| c.block.clone());
        self.routes.adopt(key, commands, block.as_ref(), &mut self.next_request, out);
        let finished = self.children.get(&key).is_some_and(|c| c.engine.is_finished());
        if finished {
            self.finish_child(key, now);
        }
    }

    fn finish_child(&mut self, key: u64, now: f64) {
        let Some(child) = self.children.remove(&key) else { return };
        let flow = self.subflow_flows.remove(&key).unwrap_or_default();
        self.routes.forget(key);
        self.spent_usd += child.engine.spent_usd();
        self.calls += child.engine.summary().calls;
        self.cost_unknown |= child.engine.cost_unknown;
        if let Some(item) = child.item {
            self.loop_item_finished(&child.block, item, &flow, *child.engine);
            return;
        }
        let result = result_of(&flow, &child.engine);
        if let Some(node) = self.nodes.get_mut(&child.block) {
            node.run.trace.push_raw(&format!("--- the flow \u{201c}{}\u{201d} finished ---\n", child.title));
        }
        self.call_answered(&child.block, child.call, result, now);
    }

    /// An event for a request a sub-flow made.
    pub(super) fn route_event(&mut self, event: Event, now: f64, out: &mut Vec<Command>) {
        let Some((key, child_request)) = self.routes.target(event.request()) else { return };
        let commands = match self.children.get_mut(&key) {
            Some(child) => child.engine.on_event(event.with_request(child_request), now),
            None => return,
        };
        self.adopt(key, commands, now, out);
    }

    pub(super) fn poll_children(&mut self, now: f64, out: &mut Vec<Command>) {
        let keys: Vec<u64> = self.children.keys().copied().collect();
        for key in keys {
            let commands = self.children.get_mut(&key).map(|c| c.engine.poll(now)).unwrap_or_default();
            self.adopt(key, commands, now, out);
        }
    }

    pub(super) fn stop_children(&mut self, now: f64, out: &mut Vec<Command>) {
        let keys: Vec<u64> = self.children.keys().copied().collect();
        for key in keys {
            let commands = self.children.get_mut(&key).map(|c| c.engine.stop(now)).unwrap_or_default();
            // What the stopped child spent (its calls in flight are settled by its stop).
            self.spent_usd += self.children.get(&key).map_or(0.0, |c| c.engine.spent_usd());
            for c in commands {
                if let Command::Cancel { request } = c {
                    if let Some(ours) = self.routes.ours(key, request) {
                        out.push(Command::Cancel { request: ours });
                    }
                }
            }
            self.children.remove(&key);
            self.subflow_flows.remove(&key);
        }
        self.routes.clear();
    }
}

/// Sub-flow flows by child key (kept apart from `Child` so results can name blocks).
pub(super) type SubflowFlows = BTreeMap<u64, Flow>;
