//! Performs an engine's commands in the browser: streaming `fetch` for model calls (the key
//! added from settings only here), plain `fetch` for tool requests, aborts, and timers.
//! Shared by single runs and eval runs; each reports events back through `feed`. The run loop
//! that drives it is in driver.rs (re-exported here).

use crate::domain::engine::{BatchCall, Command, EngineConfig, Event, ProviderCall, RequestId};
use crate::domain::providers::{
    build_chat_request, build_embeddings_request, build_models_request, build_moderation_request, HttpRequest,
    ProviderKind,
};
use crate::ui::platform::platform::{self, FetchEnd};
use crate::ui::state::settings::Settings;
use leptos::prelude::*;
use std::collections::HashMap;
use std::rc::Rc;

pub use super::driver::{call, Driver};

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
                        feed(whole_reply(request, end, &body));
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
                        feed(whole_reply(request, end, &body));
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

/// A request the settings cannot make, found when it is about to be sent: reported to the
/// machine as the provider's refusal (a 400 with the reason), on the next tick like any reply.
fn refuse(feed: &Rc<dyn Fn(Event)>, request: RequestId, message: String) {
    let body = serde_json::json!({ "error": { "message": message } }).to_string();
    let event = Event::HttpError { request, status: 400, body, retry_after: None };
    let feed = feed.clone();
    platform::after_ms(0.0, move || feed(event));
}

/// A reply read whole (moderation, a call outside a flow) as the event the machine expects.
fn whole_reply(request: RequestId, end: FetchEnd, body: &[u8]) -> Event {
    match end {
        FetchEnd::Done => {
            Event::ToolResponse { request, status: 200, body: String::from_utf8_lossy(body).into_owned() }
        }
        FetchEnd::Http { status, body, retry_after } => Event::HttpError { request, status, body, retry_after },
        FetchEnd::Network(message) => Event::NetworkError { request, message },
        FetchEnd::Aborted => Event::Aborted { request },
    }
}

/// Tells the machine the request left, with its key-free copy for the trace.
fn announce_sent(feed: &Rc<dyn Fn(Event)>, request: RequestId, http: &HttpRequest) {
    let sent = Event::Sent { request, redacted: http.redacted() };
    let feed = feed.clone();
    platform::after_ms(0.0, move || feed(sent));
}
