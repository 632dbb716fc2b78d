//! Runs a small internal flow once (generating test cases) and hands back one block's
//! answer, through the shared [`Transport`]. Not shown on the canvas.

use super::transport::Transport;
use crate::domain::engine::{Engine, EngineConfig, Event, RunCache, RunScope};
use crate::domain::flow::{BlockId, Flow};
use crate::ui::platform::platform;
use crate::ui::state::settings::Settings;
use leptos::prelude::*;
use std::rc::Rc;

#[derive(Clone, Copy)]
pub struct OneShot {
    engine: StoredValue<Option<Engine>, LocalStorage>,
    transport: Transport,
    block: StoredValue<BlockId>,
    pub running: RwSignal<bool>,
    /// The block's answer, or why there is none.
    pub result: RwSignal<Option<Result<String, String>>>,
}

impl OneShot {
    pub fn new() -> OneShot {
        OneShot {
            engine: StoredValue::new_local(None),
            transport: Transport::new(),
            block: StoredValue::new(BlockId::new("")),
            running: RwSignal::new(false),
            result: RwSignal::new(None),
        }
    }

    pub fn start(&self, settings: Settings, flow: &Flow, block: BlockId, config: EngineConfig) {
        let now = platform::now_precise_ms();
        match Engine::start(flow, RunScope::All, &RunCache::new(), config, now) {
            Err(e) => self.result.set(Some(Err(e.to_string()))),
            Ok(mut engine) => {
                let commands = engine.poll(now);
                self.engine.set_value(Some(engine));
                self.block.set_value(block);
                self.result.set(None);
                self.running.set(true);
                self.perform(settings, commands);
                self.after();
            }
        }
    }

    pub fn stop(&self) {
        let now = platform::now_precise_ms();
        let commands = self.engine.try_update_value(|e| e.as_mut().map(|e| e.stop(now))).flatten().unwrap_or_default();
        for c in commands {
            if let crate::domain::engine::Command::Cancel { request } = c {
                self.transport.abort(request);
            }
        }
        self.after();
    }

    fn perform(&self, settings: Settings, commands: Vec<crate::domain::engine::Command>) {
        let this = *self;
        self.transport.perform(
            settings,
            commands,
            Rc::new(move |event| this.feed(settings, event)),
            Rc::new(move || this.poll(settings)),
        );
    }

    fn feed(&self, settings: Settings, event: Event) {
        let now = platform::now_precise_ms();
        if let Some(commands) = self.engine.try_update_value(|e| e.as_mut().map(|e| e.on_event(event, now))).flatten() {
            self.perform(settings, commands);
        }
        self.after();
    }

    fn poll(&self, settings: Settings) {
        let now = platform::now_precise_ms();
        if let Some(commands) = self.engine.try_update_value(|e| e.as_mut().map(|e| e.poll(now))).flatten() {
            self.perform(settings, commands);
        }
        self.after();
    }

    fn after(&self) {
        if !self.running.get_untracked() {
            return;
        }
        let block = self.block.get_value();
        let outcome = self.engine.with_value(|e| {
            let e = e.as_ref()?;
            if !e.is_finished() {
                return None;
            }
            Some(match e.block(&block) {
                Some(run) if run.status.has_result() => Ok(run.output.clone().unwrap_or_default()),
                Some(run) => Err(run.error.clone().unwrap_or_else(|| "It did not finish.".into())),
                None => Err("It did not run.".into()),
            })
        });
        if let Some(outcome) = outcome {
            self.running.set(false);
            self.result.set(Some(outcome));
        }
    }
}
