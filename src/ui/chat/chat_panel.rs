//! The Chat panel beside the canvas: each message runs the flow once (through the Runner,
//! so blocks show their traces and the top bar the cost), its answer is the Output block's
//! value, and conversational Prompts are sent the earlier turns. Reset forgets them; any
//! answered turn can be saved as a test case (its history and the message).

use crate::domain::conversation::{
    answer_block, answer_source, chat_input, conversational_prompts, dropped_note, dropped_turns, finished_turn,
    memory_limit, text_inputs, Conversation, Turn,
};
use crate::domain::evals::cases::TestCase;
use crate::domain::flow::PortRef;
use crate::ui::run::run::Runner;
use crate::ui::state::editor::Editor;
use crate::ui::state::persist::Session;
use crate::ui::state::settings::Settings;
use crate::ui::widgets::markdown_view::OutputView;
use leptos::prelude::*;
use std::collections::BTreeMap;

/// Whether the Chat panel is open.
#[derive(Clone, Copy)]
pub struct ChatOpen(pub RwSignal<bool>);

/// One exchange shown in the panel. `answer` is `None` while it is being answered.
#[derive(Debug, Clone, PartialEq)]
struct Exchange {
    user: String,
    answer: Option<String>,
    /// Why there is no answer (stopped, failed), in words.
    problem: Option<String>,
    /// The finished turn, when it answered (what later turns remember).
    turn: Option<Turn>,
    /// Written by sample answers, not a model: labelled like everywhere else.
    sample: bool,
    saved: bool,
}

/// Why a run gave no answer, in words: stopped, or the first block error.
fn no_answer_reason(engine: &crate::domain::engine::Engine) -> Option<String> {
    use crate::domain::engine::BlockStatus;
    if engine.blocks().any(|(_, r)| r.status == BlockStatus::Stopped) {
        return Some("Stopped before the answer was finished; this turn is not remembered.".into());
    }
    engine
        .blocks()
        .find_map(|(_, r)| r.error.clone().filter(|_| r.status == BlockStatus::Error))
        .map(|e| format!("No answer: {e}"))
}

crate::ui::widgets::lazy::load_on_first_open!(
    modes,
    LazyChatPanel,
    build_chat_panel,
    ChatPanel,
    "Chat",
    expect_context::<ChatOpen>().0
);

#[component]
fn ChatPanel() -> impl IntoView {
    let open = expect_context::<ChatOpen>().0;
    let editor = expect_context::<Editor>();
    let runner = expect_context::<Runner>();
    let settings = expect_context::<Settings>();
    let session = expect_context::<Session>();
    let exchanges: RwSignal<Vec<Exchange>> = RwSignal::new(Vec::new());
    let draft = RwSignal::new(String::new());
    let chosen: RwSignal<Option<PortRef>> = RwSignal::new(None);
    let waiting = RwSignal::new(false);
    let notice: RwSignal<Option<String>> = RwSignal::new(None);
    let log_ref = NodeRef::<leptos::html::Div>::new();

    // Another flow: another conversation.
    Effect::new(move |prev: Option<String>| {
        let id = session.current.get();
        if prev.is_some_and(|p| p != id) {
            exchanges.set(Vec::new());
            chosen.set(None);
        }
        id
    });

    let structure = Memo::new(move |_| {
        editor.edges.track();
        editor.any_rev.track();
        editor.with_flow(|f| {
            let inputs = text_inputs(f);
            let answer = answer_block(f).cloned();
            let source = answer.as_ref().and_then(|a| answer_source(f, a)).cloned();
            (inputs, answer, source, conversational_prompts(f).count(), memory_limit(f))
        })
    });
    let turns = move || exchanges.with(|xs| xs.iter().filter_map(|x| x.turn.clone()).collect::<Vec<Turn>>());

    // When the run of a turn ends, its answer is the Output block's value.
    let finish = move || {
        if runner.running.get_untracked() || !waiting.get_untracked() {
            return;
        }
        waiting.set(false);
        let user = exchanges.with_untracked(|xs| xs.last().map(|x| x.user.clone())).unwrap_or_default();
        let turn = runner
            .with_engine(|e| {
                editor.with_flow(|f| finished_turn(f, &user, |id| e.block(id).and_then(|r| r.output.clone())))
            })
            .flatten();
        let sample = runner
            .with_engine(|e| editor.with_flow(|f| answer_block(f).and_then(|id| e.block(id)).is_some_and(|r| r.sample)))
            .unwrap_or(false);
        let problem = match &turn {
            Some(_) => None,
            None => Some(runner.with_engine(no_answer_reason).flatten().unwrap_or_else(|| {
                runner.message.get_untracked().unwrap_or_else(|| "No answer: the Output block got no value.".into())
            })),
        };
        exchanges.update(|xs| {
            if let Some(last) = xs.last_mut() {
                last.answer = turn.as_ref().map(|t| t.assistant.clone());
                last.problem = problem;
                last.turn = turn;
                last.sample = sample;
            }
        });
    };
    Effect::new(move |_| {
        runner.running.track();
        finish();
    });

    // Keep the newest message in view.
    Effect::new(move |_| {
        exchanges.track();
        runner.clock.track();
        if let Some(log) = log_ref.get() {
            log.set_scroll_top(log.scroll_height());
        }
    });

    let send = move || {
        let text = draft.get_untracked();
        if text.trim().is_empty() || runner.running.get_untracked() {
            return;
        }
        let (inputs, answer, _, _, _) = structure.get_untracked();
        if inputs.is_empty() {
            notice.set(Some("Add an Input block with a text value: your message goes into it.".into()));
            return;
        }
        if answer.is_none() {
            notice.set(Some("Add an Output block: its value is the answer shown here.".into()));
            return;
        }
        notice.set(None);
        let input = editor.with_flow(|f| chat_input(f, chosen.get_untracked().as_ref()));
        let conversation = Conversation { turns: turns(), message: Some(text.clone()), input };
        exchanges.update(|xs| {
            xs.push(Exchange { user: text, answer: None, problem: None, turn: None, sample: false, saved: false })
        });
        draft.set(String::new());
        waiting.set(true);
        if runner.start_chat(editor, settings, conversation) {
            // Sample answers finish inside `start_chat`.
            finish();
        } else {
            waiting.set(false);
            // Settings or a host approval asked first: say so, keep the message.
            let why = runner
                .message
                .get_untracked()
                .unwrap_or_else(|| "The flow did not run yet: finish what the dialog asks, then send again.".into());
            exchanges.update(|xs| {
                if let Some(x) = xs.pop() {
                    draft.set(x.user);
                }
            });
            notice.set(Some(why));
        }
    };

    let save_case = move |index: usize| {
        let Some((input_name, user, history)) = exchanges.with_untracked(|xs| {
            let x = xs.get(index)?;
            let history: Vec<Turn> = xs.iter().take(index).filter_map(|x| x.turn.clone()).collect();
            let input = editor.with_flow(|f| chat_input(f, chosen.get_untracked().as_ref()))?;
            Some((input.port, x.user.clone(), history))
        }) else {
            return;
        };
        if editor.read_only.get_untracked() {
            notice.set(Some("This is a shared flow: make a copy to keep test cases.".into()));
            return;
        }
        let flow_id = session.current.get_untracked();
        let mut suite = crate::ui::evals::suite_store::load_suite(&flow_id);
        let mut inputs: BTreeMap<String, String> = BTreeMap::new();
        // The other Input values as they are now, so the case runs like the chat did.
        editor.with_flow(|f| {
            for name in crate::ui::evals::suite_store::input_names(f) {
                let value = f
                    .blocks
                    .iter()
                    .find_map(|b| match &b.config {
                        crate::domain::blocks::BlockConfig::Input(c) => c.value(&name).map(str::to_string),
                        _ => None,
                    })
                    .unwrap_or_default();
                inputs.insert(name, value);
            }
        });
        inputs.insert(input_name, user);
        let turns = history.len();
        suite.cases.push(TestCase {
            inputs,
            note: format!("From the chat ({} earlier turn{})", turns, if turns == 1 { "" } else { "s" }),
            history,
            ..TestCase::default()
        });
        match crate::ui::evals::suite_store::store_suite(&flow_id, &suite) {
            Ok(()) => {
                exchanges.update(|xs| {
                    if let Some(x) = xs.get_mut(index) {
                        x.saved = true;
                    }
                });
                notice.set(Some(format!("Saved as test case {} (see Evaluate).", suite.cases.len())));
            }
            Err(e) => notice.set(Some(format!("The test case could not be saved in this browser ({e})."))),
        }
    };

    let reset = move |_| {
        if runner.running.get_untracked() {
            runner.stop();
        }
        waiting.set(false);
        exchanges.set(Vec::new());
        notice.set(None);
    };

    let streaming = move || {
        let (_, _, source, _, _) = structure.get();
        source.and_then(|s| runner.run_of(&s).get()).and_then(|r| r.output).unwrap_or_default()
    };
    let dropped = move || {
        let n = exchanges.with(|xs| xs.iter().filter(|x| x.turn.is_some()).count());
        let limit = structure.with(|s| s.4);
        let d = editor.with_flow(|f| dropped_turns(f, n));
        limit.and_then(|l| dropped_note(d, l))
    };

    view! {
        <Show when=move || open.get()>
            <aside class="chat-panel" aria-label="Chat">
                <header class="chat-head">
                    <h2 class="chat-title">"Chat with this flow"</h2>
                    <button class="button button-quiet" aria-label="Reset conversation" title="Forget the turns so far"
                        disabled=move || exchanges.with(Vec::is_empty)
                        on:click=reset>"Reset"</button>
                    <button class="icon-button" aria-label="Close chat" on:click=move |_| open.set(false)>"\u{d7}"</button>
                </header>
                <Show when=move || { structure.with(|s| s.0.len() > 1) }>
                    <label class="field chat-input-choice">
                        <span class="field-label">"Your message goes into"</span>
                        <select on:change=move |ev| {
                            let v = event_target_value(&ev);
                            let pick = structure.with_untracked(|s| s.0.iter().find(|p| format!("{}.{}", p.block.0, p.port) == v).cloned());
                            chosen.set(pick);
                        }>
                            {move || {
                                let current = editor.with_flow(|f| chat_input(f, chosen.get().as_ref()));
                                structure.get().0.into_iter().map(|p| {
                                    let title = editor.with_flow(|f| f.block(&p.block).map(|b| b.display_name()).unwrap_or_default());
                                    let value = format!("{}.{}", p.block.0, p.port);
                                    let selected = current.as_ref() == Some(&p);
                                    view! { <option value=value selected=selected>{format!("{title}: {}", p.port)}</option> }
                                }).collect_view()
                            }}
                        </select>
                    </label>
                </Show>
                <Show when=move || structure.with(|s| s.3 == 0)>
                    <p class="chat-note">"No Prompt remembers the conversation, so each message is answered on its own. Tick \u{201c}Remembers the conversation\u{201d} in a Prompt\u{2019}s settings."</p>
                </Show>
                {move || dropped().map(|d| view! { <p class="chat-note" role="status">{d}</p> })}
                <div class="chat-log" role="log" aria-label="Conversation" aria-live="polite" node_ref=log_ref>
                    <Show when=move || exchanges.with(Vec::is_empty)>
                        <p class="chat-empty">"Send a message: the flow runs once per message and its Output block answers."</p>
                    </Show>
                    {move || exchanges.get().into_iter().enumerate().map(|(i, x)| {
                        let pending = x.answer.is_none() && x.problem.is_none();
                        let answer_text = x.answer.clone();
                        view! {
                            <div class="chat-turn">
                                <div class="chat-bubble chat-user" aria-label="You said">{x.user.clone()}</div>
                                {match (answer_text, x.problem.clone(), pending) {
                                    (Some(a), _, _) => view! {
                                        <div class="chat-bubble chat-assistant" aria-label="Answer">
                                            {x.sample.then(|| view! { <span class="sample-badge" title="Written by sample answers, not by a model">{crate::domain::sample::SAMPLE_BADGE}</span> })}
                                            <OutputView text=Signal::derive(move || a.clone()) />
                                        </div>
                                        <div class="chat-actions">
                                            <button class="button button-quiet button-small" aria-label=format!("Save turn {} as test case", i + 1)
                                                disabled=x.saved
                                                on:click=move |_| save_case(i)>
                                                {if x.saved { "Saved as test case" } else { "Save as test case" }}
                                            </button>
                                        </div>
                                    }.into_any(),
                                    (None, Some(p), _) => view! { <p class="chat-problem" role="alert">{p}</p> }.into_any(),
                                    _ => view! {
                                        <div class="chat-bubble chat-assistant chat-streaming" aria-label="Answer (writing)" aria-busy="true">
                                            <OutputView text=Signal::derive(streaming) />
                                            <span class="chat-typing" aria-hidden="true">"\u{2026}"</span>
                                        </div>
                                    }.into_any(),
                                }}
                            </div>
                        }
                    }).collect_view()}
                </div>
                {move || notice.get().map(|n| view! { <p class="chat-note" role="status">{n}</p> })}
                <form class="chat-compose" on:submit=move |ev| { ev.prevent_default(); send(); }>
                    <textarea rows="2" aria-label="Message" placeholder="Type a message (Enter sends, Shift+Enter for a new line)"
                        prop:value=move || draft.get()
                        on:input=move |ev| draft.set(event_target_value(&ev))
                        on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                            if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
                                ev.prevent_default();
                                send();
                            }
                        }></textarea>
                    <Show when=move || runner.running.get() && waiting.get()
                        fallback=move || view! {
                            <button type="submit" class="button button-primary" aria-label="Send message"
                                disabled=move || draft.with(|d| d.trim().is_empty()) || runner.running.get()>"Send"</button>
                        }>
                        <button type="button" class="button button-stop" aria-label="Stop answer" on:click=move |_| runner.stop()>"Stop"</button>
                    </Show>
                </form>
            </aside>
        </Show>
    }
}
