//! Drives an eval run from the browser through the app's run loop ([`Driver`], which performs
//! its commands and drops news of a stopped or replaced eval), keeps a progress count, and refreshes the shown results a few times a
//! second (not on every streamed chunk: a big eval has thousands of them).

use crate::domain::engine::EngineConfig;
use crate::domain::evals::run::{EvalRun, EvalSpec, JobResult};
use crate::ui::platform::platform;
use crate::ui::run::transport::Driver;
use crate::ui::state::settings::Settings;
use leptos::prelude::*;

/// How often the results view catches up while an eval runs.
const REFRESH_MS: f64 = 1_000.0;

#[derive(Clone, Copy)]
pub struct EvalDriver {
    driver: Driver<EvalRun>,
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
        let eval = EvalDriver {
            driver: Driver::new(),
            running: RwSignal::new(false),
            progress: RwSignal::new((0, 0)),
            results: RwSignal::new(Vec::new()),
            stopped: RwSignal::new(None),
            ended: RwSignal::new(0),
            progress_at: StoredValue::new(0.0),
        };
        eval.driver.on_step(move || eval.after());
        eval
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
        let (progress, results) = ((run.completed(), run.total()), run.results());
        // The run is in place before any signal tells the dialog (which reads its spec). Its
        // first commands only start fetches and timers: nothing comes back before this returns.
        let generation = self.driver.launch(settings, run, commands);
        self.progress.set(progress);
        self.results.set(results);
        self.stopped.set(None);
        self.running.set(true);
        self.refresh_loop(generation);
        self.after();
    }

    pub fn stop(&self) {
        self.driver.stop();
    }

    /// Cheap bookkeeping after every event; the end of the eval publishes everything.
    fn after(&self) {
        let state = self.driver.with(|r| (r.completed(), r.total(), r.is_finished()));
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
            let stopped = self.driver.with(|r| r.stopped().map(str::to_string)).flatten();
            self.stopped.set(stopped);
            self.running.set(false);
            self.ended.update(|n| *n += 1);
        }
    }

    fn publish(&self) {
        if let Some(results) = self.driver.with(EvalRun::results) {
            self.results.set(results);
        }
    }

    fn refresh_loop(&self, generation: u64) {
        let this = *self;
        platform::after_ms(REFRESH_MS, move || {
            if this.driver.generation() != generation || !this.running.get_untracked() {
                return;
            }
            this.publish();
            this.refresh_loop(generation);
        });
    }

    /// The spec of the eval that ran last.
    pub fn spec(&self) -> Option<EvalSpec> {
        self.driver.with(|r| r.spec().clone())
    }
}
