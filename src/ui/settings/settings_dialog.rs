//! The Settings dialog: per provider key, base URL, default model, and a connection test
//! that says exactly what is wrong; plus run limits and where keys are kept.

use crate::domain::engine::{Fetch, FetchEnd, ProviderCall};
use crate::domain::providers::{build_models_request, classify_http_error, parse_models_response, ProviderKind};
use crate::ui::run::transport::{self, Driver};
use crate::ui::state::settings::{Limits, Settings};
use crate::ui::widgets::modal::Modal;
use leptos::prelude::*;

/// A sentence for a request that never got an answer, with the fix for the usual cause.
fn unreachable_help(kind: ProviderKind, url: &str) -> String {
    let origin = web_sys::window().and_then(|w| w.location().origin().ok()).unwrap_or_default();
    let why = match kind {
        ProviderKind::Ollama => format!(
            " If Ollama is running, allow this page: start it with OLLAMA_ORIGINS={origin} (then restart Ollama)."
        ),
        ProviderKind::OpenAiCompatible => " If this is LM Studio, turn on \u{201c}Enable CORS\u{201d} in its server settings; for llama.cpp or vLLM, allow this page's origin.".to_string(),
        ProviderKind::Anthropic => " If your organisation disabled browser access (CORS), an admin must allow it.".to_string(),
        _ => " Check the base URL and your network.".to_string(),
    };
    format!("Could not reach {url}: no answer, or the browser blocked it (CORS).{why}")
}

/// Lists the provider's models through the run loop (retries, timeout, budget, trace).
async fn test_connection(settings: Settings, kind: ProviderKind, calls: Driver<Fetch>) -> Result<String, String> {
    let ps = settings.provider_settings(kind);
    // Settings that cannot make a request (no base URL, say) are said at once.
    let req = build_models_request(kind, &ps).map_err(|e| e.to_string())?;
    let url = req.url.clone();
    let config = transport::limits_config(settings);
    let fetch = transport::call(calls, settings, kind, ProviderCall::Models, &config, 0.0).await;
    let outcome = match fetch.end() {
        Some(FetchEnd::Ok(text)) => {
            let models = parse_models_response(kind, text).map_err(|e| e.to_string())?;
            let n = models.len();
            settings.update_prefs(kind, |p| p.models = models);
            Ok(format!("Connected. {n} model{} available.", if n == 1 { "" } else { "s" }))
        }
        Some(FetchEnd::Http { status, body, retry_after }) => {
            Err(classify_http_error(kind, *status, body, retry_after.as_deref()).to_string())
        }
        Some(FetchEnd::Network(_) | FetchEnd::TimedOut { .. }) => Err(unreachable_help(kind, &url)),
        Some(FetchEnd::OverBudget(why)) => Err(why.clone()),
        Some(FetchEnd::Stopped) | None => Err("The test was cancelled.".into()),
    };
    // Retries are said, so a flaky connection or a rate limit is not mistaken for a clean pass.
    outcome.map(|ok| fetch.with_retry_note(ok)).map_err(|e| fetch.with_retry_note(e))
}

crate::ui::widgets::lazy::load_on_first_open!(
    dialogs,
    LazySettingsDialog,
    build_settings_dialog,
    SettingsDialog,
    "Settings",
    expect_context::<Settings>().open
);

#[component]
fn SettingsDialog() -> impl IntoView {
    let settings = expect_context::<Settings>();
    let open = settings.open;
    Effect::new(move |_| {
        if !open.get() {
            settings.needs_key.set(Vec::new());
        }
    });
    // Providers still without a key (adding one in the dialog takes it off the list).
    let still_missing =
        move || settings.needs_key.with(|m| m.iter().copied().filter(|k| !settings.has_key(*k)).collect::<Vec<_>>());
    view! {
        <Modal open=open label="Settings" title="Settings" close_label="Close settings" wide=true>
                    <Show when=move || !still_missing().is_empty()>
                        <NoKeyPanel />
                    </Show>
                    <p class="field-help">
                        "Keys stay in this browser and are sent only to the provider they belong to. They are never saved in flows, exports or links."
                    </p>
                    <label class="check">
                        <input type="checkbox" prop:checked=move || settings.remember.get()
                            on:change=move |ev| settings.set_remember(event_target_checked(&ev)) />
                        <span>"Remember keys on this device (otherwise they are forgotten when this tab closes)"</span>
                    </label>
                    <div class="provider-list">
                        {ProviderKind::ALL.into_iter().filter(|k| !matches!(k, ProviderKind::Demo | ProviderKind::Browser)).map(|kind| view! { <ProviderSection kind /> }).collect_view()}
                        <super::local_model_ui::LocalModelsSection />
                    </div>
                    <LimitsSection />
                    <div class="dialog-footer">
                        <button class="button button-quiet" on:click=move |_| settings.forget_all_keys()>"Forget all keys"</button>
                        <button class="button button-primary" on:click=move |_| open.set(false)>"Done"</button>
                    </div>
        </Modal>
    }
}

/// Shown when Run found no key: what is missing, and two ways to run right now without
/// one (the no-key provider, or a small model in this browser). Each switches the Prompt
/// blocks that need a key (one undo step), closes Settings and runs.
#[component]
fn NoKeyPanel() -> impl IntoView {
    let settings = expect_context::<Settings>();
    let editor = expect_context::<crate::ui::state::editor::Editor>();
    let runner = expect_context::<crate::ui::run::run::Runner>();
    let names = move || {
        settings
            .needs_key
            .with(|m| m.iter().filter(|k| !settings.has_key(**k)).map(|k| k.label()).collect::<Vec<_>>().join(" and "))
    };
    let switch_to = move |provider: ProviderKind| {
        let missing = settings.needs_key.get_untracked();
        if editor.read_only.get_untracked() {
            // A shared flow is not the viewer's to change: run a copy on the chosen provider.
            let flow = crate::domain::try_it::instead_of(&editor.flow(), &missing, provider);
            settings.needs_key.set(Vec::new());
            settings.open.set(false);
            runner.start_flow(editor, settings, flow);
            return;
        }
        let changes: Vec<crate::domain::change::FlowChange> = editor.with_flow(|f| {
            f.blocks
                .iter()
                .filter_map(|b| match &b.config {
                    crate::domain::blocks::BlockConfig::Router(r) if missing.contains(&ProviderKind::OpenAi) => {
                        r.with_sample_moderation().map(|r| crate::domain::change::FlowChange::SetConfig {
                            id: b.id.clone(),
                            config: crate::domain::blocks::BlockConfig::Router(r),
                        })
                    }
                    crate::domain::blocks::BlockConfig::Prompt(p)
                        if ProviderKind::from_id(&p.provider).is_some_and(|k| missing.contains(&k)) =>
                    {
                        let mut p = p.clone();
                        p.provider = provider.id().to_string();
                        p.model = match provider {
                            ProviderKind::Browser => {
                                crate::domain::providers::local_models::LOCAL_MODELS[0].url.to_string()
                            }
                            _ => p.model,
                        };
                        Some(crate::domain::change::FlowChange::SetConfig {
                            id: b.id.clone(),
                            config: crate::domain::blocks::BlockConfig::Prompt(p),
                        })
                    }
                    _ => None,
                })
                .collect()
        });
        if !changes.is_empty() {
            let _ = editor.apply(crate::domain::change::FlowChange::Batch(changes));
        }
        settings.needs_key.set(Vec::new());
        settings.open.set(false);
        runner.start(editor, settings, crate::domain::engine::RunScope::All);
    };
    let smallest = &crate::domain::providers::local_models::LOCAL_MODELS[0];
    view! {
        <section class="no-key" role="alert" aria-label="No key yet">
            <p class="no-key-title">{move || format!("This flow needs a key for {} to run.", names())}</p>
            <p class="no-key-text">{move || format!("Add your {} key below, or run it now without a key:", names())}</p>
            <div class="no-key-options">
                <button class="button button-primary" on:click=move |_| switch_to(ProviderKind::Demo)>
                    {format!("Use {}", ProviderKind::Demo.label())}
                </button>
                <button class="button" on:click=move |_| switch_to(ProviderKind::Browser)>
                    "Use a model in this browser"
                </button>
            </div>
            <p class="field-help">{format!(
                "{} needs no key and no network. The in-browser model ({}, {} MB, downloaded once) runs on this computer: slow and weak, but real.",
                ProviderKind::Demo.label(),
                smallest.name,
                smallest.size_mb
            )}</p>
        </section>
    }
}

#[component]
fn ProviderSection(kind: ProviderKind) -> impl IntoView {
    let settings = expect_context::<Settings>();
    let status = RwSignal::new(None::<Result<String, String>>);
    let testing = RwSignal::new(false);
    let calls = Driver::<Fetch>::new();
    let label = kind.label();
    let key_label = format!("{label} API key");
    let url_label = format!("{label} base URL");
    let model_label = format!("{label} default model");
    let list_id = format!("models-{}", kind.id());
    let list_id2 = list_id.clone();
    let run_test = move |_| {
        testing.set(true);
        status.set(None);
        leptos::task::spawn_local(async move {
            let r = test_connection(settings, kind, calls).await;
            status.set(Some(r));
            testing.set(false);
        });
    };
    view! {
        <section class="provider" aria-label=label>
            <h3>{label}
                <Show when=move || settings.has_key(kind) || !kind.needs_key()>
                    <span class="pill pill-ok">{if kind.needs_key() { "key set" } else { "no key needed" }}</span>
                </Show>
            </h3>
            <div class="field-row">
                <label class="field">
                    <span class="field-label">"API key"</span>
                    <input type="password" autocomplete="off" spellcheck="false" aria-label=key_label
                        placeholder=if kind.needs_key() { "Paste your key" } else { "Optional" }
                        prop:value=move || if settings.has_key(kind) { "\u{2022}\u{2022}\u{2022}\u{2022}\u{2022}\u{2022}\u{2022}\u{2022}".to_string() } else { String::new() }
                        on:focus=move |ev| {
                            // Show an empty field to type into rather than the mask.
                            let input: web_sys::HtmlInputElement = event_target(&ev);
                            if settings.has_key(kind) { input.select(); }
                        }
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            if !v.starts_with('\u{2022}') {
                                settings.set_key(kind, v.trim());
                                status.set(None);
                            }
                        } />
                </label>
                <label class="field">
                    <span class="field-label">"Base URL"</span>
                    <input type="url" spellcheck="false" aria-label=url_label placeholder=kind.default_base_url()
                        prop:value=move || settings.prefs.with(|p| p.get(kind.id()).map(|p| p.base_url.clone()).unwrap_or_default())
                        on:change=move |ev| { let v = event_target_value(&ev); settings.update_prefs(kind, |p| p.base_url = v.trim().to_string()); status.set(None); } />
                </label>
            </div>
            <div class="field-row">
                <label class="field">
                    <span class="field-label">"Default model"</span>
                    <input type="text" list=list_id aria-label=model_label
                        prop:value=move || settings.prefs.with(|p| p.get(kind.id()).map(|p| p.default_model.clone()).unwrap_or_default())
                        on:change=move |ev| { let v = event_target_value(&ev); settings.update_prefs(kind, |p| p.default_model = v.trim().to_string()); } />
                    <datalist id=list_id2>
                        {move || settings.prefs.with(|p| p.get(kind.id()).map(|p| p.models.clone()).unwrap_or_default())
                            .into_iter().map(|m| view! { <option value=m></option> }).collect_view()}
                    </datalist>
                </label>
                <div class="field field-action">
                    <button class="button" disabled=move || testing.get() on:click=run_test
                        aria-label=format!("Test connection to {label}")>
                        {move || if testing.get() { "Testing\u{2026}" } else { "Test connection" }}
                    </button>
                </div>
            </div>
            {move || status.get().map(|r| match r {
                Ok(m) => view! { <p class="test-result ok" role="status">{m}</p> }.into_any(),
                Err(m) => view! { <p class="test-result bad" role="alert">{m}</p> }.into_any(),
            })}
        </section>
    }
}

#[component]
fn LimitsSection() -> impl IntoView {
    let settings = expect_context::<Settings>();
    let limits = move || settings.limits.get();
    view! {
        <section class="provider" aria-label="Run limits">
            <h3>"Run limits"</h3>
            <div class="field-row">
                <label class="field">
                    <span class="field-label">"Budget per run (USD)"</span>
                    <input type="number" min="0" step="0.01" placeholder="no cap" aria-label="Budget per run in dollars"
                        prop:value=move || limits().budget_usd.map(|b| b.to_string()).unwrap_or_default()
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            let mut l: Limits = settings.limits.get_untracked();
                            l.budget_usd = v.trim().parse::<f64>().ok().filter(|b| *b >= 0.0);
                            settings.set_limits(l);
                        } />
                </label>
                <label class="field">
                    <span class="field-label">"Request timeout (seconds)"</span>
                    <input type="number" min="5" step="5" aria-label="Request timeout in seconds"
                        prop:value=move || limits().timeout_s.to_string()
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            let mut l: Limits = settings.limits.get_untracked();
                            l.timeout_s = v.trim().parse::<f64>().ok().filter(|t| *t >= 5.0).unwrap_or(120.0);
                            settings.set_limits(l);
                        } />
                </label>
            </div>
            <label class="check">
                <input type="checkbox" prop:checked=move || limits().redact_personal_data
                    on:change=move |ev| {
                        let mut l: Limits = settings.limits.get_untracked();
                        l.redact_personal_data = event_target_checked(&ev);
                        settings.set_limits(l);
                    } />
                "Redact personal data before sending (e-mail addresses, phone, card and ID numbers, IBANs, street addresses become placeholders like [EMAIL_1]; answers show the originals)"
            </label>
        </section>
    }
}
