//! The privacy check before a run: which provider would receive personal data found in what
//! the flow sends, and one click to replace it with placeholders (restored in the answers).
//! The finding and the wording are in `domain::privacy` and the run estimate.

use super::run::Runner;
use crate::domain::engine::RunScope;
use crate::ui::state::editor::Editor;
use crate::ui::state::settings::Settings;
use leptos::prelude::*;

#[component]
pub fn PrivacyNotice() -> impl IntoView {
    let editor = expect_context::<Editor>();
    let runner = expect_context::<Runner>();
    let settings = expect_context::<Settings>();
    let note = Memo::new(move |_| {
        editor.checked_rev.track();
        settings.limits.track();
        runner.estimate(editor, settings, &RunScope::All).privacy_note()
    });
    // Dismissed for this exact finding; a new finding shows again.
    let dismissed = RwSignal::new(None::<String>);
    let redacting = move || settings.limits.with(|l| l.redact_personal_data);
    let set_redaction = move |on: bool| {
        let mut l = settings.limits.get_untracked();
        l.redact_personal_data = on;
        settings.set_limits(l);
    };
    let visible = move || note.get().is_some_and(|n| dismissed.get().as_deref() != Some(n.as_str()));
    view! {
        <Show when=visible>
            <div class="banner banner-privacy" role="status" aria-label="Personal data check">
                <span>
                    {move || note.get().unwrap_or_default()}
                    {move || if redacting() {
                        " It is replaced with placeholders like [EMAIL_1] before sending; answers show the originals."
                    } else {
                        " Replace it with placeholders before sending?"
                    }}
                </span>
                {move || if redacting() {
                    view! { <button class="button button-quiet" on:click=move |_| set_redaction(false)>"Send as it is"</button> }.into_any()
                } else {
                    view! { <button class="button" on:click=move |_| set_redaction(true)>"Redact before sending"</button> }.into_any()
                }}
                <button class="icon-button" aria-label="Dismiss the personal data check"
                    on:click=move |_| dismissed.set(note.get_untracked())>"\u{d7}"</button>
            </div>
        </Show>
    }
}
