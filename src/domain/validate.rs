//! Validation: everything wrong with a flow, as messages a person can act on.

use crate::domain::flow::{BlockId, EdgeId, Flow};
use crate::domain::graph;
use std::collections::HashSet;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Severity {
    /// The flow cannot run until this is fixed.
    Error,
    /// The flow runs, but probably not as meant.
    Warning,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Problem {
    pub severity: Severity,
    pub block: Option<BlockId>,
    pub edge: Option<EdgeId>,
    pub message: String,
}

impl Problem {
    fn error(block: Option<&BlockId>, message: String) -> Self {
        Problem { severity: Severity::Error, block: block.cloned(), edge: None, message }
    }
}

pub fn validate(flow: &Flow) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut ids = HashSet::new();
    for b in &flow.blocks {
        if !ids.insert(&b.id) {
            out.push(Problem::error(
                Some(&b.id),
                format!("Two blocks share the id \u{201c}{}\u{201d}: every block needs its own id.", b.id),
            ));
        }
    }
    let mut edge_ids = HashSet::new();
    for e in &flow.edges {
        if !edge_ids.insert(&e.id) {
            out.push(Problem {
                severity: Severity::Error,
                block: None,
                edge: Some(e.id.clone()),
                message: format!("Two connections share the id \u{201c}{}\u{201d}.", e.id.0),
            });
        }
        check_edge(flow, e, &mut out);
    }
    for b in &flow.blocks {
        let name = b.display_name();
        for p in b.config.problems() {
            out.push(Problem::error(Some(&b.id), format!("{name}: {p}")));
        }
        for port in b.input_ports() {
            let connected = flow.edges.iter().any(|e| e.to.block == b.id && e.to.port == port.name);
            if !connected {
                out.push(Problem::error(
                    Some(&b.id),
                    format!(
                        "{name} uses {{{{{}}}}} but nothing is connected to it. \
                         Connect an output to the \u{201c}{}\u{201d} port.",
                        port.name, port.name
                    ),
                ));
            }
        }
    }
    if let Err(cycle) = graph::topological_order(flow) {
        let mut names: Vec<String> =
            cycle.iter().map(|id| flow.block(id).map_or_else(|| id.0.clone(), |b| b.display_name())).collect();
        if let Some(first) = names.first().cloned() {
            names.push(first);
        }
        out.push(Problem::error(
            cycle.first(),
            format!(
                "These blocks form a loop: {}. Remove one of these connections so data flows one way.",
                names.join(" \u{2192} ")
            ),
        ));
    }
    out
}

fn check_edge(flow: &Flow, e: &crate::domain::flow::Edge, out: &mut Vec<Problem>) {
    let mut problem = |block: Option<&BlockId>, message: String| {
        out.push(Problem { severity: Severity::Error, block: block.cloned(), edge: Some(e.id.clone()), message })
    };
    let from = flow.block(&e.from.block);
    let to = flow.block(&e.to.block);
    match (from, to) {
        (None, _) => problem(
            None,
            format!("Connection {} starts at block \u{201c}{}\u{201d}, which does not exist.", e.id.0, e.from.block),
        ),
        (_, None) => problem(
            None,
            format!("Connection {} ends at block \u{201c}{}\u{201d}, which does not exist.", e.id.0, e.to.block),
        ),
        (Some(f), Some(t)) => {
            if f.config.output_port(&e.from.port).is_none() {
                problem(
                    Some(&f.id),
                    format!(
                        "A connection leaves {} from \u{201c}{}\u{201d}, which is not one of its outputs. Delete it or reconnect it.",
                        f.display_name(),
                        e.from.port
                    ),
                );
            }
            if t.config.input_port(&e.to.port).is_none() {
                problem(
                    Some(&t.id),
                    format!(
                        "A connection goes into {} at \u{201c}{}\u{201d}, which is not one of its inputs \
                         (was a {{{{variable}}}} renamed?). Delete it or reconnect it.",
                        t.display_name(),
                        e.to.port
                    ),
                );
            }
            let feeding = flow.edges.iter().filter(|o| o.to == e.to).count();
            if feeding > 1 && flow.edges.iter().find(|o| o.to == e.to).map(|o| &o.id) == Some(&e.id) {
                problem(
                    Some(&t.id),
                    format!(
                        "{} receives {} connections at \u{201c}{}\u{201d}; an input takes one.",
                        t.display_name(),
                        feeding,
                        e.to.port
                    ),
                );
            }
        }
    }
}

/// True when nothing blocks a run.
pub fn is_runnable(problems: &[Problem]) -> bool {
    problems.iter().all(|p| p.severity != Severity::Error)
}
