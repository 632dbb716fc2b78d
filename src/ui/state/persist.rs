//! Autosave and the flow list, over browser storage. Storage failures never lose the open
//! flow: they raise a banner that says what happened and offers an export.

use super::editor::Editor;
use crate::domain::flow::{BlockId, Flow};
use crate::domain::flow_file;
use crate::domain::layout::Viewport;
use crate::domain::stored::{to_stored, Stored};
use crate::domain::workspace::{FlowEntry, ViewState, Workspace};
use crate::ui::platform::platform;
use leptos::prelude::*;
use std::time::Duration;

use crate::ui::platform::storage_keys::{self, flow as flow_key, view as view_key, WORKSPACE as WORKSPACE_KEY};
use crate::ui::state::unreadable;

/// A flow deleted from the list, kept so the deletion can be undone.
#[derive(Clone)]
pub struct Deleted {
    pub index: usize,
    pub entry: FlowEntry,
    pub text: String,
}

#[derive(Clone, Copy)]
pub struct Session {
    pub workspace: RwSignal<Workspace>,
    pub current: RwSignal<String>,
    pub storage_error: RwSignal<Option<String>>,
    /// Another tab saved a different version of the open flow: autosave pauses until the
    /// person chooses which version to keep, so neither tab silently overwrites the other.
    pub conflict: RwSignal<bool>,
    /// A short-lived notice with an optional undo ("Deleted X. Undo").
    pub deleted: RwSignal<Option<Deleted>>,
    pub notice: RwSignal<Option<String>>,
    pending: StoredValue<Option<TimeoutHandle>>,
    pending_view: StoredValue<Option<TimeoutHandle>>,
}

impl Session {
    /// A saved flow of the workspace, read from storage (for sub-flow tools).
    pub fn saved_flow(&self, id: &str) -> Option<Flow> {
        platform::storage_get(&flow_key(id)).and_then(|t| flow_file::from_json(&t).ok())
    }

    /// Loads the workspace and the flow to open (the last one, or the starter flow). A list
    /// that cannot be read is kept aside and rebuilt from the flows saved in this browser; a
    /// flow that cannot be opened stays saved as it is (a new flow gets a new id) and is named.
    pub fn load() -> (Session, Flow, Option<ViewState>) {
        let mut ws = load_workspace();
        let mut opened = None;
        if let Some(id) = ws.current.clone() {
            if let Some(text) = platform::storage_get(&flow_key(&id)) {
                match flow_file::from_json(&text) {
                    Ok(flow) => {
                        let view = load_view(&id);
                        opened = Some((id, flow, view));
                    }
                    Err(e) => {
                        let title = ws.entry(&id).map(|f| f.title.clone()).unwrap_or_else(|| id.clone());
                        unreadable::report(
                            &flow_key(&id),
                            format!(
                                "Chainboard could not open the flow \u{201c}{title}\u{201d}: {e} It is still saved \
                                 in this browser, unchanged, and stays in your list of flows; a new flow was opened \
                                 instead."
                            ),
                        );
                    }
                }
            }
        }
        let (id, flow, view) = opened.unwrap_or_else(|| {
            let id = ws.fresh_id(platform::random_seed());
            let flow = super::starting::starter_flow(platform::now_ms(), &id);
            (id, flow, None)
        });
        ws.current = Some(id.clone());
        if ws.entry(&id).is_none() {
            ws.touch(&id, &flow.meta.title, flow.meta.updated_ms);
        }
        let session = Session {
            workspace: RwSignal::new(ws),
            current: RwSignal::new(id),
            storage_error: RwSignal::new(None),
            conflict: RwSignal::new(false),
            deleted: RwSignal::new(None),
            notice: RwSignal::new(None),
            pending: StoredValue::new(None),
            pending_view: StoredValue::new(None),
        };
        (session, flow, view)
    }

    /// Writes one key; a failure raises the banner. Only a saved *flow* clears it (see
    /// `save_now`): a small write that still fits (the view, the list) says nothing about
    /// whether the flow is saved, and clearing on it hid the banner while edits were lost.
    fn write(&self, key: &str, value: &str) -> bool {
        match platform::storage_set(key, value) {
            Ok(()) => true,
            Err(why) => {
                self.storage_error.set(Some(format!(
                    "Changes are not being saved: {why} Your flow is safe in this tab; export it to keep a copy."
                )));
                false
            }
        }
    }

    /// Saves the open flow, its view and the list now.
    pub fn save_now(&self, editor: Editor) {
        // A shared playground is never saved over the user's own flows.
        if editor.read_only.get_untracked() || self.conflict.get_untracked() {
            return;
        }
        let id = self.current.get_untracked();
        let mut flow = editor.flow();
        flow.meta.updated_ms = platform::now_ms();
        if !self.write(&flow_key(&id), &flow_file::to_json(&flow)) {
            return;
        }
        if self.storage_error.get_untracked().is_some() {
            self.storage_error.set(None);
        }
        self.save_view(editor);
        self.workspace.update(|w| {
            w.touch(&id, &flow.meta.title, flow.meta.updated_ms);
            w.current = Some(id.clone());
        });
        self.write(WORKSPACE_KEY, &self.workspace.get_untracked().to_json());
    }

    /// A `storage` event: another tab of this site wrote `key`. If it is the open flow and
    /// its content differs from this tab's, raise the conflict.
    pub fn on_storage(&self, editor: Editor, key: Option<String>, new_value: Option<String>) {
        if editor.read_only.get_untracked() || key.as_deref() != Some(flow_key(&self.current.get_untracked()).as_str())
        {
            return;
        }
        let Some(theirs) = new_value.and_then(|t| flow_file::from_json(&t).ok()) else { return };
        if !theirs.same_content(&editor.flow()) {
            if let Some(h) = self.pending.get_value() {
                h.clear();
            }
            self.conflict.set(true);
        }
    }

    /// Resolves a conflict by saving this tab's version over the other one.
    pub fn keep_this_version(&self, editor: Editor) {
        self.conflict.set(false);
        self.save_now(editor);
    }

    /// Resolves a conflict by loading what the other tab saved (it replaces this tab's
    /// version, as the button says).
    pub fn load_other_version(&self, editor: Editor) {
        self.conflict.set(false);
        let id = self.current.get_untracked();
        self.open_without_saving(editor, &id);
    }

    /// Saves only the viewport and selection (cheap; called while panning).
    pub fn save_view(&self, editor: Editor) {
        if editor.read_only.get_untracked() {
            return;
        }
        let id = self.current.get_untracked();
        let v = editor.viewport.get_untracked();
        let view = ViewState {
            x: v.x,
            y: v.y,
            zoom: v.zoom,
            selection: editor.selection.get_untracked().into_iter().map(|b| b.0).collect(),
        };
        self.write(&view_key(&id), &to_stored(&view));
    }

    pub fn schedule_view_save(&self, editor: Editor) {
        if let Some(h) = self.pending_view.get_value() {
            h.clear();
        }
        let this = *self;
        let handle = set_timeout_with_handle(move || this.save_view(editor), Duration::from_millis(400)).ok();
        self.pending_view.set_value(handle);
    }

    /// Saves shortly after the last change, so a drag or a burst of typing is one write.
    pub fn schedule_save(&self, editor: Editor) {
        if let Some(h) = self.pending.get_value() {
            h.clear();
        }
        let this = *self;
        let handle = set_timeout_with_handle(move || this.save_now(editor), Duration::from_millis(250)).ok();
        self.pending.set_value(handle);
    }

    /// Opens another saved flow (the current one is saved first).
    pub fn open(&self, editor: Editor, id: &str) {
        self.save_now(editor);
        self.open_without_saving(editor, id);
    }

    /// Opens a saved flow without saving the current one (it was just deleted).
    fn open_without_saving(&self, editor: Editor, id: &str) {
        if let Some(h) = self.pending.get_value() {
            h.clear();
        }
        let Some(text) = platform::storage_get(&flow_key(id)) else {
            self.notice.set(Some("That flow could not be found in this browser's storage.".into()));
            return;
        };
        match flow_file::from_json(&text) {
            Ok(flow) => {
                self.current.set(id.to_string());
                editor.replace_flow(flow);
                apply_view(editor, load_view(id));
                self.save_now(editor);
            }
            Err(e) => self.notice.set(Some(format!("That saved flow is damaged and was not opened: {e}"))),
        }
    }

    /// Adds a flow to the list and opens it.
    pub fn create(&self, editor: Editor, flow: Flow) {
        self.save_now(editor);
        self.create_without_saving(editor, flow);
    }

    fn create_without_saving(&self, editor: Editor, flow: Flow) {
        if let Some(h) = self.pending.get_value() {
            h.clear();
        }
        let id = self.workspace.with_untracked(|w| w.fresh_id(platform::random_seed()));
        self.write(&flow_key(&id), &flow_file::to_json(&flow));
        self.workspace.update(|w| w.touch(&id, &flow.meta.title, flow.meta.updated_ms));
        self.current.set(id);
        editor.replace_flow(flow);
        apply_view(editor, None);
        self.save_now(editor);
    }

    pub fn rename(&self, editor: Editor, id: &str, title: &str) {
        if *id == self.current.get_untracked() {
            let _ = editor.apply(crate::domain::change::FlowChange::SetFlowTitle { title: title.to_string() });
            self.save_now(editor);
            return;
        }
        if let Some(mut flow) = self.read_saved(id, "renamed") {
            flow.meta.title = title.to_string();
            self.write(&flow_key(id), &flow_file::to_json(&flow));
            self.workspace.update(|w| w.touch(id, title, flow.meta.updated_ms));
            self.write(WORKSPACE_KEY, &self.workspace.get_untracked().to_json());
        }
    }

    /// A saved flow about to be changed as a whole (renamed, copied): one that cannot be read
    /// is left as it is and the notice says why (`done` is what was not done to it).
    fn read_saved(&self, id: &str, done: &str) -> Option<Flow> {
        let text = platform::storage_get(&flow_key(id))?;
        match flow_file::from_json(&text) {
            Ok(flow) => Some(flow),
            Err(e) => {
                self.notice.set(Some(format!(
                    "That saved flow could not be read, so it was not {done} (it stays saved as it is): {e}"
                )));
                None
            }
        }
    }

    pub fn duplicate(&self, editor: Editor, id: &str) {
        self.save_now(editor);
        let Some(mut flow) = self.read_saved(id, "copied") else { return };
        flow.meta.title = self.workspace.with_untracked(|w| w.copy_title(&flow.meta.title));
        flow.meta.created_ms = platform::now_ms();
        flow.meta.updated_ms = flow.meta.created_ms;
        self.create(editor, flow);
    }

    /// Deletes a flow from the list; `undo_delete` brings it back. Deleting the open flow
    /// opens the next one (or a new starter flow).
    pub fn delete(&self, editor: Editor, id: &str) {
        self.save_now(editor);
        let text = platform::storage_get(&flow_key(id)).unwrap_or_default();
        let Some((index, entry)) = self.workspace.try_update(|w| w.remove(id)).flatten() else { return };
        platform::storage_remove(&flow_key(id));
        platform::storage_remove(&view_key(id));
        self.write(WORKSPACE_KEY, &self.workspace.get_untracked().to_json());
        self.deleted.set(Some(Deleted { index, entry, text }));
        if *id == self.current.get_untracked() {
            match self.workspace.with_untracked(|w| w.flows.first().map(|f| f.id.clone())) {
                Some(next) => self.open_without_saving(editor, &next),
                None => self.create_without_saving(editor, super::starting::starter_flow(platform::now_ms(), "")),
            }
        }
    }

    pub fn undo_delete(&self, editor: Editor) {
        let Some(d) = self.deleted.get_untracked() else { return };
        self.deleted.set(None);
        self.write(&flow_key(&d.entry.id), &d.text);
        let id = d.entry.id.clone();
        self.workspace.update(|w| w.restore(d.index, d.entry));
        self.open(editor, &id);
    }
}

/// The stored list of flows; one that cannot be read is kept aside, reported, and rebuilt
/// from the flows saved in this browser (newest first, the newest opened).
fn load_workspace() -> Workspace {
    let Some(text) = platform::storage_get(WORKSPACE_KEY) else { return Workspace::default() };
    match Workspace::parse(&text) {
        Ok(ws) => ws,
        Err(e) => {
            let mut found: Vec<(String, String, i64)> = platform::storage_keys()
                .into_iter()
                .filter_map(|k| {
                    let id = k.strip_prefix(storage_keys::FLOW_PREFIX)?;
                    if id.contains(storage_keys::UNREADABLE_MARK) {
                        return None;
                    }
                    let flow = flow_file::from_json(&platform::storage_get(&k)?).ok()?;
                    Some((id.to_string(), flow.meta.title, flow.meta.updated_ms))
                })
                .collect();
            found.sort_by_key(|(_, _, updated)| *updated);
            let mut ws = Workspace::default();
            for (id, title, updated) in &found {
                ws.touch(id, title, *updated);
            }
            ws.current = ws.flows.first().map(|f| f.id.clone());
            let instead = match found.len() {
                0 => "No saved flow was found, so a new one was started.".to_string(),
                1 => "The list was rebuilt from the 1 flow saved in this browser.".to_string(),
                n => format!("The list was rebuilt from the {n} flows saved in this browser."),
            };
            unreadable::keep_and_report(WORKSPACE_KEY, &text, <Workspace as Stored>::WHAT, &e, &instead);
            ws
        }
    }
}

/// Where the person was in flow `id`, if that was saved (and readable: else it is reported).
fn load_view(id: &str) -> Option<ViewState> {
    unreadable::load(&view_key(id), "The flow opens fitted to the screen instead.")
}

/// Restores a saved viewport and selection, or fits the flow when there is none.
pub fn apply_view(editor: Editor, view: Option<ViewState>) {
    match view {
        Some(v) if v.zoom > 0.0 && v.zoom.is_finite() => {
            editor.viewport.set(Viewport { x: v.x, y: v.y, zoom: v.zoom });
            let ids: Vec<BlockId> = v.selection.into_iter().map(BlockId).collect();
            let present: Vec<BlockId> =
                editor.with_flow(|f| ids.into_iter().filter(|i| f.block(i).is_some()).collect());
            editor.selection.set(present);
            editor.restored_view.set(true);
        }
        _ => editor.restored_view.set(false),
    }
    editor.fit_request.update(|n| *n += 1);
}
