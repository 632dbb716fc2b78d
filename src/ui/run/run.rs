//! Drives the sans-IO engine from the browser: performs its commands with `fetch`,
//! feeds back chunks and failures, and mirrors each block's run into its own signal.

use super::run_loop::{launch, FlowRunLoop, Launch};
use crate::domain::conversation::Conversation;
use crate::domain::engine::{
    estimate, preflight, ApprovalDecision, BlockRun, Blocker, Engine, EngineConfig, Estimate, Event, PreflightView,
    RunCache, RunScope, RunSummary,
};
use crate::domain::flow::{BlockId, Flow};
use crate::domain::providers::ProviderKind;
use crate::domain::recording::{RecordedBlock, Recording};
use crate::ui::platform::platform;
use crate::ui::state::editor::Editor;
use crate::ui::state::settings::Settings;
use leptos::prelude::*;
use std::collections::{BTreeSet, HashMap};
use std::rc::Rc;

pub use super::run_asks::{DownloadAsk, HostApproval};
use crate::domain::stored::{from_stored, to_stored};
use crate::ui::platform::storage_keys::RUN_CACHE as CACHE_KEY;

#[derive(Clone, Copy)]
pub struct Runner {
    /// The run loop, holding the engine of the latest run: built by the first run, with the
    /// code it needs (see run_loop.rs).
    run_loop: StoredValue<Option<Rc<dyn FlowRunLoop>>, LocalStorage>,
    /// A run passed its checks and waits for the run loop's module: the top bar says
    /// "starting…", and Stop cancels it.
    launching: RwSignal<bool>,
    cache: StoredValue<RunCache>,
    runs: StoredValue<HashMap<BlockId, RwSignal<Option<BlockRun>>>>,
    pub(super) owner: StoredValue<Owner, LocalStorage>,
    /// The flow's documents, for Retrieve blocks.
    pub knowledge: crate::ui::knowledge::knowledge::Knowledge,
    pub media: crate::ui::platform::media::MediaStore,
    pub running: RwSignal<bool>,
    pub summary: RwSignal<Option<RunSummary>>,
    /// Why a run did not start, or what needs attention, in words.
    pub message: RwSignal<Option<String>>,
    /// Ticks while a run is going, so block timers update.
    pub clock: RwSignal<f64>,
    /// The last finished run, for replay in present mode.
    pub recording: RwSignal<Option<Recording>>,
    /// Set when a run needs the user to allow tool hosts first (the dialog reads it).
    pub approval: RwSignal<Option<HostApproval>>,
    /// Hosts allowed in this page for flows that are not saved (shared links).
    pub(super) session_hosts: StoredValue<BTreeSet<String>>,
    /// The Approval block whose text is being edited before approving (card, inspector and
    /// present mode share it).
    pub approval_editing: RwSignal<Option<BlockId>>,
    /// Set when a run would download an in-browser model (the confirmation reads it).
    pub download: RwSignal<Option<DownloadAsk>>,
    /// In-browser models the person agreed to download (or that are already here).
    pub(super) models_ok: StoredValue<BTreeSet<String>>,
}

impl Runner {
    pub fn new(
        knowledge: crate::ui::knowledge::knowledge::Knowledge,
        media: crate::ui::platform::media::MediaStore,
    ) -> Runner {
        // A cache of this tab's results: one that cannot be read is dropped (the next run
        // refills it), the only stored record that may be.
        let cache = platform::session_get(CACHE_KEY).and_then(|t| from_stored(&t).ok()).unwrap_or_default();
        Runner {
            run_loop: StoredValue::new_local(None),
            launching: RwSignal::new(false),
            cache: StoredValue::new(cache),
            runs: StoredValue::new(HashMap::new()),
            owner: StoredValue::new_local(Owner::current().unwrap_or_default()),
            knowledge,
            media,
            running: RwSignal::new(false),
            summary: RwSignal::new(None),
            message: RwSignal::new(None),
            clock: RwSignal::new(0.0),
            recording: RwSignal::new(None),
            approval: RwSignal::new(None),
            session_hosts: StoredValue::new(BTreeSet::new()),
            approval_editing: RwSignal::new(None),
            download: RwSignal::new(None),
            models_ok: StoredValue::new(BTreeSet::new()),
        }
    }

    /// The run state of one block (created on first use, in the app's owner so it
    /// outlives the block card that asked for it).
    pub fn run_of(&self, id: &BlockId) -> RwSignal<Option<BlockRun>> {
        if let Some(s) = self.runs.with_value(|r| r.get(id).copied()) {
            return s;
        }
        let signal = self.owner.with_value(|o| o.with(|| RwSignal::new(None)));
        self.runs.update_value(|r| {
            r.insert(id.clone(), signal);
        });
        signal
    }

    pub fn config(&self, settings: Settings) -> EngineConfig {
        EngineConfig {
            knowledge: Some(self.knowledge.kb.get_untracked()),
            media: Some(self.media.library.get_untracked()),
            ..super::transport::limits_config(settings)
        }
    }

    pub fn estimate(&self, editor: Editor, settings: Settings, scope: &RunScope) -> Estimate {
        let config = self.config(settings);
        self.cache.with_value(|c| editor.with_flow(|f| estimate(f, scope, c, &config)))
    }

    pub fn start(&self, editor: Editor, settings: Settings, scope: RunScope) {
        self.start_with(editor, settings, scope, None, None);
    }

    /// Runs the whole flow for one Chat panel turn: the message goes into the chat Input
    /// value and the earlier turns to conversational Prompts. False when it did not start
    /// (a key, a download or a host approval is asked for first, or the flow cannot run). A
    /// run on sample answers may already be finished when this returns.
    pub fn start_chat(&self, editor: Editor, settings: Settings, conversation: Conversation) -> bool {
        self.start_with(editor, settings, RunScope::All, None, Some(conversation))
    }

    /// A chat turn of `flow` instead of the editor's (a shared link's app view: the viewer's
    /// values and providers); otherwise like `start_chat`.
    pub fn start_chat_of(&self, editor: Editor, settings: Settings, flow: Flow, conversation: Conversation) -> bool {
        self.start_with(editor, settings, RunScope::All, Some(flow), Some(conversation))
    }

    /// Reads the engine of the latest run (the Chat panel takes its answer from it).
    pub fn with_engine<R>(&self, f: impl FnOnce(&Engine) -> R) -> Option<R> {
        let run_loop = self.run_loop()?;
        let (mut f, mut out) = (Some(f), None);
        run_loop.read(&mut |e| out = f.take().map(|f| f(e)));
        out
    }

    /// Changes the engine of the latest run (takes what it collected).
    fn update_engine<R>(&self, f: impl FnOnce(&mut Engine) -> R) -> Option<R> {
        let run_loop = self.run_loop()?;
        let (mut f, mut out) = (Some(f), None);
        run_loop.change(&mut |e| out = f.take().map(|f| f(e)));
        out
    }

    /// The run loop, once a run built it (a clone, so calling it holds no borrow of the store:
    /// its steps call back into the Runner).
    pub(super) fn run_loop(&self) -> Option<Rc<dyn FlowRunLoop>> {
        self.run_loop.try_get_value().flatten()
    }

    pub(super) fn set_run_loop(&self, run_loop: Rc<dyn FlowRunLoop>) {
        self.run_loop.set_value(Some(run_loop));
    }

    /// Runs `f` in the app's owner, so what it creates outlives the component that asked.
    pub(super) fn in_app_owner<T>(&self, f: impl FnOnce() -> T) -> T {
        self.owner.with_value(|o| o.with(f))
    }

    pub(super) fn with_cache<T>(&self, f: impl FnOnce(&RunCache) -> T) -> T {
        self.cache.with_value(f)
    }

    /// Whether a run is waiting for the run module to arrive.
    pub fn starting(&self) -> bool {
        self.launching.get()
    }

    /// True once for a run waiting to launch that was not stopped meanwhile.
    pub(super) fn take_launching(&self) -> bool {
        let waiting = self.launching.get_untracked();
        if waiting {
            self.launching.set(false);
        }
        waiting
    }

    /// Clears what the new run replaces: the message, and all results for a full run (a
    /// partial run keeps the rest visible).
    pub(super) fn before_launch(&self, scope: &RunScope) {
        self.message.set(None);
        if matches!(scope, RunScope::All) {
            self.runs.with_value(|r| r.values().for_each(|s| s.set(None)));
        }
    }

    /// Runs all of `flow` instead of the editor's flow (a shared app runs the viewer's
    /// inputs without touching the shared flow, which stays read-only and unsaved).
    pub fn start_flow(&self, editor: Editor, settings: Settings, flow: Flow) {
        self.start_with(editor, settings, RunScope::All, Some(flow), None);
    }

    /// Starts a run of `scope` (of `flow`, or the editor's flow), for a chat turn when
    /// `conversation` is given. False when it did not start.
    pub(super) fn start_with(
        &self,
        editor: Editor,
        settings: Settings,
        scope: RunScope,
        flow: Option<Flow>,
        conversation: Option<Conversation>,
    ) -> bool {
        if self.running.get_untracked() {
            return false;
        }
        let approved = self.approved_hosts(editor);
        let subflows = self.subflows(editor);
        let has_key = |k: ProviderKind| settings.has_key(k);
        let model_ok = |m: &str| self.models_ok.with_value(|ok| ok.contains(m));
        let view =
            PreflightView { has_key: &has_key, approved_hosts: &approved, model_ok: &model_ok, subflows: &subflows };
        let blockers = match &flow {
            Some(f) => preflight(f, &scope, &view),
            None => editor.with_flow(|f| preflight(f, &scope, &view)),
        };
        // One thing at a time, in the order `preflight` gives: keys, downloads, hosts, problems.
        match blockers.into_iter().next() {
            Some(Blocker::MissingKeys(missing)) => {
                // Settings says why, in front, with the ways to run without a key (a banner
                // here would sit behind the dialog).
                self.message.set(None);
                settings.needs_key.set(missing);
                settings.open.set(true);
                return false;
            }
            Some(Blocker::Download(unconfirmed)) => {
                // An in-browser model is a download of 100 MB or more: never without a yes. A
                // model already in this browser's cache needs none.
                let this = *self;
                leptos::task::spawn_local(async move {
                    let cached = crate::ui::platform::local_model::cached_models().await.unwrap_or_default();
                    let (here, missing): (Vec<_>, Vec<_>) = unconfirmed.into_iter().partition(|(m, _)| {
                        let file = crate::domain::providers::local_models::model_name(m);
                        let tail = m.rsplit('/').next().unwrap_or(m);
                        cached.iter().any(|c| c.name.ends_with(tail) || c.name == file)
                    });
                    this.models_ok.update_value(|ok| ok.extend(here.into_iter().map(|(m, _)| m)));
                    if missing.is_empty() {
                        this.start_with(editor, settings, scope, flow, conversation);
                    } else {
                        this.download.set(Some(DownloadAsk { models: missing, scope, flow, conversation }));
                    }
                });
                return false;
            }
            Some(Blocker::UnapprovedHosts(hosts)) => {
                self.approval.set(Some(HostApproval { hosts, scope, flow, conversation }));
                return false;
            }
            Some(Blocker::CannotRun(e)) => {
                self.message.set(Some(format!("The flow cannot run yet: {}", e.messages().join(" "))));
                return false;
            }
            None => {}
        }
        // The engine starts in the run module, fetched by the first run: until it is here the
        // run shows as going (Stop cancels it).
        let config = EngineConfig { approved_hosts: approved, subflows, ..self.config(settings) };
        let order = Launch { editor, settings, scope, flow, conversation, config };
        self.launching.set(true);
        self.running.set(true);
        let this = *self;
        leptos::task::spawn_local(async move {
            match launch(this, order).await {
                // Started (`launch` set the clock going and showed the first step), or stopped.
                Ok(Ok(_)) => {}
                Ok(Err(why)) => this.not_started(why),
                Err(_) => this.not_started(
                    "The run could not start: part of the app did not load. Check the connection, then run again."
                        .into(),
                ),
            }
        });
        true
    }

    /// Starts fetching the run module ahead of the first run (the pointer or the focus is on
    /// Run), so the click does not wait for it.
    pub fn warm_up(&self) {
        if self.run_loop().is_none() {
            leptos::task::spawn_local(async {
                // A failure is not news yet: the run itself says so, with the way out.
                let _ = super::run_loop::warm_up().await;
            });
        }
    }

    /// A run that passed its checks did not start after all: say why, and leave no earlier
    /// run's engine to be read as this one's (the Chat panel reads the answer from it).
    fn not_started(&self, why: String) {
        if let Some(run_loop) = self.run_loop() {
            run_loop.reset();
        }
        self.message.set(Some(why));
        self.running.set(false);
    }

    /// Forgets the results shown (another flow was opened: its block ids may repeat).
    pub fn reset(&self) {
        self.launching.set(false);
        if let Some(run_loop) = self.run_loop() {
            run_loop.reset();
        }
        self.running.set(false);
        self.summary.set(None);
        self.message.set(None);
        self.runs.with_value(|r| r.values().for_each(|s| s.set(None)));
    }

    pub fn stop(&self) {
        if self.take_launching() {
            self.running.set(false);
        } else if let Some(run_loop) = self.run_loop() {
            run_loop.stop();
        }
    }

    /// A person's Approve / Edit / Reject for a waiting Approval block.
    pub fn decide(&self, block: BlockId, decision: ApprovalDecision) {
        self.approval_editing.set(None);
        if let Some(run_loop) = self.run_loop() {
            run_loop.send(Event::Approval { block, decision });
        }
    }

    /// Copies changed block runs into their signals; ends the run when the engine is done.
    pub(super) fn sync(&self) {
        let Some((changed, summary, finished)) = self.update_engine(|e| {
            let ids = e.take_changed();
            let runs: Vec<(BlockId, Option<BlockRun>)> =
                ids.into_iter().map(|id| (id.clone(), e.block(&id).cloned())).collect();
            (runs, e.summary(), e.is_finished())
        }) else {
            return;
        };
        for (id, run) in changed {
            self.run_of(&id).set(run);
        }
        self.summary.set(Some(summary));
        if finished && self.running.get_untracked() {
            self.running.set(false);
            let recording = self.with_engine(|e| Recording {
                recorded_ms: platform::now_ms(),
                blocks: e
                    .blocks()
                    .map(|(id, r)| RecordedBlock {
                        id: id.0.clone(),
                        status: r.status.label().to_string(),
                        input: r.input_text(),
                        output: r.output.clone().unwrap_or_default(),
                        error: r.error.clone(),
                        sample: r.sample,
                    })
                    .collect(),
            });
            if recording.is_some() {
                self.recording.set(recording);
            }
            // Chunk vectors fetched for meaning search are kept, so the next run only embeds the query.
            let fresh = self.update_engine(|e| e.take_new_embeddings());
            if let Some(fresh) = fresh.filter(|f| !f.is_empty()) {
                self.knowledge.update(|kb| {
                    for (key, vectors) in fresh {
                        kb.add_embeddings(&key, vectors);
                    }
                });
            }
            let cache = self.cache.try_update_value(|c| {
                self.with_engine(|e| e.write_cache(c));
                to_stored(c)
            });
            if let Some(text) = cache {
                platform::session_set(CACHE_KEY, &text);
            }
        }
    }

    /// Keeps `clock` moving while a run is going, for the timers on blocks.
    pub(super) fn tick(&self) {
        self.clock.set(platform::now_precise_ms());
        if self.running.get_untracked() {
            let this = *self;
            platform::after_ms(100.0, move || this.tick());
        }
    }
}
