//! The Chat panel beside the canvas: each message runs the flow once (through the Runner,
//! so blocks show their traces and the top bar the cost), its answer is the Output block's
//! value, and conversational Prompts are sent the earlier turns. Reset forgets them; any
//! answered turn can be saved as a test case (its history and the message).

use super::chat_session::{ChatCompose, ChatLog, ChatSession};
use crate::domain::conversation::{chat_input, conversational_prompts, text_inputs, Turn};
use crate::domain::evals::cases::TestCase;
use crate::ui::state::editor::Editor;
use crate::ui::state::persist::Session;
use crate::ui::state::settings::Settings;
use leptos::prelude::*;
use std::collections::BTreeMap;

/// Whether the Chat panel is open.
#[derive(Clone, Copy)]
pub struct ChatOpen(pub RwSignal<bool>);

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
    let settings = expect_context::<Settings>();
    let session = expect_context::<Session>();
    let chat = ChatSession::new();
    let (exchanges, chosen, notice) = (chat.exchanges, chat.chosen, chat.notice);

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
        editor.with_flow(|f| (text_inputs(f), conversational_prompts(f).count()))
    });
    let send = move || chat.send(settings, None);

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

    let save_button = move |i: usize| {
        let saved = exchanges.with_untracked(|xs| xs.get(i).is_some_and(|x| x.saved));
        view! {
            <button class="button button-quiet button-small" aria-label=format!("Save turn {} as test case", i + 1)
                disabled=saved
                on:click=move |_| save_case(i)>
                {if saved { "Saved as test case" } else { "Save as test case" }}
            </button>
        }
        .into_any()
    };

    let reset = move |_| chat.reset();

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
                <Show when=move || structure.with(|s| s.1 == 0)>
                    <p class="chat-note">"No Prompt remembers the conversation, so each message is answered on its own. Tick \u{201c}Remembers the conversation\u{201d} in a Prompt\u{2019}s settings."</p>
                </Show>
                <ChatLog session=chat actions=Callback::new(save_button)
                    empty="Send a message: the flow runs once per message and its Output block answers." />
                {move || notice.get().map(|n| view! { <p class="chat-note" role="status">{n}</p> })}
                <ChatCompose session=chat send=Callback::new(move |()| send()) />
            </aside>
        </Show>
    }
}
