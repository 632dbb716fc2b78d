//! The one run loop of the app ([`Driver`]) and one provider call outside a flow through it
//! ([`call`]). The commands themselves are performed by [`Transport`].

use super::transport::Transport;
use crate::domain::engine::Event;
use crate::domain::engine::{Command, EngineConfig, Fetch, Machine, ProviderCall};
use crate::domain::providers::ProviderKind;
use crate::ui::platform::platform;
use crate::ui::state::settings::Settings;
use leptos::prelude::*;
use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// One provider call outside a flow, through the run loop: retries with backoff, the timeout
/// and the budget of `config`, and a trace (`Fetch::trace`, which only sees the redacted
/// request). Resolves with the finished [`Fetch`]. A component keeps one `Driver<Fetch>` and
/// makes one call at a time with it (its button waits): a second call replaces the first.
pub async fn call(
    driver: Driver<Fetch>,
    settings: Settings,
    provider: ProviderKind,
    call: ProviderCall,
    config: &EngineConfig,
    estimate_usd: f64,
) -> Fetch {
    let mut fetch = Fetch::new(provider, call, config, estimate_usd);
    let first = fetch.poll(platform::now_precise_ms());
    if fetch.is_finished() {
        return fetch; // over the budget: nothing was sent
    }
    let slot: Rc<RefCell<Slot>> = Rc::new(RefCell::new(Slot::default()));
    let on_step = slot.clone();
    driver.on_step(move || {
        if let Some(done) = driver.with(|f| f.is_finished().then(|| f.clone())).flatten() {
            let mut slot = on_step.borrow_mut();
            slot.done = Some(done);
            if let Some(w) = slot.waker.take() {
                w.wake();
            }
        }
    });
    driver.launch(settings, fetch, first);
    Finished(slot).await
}

#[derive(Default)]
struct Slot {
    done: Option<Fetch>,
    waker: Option<Waker>,
}

/// Resolves when the loop's `on_step` sees the call finished.
struct Finished(Rc<RefCell<Slot>>);

impl Future for Finished {
    type Output = Fetch;

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Fetch> {
        let mut slot = self.0.borrow_mut();
        match slot.done.take() {
            Some(done) => Poll::Ready(done),
            None => {
                slot.waker = Some(cx.waker().clone());
                Poll::Pending
            }
        }
    }
}

/// The one run loop of the app: holds a [`Machine`] (a flow's engine, an eval run), performs
/// the commands it asks for through a [`Transport`] (fetches, aborts, timers), feeds back what
/// happened, and calls the owner's `on_step` after every step so it can show progress. Each
/// start or reset begins a new generation: events and wake-ups of a stopped or replaced run
/// arrive with an old generation and are dropped here, before they reach the machine. A
/// Driver may belong to a component (a dialog's `Driver<Fetch>`): once that is gone, news that
/// still arrives is dropped too (every read here is a `try_`: a disposed value never panics).
pub struct Driver<M: 'static> {
    machine: StoredValue<Option<M>, LocalStorage>,
    transport: Transport,
    settings: StoredValue<Option<Settings>, LocalStorage>,
    generation: StoredValue<u64>,
    on_step: StoredValue<Option<Rc<dyn Fn()>>, LocalStorage>,
}

impl<M: 'static> Clone for Driver<M> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<M: 'static> Copy for Driver<M> {}

impl<M: Machine + 'static> Driver<M> {
    pub fn new() -> Driver<M> {
        Driver {
            machine: StoredValue::new_local(None),
            transport: Transport::new(),
            settings: StoredValue::new_local(None),
            generation: StoredValue::new(0),
            on_step: StoredValue::new_local(None),
        }
    }

    /// What to do after every step (show changed blocks, progress, the end of the run).
    pub fn on_step(&self, f: impl Fn() + 'static) {
        self.on_step.set_value(Some(Rc::new(f)));
    }

    /// Makes `machine` the current run (a new generation) and performs `first`, the commands
    /// it gave when it started (normally its first `poll`). Returns the generation.
    pub fn launch(&self, settings: Settings, machine: M, first: Vec<Command>) -> u64 {
        self.generation.update_value(|g| *g += 1);
        self.settings.set_value(Some(settings));
        self.machine.set_value(Some(machine));
        self.perform(first);
        self.generation()
    }

    /// The current run's generation (changes with every launch and reset).
    pub fn generation(&self) -> u64 {
        self.generation.try_get_value().unwrap_or(0)
    }

    /// Stops the current run: its requests in flight are aborted; what arrives later is
    /// ignored by the machine.
    pub fn stop(&self) {
        let now = platform::now_precise_ms();
        let commands = self.machine.try_update_value(|m| m.as_mut().map(|m| m.stop(now))).flatten().unwrap_or_default();
        for c in commands {
            if let Command::Cancel { request } = c {
                self.transport.abort(request);
            }
        }
        self.step();
    }

    /// Stops and forgets the current run; anything still arriving for it is dropped.
    pub fn reset(&self) {
        self.stop();
        self.generation.update_value(|g| *g += 1);
        self.machine.set_value(None);
    }

    /// Feeds an event that belongs to the current run (a person's decision).
    pub fn send(&self, event: Event) {
        self.feed(self.generation(), event);
    }

    /// Reads the current machine.
    pub fn with<R>(&self, f: impl FnOnce(&M) -> R) -> Option<R> {
        self.machine.try_with_value(|m| m.as_ref().map(f)).flatten()
    }

    /// Changes the current machine (taking what it collected, say).
    pub fn update<R>(&self, f: impl FnOnce(&mut M) -> R) -> Option<R> {
        self.machine.try_update_value(|m| m.as_mut().map(f)).flatten()
    }

    fn feed(&self, generation: u64, event: Event) {
        if self.generation.try_get_value() != Some(generation) {
            return; // an answer for a run that has since been stopped and replaced
        }
        let now = platform::now_precise_ms();
        if let Some(commands) = self.update(|m| m.on_event(event, now)) {
            self.perform(commands);
        }
        self.step();
    }

    fn poll(&self, generation: u64) {
        if self.generation.try_get_value() != Some(generation) {
            return;
        }
        let now = platform::now_precise_ms();
        if let Some(commands) = self.update(|m| m.poll(now)) {
            self.perform(commands);
        }
        self.step();
    }

    fn perform(&self, commands: Vec<Command>) {
        let Some(settings) = self.settings.try_get_value().flatten() else { return };
        let generation = self.generation();
        let this = *self;
        self.transport.perform(
            settings,
            commands,
            Rc::new(move |event| this.feed(generation, event)),
            Rc::new(move || this.poll(generation)),
        );
    }

    fn step(&self) {
        if let Some(f) = self.on_step.try_get_value().flatten() {
            f();
        }
    }
}
