//! The list of flows saved in this browser, and what the editor restores on reload.
//! Storage itself is the UI's job; this is the data and its (de)serialisation.

use crate::domain::stored::{from_stored, to_stored, Stored, StoredError};
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlowEntry {
    pub id: String,
    pub title: String,
    pub updated_ms: i64,
}

#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct Workspace {
    pub flows: Vec<FlowEntry>,
    pub current: Option<String>,
}

/// Where the user was in a flow: restored exactly on reload.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
pub struct ViewState {
    pub x: f64,
    pub y: f64,
    pub zoom: f64,
    pub selection: Vec<String>,
}

impl Stored for Workspace {
    const CURRENT_VERSION: u64 = 1;
    const WHAT: &'static str = "the list of your flows";
}

impl Stored for ViewState {
    const CURRENT_VERSION: u64 = 1;
    const WHAT: &'static str = "where you were in this flow (pan, zoom, selection)";
}

impl Workspace {
    /// The stored list; a damaged or newer one is an error that says so (the UI keeps a copy
    /// and rebuilds the list from the saved flows).
    pub fn parse(text: &str) -> Result<Workspace, StoredError> {
        from_stored(text)
    }

    pub fn to_json(&self) -> String {
        to_stored(self)
    }

    pub fn entry(&self, id: &str) -> Option<&FlowEntry> {
        self.flows.iter().find(|f| f.id == id)
    }

    /// Adds or updates an entry, newest first.
    pub fn touch(&mut self, id: &str, title: &str, updated_ms: i64) {
        self.flows.retain(|f| f.id != id);
        self.flows.insert(0, FlowEntry { id: id.to_string(), title: title.to_string(), updated_ms });
    }

    /// Removes an entry and returns it with its index, so the deletion can be undone.
    pub fn remove(&mut self, id: &str) -> Option<(usize, FlowEntry)> {
        let i = self.flows.iter().position(|f| f.id == id)?;
        Some((i, self.flows.remove(i)))
    }

    pub fn restore(&mut self, index: usize, entry: FlowEntry) {
        let i = index.min(self.flows.len());
        self.flows.insert(i, entry);
    }

    /// A flow id not used yet, from a caller-supplied seed (the domain has no randomness).
    pub fn fresh_id(&self, seed: u64) -> String {
        let mut n = seed;
        loop {
            let id = format!("f{n:x}");
            if self.entry(&id).is_none() {
                return id;
            }
            n = n.wrapping_add(1);
        }
    }

    /// "Copy of X", "Copy of X (2)", … not clashing with existing titles.
    /// The title of a shared flow copied into this list: its own when no flow has it, else
    /// "<title> (copy)", then "(copy 2)" and on, so two entries never share a name.
    pub fn shared_copy_title(&self, title: &str) -> String {
        let taken = |t: &str| self.flows.iter().any(|f| f.title == t);
        if !taken(title) {
            return title.to_string();
        }
        let base = format!("{title} (copy)");
        if !taken(&base) {
            return base;
        }
        (2..).map(|n| format!("{title} (copy {n})")).find(|t| !taken(t)).unwrap_or(base)
    }

    pub fn copy_title(&self, title: &str) -> String {
        let base = format!("Copy of {title}");
        if !self.flows.iter().any(|f| f.title == base) {
            return base;
        }
        (2..).map(|n| format!("{base} ({n})")).find(|t| !self.flows.iter().any(|f| &f.title == t)).unwrap_or(base)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_shared_copy_never_repeats_a_name() {
        let mut w = Workspace::default();
        assert_eq!(w.shared_copy_title("Triage"), "Triage");
        w.flows.push(FlowEntry { id: "a".into(), title: "Triage".into(), updated_ms: 0 });
        assert_eq!(w.shared_copy_title("Triage"), "Triage (copy)");
        w.flows.push(FlowEntry { id: "b".into(), title: "Triage (copy)".into(), updated_ms: 0 });
        assert_eq!(w.shared_copy_title("Triage"), "Triage (copy 2)");
    }

    #[test]
    fn touch_remove_restore() {
        let mut w = Workspace::default();
        w.touch("a", "A", 1);
        w.touch("b", "B", 2);
        assert_eq!(w.flows[0].id, "b");
        let (i, e) = w.remove("a").unwrap();
        assert!(w.entry("a").is_none());
        w.restore(i, e);
        assert_eq!(w.flows.iter().map(|f| f.id.as_str()).collect::<Vec<_>>(), ["b", "a"]);
        assert_eq!(w.copy_title("A"), "Copy of A");
        w.touch("c", "Copy of A", 3);
        assert_eq!(w.copy_title("A"), "Copy of A (2)");
    }

    #[test]
    fn damaged_index_becomes_empty() {
        assert!(Workspace::parse("{not json").is_err());
        let w = Workspace {
            flows: vec![FlowEntry { id: "x".into(), title: "t".into(), updated_ms: 5 }],
            current: Some("x".into()),
        };
        assert_eq!(Workspace::parse(&w.to_json()), Ok(w));
    }
}
