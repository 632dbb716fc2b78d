//! Validation: everything wrong with a flow, as messages a person can act on.

use crate::domain::blocks::Port;
use crate::domain::flow::{BlockId, EdgeId, Flow};
use crate::domain::graph;
use std::collections::{HashMap, HashSet};

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

/// Unconnected variables named one by one, per block. A template pasted with thousands of
/// placeholders gets one more problem that counts the rest, so the list (and a refused run's
/// message, which joins them) stays readable instead of running to thousands of sentences.
pub const MAX_UNCONNECTED_LISTED: usize = 10;

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
    // Edges per input port, counted once: keeps validation linear for big flows.
    let mut feeding: HashMap<(&BlockId, &str), usize> = HashMap::new();
    for e in &flow.edges {
        *feeding.entry((&e.to.block, e.to.port.as_str())).or_default() += 1;
    }
    let mut reported_ports: HashSet<(&BlockId, &str)> = HashSet::new();
    let by_id: HashMap<&BlockId, &crate::domain::flow::Block> = flow.blocks.iter().map(|b| (&b.id, b)).collect();
    // Each block's inputs, worked out once: a Prompt's come from parsing its templates, and
    // asking per connection made validation several times slower on big flows.
    let inputs: Vec<Vec<Port>> = flow.blocks.iter().map(|b| b.input_ports()).collect();
    let inputs_by_id: HashMap<&BlockId, &[Port]> =
        flow.blocks.iter().zip(&inputs).map(|(b, ports)| (&b.id, ports.as_slice())).collect();
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
        let count = feeding.get(&(&e.to.block, e.to.port.as_str())).copied().unwrap_or(0);
        let first_at_port = reported_ports.insert((&e.to.block, e.to.port.as_str()));
        check_edge(&by_id, &inputs_by_id, e, count, first_at_port, &mut out);
    }
    for (b, ports) in flow.blocks.iter().zip(inputs) {
        let name = b.display_name();
        for p in b.config.problems() {
            out.push(Problem::error(Some(&b.id), format!("{name}: {p}")));
        }
        let unconnected: Vec<String> = ports
            .into_iter()
            .filter(|p| !p.optional() && !feeding.contains_key(&(&b.id, p.name.as_str())))
            .map(|p| p.name)
            .collect();
        for port in unconnected.iter().take(MAX_UNCONNECTED_LISTED) {
            out.push(Problem::error(
                Some(&b.id),
                format!(
                    "{name} uses {{{{{port}}}}} but nothing is connected to it. \
                     Drag from the right side of the block that should fill it to \u{201c}{port}\u{201d} on {name}."
                ),
            ));
        }
        if unconnected.len() > MAX_UNCONNECTED_LISTED {
            let more = unconnected.len() - MAX_UNCONNECTED_LISTED;
            out.push(Problem::error(
                Some(&b.id),
                format!(
                    "{name} uses {} more {{{{variables}}}} with nothing connected to them \
                     ({} in all, such as {{{{{}}}}}). Connect them, or take them out of the template.",
                    crate::domain::util::format::thousands(more),
                    crate::domain::util::format::thousands(unconnected.len()),
                    unconnected[MAX_UNCONNECTED_LISTED]
                ),
            ));
        }
    }
    check_media_edges(flow, &by_id, &mut out);
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

fn check_edge(
    by_id: &HashMap<&BlockId, &crate::domain::flow::Block>,
    inputs: &HashMap<&BlockId, &[Port]>,
    e: &crate::domain::flow::Edge,
    feeding: usize,
    first_at_port: bool,
    out: &mut Vec<Problem>,
) {
    let mut problem = |block: Option<&BlockId>, message: String| {
        out.push(Problem { severity: Severity::Error, block: block.cloned(), edge: Some(e.id.clone()), message })
    };
    let from = by_id.get(&e.from.block).copied();
    let to = by_id.get(&e.to.block).copied();
    match (from, to) {
        (None, Some(t)) => problem(
            Some(&t.id),
            format!(
                "A connection into {} at \u{201c}{}\u{201d} comes from a block that is not in this flow \
                 (\u{201c}{}\u{201d}). Delete that connection, then connect another block.",
                t.display_name(),
                e.to.port,
                e.from.block
            ),
        ),
        (None, None) => problem(
            None,
            format!(
                "A connection joins two blocks that are not in this flow (\u{201c}{}\u{201d} and \u{201c}{}\u{201d}). Delete it.",
                e.from.block, e.to.block
            ),
        ),
        (Some(f), None) => problem(
            Some(&f.id),
            format!(
                "A connection from {} goes to a block that is not in this flow (\u{201c}{}\u{201d}). Delete it.",
                f.display_name(),
                e.to.block
            ),
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
            let to_port = inputs.get(&t.id).and_then(|ps| ps.iter().find(|p| p.name == e.to.port));
            if to_port.is_none() {
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
            let many = to_port.is_some_and(|p| p.takes_many());
            if feeding > 1 && first_at_port && !many {
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
/// Images and audio sent straight from an Input: flagged before the run when the receiving
/// block's provider or model cannot take them (an error) or may not (a warning).
fn check_media_edges(flow: &Flow, by_id: &HashMap<&BlockId, &crate::domain::flow::Block>, out: &mut Vec<Problem>) {
    use crate::domain::blocks::BlockConfig;
    use crate::domain::media::MediaKind;
    use crate::domain::providers::ProviderKind;
    use crate::domain::providers::{check_media, transcription_support, Support};
    for e in &flow.edges {
        let (Some(from), Some(to)) = (by_id.get(&e.from.block), by_id.get(&e.to.block)) else { continue };
        let BlockConfig::Input(input) = &from.config else { continue };
        let Some(value) = input.values.iter().find(|v| v.name == e.from.port) else { continue };
        let name = to.display_name();
        let mut push = |severity: Severity, message: String| {
            out.push(Problem {
                severity,
                block: Some(to.id.clone()),
                edge: Some(e.id.clone()),
                message: format!("{name}: {message}"),
            })
        };
        match (&to.config, &value.media) {
            (BlockConfig::Prompt(p), Some(media)) => {
                let Some(provider) = ProviderKind::from_id(&p.provider) else { continue };
                match check_media(provider, &p.model, media) {
                    Ok(None) => {}
                    Ok(Some(hint)) => push(Severity::Warning, hint),
                    Err(reason) => push(Severity::Error, reason),
                }
            }
            (BlockConfig::Transcribe(t), Some(media)) if media.kind() != Some(MediaKind::Audio) => {
                push(Severity::Error, format!("\u{201c}{}\u{201d} is an image; Transcribe needs a recording.", media.name))
            }
            (BlockConfig::Transcribe(t), Some(media)) => {
                let Some(provider) = ProviderKind::from_id(&t.provider) else { continue };
                let verdict = match transcription_support(provider, &media.mime) {
                    Support::Yes if provider == ProviderKind::Gemini => match check_media(provider, &t.model, media) {
                        Err(reason) => Support::No(reason),
                        Ok(_) => Support::Yes,
                    },
                    other => other,
                };
                match verdict {
                    Support::Yes => {}
                    Support::Unsure(hint) => push(Severity::Warning, hint),
                    Support::No(reason) => push(Severity::Error, reason),
                }
            }
            (BlockConfig::Transcribe(_), None) => push(
                Severity::Error,
                format!(
                    "\u{201c}audio\u{201d} gets the text value \u{201c}{}\u{201d}. Add a recording or an audio file to that \
                     value of {}.",
                    value.name,
                    from.display_name()
                ),
            ),
            _ => {}
        }
    }
}

pub fn is_runnable(problems: &[Problem]) -> bool {
    problems.iter().all(|p| p.severity != Severity::Error)
}
