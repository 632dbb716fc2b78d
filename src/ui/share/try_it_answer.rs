//! The answers in a shared link's app view: each Output block's answer, large (markdown,
//! citations, streaming), with a thumbs up or down and a comment, and the passage a citation
//! opened.

use super::try_it::{AppState, Given, Rated};
use crate::domain::engine::BlockStatus;
use crate::domain::flow::BlockId;
use crate::ui::run::run::Runner;
use crate::ui::state::editor::Editor;
use crate::ui::widgets::markdown_view::{Citations, OutputView};
use leptos::prelude::*;

/// One Output block's answer, large, with its rating.
#[component]
pub(super) fn Answer(id: BlockId, name: String, state: AppState) -> impl IntoView {
    let runner = expect_context::<Runner>();
    let editor = expect_context::<Editor>();
    let own = runner.run_of(&id);
    // An Output block receives its answer when the block feeding it has finished; until then
    // (streaming, stopped, failed) the answer shown is that block's.
    let feeder = editor.with_flow(|f| f.edges.iter().find(|e| e.to.block == id).map(|e| e.from.block.clone()));
    let fed = feeder.map(|f| runner.run_of(&f));
    let settled = move || {
        own.with(|r| {
            r.as_ref().is_some_and(|r| {
                matches!(r.status, BlockStatus::Done | BlockStatus::Cached | BlockStatus::Error) && r.output.is_some()
            })
        })
    };
    let run = Signal::derive(move || match fed {
        Some(fed) if !settled() && fed.with(Option::is_some) => fed.get(),
        _ => own.get(),
    });
    let text = Signal::derive(move || run.with(|r| r.as_ref().and_then(|r| r.output.clone()).unwrap_or_default()));
    let status = move || run.with(|r| r.as_ref().map(|r| r.status));
    let sample = move || run.with(|r| r.as_ref().is_some_and(|r| r.sample));
    let error = move || run.with(|r| r.as_ref().and_then(|r| r.error.clone()));
    let done = move || status() == Some(BlockStatus::Done) || status() == Some(BlockStatus::Cached);
    let id = StoredValue::new(id);
    let answer_of = StoredValue::new(name.clone());
    let key = Signal::derive(move || Rated::Answer { run: state.run_no.get(), block: id.get_value() });
    let make = Callback::new(move |good: bool| Given {
        good,
        comment: String::new(),
        answer: text.get_untracked(),
        answer_of: answer_of.get_value(),
        sample: run.with_untracked(|r| r.as_ref().is_some_and(|r| r.sample)),
        inputs: state.shown_inputs.get_value(),
        history: Vec::new(),
    });
    view! {
        <section class="tryit-card tryit-answer" aria-label=format!("Answer: {name}") data-status=move || status().map(|s| s.label()).unwrap_or("idle")>
            <header class="tryit-answer-head">
                <h2>{name.clone()}</h2>
                <Show when=sample>
                    <span class="sample-badge" title="Written by sample answers, not by a model">"sample answer"</span>
                </Show>
                <Show when=move || status() == Some(BlockStatus::Running) || status() == Some(BlockStatus::Queued)>
                    <span class="tryit-working" role="status">"Writing\u{2026}"</span>
                </Show>
            </header>
            <div class="tryit-answer-body" aria-live="polite">
                <Show when=move || !text.with(String::is_empty)
                    fallback=move || view! { <p class="tryit-empty">{move || if error().is_some() { "" } else { "Press Run to see the answer here." }}</p> }>
                    <OutputView text />
                </Show>
            </div>
            {move || error().map(|e| view! { <p class="result-error" role="alert">{e}</p> })}
            <Show when=done>
                <Verdict state key make />
            </Show>
        </section>
    }
}

/// A thumbs up or down on one answer, then a comment on it: the rating `key` among the app
/// view's ratings, made by `make` when a thumb is first pressed.
#[component]
pub(super) fn Verdict(state: AppState, key: Signal<Rated>, make: Callback<bool, Given>) -> impl IntoView {
    let given = move || state.ratings.with(|r| r.get(&key.get()).cloned());
    let rate = move |good: bool| {
        let k = key.get_untracked();
        let fresh = make.run(good);
        state.ratings.update(|r| r.entry(k).or_insert(fresh).good = good);
    };
    view! {
        <div class="tryit-rate" role="group" aria-label="Rate this answer">
            <span class="tryit-rate-label">"Is this a good answer?"</span>
            <button class="button tryit-thumb" aria-label="Good answer"
                aria-pressed=move || given().is_some_and(|g| g.good).to_string()
                on:click=move |_| rate(true)>
                <crate::ui::widgets::icons::Icon name="thumb-up" size=20 />
            </button>
            <button class="button tryit-thumb" aria-label="Bad answer"
                aria-pressed=move || given().is_some_and(|g| !g.good).to_string()
                on:click=move |_| rate(false)>
                <crate::ui::widgets::icons::Icon name="thumb-down" size=20 />
            </button>
        </div>
        {move || given().map(|g| {
            view! {
                <label class="field tryit-comment">
                    <span class="field-label">{if g.good { "What makes it good? (optional)" } else { "What would make it better? (optional)" }}</span>
                    <input type="text" aria-label="Comment on this answer" prop:value=g.comment.clone()
                        on:change=move |ev| {
                            let c = event_target_value(&ev);
                            let k = key.get_untracked();
                            state.ratings.update(|r| { if let Some(g) = r.get_mut(&k) { g.comment = c; } });
                        } />
                </label>
            }
        })}
    }
}

/// The passage a citation in an answer opened.
#[component]
pub(super) fn Cited() -> impl IntoView {
    let citations = expect_context::<Citations>();
    let opened = move || {
        let n = citations.open.get()?;
        citations.passages.with(|p| p.iter().find(|p| p.number == n).cloned())
    };
    view! {
        {move || opened().map(|p| view! {
            <aside class="tryit-card cited-passage" aria-label=format!("Passage {}", p.number)>
                <p class="passage-head"><span class="passage-number">{format!("[{}]", p.number)}</span>
                    <span class="passage-source">{p.source.clone()}</span></p>
                <p class="passage-text">{p.text.clone()}</p>
            </aside>
        })}
    }
}
