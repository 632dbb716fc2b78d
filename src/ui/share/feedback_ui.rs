//! The sharer's side of a stakeholder's verdict: a feedback link (`#fb1.…`) opened in the
//! editor, or a link or file given to "Import feedback…", becomes test cases of the open
//! flow (see `domain::feedback` for what a case holds).

use crate::domain::feedback::Feedback;
use crate::ui::platform::platform;
use crate::ui::state::editor::Editor;
use crate::ui::state::persist::Session;
use crate::ui::widgets::modal::Modal;
use leptos::prelude::*;

/// Opens the "Import feedback" dialog (More menu).
#[derive(Clone, Copy)]
pub struct FeedbackOpen(pub RwSignal<bool>);

/// Adds the ratings in `text` (a link or a file's text) to the open flow's test cases;
/// says what happened, in words.
pub fn import(text: &str, editor: Editor, session: Session) -> Result<String, String> {
    let feedback = Feedback::read(text).map_err(|e| e.to_string())?;
    if editor.read_only.get_untracked() {
        return Err("You are viewing a shared flow. Open your own flow first: feedback becomes its test cases.".into());
    }
    let id = session.current.get_untracked();
    let mut suite = crate::ui::evals::suite_store::load_suite(&id);
    let cases = feedback.to_cases();
    let n = cases.len();
    suite.cases.extend(cases);
    crate::ui::evals::suite_store::store_suite(&id, &suite)
        .map_err(|e| format!("The test cases could not be saved in this browser ({e}). Nothing was added."))?;
    let title = editor.meta.get_untracked().title;
    let about = if feedback.flow.is_empty() || feedback.flow == title {
        String::new()
    } else {
        format!(" (the feedback is about \u{201c}{}\u{201d})", feedback.flow)
    };
    Ok(format!(
        "Added {n} test case{} from a stakeholder\u{2019}s feedback to \u{201c}{title}\u{201d}{about}. Open Evaluate to see them.",
        if n == 1 { "" } else { "s" }
    ))
}

/// A feedback link opened in the address bar: imported once, then the address is cleaned
/// so a reload does not add the cases again.
pub fn import_from_location(hash: &str, editor: Editor, session: Session) {
    let message = match import(hash, editor, session) {
        Ok(done) => done,
        Err(e) => format!("This feedback link could not be imported: {e} Your flows are unchanged."),
    };
    platform::clear_hash();
    session.notice.set(Some(message));
}

crate::ui::widgets::lazy::load_on_first_open!(
    dialogs,
    LazyFeedbackImportDialog,
    build_feedback_import_dialog,
    FeedbackImportDialog,
    "Import feedback",
    expect_context::<FeedbackOpen>().0
);

#[component]
fn FeedbackImportDialog() -> impl IntoView {
    let open = expect_context::<FeedbackOpen>().0;
    let editor = expect_context::<Editor>();
    let session = expect_context::<Session>();
    let text = RwSignal::new(String::new());
    let result = RwSignal::new(None::<Result<String, String>>);
    Effect::new(move |_| {
        if open.get() {
            text.set(String::new());
            result.set(None);
        }
    });
    let file_input = NodeRef::<leptos::html::Input>::new();
    view! {
        <Modal open=open label="Import feedback" title="Import a stakeholder\u{2019}s feedback" close_label="Close import feedback">
            <p class="field-help">"Paste the feedback link a viewer sent you, or choose the feedback file they downloaded. Each rated answer becomes a test case of this flow: their input, their verdict and comment in the note, and a good answer as the expected reference."</p>
            <label class="field">
                <span class="field-label">"Feedback link"</span>
                <textarea rows="3" aria-label="Feedback link" spellcheck="false" placeholder="https://\u{2026}#fb1.\u{2026}"
                    prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            </label>
            <div class="dialog-footer">
                <button class="button" on:click=move |_| { if let Some(i) = file_input.get() { i.click(); } }>"Choose a feedback file\u{2026}"</button>
                <input type="file" accept=".json,application/json" class="visually-hidden" node_ref=file_input tabindex="-1"
                    aria-label="Feedback file"
                    on:change=move |ev| {
                        let input: web_sys::HtmlInputElement = event_target(&ev);
                        if let Some(file) = input.files().and_then(|f| f.get(0)) {
                            leptos::task::spawn_local(async move {
                                let r = match platform::read_file_text(file).await {
                                    Ok(t) => import(&t, editor, session),
                                    Err(e) => Err(e),
                                };
                                result.set(Some(r));
                            });
                        }
                        input.set_value("");
                    } />
                <button class="button button-primary" disabled=move || text.with(|t| t.trim().is_empty())
                    on:click=move |_| result.set(Some(import(&text.get_untracked(), editor, session)))>"Add as test cases"</button>
            </div>
            {move || result.get().map(|r| match r {
                Ok(m) => view! { <p class="result-ok" role="status">{m}</p> }.into_any(),
                Err(e) => view! { <p class="result-error" role="alert">{e}</p> }.into_any(),
            })}
        </Modal>
    }
}
