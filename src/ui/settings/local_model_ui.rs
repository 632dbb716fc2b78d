//! The in-browser model in the UI: the model picker of a Prompt set to "In this browser",
//! the "models on this device" list in Settings, and the download/loading status line.

use crate::domain::blocks::{BlockConfig, PromptConfig};
use crate::domain::change::FlowChange;
use crate::domain::flow::Block;
use crate::domain::providers::local_models::{memory_warning, model_name, LOCAL_MODELS};
use crate::ui::platform::local_model;
use crate::ui::state::editor::Editor;
use leptos::prelude::*;

/// The memory the browser reports (Chrome and Edge only; rounded down by the browser).
fn device_memory_gb() -> Option<f64> {
    let nav = web_sys::window()?.navigator();
    js_sys::Reflect::get(&nav, &"deviceMemory".into()).ok()?.as_f64()
}

fn prompt_of(b: &Block) -> PromptConfig {
    match &b.config {
        BlockConfig::Prompt(p) => p.clone(),
        _ => PromptConfig::default(),
    }
}

/// Replaces the Model field when a Prompt runs in this browser: a list of small models with
/// size and what they are good for, any other address, or a file from disk.
#[component]
pub fn LocalModelField(cell: RwSignal<Block>) -> impl IntoView {
    let editor = expect_context::<Editor>();
    let model = move || cell.with(prompt_of).model;
    let set_model = move |m: String| {
        let Some((id, mut config)) = cell.try_with_untracked(|b| (b.id.clone(), b.config.clone())) else { return };
        if let BlockConfig::Prompt(p) = &mut config {
            p.model = m;
        }
        let _ = editor.apply(FlowChange::SetConfig { id, config });
    };
    let file_input = NodeRef::<leptos::html::Input>::new();
    let listed = move || LOCAL_MODELS.iter().any(|m| m.url == model());
    let warning = move || {
        LOCAL_MODELS.iter().find(|m| m.url == model()).and_then(|m| memory_warning(m.size_mb, device_memory_gb()))
    };
    let supported = local_model::supported();
    view! {
        <div class="local-model">
            <label class="field">
                <span class="field-label">"Model in this browser"</span>
                <select on:change=move |ev| {
                    let v = event_target_value(&ev);
                    if v != "other" { set_model(v) } else if listed() { set_model(String::new()) }
                }>
                    {LOCAL_MODELS.iter().map(|m| {
                        let url = m.url;
                        view! { <option value=url selected=move || model() == url>{format!("{} \u{b7} {} MB", m.name, m.size_mb)}</option> }
                    }).collect_view()}
                    <option value="other" selected=move || !listed()>"Another address or file\u{2026}"</option>
                </select>
                <span class="field-help">{move || LOCAL_MODELS.iter().find(|m| m.url == model()).map(|m| m.good_for).unwrap_or("Any GGUF model by its address, or a .gguf file from this computer.")}</span>
            </label>
            <Show when=move || !listed()>
                <div class="field-row">
                    <label class="field">
                        <span class="field-label">"Model address (GGUF)"</span>
                        <input type="url" spellcheck="false" placeholder="https://…/model.gguf" prop:value=model
                            on:change=move |ev| set_model(event_target_value(&ev).trim().to_string()) />
                    </label>
                    <div class="field">
                        <span class="field-label">"Or from this computer"</span>
                        <button class="button" on:click=move |_| { if let Some(i) = file_input.get() { i.click(); } }>"Pick a .gguf file\u{2026}"</button>
                        <input type="file" accept=".gguf" class="visually-hidden" node_ref=file_input tabindex="-1" aria-label="Model file"
                            on:change=move |ev| {
                                let input: web_sys::HtmlInputElement = event_target(&ev);
                                if let Some(file) = input.files().and_then(|f| f.get(0)) {
                                    set_model(local_model::pick_file(&file));
                                }
                                input.set_value("");
                            } />
                    </div>
                </div>
            </Show>
            {move || warning().map(|w| view! { <p class="result-warning">{w}</p> })}
            {(!supported).then(|| view! { <p class="result-error" role="alert">"This browser cannot run models in the page (no WebAssembly SIMD). Use a recent Chrome, Edge, Firefox or Safari."</p> })}
            <p class="field-help">{move || format!(
                "Runs on this computer: nothing is sent anywhere, no key needed. The first run downloads {} and keeps it for next time. Small models are weak: expect short and sometimes wrong answers.",
                if model().is_empty() { "the model".to_string() } else { model_name(&model()) }
            )}</p>
        </div>
    }
}

/// Settings: the models kept in this browser, with their size, and a way to delete them.
#[component]
pub fn LocalModelsSection() -> impl IntoView {
    let models = RwSignal::new(None::<Result<Vec<local_model::CachedModel>, String>>);
    let refresh = move || {
        leptos::task::spawn_local(async move {
            models.set(Some(local_model::cached_models().await));
        });
    };
    view! {
        <details class="provider local-models" on:toggle=move |_| refresh()>
            <summary><span class="provider-name">"In this browser"</span><span class="field-help">" Small models that run in this tab, no key"</span></summary>
            <p class="field-help">"Pick \u{201c}In this browser\u{201d} as a Prompt's provider, then a model. It is downloaded once and kept here; runs work offline after that. It runs on one thread unless the page is served cross-origin isolated (COOP/COEP headers), then on several."</p>
            <p class="field-label">"Models on this device"</p>
            {move || match models.get() {
                None => view! { <p class="field-help">"Looking\u{2026}"</p> }.into_any(),
                Some(Err(e)) => view! { <p class="result-error">{format!("Could not list them: {e}")}</p> }.into_any(),
                Some(Ok(list)) if list.is_empty() => view! { <p class="field-help">"None yet."</p> }.into_any(),
                Some(Ok(list)) => view! {
                    <ul class="local-model-list" aria-label="Models on this device">
                        {list.into_iter().map(|m| {
                            let name = m.name.clone();
                            let label = format!("Delete {}", m.name);
                            view! {
                                <li>
                                    <span>{m.name.clone()}</span>
                                    <span class="field-help">{format!("{:.0} MB", m.size / 1e6)}</span>
                                    <button class="button button-quiet" aria-label=label on:click=move |_| {
                                        let name = name.clone();
                                        leptos::task::spawn_local(async move {
                                            let result = local_model::delete_model(&name).await;
                                            models.set(Some(match result {
                                                Ok(()) => local_model::cached_models().await,
                                                Err(e) => Err(e),
                                            }));
                                        });
                                    }>"Delete"</button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                }.into_any(),
            }}
        </details>
    }
}

/// "Downloading SmolLM2 …: 45 of 98 MB (46%), about 12 s left" while the model loads.
#[component]
pub fn LocalModelStatus() -> impl IntoView {
    let status = local_model::status();
    view! {
        <Show when=move || status.get().is_some()>
            <div class="banner" role="status" aria-label="In-browser model">
                <span>{move || status.get().unwrap_or_default()}</span>
            </div>
        </Show>
    }
}

/// Asks before a run downloads an in-browser model (100 MB or more): which model, how big,
/// from where. Nothing is downloaded until "Download and run"; Cancel runs nothing.
#[component]
pub fn DownloadConfirm() -> impl IntoView {
    let runner = expect_context::<crate::ui::run::run::Runner>();
    let editor = expect_context::<Editor>();
    let settings = expect_context::<crate::ui::state::settings::Settings>();
    let ask = runner.download;
    let total = move || {
        ask.with(|a| a.as_ref().map(|a| a.models.iter().map(|(_, mb)| mb.unwrap_or(0)).sum::<u32>()).unwrap_or(0))
    };
    view! {
        <Show when=move || ask.with(Option::is_some)>
            <div class="dialog-backdrop">
                <div class="dialog" role="dialog" aria-modal="true" aria-label="Download a model?">
                    <header class="dialog-header"><h2>"Download a model to run this here?"</h2></header>
                    <ul class="download-list">
                        {move || ask.get().map(|a| a.models.into_iter().map(|(m, mb)| {
                            let size = mb.map(|mb| format!("{mb} MB")).unwrap_or_else(|| "size unknown".into());
                            let host = m.split("://").nth(1).and_then(|r| r.split('/').next()).unwrap_or("this computer").to_string();
                            view! { <li><strong>{model_name(&m)}</strong>{format!(" \u{b7} {size} \u{b7} from {host}")}</li> }
                        }).collect_view())}
                    </ul>
                    <p class="field-help">"It is downloaded once and kept in this browser; after that it runs on this device with no network. Nothing you type is sent anywhere. On a phone or a metered connection, sample answers are the lighter choice."</p>
                    <div class="dialog-footer">
                        <button class="button button-quiet" on:click=move |_| ask.set(None)>"Cancel"</button>
                        <button class="button button-primary" on:click=move |_| runner.confirm_download(editor, settings)>
                            {move || match total() { 0 => "Download and run".to_string(), mb => format!("Download {mb} MB and run") }}
                        </button>
                    </div>
                </div>
            </div>
        </Show>
    }
}
