//! What a run asks the person before it starts: hosts its HTTP tools may call (remembered per
//! flow), in-browser models it may download, and the saved flows its sub-flow tools run.

use super::run::Runner;
use crate::domain::conversation::Conversation;
use crate::domain::engine::RunScope;
use crate::domain::flow::Flow;
use crate::domain::preferences::ApprovedHosts;
use crate::domain::stored::to_stored;
use crate::ui::platform::platform;
use crate::ui::platform::storage_keys::APPROVED_HOSTS as HOSTS_KEY;
use crate::ui::state::editor::Editor;
use crate::ui::state::settings::Settings;
use leptos::prelude::*;
use std::collections::{BTreeMap, BTreeSet};

/// A run waiting for the user to agree to download an in-browser model first.
#[derive(Debug, Clone, PartialEq)]
pub struct DownloadAsk {
    /// (model setting, download size in MB when known)
    pub models: Vec<(String, Option<u32>)>,
    pub scope: RunScope,
    /// The flow to run instead of the editor's (a shared app's run), if any.
    pub flow: Option<Flow>,
    /// The Chat panel turn this run is, if any.
    pub conversation: Option<Conversation>,
}

/// A run waiting for the user to allow the hosts its HTTP tools would call.
#[derive(Debug, Clone, PartialEq)]
pub struct HostApproval {
    pub hosts: Vec<String>,
    pub scope: RunScope,
    /// The flow to run instead of the editor's (a shared app's run), if any.
    pub flow: Option<Flow>,
    /// The Chat panel turn this run is, if any.
    pub conversation: Option<Conversation>,
}

impl Runner {
    /// Where approvals of the open flow are kept: its id, or nowhere for a shared link
    /// being viewed (approvals then last as long as the page).
    fn approval_bucket(&self, editor: Editor) -> Option<String> {
        if editor.read_only.get_untracked() {
            return None;
        }
        // Looked up through the app's owner: event handlers may run without one.
        let session = self.owner.with_value(|o| o.with(use_context::<crate::ui::state::persist::Session>));
        session.map(|s| s.current.get_untracked())
    }

    /// The saved flows that this flow's sub-flow tools run, and the ones they run in turn
    /// (read once per run; the engine stops flows that nest too deep).
    pub fn subflows(&self, editor: Editor) -> BTreeMap<String, crate::domain::flow::Flow> {
        let Some(session) = self.owner.with_value(|o| o.with(use_context::<crate::ui::state::persist::Session>)) else {
            return BTreeMap::new();
        };
        let current = session.current.get_untracked();
        let mut out: BTreeMap<String, crate::domain::flow::Flow> = BTreeMap::new();
        let mut todo: Vec<String> = editor.with_flow(subflow_ids);
        while let Some(id) = todo.pop() {
            if out.contains_key(&id) {
                continue;
            }
            // The open flow's unsaved edits count, not the copy in storage.
            let flow = if id == current { Some(editor.flow()) } else { session.saved_flow(&id) };
            if let Some(flow) = flow {
                todo.extend(subflow_ids(&flow));
                out.insert(id, flow);
            }
        }
        out
    }

    pub fn approved_hosts(&self, editor: Editor) -> BTreeSet<String> {
        let Some(bucket) = self.approval_bucket(editor) else {
            return self.session_hosts.get_value();
        };
        crate::ui::state::unreadable::load::<ApprovedHosts>(HOSTS_KEY, "Tools ask again before calling a web address.")
            .and_then(|mut m| m.0.remove(&bucket))
            .unwrap_or_default()
    }

    /// Remembers that the open flow may call `hosts`, then runs what was waiting.
    pub fn approve_and_run(&self, editor: Editor, settings: Settings) {
        let Some(pending) = self.approval.get_untracked() else { return };
        self.approval.set(None);
        match self.approval_bucket(editor) {
            Some(bucket) => {
                let mut all = crate::ui::state::unreadable::load::<ApprovedHosts>(
                    HOSTS_KEY,
                    "Tools ask again before calling a web address.",
                )
                .unwrap_or_default();
                all.0.entry(bucket).or_default().extend(pending.hosts.iter().cloned());
                let text = to_stored(&all);
                if let Err(e) = platform::storage_set(HOSTS_KEY, &text) {
                    // Not remembered, but allowed for this page: the run still goes ahead.
                    self.message
                        .set(Some(format!("The approval could not be saved ({e}); it lasts until you reload.")));
                    self.session_hosts.update_value(|h| h.extend(pending.hosts.iter().cloned()));
                }
            }
            None => self.session_hosts.update_value(|h| h.extend(pending.hosts.iter().cloned())),
        }
        self.start_with(editor, settings, pending.scope, pending.flow, pending.conversation);
    }

    /// The person agreed to download the models of the waiting run: run it.
    pub fn confirm_download(&self, editor: Editor, settings: Settings) {
        let Some(ask) = self.download.get_untracked() else { return };
        self.download.set(None);
        self.models_ok.update_value(|ok| ok.extend(ask.models.into_iter().map(|(m, _)| m)));
        self.start_with(editor, settings, ask.scope, ask.flow, ask.conversation);
    }
}

/// The flow ids the sub-flow tools and loops of `flow` run.
fn subflow_ids(flow: &crate::domain::flow::Flow) -> Vec<String> {
    flow.blocks.iter().filter_map(crate::domain::engine::subflow_id).collect()
}
