//! Runs a small internal flow once (generating test cases) and hands back one block's
//! answer, through the app's run loop ([`Driver`]). Not shown on the canvas.

use super::transport::Driver;
use crate::domain::engine::{Engine, EngineConfig, RunCache, RunScope};
use crate::domain::flow::{BlockId, Flow};
use crate::ui::platform::platform;
use crate::ui::state::settings::Settings;
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct OneShot {
    driver: Driver<Engine>,
    block: StoredValue<BlockId>,
    pub running: RwSignal<bool>,
    /// The block's answer, or why there is none.
    pub result: RwSignal<Option<Result<String, String>>>,
}

impl OneShot {
    pub fn new() -> OneShot {
        let shot = OneShot {
            driver: Driver::new(),
            block: StoredValue::new(BlockId::new("")),
            running: RwSignal::new(false),
            result: RwSignal::new(None),
        };
        shot.driver.on_step(move || shot.after());
        shot
    }

    pub fn start(&self, settings: Settings, flow: &Flow, block: BlockId, config: EngineConfig) {
        let now = platform::now_precise_ms();
        match Engine::start(flow, RunScope::All, &RunCache::new(), config, now) {
            Err(e) => self.result.set(Some(Err(e.to_string()))),
            Ok(mut engine) => {
                let commands = engine.poll(now);
                self.block.set_value(block);
                self.driver.launch(settings, engine, commands);
                self.result.set(None);
                self.running.set(true);
                self.after();
            }
        }
    }

    pub fn stop(&self) {
        self.driver.stop();
    }

    fn after(&self) {
        if !self.running.get_untracked() {
            return;
        }
        let block = self.block.get_value();
        let outcome = self
            .driver
            .with(|e| {
                if !e.is_finished() {
                    return None;
                }
                Some(match e.block(&block) {
                    Some(run) if run.status.has_result() => Ok(run.output.clone().unwrap_or_default()),
                    Some(run) => Err(run.error.clone().unwrap_or_else(|| "It did not finish.".into())),
                    None => Err("It did not run.".into()),
                })
            })
            .flatten();
        if let Some(outcome) = outcome {
            self.running.set(false);
            self.result.set(Some(outcome));
        }
    }
}
