//! Drives an eval run from the browser: performs its commands through the shared
//! [`Transport`], keeps a progress count, and refreshes the shown results a few times a
//! second (not on every streamed chunk: a big eval has thousands of them).

use crate::domain::engine::{EngineConfig, Event};
use crate::domain::evals::run::{EvalRun, EvalSpec, JobResult};
use crate::ui::platform::platform;
use crate::ui::run::transport::Transport;
use crate::ui::state::settings::Settings;
use leptos::prelude::*;
use std::rc::Rc;

/// How often the results view catches up while an eval runs.
const REFRESH_MS: f64 = 1_000.0;

#[derive(Clone, Copy)]
pub struct EvalDriver {
    run: StoredValue<Option<EvalRun>, LocalStorage>,
    transport: Transport,
    generation: StoredValue<u64>,
    pub running: RwSignal<bool>,
    /// (finished runs, all runs)
    pub progress: RwSignal<(usize, usize)>,
    pub results: RwSignal<Vec<JobResult>>,
    /// Why the last eval stopped early.
    pub stopped: RwSignal<Option<String>>,
    /// Bumped when an eval ends, so the dialog saves a record.
    pub ended: RwSignal<u64>,
    /// When the progress signal was last set: it is set at most every `PROGRESS_MS`, since
    /// each update re-lays out the dialog.
    progress_at: StoredValue<f64>,
}

const PROGRESS_MS: f64 = 150.0;

impl EvalDriver {
    pub fn new() -> EvalDriver {
        EvalDriver {
            run: StoredValue::new_local(None),
            transport: Transport::new(),
            generation: StoredValue::new(0),
            running: RwSignal::new(false),
            progress: RwSignal::new((0, 0)),
            results: RwSignal::new(Vec::new()),
            stopped: RwSignal::new(None),
            ended: RwSignal::new(0),
            progress_at: StoredValue::new(0.0),
        }
    }

    /// Starts (or, with `done`, resumes) an eval.
    pub fn start(&self, settings: Settings, spec: EvalSpec, config: EngineConfig, done: Vec<JobResult>) {
        if self.running.get_untracked() {
            return;
        }
        let mut run = EvalRun::start(spec, config, done);
        let commands = run.poll(platform::now_precise_ms());
        self.launch(settings, run, commands);
    }

    /// Checks answers that already exist (a finished batch job) and shows the results.
    pub fn start_from_answers(
        &self,
        settings: Settings,
        spec: EvalSpec,
        config: EngineConfig,
        answers: Vec<crate::domain::evals::batch::BatchAnswer>,
    ) {
        if self.running.get_untracked() {
            return;
        }
        let (run, commands) = EvalRun::from_answers(spec, config, answers, platform::now_precise_ms());
        self.launch(settings, run, commands);
    }

    /// Makes `run` the current eval and performs its first commands.
    fn launch(&self, settings: Settings, run: EvalRun, commands: Vec<crate::domain::engine::Command>) {
        self.generation.update_value(|g| *g += 1);
        let generation = self.generation.get_value();
        self.progress.set((run.completed(), run.total()));
        self.results.set(run.results());
        self.run.set_value(Some(run));
        self.stopped.set(None);
        self.running.set(true);
        self.perform(settings, generation, commands);
        self.refresh_loop(generation);
        self.after();
    }

    pub fn stop(&self) {
        let now = platform::now_precise_ms();
        let commands = self
            .run
            .try_update_value(|r| r.as_mut().map(|r| r.stop(now, "Stopped by you.")))
            .flatten()
            .unwrap_or_default();
        for c in commands {
            if let crate::domain::engine::Command::Cancel { request } = c {
                self.transport.abort(request);
            }
        }
        self.after();
    }

    fn perform(&self, settings: Settings, generation: u64, commands: Vec<crate::domain::engine::Command>) {
        let this = *self;
        self.transport.perform(
            settings,
            commands,
            Rc::new(move |event| this.feed(settings, generation, event)),
            Rc::new(move || this.poll(settings, generation)),
        );
    }

    fn feed(&self, settings: Settings, generation: u64, event: Event) {
        if self.generation.get_value() != generation {
            return;
        }
        let now = platform::now_precise_ms();
        let commands = self.run.try_update_value(|r| r.as_mut().map(|r| r.on_event(event, now))).flatten();
        if let Some(commands) = commands {
            self.perform(settings, generation, commands);
        }
        self.after();
    }

    fn poll(&self, settings: Settings, generation: u64) {
        if self.generation.get_value() != generation {
            return;
        }
        let now = platform::now_precise_ms();
        let commands = self.run.try_update_value(|r| r.as_mut().map(|r| r.poll(now))).flatten();
        if let Some(commands) = commands {
            self.perform(settings, generation, commands);
        }
        self.after();
    }

    /// Cheap bookkeeping after every event; the end of the eval publishes everything.
    fn after(&self) {
        let state = self.run.with_value(|r| r.as_ref().map(|r| (r.completed(), r.total(), r.is_finished())));
        let Some((done, total, finished)) = state else { return };
        let now = platform::now_precise_ms();
        if self.progress.get_untracked() != (done, total)
            && (finished || now - self.progress_at.get_value() >= PROGRESS_MS)
        {
            self.progress_at.set_value(now);
            self.progress.set((done, total));
        }
        if finished && self.running.get_untracked() {
            self.publish();
            let stopped = self.run.with_value(|r| r.as_ref().and_then(|r| r.stopped().map(str::to_string)));
            self.stopped.set(stopped);
            self.running.set(false);
            self.ended.update(|n| *n += 1);
        }
    }

    fn publish(&self) {
        if let Some(results) = self.run.with_value(|r| r.as_ref().map(EvalRun::results)) {
            self.results.set(results);
        }
    }

    fn refresh_loop(&self, generation: u64) {
        let this = *self;
        platform::after_ms(REFRESH_MS, move || {
            if this.generation.get_value() != generation || !this.running.get_untracked() {
                return;
            }
            this.publish();
            this.refresh_loop(generation);
        });
    }

    /// The spec of the eval that ran last.
    pub fn spec(&self) -> Option<EvalSpec> {
        self.run.with_value(|r| r.as_ref().map(|r| r.spec().clone()))
    }
}
