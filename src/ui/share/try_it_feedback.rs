//! "Send feedback" in a shared link's app view: the viewer's ratings as a short link or a file
//! for the person who shared the flow (nothing is sent from the page).

use super::try_it::AppState;
use crate::domain::feedback::{Feedback, Rating};
use crate::ui::platform::platform;
use crate::ui::state::editor::Editor;
use leptos::prelude::*;
use std::collections::BTreeMap;

/// "Send feedback": the ratings as a short link and a file for the person who shared.
#[component]
pub(super) fn FeedbackSection(state: AppState) -> impl IntoView {
    let editor = expect_context::<Editor>();
    let link = RwSignal::new(None::<String>);
    let copied = RwSignal::new(false);
    let message = RwSignal::new(None::<String>);
    let count = move || state.ratings.with(BTreeMap::len);
    let feedback = move || {
        let ratings: Vec<Rating> = state.ratings.with_untracked(|r| {
            r.values()
                .map(|g| Rating {
                    inputs: g.inputs.clone(),
                    answer_of: g.answer_of.clone(),
                    answer: g.answer.clone(),
                    good: g.good,
                    comment: g.comment.clone(),
                    sample: g.sample,
                    history: g.history.clone(),
                })
                .collect()
        });
        Feedback::new(&editor.meta.get_untracked().title, ratings)
    };
    // A new rating or comment makes the link out of date.
    Effect::new(move |_| {
        state.ratings.track();
        link.set(None);
        copied.set(false);
    });
    view! {
        <Show when=move || count() != 0>
            <section class="tryit-card tryit-feedback" aria-label="Feedback">
                <h2>"Tell the person who shared this"</h2>
                <p class="tryit-hint">{move || format!(
                    "{} rated answer{} with your inputs and comments. Send them the link (or the file); nothing is sent from here.",
                    count(), if count() == 1 { "" } else { "s" }
                )}</p>
                <div class="tryit-actions">
                    <button class="button button-primary tryit-run" on:click=move |_| {
                        // The viewer's page address without `?embed`: the sharer opens it in the editor.
                        let base = platform::location_href_without_hash();
                        let base = base.split('?').next().unwrap_or_default().to_string();
                        link.set(Some(format!("{base}#{}", feedback().to_fragment())));
                    }>"Send feedback"</button>
                    <button class="button tryit-tool" on:click=move |_| {
                        let name = super::files::file_name(&editor.meta.get_untracked().title).replace(".chainboard.json", ".feedback.json");
                        if let Err(e) = platform::download_text(&name, &feedback().to_file(), "application/json") {
                            message.set(Some(e));
                        }
                    }>"Download feedback file"</button>
                </div>
                {move || link.get().map(|l| {
                    let l2 = l.clone();
                    view! {
                        <label class="field">
                            <span class="field-label">{format!("Feedback link ({} characters)", l.chars().count())}</span>
                            <input type="text" readonly aria-label="Feedback link" prop:value=l.clone()
                                on:focus=move |ev| { let i: web_sys::HtmlInputElement = event_target(&ev); i.select(); } />
                        </label>
                        <button class="button tryit-tool" on:click=move |_| {
                            let l = l2.clone();
                            leptos::task::spawn_local(async move { copied.set(platform::copy_text(&l).await); });
                        }>{move || if copied.get() { "Copied" } else { "Copy feedback link" }}</button>
                    }
                })}
                {move || message.get().map(|m| view! { <p class="result-error" role="alert">{m}</p> })}
            </section>
        </Show>
    }
}
