//! The Transcribe block's settings: who transcribes, which model, the language and words
//! to expect.

use leptos::prelude::*;

use super::inspector::edit_config;
use crate::domain::blocks::transcribe::TRANSCRIBE_PROVIDERS;
use crate::domain::blocks::{BlockConfig, TranscribeConfig};
use crate::domain::flow::Block;
use crate::domain::providers::ProviderKind;
use crate::ui::state::editor::Editor;

fn config_of(b: &Block) -> TranscribeConfig {
    match &b.config {
        BlockConfig::Transcribe(t) => t.clone(),
        _ => TranscribeConfig::default(),
    }
}

#[component]
pub fn TranscribeSettings(cell: RwSignal<Block>) -> impl IntoView {
    let editor = expect_context::<Editor>();
    let get = move || cell.with(config_of);
    let set = move |key: &'static str, f: Box<dyn FnOnce(&mut TranscribeConfig)>| {
        edit_config(editor, cell, key, move |c| {
            if let BlockConfig::Transcribe(t) = c {
                f(t);
            }
        });
    };
    let text_field = move |label: &'static str,
                           key: &'static str,
                           placeholder: &'static str,
                           read: fn(&TranscribeConfig) -> String,
                           write: fn(&mut TranscribeConfig, String)| {
        view! {
            <label class="field">
                <span class="field-label">{label}</span>
                <input type="text" placeholder=placeholder prop:value=move || read(&get())
                    on:input=move |ev| {
                        let v = event_target_value(&ev);
                        set(key, Box::new(move |c| write(c, v)));
                    }
                    on:blur=move |_| editor.end_merge() />
            </label>
        }
    };
    view! {
        <p class="field-help">"Connect an Input that holds a recording or an audio file to \u{201c}audio\u{201d}. The transcript comes out of \u{201c}text\u{201d}."</p>
        <label class="field">
            <span class="field-label">"Provider"</span>
            <select on:change=move |ev| {
                let id = event_target_value(&ev);
                let model = TRANSCRIBE_PROVIDERS.iter().find(|(p, _)| *p == id).map_or("", |(_, m)| m).to_string();
                set("transcribe-provider", Box::new(move |c| { c.provider = id; c.model = model; }));
                editor.end_merge();
            }>
                {TRANSCRIBE_PROVIDERS.iter().map(|(id, _)| {
                    let label = ProviderKind::from_id(id).map_or(*id, |k| k.label());
                    view! { <option value=*id selected=move || get().provider == *id>{label}</option> }
                }).collect_view()}
            </select>
        </label>
        {text_field("Model", "transcribe-model", "gpt-4o-mini-transcribe", |c| c.model.clone(), |c, v| c.model = v.trim().to_string())}
        {text_field("Language (optional)", "transcribe-language", "en, de, fr\u{2026} (empty: detect)", |c| c.language.clone(), |c, v| c.language = v.trim().to_lowercase())}
        {text_field("Words to expect (optional)", "transcribe-hint", "Product names, people, jargon", |c| c.hint.clone(), |c, v| c.hint = v)}
    }
}
