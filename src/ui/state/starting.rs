//! Which provider new flows and new Prompt blocks start on (the pure rule is
//! `domain::examples::starting_provider`): a hosted provider with a key, else sample answers.
//! A starter flow put on sample answers this way follows the first key added in this tab,
//! so adding a key is all it takes to run it on a model.

use std::cell::{Cell, RefCell};
use std::collections::BTreeSet;

use super::editor::Editor;
use super::persist::Session;
use super::settings::Settings;
use crate::domain::blocks::BlockConfig;
use crate::domain::change::FlowChange;
use crate::domain::flow::Flow;
use crate::domain::providers::ProviderKind;
use crate::domain::templates::with_provider;
use leptos::prelude::*;

thread_local! {
    /// Flows whose Prompt blocks were put on sample answers because no key was set.
    static AUTO: RefCell<BTreeSet<String>> = const { RefCell::new(BTreeSet::new()) };
    static SETTINGS: Cell<Option<Settings>> = const { Cell::new(None) };
}

fn keyed(settings: Settings, tracked: bool) -> Vec<ProviderKind> {
    let has = |k: ProviderKind| {
        if tracked {
            settings.has_key(k)
        } else {
            untrack(|| settings.has_key(k))
        }
    };
    ProviderKind::ALL.into_iter().filter(|k| k.needs_key() && has(*k)).collect()
}

/// (provider id, model) for something new, from the keys in Settings.
pub fn starting() -> (String, String) {
    let keyed = SETTINGS.with(Cell::get).map(|s| keyed(s, false)).unwrap_or_default();
    crate::domain::examples::starting_provider(&keyed, None)
}

/// The starter flow on the starting provider; remembered as following the first key when
/// that is sample answers.
pub fn starter_flow(now: i64, flow_id: &str) -> Flow {
    let settings = SETTINGS.with(Cell::get).unwrap_or_else(Settings::load);
    let keyed = keyed(settings, false);
    let (provider, model) = crate::domain::examples::starting_provider(&keyed, None);
    if provider == ProviderKind::Demo.id() {
        AUTO.with(|a| a.borrow_mut().insert(flow_id.to_string()));
    }
    with_provider(crate::domain::examples::starter_flow(now), &provider, &model)
}

/// Remembers `settings` for [`starting`], and moves an automatic starter flow's Prompt
/// blocks to the first provider that gets a key (one undoable step).
pub fn follow_first_key(editor: Editor, session: Session, settings: Settings) {
    SETTINGS.with(|s| s.set(Some(settings)));
    Effect::new(move |before: Option<bool>| {
        let any = !keyed(settings, true).is_empty();
        if before == Some(false) && any {
            let id = session.current.get_untracked();
            if AUTO.with(|a| a.borrow_mut().remove(&id)) {
                let (provider, model) = crate::domain::examples::starting_provider(&keyed(settings, false), None);
                let changes: Vec<FlowChange> = editor.with_flow(|f| {
                    let prompts: Vec<_> = f
                        .blocks
                        .iter()
                        .filter_map(|b| match &b.config {
                            BlockConfig::Prompt(p) => Some((b.id.clone(), p.clone())),
                            _ => None,
                        })
                        .collect();
                    if prompts.iter().any(|(_, p)| p.provider != ProviderKind::Demo.id()) {
                        return Vec::new();
                    }
                    prompts
                        .into_iter()
                        .map(|(id, mut p)| {
                            p.provider.clone_from(&provider);
                            p.model.clone_from(&model);
                            FlowChange::SetConfig { id, config: BlockConfig::Prompt(p) }
                        })
                        .collect()
                });
                if !changes.is_empty() {
                    let _ = editor.apply(FlowChange::Batch(changes));
                }
            }
        }
        any
    });
}
