//! One conversation with the flow, shared by the Chat panel beside the canvas and a shared
//! link's app view: the exchanges on screen, sending a message (one run of the flow through the
//! Runner, earlier turns to conversational Prompts), taking the answer when the run ends, and
//! the log and message box that show them.

use crate::domain::conversation::{
    answer_block, answer_source, chat_input, dropped_note, dropped_turns, finished_turn, memory_limit, text_inputs,
    Conversation, Turn,
};
use crate::domain::engine::Engine;
use crate::domain::flow::{Flow, PortRef};
use crate::ui::run::run::Runner;
use crate::ui::state::editor::Editor;
use crate::ui::state::settings::Settings;
use crate::ui::widgets::markdown_view::OutputView;
use leptos::prelude::*;

/// One exchange on screen. `answer` is `None` while it is being answered.
#[derive(Debug, Clone, PartialEq)]
pub struct Exchange {
    /// Unique in this tab, so a rating refers to this exchange even after Start over.
    pub id: u64,
    pub user: String,
    pub answer: Option<String>,
    /// Why there is no answer (stopped, failed), in words.
    pub problem: Option<String>,
    /// The finished turn, when it answered (what later turns remember).
    pub turn: Option<Turn>,
    /// Written by sample answers, not a model: labelled like everywhere else.
    pub sample: bool,
    /// Kept as a test case (the Chat panel's "Save as test case").
    pub saved: bool,
}

impl Exchange {
    /// Sent, and neither answered nor failed yet.
    pub fn pending(&self) -> bool {
        self.answer.is_none() && self.problem.is_none()
    }
}

thread_local! {
    static NEXT_EXCHANGE: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
}

/// Why a run gave no answer, in words: stopped, or the first block error.
fn no_answer_reason(engine: &Engine) -> Option<String> {
    use crate::domain::engine::BlockStatus;
    if engine.blocks().any(|(_, r)| r.status == BlockStatus::Stopped) {
        return Some("Stopped before the answer was finished; this turn is not remembered.".into());
    }
    engine
        .blocks()
        .find_map(|(_, r)| r.error.clone().filter(|_| r.status == BlockStatus::Error))
        .map(|e| format!("No answer: {e}"))
}

#[derive(Clone, Copy)]
pub struct ChatSession {
    pub exchanges: RwSignal<Vec<Exchange>>,
    /// The message being typed.
    pub draft: RwSignal<String>,
    /// The Input value messages go into (`None`: the flow's first text value).
    pub chosen: RwSignal<Option<PortRef>>,
    /// A message was sent and its run has not ended.
    waiting: RwSignal<bool>,
    /// A sentence for the person: why a message was not sent, what was saved.
    pub notice: RwSignal<Option<String>>,
    editor: Editor,
    runner: Runner,
}

impl ChatSession {
    /// A new, empty conversation; its answers are taken from the Runner's runs.
    pub fn new() -> Self {
        Self::continuing(RwSignal::new(Vec::new()))
    }

    /// The conversation in `exchanges`, kept by a view that outlives this one (the app view's,
    /// across a look at "How it works"). A turn still being answered is taken up again.
    pub fn continuing(exchanges: RwSignal<Vec<Exchange>>) -> Self {
        let pending = exchanges.with_untracked(|xs| xs.last().is_some_and(Exchange::pending));
        let session = ChatSession {
            exchanges,
            draft: RwSignal::new(String::new()),
            chosen: RwSignal::new(None),
            waiting: RwSignal::new(pending),
            notice: RwSignal::new(None),
            editor: expect_context::<Editor>(),
            runner: expect_context::<Runner>(),
        };
        Effect::new(move |_| {
            session.runner.running.track();
            session.finish();
        });
        session
    }

    /// The turns that answered, oldest first (what conversational Prompts are sent).
    pub fn turns(&self) -> Vec<Turn> {
        self.exchanges.with_untracked(|xs| xs.iter().filter_map(|x| x.turn.clone()).collect())
    }

    /// How many of the oldest answered turns are no longer sent (the flow's Prompts remember
    /// fewer), and the sentence that says so; `None` while every turn is sent.
    pub fn dropped(&self) -> Option<(usize, String)> {
        let answered = self.exchanges.with(|xs| xs.iter().filter(|x| x.turn.is_some()).count());
        // Follows edits too: a Prompt's memory may change while the chat is open.
        self.editor.any_rev.track();
        self.editor.with_flow(|f| {
            let n = dropped_turns(f, answered);
            memory_limit(f).and_then(|limit| dropped_note(n, limit)).map(|note| (n, note))
        })
    }

    /// A message is being answered.
    pub fn answering(&self) -> bool {
        self.runner.running.get() && self.waiting.get()
    }

    /// Sends the draft: one run of `flow` (the editor's own flow when `None`) with the message
    /// in the chat Input value. When the run cannot start (a key, a download or a host
    /// approval is asked for first), the message goes back into the box and `notice` says why.
    pub fn send(self, settings: Settings, flow: Option<Flow>) {
        let (editor, runner) = (self.editor, self.runner);
        let text = self.draft.get_untracked();
        if text.trim().is_empty() || runner.running.get_untracked() {
            return;
        }
        let (no_input, no_answer) = editor.with_flow(|f| (text_inputs(f).is_empty(), answer_block(f).is_none()));
        if no_input {
            self.notice.set(Some("Add an Input block with a text value: your message goes into it.".into()));
            return;
        }
        if no_answer {
            self.notice.set(Some("Add an Output block: its value is the answer shown here.".into()));
            return;
        }
        self.notice.set(None);
        let input = editor.with_flow(|f| chat_input(f, self.chosen.get_untracked().as_ref()));
        let conversation = Conversation { turns: self.turns(), message: Some(text.clone()), input };
        let id = NEXT_EXCHANGE.with(|n| n.replace(n.get() + 1));
        self.exchanges.update(|xs| {
            xs.push(Exchange { id, user: text, answer: None, problem: None, turn: None, sample: false, saved: false })
        });
        self.draft.set(String::new());
        self.waiting.set(true);
        let started = match flow {
            Some(flow) => runner.start_chat_of(editor, settings, flow, conversation),
            None => runner.start_chat(editor, settings, conversation),
        };
        if started {
            // Sample answers finish inside the start.
            self.finish();
            return;
        }
        self.waiting.set(false);
        let why = runner
            .message
            .get_untracked()
            .unwrap_or_else(|| "The flow did not run yet: finish what the dialog asks, then send again.".into());
        self.exchanges.update(|xs| {
            if let Some(x) = xs.pop() {
                self.draft.set(x.user);
            }
        });
        self.notice.set(Some(why));
    }

    /// When the run of a turn has ended: its answer is the Output block's value.
    fn finish(self) {
        let (editor, runner) = (self.editor, self.runner);
        if runner.running.get_untracked() || !self.waiting.get_untracked() {
            return;
        }
        self.waiting.set(false);
        let user = self.exchanges.with_untracked(|xs| xs.last().map(|x| x.user.clone())).unwrap_or_default();
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
        self.exchanges.update(|xs| {
            if let Some(last) = xs.last_mut() {
                last.answer = turn.as_ref().map(|t| t.assistant.clone());
                last.problem = problem;
                last.turn = turn;
                last.sample = sample;
            }
        });
    }

    /// Forgets the conversation (stopping a turn being answered).
    pub fn reset(self) {
        if self.runner.running.get_untracked() {
            self.runner.stop();
        }
        self.waiting.set(false);
        self.exchanges.set(Vec::new());
        self.notice.set(None);
    }
}

/// The conversation so far, newest at the bottom and kept in view, with the answer being
/// written streaming in. `actions`, when given, draws what sits under answer `i` (the Chat
/// panel's "Save as test case", the app view's rating).
#[component]
pub fn ChatLog(
    session: ChatSession,
    #[prop(optional)] actions: Option<Callback<usize, AnyView>>,
    /// What the empty log says.
    empty: &'static str,
) -> impl IntoView {
    let runner = expect_context::<Runner>();
    let editor = expect_context::<Editor>();
    // The block that writes the answer (the one feeding the Output block): its text streams in.
    let source = Memo::new(move |_| {
        editor.edges.track();
        editor.any_rev.track();
        editor.with_flow(|f| answer_block(f).and_then(|a| answer_source(f, a)).cloned())
    });
    let streaming = Signal::derive(move || {
        source.get().and_then(|s| runner.run_of(&s).get()).and_then(|r| r.output).unwrap_or_default()
    });
    let log_ref = NodeRef::<leptos::html::Div>::new();
    Effect::new(move |_| {
        session.exchanges.track();
        runner.clock.track();
        if let Some(log) = log_ref.get() {
            log.set_scroll_top(log.scroll_height());
        }
    });
    view! {
        <div class="chat-log" role="log" aria-label="Conversation" aria-live="polite" node_ref=log_ref>
            <Show when=move || session.exchanges.with(Vec::is_empty)>
                <p class="chat-empty">{empty}</p>
            </Show>
            {move || {
            // The note sits after the last turn that is no longer sent, where the memory begins.
            let dropped = session.dropped();
            let mut answered = 0;
            session.exchanges.get().into_iter().enumerate().map(|(i, x)| {
                let pending = x.pending();
                answered += usize::from(x.turn.is_some());
                let note = dropped
                    .as_ref()
                    .filter(|(n, _)| x.turn.is_some() && answered == *n)
                    .map(|(_, note)| view! { <p class="chat-dropped" role="note">{note.clone()}</p> });
                view! {
                    <div class="chat-turn">
                        <div class="chat-bubble chat-user" aria-label="You said">{x.user.clone()}</div>
                        {match (x.answer.clone(), x.problem.clone(), pending) {
                            (Some(a), _, _) => view! {
                                <div class="chat-bubble chat-assistant" aria-label="Answer">
                                    {x.sample.then(|| view! { <span class="sample-badge" title="Written by sample answers, not by a model">{crate::domain::sample::SAMPLE_BADGE}</span> })}
                                    <OutputView text=Signal::derive(move || a.clone()) />
                                </div>
                                {actions.map(|draw| view! { <div class="chat-actions">{draw.run(i)}</div> })}
                            }.into_any(),
                            (None, Some(p), _) => view! { <p class="chat-problem" role="alert">{p}</p> }.into_any(),
                            _ => view! {
                                <div class="chat-bubble chat-assistant chat-streaming" aria-label="Answer (writing)" aria-busy="true">
                                    <OutputView text=streaming />
                                    <span class="chat-typing" aria-hidden="true">"\u{2026}"</span>
                                </div>
                            }.into_any(),
                        }}
                    </div>
                    {note}
                }
            }).collect_view()
            }}
        </div>
    }
}

/// The message box with Send (Enter) and, while an answer is written, Stop.
#[component]
pub fn ChatCompose(
    session: ChatSession,
    send: Callback<()>,
    #[prop(default = "Type a message (Enter sends, Shift+Enter for a new line)")] placeholder: &'static str,
) -> impl IntoView {
    let runner = expect_context::<Runner>();
    let draft = session.draft;
    view! {
        <form class="chat-compose" on:submit=move |ev| { ev.prevent_default(); send.run(()); }>
            <textarea rows="2" aria-label="Message" placeholder=placeholder
                prop:value=move || draft.get()
                on:input=move |ev| draft.set(event_target_value(&ev))
                on:keydown=move |ev: leptos::ev::KeyboardEvent| {
                    if ev.key() == "Enter" && !ev.shift_key() && !ev.is_composing() {
                        ev.prevent_default();
                        send.run(());
                    }
                }></textarea>
            <Show when=move || session.answering()
                fallback=move || view! {
                    <button type="submit" class="button button-primary" aria-label="Send message"
                        disabled=move || draft.with(|d| d.trim().is_empty()) || runner.running.get()>"Send"</button>
                }>
                <button type="button" class="button button-stop" aria-label="Stop answer" on:click=move |_| runner.stop()>"Stop"</button>
            </Show>
        </form>
    }
}
