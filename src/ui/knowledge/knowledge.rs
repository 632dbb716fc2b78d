//! The current flow's knowledge base: loaded from IndexedDB when the flow opens, changed
//! through `update` (which saves it again), read by runs. A failed save keeps the documents
//! in this tab and says so.

use std::sync::Arc;

use crate::domain::retrieval::knowledge::{KnowledgeBase, KnowledgeOptions};
use crate::ui::platform::idb;
use crate::ui::widgets::lazy::ChunkError;
use leptos::prelude::*;

use crate::ui::platform::storage_keys::knowledge as key;

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
                Ok(Some(json)) => match read_stored(json.clone()).await {
                    // Another flow was opened while the decoder arrived.
                    _ if self.generation.try_get_value() != Some(generation) => return,
                    Ok(Ok(kb)) => {
                        self.kb.set(Arc::new(kb));
                        self.problem.set(None);
                        // A banner from an earlier failed load of these documents is now untrue.
                        crate::ui::state::unreadable::dismiss(&key(&flow_id));
                    }
                    Ok(Err(e)) => self.keep_unreadable(&flow_id, generation, json, e).await,
                    Err(ChunkError) => {
                        // Not loaded, so not saved over either; `loaded` stays false and the
                        // next `open` of this flow tries again.
                        self.persist.set(false);
                        let message = "This flow's documents could not be loaded: part of the app did not \
                                       arrive. Nothing was changed; check the connection and reload the page."
                            .to_string();
                        crate::ui::state::unreadable::report(&key(&flow_id), message.clone());
                        self.problem.set(Some(message));
                        return;
                    }
                },
                Ok(None) => self.problem.set(None),
                Err(e) => self.problem.set(Some(format!("The knowledge base could not be loaded: {e}."))),
            }
            self.loaded.set(true);
        });
    }

    /// A stored knowledge base that cannot be read (damaged, or from a newer Chainboard): its
    /// text is copied aside before anything saves over it, or, if that fails, this tab never
    /// saves this flow's documents; either way the person is told.
    async fn keep_unreadable(self, flow_id: &str, generation: u64, json: String, error: String) {
        let backup = crate::ui::platform::storage_keys::unreadable(&key(flow_id), &json);
        let kept = idb::put(&backup, &json).await.is_ok();
        if !kept && self.generation.try_get_value() == Some(generation) {
            self.persist.set(false);
        }
        let kept = if kept {
            format!("Nothing was lost: the saved text is kept in this browser as \u{201c}{backup}\u{201d}.")
        } else {
            "It was not loaded, and documents added now are not saved over it (there was no room to keep a copy)."
                .to_string()
        };
        let message = format!("Chainboard could not load this flow's documents. {error} {kept}");
        crate::ui::state::unreadable::report(&key(flow_id), message.clone());
        self.problem.set(Some(message));
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

/// Reads a stored knowledge base. Its decoder (documents, chunks, the search index) comes with
/// the documents feature, so only a flow that has documents fetches it when it opens.
#[leptos::wasm_split::wasm_split(documents, fallible, wasm_split_path = ::leptos::wasm_split)]
fn read_stored(json: String) -> Result<Result<KnowledgeBase, String>, ChunkError> {
    Ok(KnowledgeBase::from_json(&json))
}
