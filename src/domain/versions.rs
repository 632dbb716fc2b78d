//! Named versions of a flow (save, list, compare, restore), kept locally. The comparison
//! lists what changed in words a PM can read: blocks added or removed, titles, models,
//! providers, parameters, templates, connections.

use crate::domain::blocks::BlockConfig;
use crate::domain::flow::Flow;
use crate::domain::stored::{from_stored, to_stored, Stored, StoredError};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Version {
    pub name: String,
    pub saved_ms: i64,
    /// The flow as a flow file (the same format as exports).
    pub flow: String,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Versions {
    pub list: Vec<Version>,
}

impl Stored for Versions {
    const CURRENT_VERSION: u64 = 1;
    const WHAT: &'static str = "the saved versions of this flow";
}

impl Versions {
    /// The stored versions of a flow; a damaged or newer record is an error that says so.
    pub fn parse(text: &str) -> Result<Versions, StoredError> {
        from_stored(text)
    }

    pub fn to_json(&self) -> String {
        to_stored(self)
    }

    /// Adds a version (newest first); a blank name becomes "Version N".
    pub fn save(&mut self, name: &str, flow: &Flow, now_ms: i64) {
        let name =
            if name.trim().is_empty() { format!("Version {}", self.list.len() + 1) } else { name.trim().to_string() };
        self.list.insert(0, Version { name, saved_ms: now_ms, flow: crate::domain::flow_file::to_json(flow) });
    }
}

fn short(text: &str) -> String {
    let t: String = text.chars().take(60).collect();
    if text.chars().count() > 60 {
        format!("\u{201c}{t}\u{2026}\u{201d}")
    } else {
        format!("\u{201c}{t}\u{201d}")
    }
}

/// What changed from `old` to `new`, one sentence per difference; empty when the settings
/// are the same (positions are layout and are not compared).
pub fn compare(old: &Flow, new: &Flow) -> Vec<String> {
    let mut out = Vec::new();
    if old.meta.title != new.meta.title {
        out.push(format!("Flow renamed from {} to {}.", short(&old.meta.title), short(&new.meta.title)));
    }
    for b in &old.blocks {
        if new.block(&b.id).is_none() {
            out.push(format!("Removed {} block {}.", b.config.kind_label(), short(&b.display_name())));
        }
    }
    for b in &new.blocks {
        let Some(a) = old.block(&b.id) else {
            out.push(format!("Added {} block {}.", b.config.kind_label(), short(&b.display_name())));
            continue;
        };
        let name = b.display_name();
        if a.title != b.title {
            out.push(format!("{} renamed to {}.", short(&a.display_name()), short(&name)));
        }
        if a.note != b.note {
            out.push(format!("{name}: note changed."));
        }
        match (&a.config, &b.config) {
            (BlockConfig::Prompt(p), BlockConfig::Prompt(q)) => {
                let mut field = |label: &str, x: String, y: String| {
                    if x != y {
                        out.push(format!("{name}: {label} {} \u{2192} {}.", short(&x), short(&y)));
                    }
                };
                field("provider", p.provider.clone(), q.provider.clone());
                field("model", p.model.clone(), q.model.clone());
                field("temperature", fmt_opt(p.temperature), fmt_opt(q.temperature));
                field("max tokens", fmt_opt(p.max_tokens), fmt_opt(q.max_tokens));
                field("system message", p.system.clone(), q.system.clone());
                field("user message", p.user.clone(), q.user.clone());
                if p.output_format != q.output_format {
                    out.push(format!("{name}: answer format changed."));
                }
            }
            (BlockConfig::Input(x), BlockConfig::Input(y)) if x != y => out.push(format!("{name}: values changed.")),
            (BlockConfig::Note(x), BlockConfig::Note(y)) if x != y => out.push(format!("{name}: text changed.")),
            (x, y) if x.kind_id() != y.kind_id() => out.push(format!("{name}: kind changed.")),
            _ => {}
        }
    }
    let label = |f: &Flow, e: &crate::domain::flow::Edge| {
        let n = |id| f.block(id).map_or_else(|| format!("{id}"), |b| b.display_name());
        format!("{}.{} \u{2192} {}.{}", n(&e.from.block), e.from.port, n(&e.to.block), e.to.port)
    };
    let same = |e: &crate::domain::flow::Edge, f: &Flow| f.edges.iter().any(|o| o.from == e.from && o.to == e.to);
    for e in &old.edges {
        if !same(e, new) {
            out.push(format!("Disconnected {}.", label(old, e)));
        }
    }
    for e in &new.edges {
        if !same(e, old) {
            out.push(format!("Connected {}.", label(new, e)));
        }
    }
    out
}

fn fmt_opt<T: std::fmt::Display>(v: Option<T>) -> String {
    v.map_or_else(|| "default".to_string(), |v| v.to_string())
}

/// Which saved version `flow` is, in words (an eval record names the version it ran on): a version with the same settings, or changes
/// made after the newest one.
pub fn describe_version(versions: &Versions, flow: &Flow) -> String {
    for v in &versions.list {
        if let Ok(saved) = crate::domain::flow_file::from_json(&v.flow) {
            if compare(&saved, flow).is_empty() {
                return format!("version \u{201c}{}\u{201d}", v.name);
            }
        }
    }
    match versions.list.first() {
        Some(newest) => format!("unsaved changes after version \u{201c}{}\u{201d}", newest.name),
        None => "the current flow (no saved version)".to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::blocks::{BlockKind, PromptConfig};
    use crate::domain::change::{apply, FlowChange};
    use crate::domain::examples::starter_flow;
    use crate::domain::flow::{Block, BlockId, Point};

    #[test]
    fn compare_lists_setting_changes_in_words_and_ignores_layout() {
        let old = starter_flow(0);
        let mut new = old.clone();
        apply(&mut new, FlowChange::MoveBlock { id: BlockId::new("input-1"), to: Point::new(999.0, 999.0) }).unwrap();
        assert_eq!(compare(&old, &new), Vec::<String>::new(), "moves are layout");
        let mut cfg = match &old.block(&BlockId::new("prompt-1")).unwrap().config {
            BlockConfig::Prompt(p) => p.clone(),
            _ => PromptConfig::default(),
        };
        cfg.model = "gpt-4.1-mini".into();
        cfg.temperature = None;
        apply(&mut new, FlowChange::SetConfig { id: BlockId::new("prompt-1"), config: BlockConfig::Prompt(cfg) })
            .unwrap();
        apply(&mut new, FlowChange::RemoveBlock { id: BlockId::new("output-1") }).unwrap();
        let note = Block::new(BlockId::new("note-1"), "Idea", Point::default(), BlockKind::Note.default_config());
        apply(&mut new, FlowChange::AddBlock { index: 9, block: note }).unwrap();
        let diff = compare(&old, &new);
        assert_eq!(
            diff,
            [
                "Removed Output block \u{201c}Reply\u{201d}.",
                "Draft a reply: model \u{201c}gpt-4o-mini\u{201d} \u{2192} \u{201c}gpt-4.1-mini\u{201d}.",
                "Draft a reply: temperature \u{201c}0.3\u{201d} \u{2192} \u{201c}default\u{201d}.",
                "Added Note block \u{201c}Idea\u{201d}.",
                "Disconnected Draft a reply.text \u{2192} Reply.value.",
            ]
        );
    }

    #[test]
    fn versions_save_newest_first_and_survive_bad_storage() {
        let mut v = Versions::default();
        v.save("", &starter_flow(0), 1);
        v.save(" Before the demo ", &starter_flow(0), 2);
        assert_eq!(v.list[0].name, "Before the demo");
        assert_eq!(v.list[1].name, "Version 1");
        assert_eq!(Versions::parse(&v.to_json()), Ok(v.clone()));
        assert!(Versions::parse("not json").is_err());
        assert!(crate::domain::flow_file::from_json(&v.list[0].flow).is_ok());
    }

    #[test]
    fn records_name_the_version_they_ran_on() {
        let flow = starter_flow(0);
        let mut versions = Versions::default();
        assert_eq!(describe_version(&versions, &flow), "the current flow (no saved version)");
        versions.save("Polite v1", &flow, 1);
        assert_eq!(describe_version(&versions, &flow), "version \u{201c}Polite v1\u{201d}");
        let mut changed = flow.clone();
        changed.meta.title = "Other title".into();
        if let Some(b) = changed.blocks.get_mut(1) {
            b.title = "Renamed".into();
        }
        assert_eq!(describe_version(&versions, &changed), "unsaved changes after version \u{201c}Polite v1\u{201d}");
    }
}
