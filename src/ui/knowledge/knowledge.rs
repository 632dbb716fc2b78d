//! The current flow's knowledge base: loaded from IndexedDB when the flow opens, changed
//! through `update` (which saves it again), read by runs. A failed save keeps the documents
//! in this tab and says so.

use std::sync::Arc;

use crate::domain::retrieval::knowledge::{KnowledgeBase, KnowledgeOptions};
use crate::ui::platform::idb;
use leptos::prelude::*;

fn key(flow_id: &str) -> String {
    format!("knowledge.{flow_id}")
}

#[derive(Clone, Copy)]
pub struct Knowledge {
    pub kb: RwSignal<Arc<KnowledgeBase>>,
    /// Which flow `kb` belongs to.
    flow_id: RwSignal<String>,
    pub loaded: RwSignal<bool>,
    /// A sentence about the last failed load or save.
    pub problem: RwSignal<Option<String>>,
    /// False for a shared link that is only viewed: its documents are not stored.
    pub persist: RwSignal<bool>,
    generation: StoredValue<u64>,
}

impl Knowledge {
    pub fn new() -> Knowledge {
        Knowledge {
            kb: RwSignal::new(Arc::new(KnowledgeBase::new(KnowledgeOptions::default()))),
            flow_id: RwSignal::new(String::new()),
            loaded: RwSignal::new(false),
            problem: RwSignal::new(None),
            persist: RwSignal::new(true),
            generation: StoredValue::new(0),
        }
    }

    /// Switches to the knowledge base of `flow_id` (stored, or empty).
    pub fn open(self, flow_id: String) {
        if self.flow_id.get_untracked() == flow_id && self.loaded.get_untracked() {
            return;
        }
        self.generation.update_value(|g| *g += 1);
        let generation = self.generation.get_value();
        self.flow_id.set(flow_id.clone());
        self.loaded.set(false);
        self.persist.set(true);
        self.kb.set(Arc::new(KnowledgeBase::new(KnowledgeOptions::default())));
        leptos::task::spawn_local(async move {
            let stored = idb::get(&key(&flow_id)).await;
            // Another flow was opened meanwhile.
            if self.generation.try_get_value() != Some(generation) {
                return;
            }
            match stored {
                Ok(Some(json)) => match KnowledgeBase::from_json(&json) {
                    Ok(kb) => {
                        self.kb.set(Arc::new(kb));
                        self.problem.set(None);
                    }
                    Err(e) => self.problem.set(Some(e)),
                },
                Ok(None) => self.problem.set(None),
                Err(e) => self.problem.set(Some(format!("The knowledge base could not be loaded: {e}."))),
            }
            self.loaded.set(true);
        });
    }

    /// Shows `kb` for a shared link being viewed: in memory only.
    pub fn show_unsaved(self, kb: KnowledgeBase) {
        self.generation.update_value(|g| *g += 1);
        // Belongs to no flow of the viewer's: going back to their own flow loads theirs again.
        self.flow_id.set(String::new());
        self.kb.set(Arc::new(kb));
        self.persist.set(false);
        self.loaded.set(true);
    }

    /// Changes the knowledge base and stores it.
    pub fn update(self, f: impl FnOnce(&mut KnowledgeBase)) {
        let mut kb = self.kb.get_untracked();
        f(Arc::make_mut(&mut kb));
        self.kb.set(kb);
        self.save();
    }

    /// Stores the current knowledge base for the current flow (or for `flow_id`, after a
    /// copy is made of a shared one).
    pub fn save(self) {
        if !self.persist.get_untracked() {
            return;
        }
        let flow_id = self.flow_id.get_untracked();
        let json = self.kb.with_untracked(|kb| kb.to_json());
        leptos::task::spawn_local(async move {
            match idb::put(&key(&flow_id), &json).await {
                Ok(()) => self.problem.set(None),
                Err(e) => self.problem.set(Some(format!(
                    "The documents could not be saved: {e}. They stay available in this tab; remove large \
                     documents or free browser storage, then add them again."
                ))),
            }
        });
    }

    /// Makes `kb` the stored knowledge base of `flow_id` (an imported flow).
    pub fn replace(self, flow_id: String, kb: KnowledgeBase) {
        self.generation.update_value(|g| *g += 1);
        self.kb.set(Arc::new(kb));
        self.adopt(flow_id);
    }

    /// Keeps `kb` as the knowledge base of `flow_id` (a copy made of a shared flow).
    pub fn adopt(self, flow_id: String) {
        self.flow_id.set(flow_id);
        self.persist.set(true);
        self.loaded.set(true);
        self.save();
    }
}
