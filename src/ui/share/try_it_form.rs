//! The form of a shared link's app view: one field per Input value (a text area, or a file
//! picker for a photo or a recording), and who a run contacts, with what runs instead for a
//! viewer without the flow's keys (sample answers or a small model in this browser).

use super::share_ui::Shared;
use super::try_it::{AppState, NoKey};
use crate::domain::media::MediaKind;
use crate::domain::providers::local_models::LOCAL_MODELS;
use crate::domain::providers::ProviderKind;
use crate::domain::try_it::{FormField, ViewerValue};
use crate::ui::platform::media::MediaStore;
use crate::ui::state::settings::Settings;
use leptos::prelude::*;

/// One field of the form: a text area, or a file picker for an image or audio value.
#[component]
pub(super) fn Field(field: FormField, state: AppState) -> impl IntoView {
    let key = (field.block.clone(), field.index);
    let label = field.label.clone();
    match field.media {
        None => {
            let key2 = key.clone();
            let default = field.default.clone();
            let rows = (default.chars().count() / 60 + default.lines().count()).clamp(3, 10);
            view! {
                <label class="field tryit-field">
                    <span class="field-label">{label}</span>
                    <textarea rows=rows.to_string()
                        prop:value=move || state.values.with(|v| match v.get(&key) {
                            Some(ViewerValue::Text(t)) => t.clone(),
                            _ => default.clone(),
                        })
                        on:input=move |ev| {
                            let text = event_target_value(&ev);
                            state.values.update(|v| { v.insert(key2.clone(), ViewerValue::Text(text)); });
                        }></textarea>
                </label>
            }
            .into_any()
        }
        Some(kind) => {
            let media = expect_context::<MediaStore>();
            let problem = RwSignal::new(None::<String>);
            let input = NodeRef::<leptos::html::Input>::new();
            let (accept, what) = match kind {
                MediaKind::Image => ("image/png,image/jpeg,image/webp,image/gif", "a photo"),
                MediaKind::Audio => {
                    ("audio/mpeg,audio/wav,audio/mp4,audio/webm,audio/ogg,.mp3,.wav,.m4a", "a recording")
                }
            };
            let key2 = key.clone();
            let picked = Memo::new(move |_| {
                state.values.with(|v| match v.get(&key) {
                    Some(ViewerValue::File(m)) => Some(m.id.clone()),
                    _ => None,
                })
            });
            let picked = move || picked.get();
            view! {
                <div class="field tryit-field">
                    <span class="field-label">{label.clone()}</span>
                    {move || picked().map(|id| view! { <crate::ui::inspector::media_value::MediaChip id /> })}
                    <button class="button tryit-pick" on:click=move |_| { if let Some(i) = input.get() { i.click(); } }>
                        {move || if picked().is_some() { format!("Choose another {}", &what[2..]) } else { format!("Choose {what}\u{2026}") }}
                    </button>
                    <input type="file" class="visually-hidden" tabindex="-1" accept=accept node_ref=input aria-label=label
                        on:change=move |ev| {
                            let el: web_sys::HtmlInputElement = event_target(&ev);
                            if let Some(file) = el.files().and_then(|f| f.get(0)) {
                                let key = key2.clone();
                                leptos::task::spawn_local(async move {
                                    match media.add_file(file).await {
                                        Ok(meta) => { problem.set(None); state.values.update(|v| { v.insert(key, ViewerValue::File(meta)); }); }
                                        Err(e) => problem.set(Some(e)),
                                    }
                                });
                            }
                            el.set_value("");
                        } />
                    {move || problem.get().map(|p| view! { <p class="result-error" role="alert">{p}</p> })}
                </div>
            }
            .into_any()
        }
    }
}

/// Who a run contacts, and for a viewer without the keys, what runs instead. `sends`: what
/// starts a run and what it sends, for the sentence "Runs with your own key. {sends} to …".
#[component]
pub(super) fn Who(
    missing: Memo<Vec<ProviderKind>>,
    choice: RwSignal<NoKey>,
    #[prop(default = "Pressing Run sends your input")] sends: &'static str,
) -> impl IntoView {
    let shared = expect_context::<Shared>();
    let settings = expect_context::<Settings>();
    let smallest = &LOCAL_MODELS[0];
    let hosts = move || shared.viewing.get().unwrap_or_default();
    view! {
        <div class="tryit-who" role="group" aria-label="Who answers">
            {move || {
                let missing = missing.get();
                if missing.is_empty() {
                    let hosts = hosts();
                    let text = if hosts.is_empty() {
                        "Runs right here: it contacts no model provider.".to_string()
                    } else {
                        format!("Runs with your own key. {sends} to {}.", hosts.join(", "))
                    };
                    return view! { <p class="tryit-who-line">{text}</p> }.into_any();
                }
                let names = missing.iter().map(|k| k.label()).collect::<Vec<_>>().join(" and ");
                view! {
                    <p class="tryit-who-line">{format!(
                        "This flow runs on {names}. You have no {names} key in this browser, so try it with:"
                    )}</p>
                    <div class="tryit-choices" role="radiogroup" aria-label="How to run without a key">
                        <label class="tryit-choice" class:chosen=move || choice.get() == NoKey::Sample>
                            <input type="radio" name="tryit-nokey" prop:checked=move || choice.get() == NoKey::Sample
                                on:change=move |_| choice.set(NoKey::Sample) />
                            <span><strong>"Sample answers"</strong>
                                <span class="tryit-choice-help">"Instant, no key, no network. Example answers written for this flow, each labelled \u{201c}sample answer\u{201d}."</span></span>
                        </label>
                        <label class="tryit-choice" class:chosen=move || choice.get() == NoKey::Browser>
                            <input type="radio" name="tryit-nokey" prop:checked=move || choice.get() == NoKey::Browser
                                on:change=move |_| choice.set(NoKey::Browser) />
                            <span><strong>"A small model in this browser"</strong>
                                <span class="tryit-choice-help">{format!(
                                    "{} downloads {} MB once (you confirm first), then runs on this device. Slow and weak, but real.",
                                    smallest.name, smallest.size_mb
                                )}</span></span>
                        </label>
                    </div>
                    <div class="tryit-who-key">
                        <button class="button tryit-tool" on:click=move |_| settings.open.set(true)>{format!("Add your {names} key")}</button>
                        <span class="tryit-who-line">"\u{2026}and it runs for real. Your key stays in this browser; the person who shared this never sees it."</span>
                    </div>
                }
                .into_any()
            }}
        </div>
    }
}
