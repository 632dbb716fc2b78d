//! The flow's run loop, loaded on first use.
//!
//! The engine (scheduling, agents, retries), the providers' request builders and stream parsers
//! and the transport that performs requests are a large part of the app, and a session that
//! only edits never runs them. So the [`Runner`] keeps its run loop behind [`FlowRunLoop`], a
//! trait object built by [`launch`], a split function: the first run fetches that code as its
//! own wasm module (the `run` group), and nothing the main module calls reaches the engine's
//! scheduling directly. Everything else the Runner does (pre-run checks, showing results)
//! stays in the main module and reads the engine through the trait.

use std::rc::Rc;

use super::run::Runner;
use super::transport::Driver;
use crate::domain::conversation::Conversation;
use crate::domain::engine::{Command, Engine, EngineConfig, Event, RunScope};
use crate::domain::flow::Flow;
use crate::ui::platform::platform;
use crate::ui::state::editor::Editor;
use crate::ui::state::settings::Settings;
use crate::ui::widgets::lazy::ChunkError;

/// A [`Driver`] holding the flow's [`Engine`], seen from the main module.
pub trait FlowRunLoop {
    /// Stops the current run (see [`Driver::stop`]).
    fn stop(&self);
    /// Stops and forgets the current run (see [`Driver::reset`]).
    fn reset(&self);
    /// Feeds a person's decision to the current run.
    fn send(&self, event: Event);
    /// Reads the engine of the latest run, if there is one.
    fn read(&self, f: &mut dyn FnMut(&Engine));
    /// Changes the engine of the latest run (takes what it collected), if there is one.
    fn change(&self, f: &mut dyn FnMut(&mut Engine));
    /// Makes `engine` the current run and performs its first commands. Only [`launch`] calls
    /// it, so the main module never reaches the engine's scheduling.
    fn start(&self, settings: Settings, engine: Engine, first: Vec<Command>);
}

impl FlowRunLoop for Driver<Engine> {
    fn stop(&self) {
        Driver::stop(self);
    }

    fn reset(&self) {
        Driver::reset(self);
    }

    fn send(&self, event: Event) {
        Driver::send(self, event);
    }

    fn read(&self, f: &mut dyn FnMut(&Engine)) {
        self.with(f);
    }

    fn change(&self, f: &mut dyn FnMut(&mut Engine)) {
        self.update(f);
    }

    fn start(&self, settings: Settings, engine: Engine, first: Vec<Command>) {
        self.launch(settings, engine, first);
    }
}

/// What a run starts from, once the pre-run checks passed.
pub struct Launch {
    pub editor: Editor,
    pub settings: Settings,
    pub scope: RunScope,
    /// The flow to run instead of the editor's (a shared app's run), if any.
    pub flow: Option<Flow>,
    pub conversation: Option<Conversation>,
    pub config: EngineConfig,
}

/// Starts the engine on the flow and hands it to the Runner's run loop (built on the first
/// run, in the app's owner). The outer error: the module did not arrive; the inner one: the
/// flow cannot run, in words; `Ok(Ok(false))`: the run was stopped while the module was on its
/// way, and does not start.
#[leptos::wasm_split::wasm_split(run, fallible, wasm_split_path = ::leptos::wasm_split)]
pub fn launch(runner: Runner, launch: Launch) -> Result<Result<bool, String>, ChunkError> {
    if !runner.take_launching() {
        return Ok(Ok(false));
    }
    let Launch { editor, settings, scope, flow, conversation, config } = launch;
    let now = platform::now_precise_ms();
    let config = EngineConfig { conversation, ..config };
    let started = runner.with_cache(|c| match &flow {
        Some(f) => Engine::start(f, scope.clone(), c, config, now),
        None => editor.with_flow(|f| Engine::start(f, scope.clone(), c, config, now)),
    });
    let mut engine = match started {
        Ok(e) => e,
        Err(e) => return Ok(Err(format!("The flow cannot run yet: {}", e.messages().join(" ")))),
    };
    let run_loop = match runner.run_loop() {
        Some(l) => l,
        None => {
            let driver = runner.in_app_owner(Driver::<Engine>::new);
            driver.on_step(move || runner.sync());
            let l: Rc<dyn FlowRunLoop> = Rc::new(driver);
            runner.set_run_loop(l.clone());
            l
        }
    };
    runner.before_launch(&scope);
    let commands = engine.poll(now);
    run_loop.start(settings, engine, commands);
    // Here rather than in the caller, so copying the engine's state to the UI (with the end of
    // run: the recording, the cache, fetched embeddings) is in this module, not the main one.
    runner.tick();
    runner.sync();
    Ok(Ok(true))
}

/// Fetches the run module ahead of the first run (the pointer is on Run): by the click it is
/// usually here. A failure is left to the run itself, which says so.
#[leptos::wasm_split::wasm_split(run, fallible, wasm_split_path = ::leptos::wasm_split)]
pub fn warm_up() -> Result<(), ChunkError> {
    Ok(())
}
