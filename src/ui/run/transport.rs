//! Performs an engine's commands in the browser: streaming `fetch` for model calls (the key
//! added from settings only here), plain `fetch` for tool requests, aborts, and timers.
//! Shared by single runs and eval runs; each reports events back through `feed`.

use crate::domain::engine::{BatchCall, Command, EngineConfig, Event, Fetch, Machine, ProviderCall, RequestId};
use crate::domain::providers::{
    build_chat_request, build_embeddings_request, build_models_request, build_moderation_request, HttpRequest,
    ProviderKind,
};
use crate::ui::platform::platform::{self, FetchEnd};
use crate::ui::state::settings::Settings;
use leptos::prelude::*;
use std::cell::RefCell;
use std::collections::HashMap;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll, Waker};

/// A tool response is read up to this size; the domain cuts what goes to the model further.
const TOOL_BODY_LIMIT: usize = 1_000_000;

#[derive(Clone, Copy)]
pub struct Transport {
    aborts: StoredValue<HashMap<RequestId, web_sys::AbortController>, LocalStorage>,
}

impl Transport {
    pub fn new() -> Transport {
        Transport { aborts: StoredValue::new_local(HashMap::new()) }
    }

    pub fn abort(&self, request: RequestId) {
        if let Some(ctrl) = self.aborts.try_update_value(|a| a.remove(&request)).flatten() {
            ctrl.abort();
        }
    }

    fn controller(&self, request: RequestId) -> Option<web_sys::AbortSignal> {
        let controller = web_sys::AbortController::new().ok()?;
        let signal = controller.signal();
        self.aborts.update_value(|a| {
            a.insert(request, controller);
        });
        Some(signal)
    }

    fn done(&self, request: RequestId) {
        self.aborts.update_value(|a| {
            a.remove(&request);
        });
    }

    /// Performs `commands`; events go to `feed`, wake-ups to `wake`.
    pub fn perform(&self, settings: Settings, commands: Vec<Command>, feed: Rc<dyn Fn(Event)>, wake: Rc<dyn Fn()>) {
        let this = *self;
        for command in commands {
            match command {
                Command::Send { request, provider, chat, .. } => {
                    let http = match build_chat_request(provider, &settings.provider_settings(provider), &chat) {
                        Ok(h) => h,
                        Err(e) => {
                            refuse(&feed, request, e.to_string());
                            continue;
                        }
                    };
                    let Some(signal) = self.controller(request) else { continue };
                    announce_sent(&feed, request, &http);
                    if provider == crate::domain::providers::ProviderKind::Browser {
                        // Never fetched: the model runs in this tab.
                        crate::ui::platform::local_model::perform_chat(
                            request,
                            http,
                            signal,
                            feed.clone(),
                            move || this.done(request),
                        );
                        continue;
                    }
                    let feed = feed.clone();
                    leptos::task::spawn_local(async move {
                        let end = platform::fetch_streaming(&http, &signal, |bytes| {
                            feed(Event::Chunk { request, bytes });
                        })
                        .await;
                        this.done(request);
                        feed(match end {
                            FetchEnd::Done => Event::Done { request },
                            FetchEnd::Http { status, body, retry_after } => {
                                Event::HttpError { request, status, body, retry_after }
                            }
                            FetchEnd::Network(message) => Event::NetworkError { request, message },
                            FetchEnd::Aborted => Event::Aborted { request },
                        });
                    });
                }
                Command::CallTool { request, http, .. } => {
                    let Some(signal) = self.controller(request) else { continue };
                    let feed = feed.clone();
                    leptos::task::spawn_local(async move {
                        let mut body: Vec<u8> = Vec::new();
                        let end = platform::fetch_streaming(&http, &signal, |bytes| {
                            let room = TOOL_BODY_LIMIT.saturating_sub(body.len());
                            body.extend_from_slice(&bytes[..bytes.len().min(room)]);
                        })
                        .await;
                        this.done(request);
                        let event = match end {
                            FetchEnd::Done => {
                                let body = String::from_utf8_lossy(&body).into_owned();
                                Event::ToolResponse { request, status: 200, body }
                            }
                            FetchEnd::Http { status, body, .. } => Event::ToolResponse { request, status, body },
                            FetchEnd::Network(message) => Event::ToolFailed { request, message },
                            FetchEnd::Aborted => return,
                        };
                        feed(event);
                    });
                }
                Command::Embed {
                    request,
                    provider: crate::domain::providers::ProviderKind::Browser,
                    model,
                    inputs,
                } => {
                    // Embedded in this tab, like chat: never fetched. (It cannot be aborted
                    // half-way; a late reply to a stopped run is ignored by the engine.)
                    crate::ui::platform::local_model::perform_embed(request, model, inputs, feed.clone());
                }
                Command::Embed { request, provider, model, inputs } => {
                    let http = match build_embeddings_request(
                        provider,
                        &settings.provider_settings(provider),
                        &model,
                        &inputs,
                    ) {
                        Ok(h) => h,
                        Err(e) => {
                            let feed = feed.clone();
                            let event = Event::ToolFailed { request, message: e.to_string() };
                            platform::after_ms(0.0, move || feed(event));
                            continue;
                        }
                    };
                    let Some(signal) = self.controller(request) else { continue };
                    let feed = feed.clone();
                    leptos::task::spawn_local(async move {
                        let mut body: Vec<u8> = Vec::new();
                        let end =
                            platform::fetch_streaming(&http, &signal, |bytes| body.extend_from_slice(&bytes)).await;
                        this.done(request);
                        let event = match end {
                            FetchEnd::Done => Event::ToolResponse {
                                request,
                                status: 200,
                                body: String::from_utf8_lossy(&body).into_owned(),
                            },
                            FetchEnd::Http { status, body, .. } => Event::ToolResponse { request, status, body },
                            FetchEnd::Network(message) => Event::ToolFailed { request, message },
                            FetchEnd::Aborted => return,
                        };
                        feed(event);
                    });
                }
                Command::Moderate { request, input, .. } => {
                    let openai = crate::domain::providers::ProviderKind::OpenAi;
                    let http = match build_moderation_request(&settings.provider_settings(openai), &input) {
                        Ok(h) => h,
                        Err(e) => {
                            refuse(&feed, request, e.to_string());
                            continue;
                        }
                    };
                    let Some(signal) = self.controller(request) else { continue };
                    announce_sent(&feed, request, &http);
                    let feed = feed.clone();
                    leptos::task::spawn_local(async move {
                        let mut body: Vec<u8> = Vec::new();
                        let end = platform::fetch_streaming(&http, &signal, |bytes| {
                            let room = TOOL_BODY_LIMIT.saturating_sub(body.len());
                            body.extend_from_slice(&bytes[..bytes.len().min(room)]);
                        })
                        .await;
                        this.done(request);
                        feed(match end {
                            FetchEnd::Done => Event::ToolResponse {
                                request,
                                status: 200,
                                body: String::from_utf8_lossy(&body).into_owned(),
                            },
                            FetchEnd::Http { status, body, retry_after } => {
                                Event::HttpError { request, status, body, retry_after }
                            }
                            FetchEnd::Network(message) => Event::NetworkError { request, message },
                            FetchEnd::Aborted => Event::Aborted { request },
                        });
                    });
                }
                Command::Call { request, provider, call } => {
                    let http = match build_call(settings, provider, &call) {
                        Ok(h) => h,
                        Err(message) => {
                            refuse(&feed, request, message);
                            continue;
                        }
                    };
                    let Some(signal) = self.controller(request) else { continue };
                    announce_sent(&feed, request, &http);
                    let feed = feed.clone();
                    leptos::task::spawn_local(async move {
                        let mut body: Vec<u8> = Vec::new();
                        let end =
                            platform::fetch_streaming(&http, &signal, |bytes| body.extend_from_slice(&bytes)).await;
                        this.done(request);
                        feed(match end {
                            FetchEnd::Done => Event::ToolResponse {
                                request,
                                status: 200,
                                body: String::from_utf8_lossy(&body).into_owned(),
                            },
                            FetchEnd::Http { status, body, retry_after } => {
                                Event::HttpError { request, status, body, retry_after }
                            }
                            FetchEnd::Network(message) => Event::NetworkError { request, message },
                            FetchEnd::Aborted => Event::Aborted { request },
                        });
                    });
                }
                Command::Cancel { request } => self.abort(request),
                Command::WakeAt { at_ms } => {
                    let delay = (at_ms - platform::now_precise_ms()).max(0.0) + 5.0;
                    let wake = wake.clone();
                    platform::after_ms(delay, move || wake());
                }
            }
        }
    }
}

/// The person's run limits (budget, timeout) as an engine config, for calls outside a flow.
pub fn limits_config(settings: Settings) -> EngineConfig {
    let limits = settings.limits.get_untracked();
    EngineConfig {
        budget_usd: limits.budget_usd,
        timeout_ms: limits.timeout_s.max(5.0) * 1000.0,
        redact_personal_data: limits.redact_personal_data,
        ..EngineConfig::default()
    }
}

/// The request for a provider call outside a flow, with the person's key and base URL (added
/// only here), or why it cannot be made.
pub fn build_call(settings: Settings, provider: ProviderKind, call: &ProviderCall) -> Result<HttpRequest, String> {
    use crate::domain::evals::batch;
    let ps = settings.provider_settings(provider);
    let anthropic = provider == ProviderKind::Anthropic;
    Ok(match call {
        ProviderCall::Models => build_models_request(provider, &ps).map_err(|e| e.to_string())?,
        ProviderCall::Embed { model, inputs } => {
            build_embeddings_request(provider, &ps, model, inputs).map_err(|e| e.to_string())?
        }
        ProviderCall::Batch(BatchCall::Upload { jsonl }) => batch::upload_request(&ps, jsonl),
        ProviderCall::Batch(BatchCall::Create { file_id }) => batch::create_request(&ps, file_id),
        ProviderCall::Batch(BatchCall::AnthropicCreate { payload }) => batch::anthropic_create_request(&ps, payload),
        ProviderCall::Batch(BatchCall::Status { batch_id }) if anthropic => {
            batch::anthropic_status_request(&ps, batch_id)
        }
        ProviderCall::Batch(BatchCall::Status { batch_id }) => batch::status_request(&ps, batch_id),
        ProviderCall::Batch(BatchCall::Results { file }) if anthropic => batch::anthropic_results_request(&ps, file),
        ProviderCall::Batch(BatchCall::Results { file }) => batch::content_request(&ps, file),
    })
}

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

/// A request the settings cannot make, found when it is about to be sent: reported to the
/// machine as the provider's refusal (a 400 with the reason), on the next tick like any reply.
fn refuse(feed: &Rc<dyn Fn(Event)>, request: RequestId, message: String) {
    let body = serde_json::json!({ "error": { "message": message } }).to_string();
    let event = Event::HttpError { request, status: 400, body, retry_after: None };
    let feed = feed.clone();
    platform::after_ms(0.0, move || feed(event));
}

/// Tells the machine the request left, with its key-free copy for the trace.
fn announce_sent(feed: &Rc<dyn Fn(Event)>, request: RequestId, http: &HttpRequest) {
    let sent = Event::Sent { request, redacted: http.redacted() };
    let feed = feed.clone();
    platform::after_ms(0.0, move || feed(sent));
}
