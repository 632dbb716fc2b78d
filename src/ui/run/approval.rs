//! Approve / Edit / Reject for an Approval block that holds the run: on its card (compact:
//! Edit opens the inspector), in the inspector and in present mode (full: the text can be
//! edited in place before approving).

use super::run::Runner;
use crate::domain::engine::{ApprovalDecision, BlockStatus};
use crate::domain::flow::BlockId;
use crate::ui::state::editor::Editor;
use leptos::prelude::*;

#[component]
pub fn ApprovalActions(id: BlockId, #[prop(default = false)] compact: bool) -> impl IntoView {
    let editor = expect_context::<Editor>();
    let runner = expect_context::<Runner>();
    let run = runner.run_of(&id);
    let waiting = move || run.with(|r| r.as_ref().is_some_and(|r| r.status == BlockStatus::Waiting));
    let received = move || {
        run.with(|r| r.as_ref().and_then(|r| r.approval.as_ref()).map(|a| a.received.clone()).unwrap_or_default())
    };
    let id_edit = id.clone();
    let editing = Memo::new(move |_| runner.approval_editing.with(|e| e.as_ref() == Some(&id_edit)));
    let draft = RwSignal::new(String::new());
    // Why it was rejected: said in the skipped blocks' notes and the approval's status. The
    // card has no room for it (Reject there gives no reason).
    let reason = RwSignal::new(String::new());
    // Each place (card, inspector, present mode) has its own box; whichever opens the edit
    // starts from the text received.
    Effect::new(move |_| {
        if editing.get() && draft.get_untracked().is_empty() {
            draft.set(received());
        }
    });
    // Copy closures (a stored id), so every button can hold one.
    let id = StoredValue::new(id);
    let decide = move |d: ApprovalDecision| runner.decide(id.get_value(), d);
    let start_edit = move |_| {
        draft.set(received());
        runner.approval_editing.set(Some(id.get_value()));
        if compact {
            // The card is too small to edit in: the inspector has the text box.
            editor.select_only(&id.get_value());
        }
    };
    // Buttons on a card must not start a block drag or a canvas pan.
    let keep = |ev: leptos::ev::PointerEvent| ev.stop_propagation();
    view! {
        <Show when=waiting>
            <div class=if compact { "approval-actions compact" } else { "approval-actions" } role="group" aria-label="Approval" on:pointerdown=keep>
                <Show when=move || !compact && editing.get()>
                    <label class="field">
                        <span class="field-label">"Edit the text, then approve it"</span>
                        <textarea rows="8" aria-label="Text to approve" prop:value=move || draft.get()
                            on:input=move |ev| draft.set(event_target_value(&ev))></textarea>
                    </label>
                </Show>
                <Show when=move || !compact && !editing.get()>
                    <label class="field approval-reason">
                        <span class="field-label">"Reason, if you reject it (optional)"</span>
                        <input type="text" aria-label="Reason for rejecting" prop:value=move || reason.get()
                            on:input=move |ev| reason.set(event_target_value(&ev)) />
                    </label>
                </Show>
                <div class="approval-buttons">
                    {move || if !compact && editing.get() {
                        view! {
                            <button class="button button-primary" on:click=move |_| decide(ApprovalDecision::Edit { text: draft.get_untracked() })>"Approve edited text"</button>
                            <button class="button" on:click=move |_| runner.approval_editing.set(None)>"Cancel edit"</button>
                        }.into_any()
                    } else {
                        view! {
                            <button class="button button-primary" on:click=move |_| decide(ApprovalDecision::Approve)>"Approve"</button>
                            <button class="button" on:click=start_edit>"Edit"</button>
                        }.into_any()
                    }}
                    <button class="button button-danger" on:click=move |_| decide(ApprovalDecision::Reject { reason: if compact { String::new() } else { reason.get_untracked() } })>"Reject"</button>
                </div>
            </div>
        </Show>
    }
}
