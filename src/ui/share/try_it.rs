//! The app view of a shared link: the flow as a simple app a stakeholder can try, on a
//! computer or a phone. A form from the flow's Input values, one Run button, the Output
//! blocks' answers large (markdown, citations, streaming), a thumbs up or down on each,
//! and "Send feedback". "How it works" shows the flow itself, read-only.
//!
//! Nothing is saved or sent until Run: the viewer's values live in this component only,
//! the shared flow stays read-only, and a run uses a copy of it with those values (and,
//! without a key, with the providers the viewer chose: sample answers or a model in this
//! browser, which asks before it downloads).

use super::share_ui::Shared;
use crate::domain::blocks::BlockConfig;
use crate::domain::engine::BlockStatus;
use crate::domain::feedback::{Feedback, Rating};
use crate::domain::flow::BlockId;
use crate::domain::media::MediaKind;
use crate::domain::providers::local_models::LOCAL_MODELS;
use crate::domain::providers::ProviderKind;
use crate::domain::share::ShareView;
use crate::domain::try_it::{
    answer_blocks, form_fields, inputs_by_name, instead_of, providers_missing_keys, with_viewer_inputs, FormField,
    ViewerValue,
};
use crate::ui::platform::media::MediaStore;
use crate::ui::platform::platform;
use crate::ui::run::run::Runner;
use crate::ui::state::editor::Editor;
use crate::ui::state::settings::Settings;
use crate::ui::widgets::markdown_view::{Citations, OutputView};
use leptos::prelude::*;
use std::collections::BTreeMap;

/// How a viewer without the flow's keys runs it.
#[derive(Clone, Copy, PartialEq, Eq)]
enum NoKey {
    Sample,
    Browser,
}

/// A rating given to one answer of one run.
#[derive(Clone, PartialEq)]
struct Given {
    good: bool,
    comment: String,
    answer: String,
    answer_of: String,
    sample: bool,
    inputs: BTreeMap<String, String>,
}

/// What the app view shares between its parts.
#[derive(Clone, Copy)]
struct AppState {
    values: RwSignal<BTreeMap<(BlockId, usize), ViewerValue>>,
    /// Counts runs started here, so each run's answers are rated apart.
    run_no: RwSignal<u32>,
    /// The inputs of the answers on screen, by value name (for ratings).
    shown_inputs: StoredValue<BTreeMap<String, String>>,
    ratings: RwSignal<BTreeMap<(u32, BlockId), Given>>,
    /// Without a key: sample answers or a model in this browser.
    choice: RwSignal<NoKey>,
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
    };
    // A newly opened link starts afresh, with the flow's own values on screen.
    Effect::new(move |_| {
        if shared.viewing.with(Option::is_some) {
            state.values.set(BTreeMap::new());
            state.ratings.set(BTreeMap::new());
            state.shown_inputs.set_value(editor.with_flow(inputs_by_name));
        }
    });
    view! {
        <Show when=move || shared.app_on()>
            <TryIt state />
        </Show>
    }
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

    let run = move || {
        let flow = editor.with_flow(|f| with_viewer_inputs(f, &state.values.get_untracked()));
        let missing = missing.get_untracked();
        let flow = if missing.is_empty() {
            flow
        } else {
            let to = if choice.get_untracked() == NoKey::Sample { ProviderKind::Demo } else { ProviderKind::Browser };
            instead_of(&flow, &missing, to)
        };
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

            // TODO(conversations): a conversational flow shows the Chat panel here instead of
            // this form (same Run/answers below are replaced by the chat's Send and turns).
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
            <Cited />
            <FeedbackSection state />
        </div>
    }
}

/// One field of the form: a text area, or a file picker for an image or audio value.
#[component]
fn Field(field: FormField, state: AppState) -> impl IntoView {
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

/// Who a run contacts, and for a viewer without the keys, what runs instead.
#[component]
fn Who(missing: Memo<Vec<ProviderKind>>, choice: RwSignal<NoKey>) -> impl IntoView {
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
                        format!("Runs with your own key. Pressing Run sends your input to {}.", hosts.join(", "))
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

/// One Output block's answer, large, with its rating.
#[component]
fn Answer(id: BlockId, name: String, state: AppState) -> impl IntoView {
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
    let key = move || (state.run_no.get(), id.get_value());
    let given = move || state.ratings.with(|r| r.get(&key()).cloned());
    let rate = move |good: bool| {
        let k = key();
        let answer = text.get_untracked();
        let sample = run.with_untracked(|r| r.as_ref().is_some_and(|r| r.sample));
        let inputs = state.shown_inputs.get_value();
        let answer_of = answer_of.get_value();
        state.ratings.update(|r| {
            let entry = r.entry(k).or_insert(Given { good, comment: String::new(), answer, answer_of, sample, inputs });
            entry.good = good;
        });
    };
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
                {
                    move || given().map(|g| {
                        view! {
                            <label class="field tryit-comment">
                                <span class="field-label">{if g.good { "What makes it good? (optional)" } else { "What would make it better? (optional)" }}</span>
                                <input type="text" aria-label="Comment on this answer" prop:value=g.comment.clone()
                                    on:change=move |ev| {
                                        let c = event_target_value(&ev);
                                        let k = key();
                                        state.ratings.update(|r| { if let Some(g) = r.get_mut(&k) { g.comment = c; } });
                                    } />
                            </label>
                        }
                    })
                }
            </Show>
        </section>
    }
}

/// The passage a citation in an answer opened.
#[component]
fn Cited() -> impl IntoView {
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

/// "Send feedback": the ratings as a short link and a file for the person who shared.
#[component]
fn FeedbackSection(state: AppState) -> impl IntoView {
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
