//! The app view of a conversational flow (a Prompt that remembers the conversation): a chat
//! in place of the form. Each message runs the flow once with the viewer's values and
//! providers, and the earlier turns go to the Prompts that remember, as in the Chat panel
//! beside the canvas. Each answer can be rated; its rating carries the turns before it, so the
//! test case it becomes replays the conversation. Start over forgets the turns (not the
//! ratings); a newly opened link starts a new conversation.
//! Nothing is sent until a message is.

use super::try_it::{viewer_flow, AppState, Given, Rated};
use super::try_it_answer::Verdict;
use super::try_it_form::{Field, Who};
use crate::domain::conversation::{answer_block, chat_input, Turn};
use crate::domain::providers::ProviderKind;
use crate::domain::try_it::{inputs_by_name, FormField};
use crate::ui::chat::chat_session::{ChatCompose, ChatLog, ChatSession};
use crate::ui::state::editor::Editor;
use crate::ui::state::settings::Settings;
use leptos::prelude::*;

/// `fields`: the flow's other Input values (the message is not one of them).
#[component]
pub(super) fn TryItChat(
    state: AppState,
    missing: Memo<Vec<ProviderKind>>,
    #[prop(into)] fields: Signal<Vec<FormField>>,
) -> impl IntoView {
    let editor = expect_context::<Editor>();
    let settings = expect_context::<Settings>();
    // Kept by the app view: a look at "How it works" does not end the conversation.
    let chat = ChatSession::continuing(state.conversation);
    let send = move || chat.send(settings, Some(viewer_flow(editor, state, missing)));
    // Each answer can be rated like the form's: a rating carries the turns before it, so the
    // test case it becomes replays the conversation.
    let rating = move |i: usize| -> AnyView {
        let Some(x) = state.conversation.with_untracked(|xs| xs.get(i).cloned()) else { return ().into_any() };
        let history: Vec<Turn> =
            state.conversation.with_untracked(|xs| xs.iter().take(i).filter_map(|x| x.turn.clone()).collect());
        let (answer_of, message) = editor.with_flow(|f| {
            let answer = answer_block(f).and_then(|id| f.block(id)).map(|b| b.display_name()).unwrap_or_default();
            (answer, chat_input(f, None).map(|p| p.port))
        });
        let id = x.id;
        let make = Callback::new(move |good: bool| {
            let mut inputs = inputs_by_name(&viewer_flow(editor, state, missing));
            if let Some(name) = &message {
                inputs.insert(name.clone(), x.user.clone());
            }
            Given {
                good,
                comment: String::new(),
                answer: x.answer.clone().unwrap_or_default(),
                answer_of: answer_of.clone(),
                sample: x.sample,
                inputs,
                history: history.clone(),
            }
        });
        view! { <Verdict state key=Signal::derive(move || Rated::Turn(id)) make /> }.into_any()
    };

    view! {
        <section class="tryit-card tryit-chat" aria-label="Chat">
            {move || fields.get().into_iter().map(|f| view! { <Field field=f state /> }).collect_view()}
            <Who missing choice=state.choice sends="Each message sends the conversation so far" />
            <ChatLog session=chat actions=Callback::new(rating)
                empty="Send a message to start. Each answer knows the conversation so far." />
            {move || chat.notice.get().map(|n| view! { <p class="chat-note" role="status">{n}</p> })}
            <ChatCompose session=chat send=Callback::new(move |()| send()) placeholder="Type a message" />
            <div class="tryit-actions">
                <span class="tryit-hint">"Nothing is sent until you send a message."</span>
                <button class="button button-quiet tryit-restart" aria-label="Start over" title="Forget the conversation so far"
                    disabled=move || chat.exchanges.with(Vec::is_empty)
                    on:click=move |_| chat.reset()>"Start over"</button>
            </div>
        </section>
    }
}
