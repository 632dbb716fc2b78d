//! What a run loop drives: anything that turns the time and [`Event`]s into [`Command`]s. The
//! engine (one flow run) and the eval run (many child engines, judges, embeddings) both are
//! one, so the browser layer has a single loop (`ui::driver::Driver`) that performs commands
//! for either, and the host tests can drive either with a fake transport.

use super::{Command, Engine, Event};

pub trait Machine {
    /// Advances without news: starts what is ready, times out stuck requests, starts due
    /// retries. Called first after start and whenever a [`Command::WakeAt`] timer fires.
    fn poll(&mut self, now_ms: f64) -> Vec<Command>;
    /// Applies what happened to a request (or a person's decision) and says what to do next.
    fn on_event(&mut self, event: Event, now_ms: f64) -> Vec<Command>;
    /// The person stopped the run: everything in flight is cancelled (the returned
    /// [`Command::Cancel`]s), and the machine is finished afterwards.
    fn stop(&mut self, now_ms: f64) -> Vec<Command>;
    /// Nothing is left to do.
    fn is_finished(&self) -> bool;
}

impl Machine for Engine {
    fn poll(&mut self, now_ms: f64) -> Vec<Command> {
        Engine::poll(self, now_ms)
    }

    fn on_event(&mut self, event: Event, now_ms: f64) -> Vec<Command> {
        Engine::on_event(self, event, now_ms)
    }

    fn stop(&mut self, now_ms: f64) -> Vec<Command> {
        Engine::stop(self, now_ms)
    }

    fn is_finished(&self) -> bool {
        Engine::is_finished(self)
    }
}
