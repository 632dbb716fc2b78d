//! The app view of a shared link: the flow as a simple app a stakeholder can try, on a
//! computer or a phone. A form from the flow's Input values, one Run button, the Output
//! blocks' answers large (markdown, citations, streaming), a thumbs up or down on each,
//! and "Send feedback". "How it works" shows the flow itself, read-only.
//!
//! Nothing is saved or sent until Run: the viewer's values live in this component only,
//! the shared flow stays read-only, and a run uses a copy of it with those values (and,
//! without a key, with the providers the viewer chose: sample answers or a model in this
//! browser, which asks before it downloads).
//!
//! A flow whose Prompt remembers the conversation is tried as a chat instead of the form
//! (try_it_chat.rs): each message is one run, and the earlier turns go with it.
//!
//! This file holds the view and what its parts share; the form's fields and "who answers" are
//! try_it_form.rs, each answer with its rating try_it_answer.rs, "Send feedback"
//! try_it_feedback.rs.

use super::share_ui::Shared;
use super::try_it_answer::{Answer, Cited};
use super::try_it_chat::TryItChat;
use super::try_it_feedback::FeedbackSection;
use super::try_it_form::{Field, Who};
use crate::domain::blocks::BlockConfig;
use crate::domain::conversation::Turn;
use crate::domain::flow::{BlockId, Flow};
use crate::domain::providers::ProviderKind;
use crate::domain::share::ShareView;
use crate::domain::try_it::{
    answer_blocks, chat_form, form_fields, inputs_by_name, instead_of, providers_missing_keys, with_viewer_inputs,
    ViewerValue,
};
use crate::ui::chat::chat_session::Exchange;
use crate::ui::run::run::Runner;
use crate::ui::state::editor::Editor;
use crate::ui::state::settings::Settings;
use crate::ui::widgets::markdown_view::Citations;
use leptos::prelude::*;
use std::collections::BTreeMap;

/// How a viewer without the flow's keys runs it.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum NoKey {
    Sample,
    Browser,
}

/// A rating given to one answer of one run.
#[derive(Clone, PartialEq)]
pub(super) struct Given {
    pub(super) good: bool,
    pub(super) comment: String,
    pub(super) answer: String,
    pub(super) answer_of: String,
    pub(super) sample: bool,
    pub(super) inputs: BTreeMap<String, String>,
    /// A chat answer: the turns before it.
    pub(super) history: Vec<Turn>,
}

/// What a rating is about: an Output block's answer in one run of the form, or one answer in
/// the chat (by its exchange's id).
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord)]
pub(super) enum Rated {
    Answer { run: u32, block: BlockId },
    Turn(u64),
}

/// What the app view shares between its parts.
#[derive(Clone, Copy)]
pub(super) struct AppState {
    pub(super) values: RwSignal<BTreeMap<(BlockId, usize), ViewerValue>>,
    /// Counts runs started here, so each run's answers are rated apart.
    pub(super) run_no: RwSignal<u32>,
    /// The inputs of the answers on screen, by value name (for ratings).
    pub(super) shown_inputs: StoredValue<BTreeMap<String, String>>,
    pub(super) ratings: RwSignal<BTreeMap<Rated, Given>>,
    /// Without a key: sample answers or a model in this browser.
    pub(super) choice: RwSignal<NoKey>,
    /// A conversational flow's chat so far (try_it_chat.rs).
    pub(super) conversation: RwSignal<Vec<Exchange>>,
}

#[component]
pub fn TryItView() -> impl IntoView {
    let shared = expect_context::<Shared>();
    let editor = expect_context::<Editor>();
    // Made once: the viewer's inputs and ratings survive a look at "How it works".
    let state = AppState {
        values: RwSignal::new(BTreeMap::new()),
        run_no: RwSignal::new(0),
        shown_inputs: StoredValue::new(BTreeMap::new()),
        ratings: RwSignal::new(BTreeMap::new()),
        choice: RwSignal::new(NoKey::Sample),
        conversation: RwSignal::new(Vec::new()),
    };
    // A newly opened link starts afresh, with the flow's own values on screen.
    Effect::new(move |_| {
        if shared.viewing.with(Option::is_some) {
            state.values.set(BTreeMap::new());
            state.ratings.set(BTreeMap::new());
            state.conversation.set(Vec::new());
            state.shown_inputs.set_value(editor.with_flow(inputs_by_name));
        }
    });
    // The app view is a wasm module of its own (`modes`), fetched the first time it shows and
    // then kept: most visits are the editor's.
    let opened = RwSignal::new(false);
    Effect::new(move |_| {
        if shared.app_on() && !opened.get_untracked() {
            opened.set(true);
        }
    });
    view! {
        <Show when=move || opened.get()>
            {crate::ui::widgets::lazy::load_here("app view", move || Box::pin(build_try_it(state)))}
        </Show>
    }
}

#[leptos::wasm_split::wasm_split(modes, fallible, wasm_split_path = ::leptos::wasm_split)]
fn build_try_it(state: AppState) -> Result<AnyView, crate::ui::widgets::lazy::ChunkError> {
    let shared = expect_context::<Shared>();
    Ok(view! {
        <Show when=move || shared.app_on()>
            <TryIt state />
        </Show>
    }
    .into_any())
}

#[component]
fn TryIt(state: AppState) -> impl IntoView {
    let editor = expect_context::<Editor>();
    let runner = expect_context::<Runner>();
    let settings = expect_context::<Settings>();
    let shared = expect_context::<Shared>();
    let fields = Memo::new(move |_| {
        editor.settled_rev.track();
        editor.with_flow(form_fields)
    });
    let answers = Memo::new(move |_| {
        editor.settled_rev.track();
        editor.with_flow(answer_blocks)
    });
    let missing = Memo::new(move |_| {
        editor.settled_rev.track();
        editor.with_flow(|f| providers_missing_keys(f, |k| settings.has_key(k)))
    });
    let choice = state.choice;
    // Citations in answers open the passages the flow's Retrieve blocks found.
    let retrieves = Memo::new(move |_| {
        editor.settled_rev.track();
        editor.with_flow(|f| {
            f.blocks.iter().filter(|b| matches!(b.config, BlockConfig::Retrieve(_))).map(|b| b.id.clone()).collect()
        })
    });
    let passages = Signal::derive(move || {
        retrieves.with(|ids: &Vec<BlockId>| {
            ids.iter()
                .flat_map(|id| {
                    runner.run_of(id).with(|r| {
                        r.as_ref().and_then(|r| r.retrieval.as_ref().map(|x| x.passages.clone())).unwrap_or_default()
                    })
                })
                .collect::<Vec<_>>()
        })
    });
    provide_context(Citations { passages, open: RwSignal::new(None) });

    let chat = Memo::new(move |_| {
        editor.settled_rev.track();
        editor.with_flow(chat_form)
    });
    let run = move || {
        let flow = viewer_flow(editor, state, missing);
        state.shown_inputs.set_value(inputs_by_name(&flow));
        state.run_no.update(|n| *n += 1);
        runner.start_flow(editor, settings, flow);
    };
    let title = move || editor.meta.get().title;
    let description = move || editor.meta.get().description;
    view! {
        <div class="tryit" role="main" aria-label="Try this flow">
            <header class="tryit-head">
                <p class="tryit-kicker">"Shared with you \u{b7} Chainboard"</p>
                <h1 class="tryit-title">{title}</h1>
                <Show when=move || !description().trim().is_empty()>
                    <p class="tryit-description">{description}</p>
                </Show>
                <div class="tryit-tools">
                    <button class="button tryit-tool" aria-pressed="false" title="Show the flow behind this app, read-only"
                        on:click=move |_| shared.view.set(ShareView::Canvas)>
                        <crate::ui::widgets::icons::Icon name="flow" />"How it works"
                    </button>
                    <button class="button tryit-tool" aria-label="Settings" title="Your own provider keys (they stay in this browser)"
                        on:click=move |_| settings.open.set(true)>
                        <crate::ui::widgets::icons::Icon name="settings" />"Keys"
                    </button>
                </div>
            </header>

            // A flow whose Prompt remembers the conversation is tried as a chat.
            <Show when=move || chat.with(Option::is_some)>
                <TryItChat state missing fields=Signal::derive(move || chat.get().map(|(_, f)| f).unwrap_or_default()) />
            </Show>
            <Show when=move || chat.with(Option::is_none)>
            <section class="tryit-card tryit-form" aria-label="Your input">
                {move || fields.get().into_iter().map(|f| view! { <Field field=f state /> }).collect_view()}
                <Who missing choice />
                <div class="tryit-actions">
                    <Show when=move || runner.running.get()
                        fallback=move || view! {
                            <button class="button button-primary tryit-run" on:click=move |_| run()>
                                <crate::ui::widgets::icons::Icon name="play" size=16 />"Run"
                            </button>
                        }>
                        <button class="button tryit-run tryit-stop" on:click=move |_| runner.stop()>
                            <crate::ui::widgets::icons::Icon name="stop" size=16 />"Stop"
                        </button>
                    </Show>
                    <span class="tryit-hint">"Nothing is sent until you press Run."</span>
                </div>
                {move || runner.message.get().map(|m| view! { <p class="result-error" role="alert">{m}</p> })}
            </section>

            {move || answers.get().into_iter().map(|(id, name)| view! { <Answer id name state /> }).collect_view()}
            </Show>
            <Cited />
            <FeedbackSection state />
        </div>
    }
}

/// The flow a viewer's run uses: their values in its Inputs, and for a viewer without the
/// flow's keys the providers they chose instead (sample answers or a model in this browser).
pub(super) fn viewer_flow(editor: Editor, state: AppState, missing: Memo<Vec<ProviderKind>>) -> Flow {
    let flow = editor.with_flow(|f| with_viewer_inputs(f, &state.values.get_untracked()));
    let missing = missing.get_untracked();
    if missing.is_empty() {
        return flow;
    }
    let to = if state.choice.get_untracked() == NoKey::Sample { ProviderKind::Demo } else { ProviderKind::Browser };
    instead_of(&flow, &missing, to)
}
