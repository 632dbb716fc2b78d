//! The template gallery: ready flows with what each shows, opened on sample answers (no
//! key needed) or on a provider the user has a key for.

use crate::domain::providers::ProviderKind;
use crate::domain::templates::{suite_with_provider, with_provider, TEMPLATES};
use crate::ui::platform::platform;
use crate::ui::state::editor::Editor;
use crate::ui::state::persist::Session;
use crate::ui::state::settings::Settings;
use crate::ui::widgets::modal::Modal;
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct GalleryOpen(pub RwSignal<bool>);

fn default_model(kind: ProviderKind, settings: Settings) -> String {
    let saved = settings.prefs_for(kind).default_model;
    if !saved.is_empty() {
        return saved;
    }
    match kind {
        ProviderKind::OpenAi => "gpt-4o-mini",
        ProviderKind::Anthropic => "claude-3-5-haiku-latest",
        ProviderKind::Gemini => "gemini-2.5-flash",
        ProviderKind::Ollama => "llama3.2",
        _ => "",
    }
    .to_string()
}

crate::ui::widgets::lazy::load_on_first_open!(
    dialogs,
    LazyGallery,
    build_gallery,
    Gallery,
    "Templates",
    expect_context::<GalleryOpen>().0
);

#[component]
fn Gallery() -> impl IntoView {
    let editor = expect_context::<Editor>();
    let session = expect_context::<Session>();
    let knowledge = expect_context::<crate::ui::knowledge::knowledge::Knowledge>();
    let media = expect_context::<crate::ui::platform::media::MediaStore>();
    let settings = expect_context::<Settings>();
    let open = expect_context::<GalleryOpen>().0;
    // Sample answers unless a provider already has a key.
    let provider = RwSignal::new("demo".to_string());
    Effect::new(move |_| {
        if open.get() {
            let first = ProviderKind::ALL.into_iter().find(|k| k.needs_key() && settings.has_key(*k));
            provider.set(first.map_or("demo", |k| k.id()).to_string());
        }
    });
    view! {
        <Modal open=open label="Templates" title="Start from a template" close_label="Close templates" wide=true>
                    <label class="field gallery-provider">
                        <span class="field-label">"Run with"</span>
                        <select aria-label="Run templates with" on:change=move |ev| provider.set(event_target_value(&ev))>
                            {ProviderKind::ALL.into_iter().map(|k| {
                                let id = k.id();
                                view! { <option value=id selected=move || provider.get() == id>{k.label()}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    <ul class="gallery">
                        {TEMPLATES.iter().map(|t| {
                            let build = t.build;
                            let suite = t.suite;
                            let documents = t.documents;
                            let samples = t.samples;
                            view! {
                                <li class="gallery-card">
                                    <h3>{t.title}</h3>
                                    <p>{t.shows}</p>
                                    <button class="button button-primary" aria-label=format!("Use template {}", t.title) on:click=move |_| {
                                        let id = provider.get_untracked();
                                        let kind = ProviderKind::from_id(&id).unwrap_or(ProviderKind::Demo);
                                        let model = default_model(kind, settings);
                                        let flow = with_provider(build(platform::now_ms()), &id, &model);
                                        session.create(editor, flow);
                                        if let Some(suite) = suite {
                                            // The eval suite goes with the new flow (Evaluate opens it).
                                            let suite = suite_with_provider(suite(), &id, &model);
                                            let _ = crate::ui::evals::suite_store::store_suite(&session.current.get_untracked(), &suite);
                                        }
                                        if let Some(documents) = documents {
                                            // Its documents become the new flow's knowledge base.
                                            knowledge.replace(
                                                session.current.get_untracked(),
                                                crate::domain::retrieval::knowledge::KnowledgeBase::from_portable(documents()),
                                            );
                                        }
                                        // Sample photos and recordings are fetched, stored and put in their
                                        // Input values (one undo step each).
                                        for (value, path) in samples {
                                            leptos::task::spawn_local(async move {
                                                if let Ok(meta) = crate::ui::platform::media::add_sample(media, path).await {
                                                    crate::ui::inspector::media_value::attach_to_value(editor, value, meta);
                                                }
                                            });
                                        }
                                        open.set(false);
                                    }>"Use"</button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
        </Modal>
    }
}
