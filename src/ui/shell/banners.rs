//! The banners over the canvas: a shared link being viewed, unreadable saved records, the
//! in-browser model's status, the privacy notice, storage failures, a conflict with another
//! tab, media and run problems, notices, and "Undo" after deleting a flow.

use crate::ui::run::run::Runner;
use crate::ui::share::files;
use crate::ui::share::share_ui::SharedBanner;
use crate::ui::state::editor::Editor;
use crate::ui::state::persist::Session;
use leptos::prelude::*;

#[component]
pub(super) fn Banners() -> impl IntoView {
    let editor = expect_context::<Editor>();
    let knowledge = expect_context::<crate::ui::knowledge::knowledge::Knowledge>();
    let media = expect_context::<crate::ui::platform::media::MediaStore>();
    let runner = expect_context::<Runner>();
    let session = expect_context::<Session>();
    view! {
        <div class="banners">
            <SharedBanner />
            <crate::ui::state::unreadable::UnreadableBanners />
            <crate::ui::settings::local_model_ui::LocalModelStatus />
            <crate::ui::run::privacy_notice::PrivacyNotice />
            <Show when=move || session.storage_error.get().is_some()>
                <div class="banner banner-error" role="alert">
                    <span>{move || session.storage_error.get().unwrap_or_default()}</span>
                    <button class="button" on:click=move |_| files::export(editor, session, knowledge, media)>"Export flow"</button>
                </div>
            </Show>
            <Show when=move || session.conflict.get()>
                <div class="banner banner-error" role="alert">
                    <span>"This flow was changed in another tab. Changes here are not saved until you choose which version to keep."</span>
                    <button class="button" on:click=move |_| session.keep_this_version(editor)>"Keep this tab\u{2019}s version"</button>
                    <button class="button" on:click=move |_| session.load_other_version(editor)>"Load the other tab\u{2019}s version"</button>
                </div>
            </Show>
            <Show when=move || media.problem.get().is_some()>
                <div class="banner banner-error" role="alert">
                    <span>{move || media.problem.get().unwrap_or_default()}</span>
                    <button class="icon-button" aria-label="Dismiss" on:click=move |_| media.problem.set(None)>"\u{d7}"</button>
                </div>
            </Show>
            <Show when=move || runner.message.get().is_some()>
                <div class="banner banner-error" role="alert">
                    <span>{move || runner.message.get().unwrap_or_default()}</span>
                    <button class="icon-button" aria-label="Dismiss" on:click=move |_| runner.message.set(None)>"\u{d7}"</button>
                </div>
            </Show>
            <Show when=move || session.notice.get().is_some()>
                <div class="banner" role="alert">
                    <span>{move || session.notice.get().unwrap_or_default()}</span>
                    <button class="icon-button" aria-label="Dismiss" on:click=move |_| session.notice.set(None)>"\u{d7}"</button>
                </div>
            </Show>
            <Show when=move || session.deleted.get().is_some()>
                <div class="banner" role="status">
                    <span>{move || format!("Deleted \u{201c}{}\u{201d}.", session.deleted.get().map(|d| d.entry.title).unwrap_or_default())}</span>
                    <button class="button" aria-label="Undo delete" on:click=move |_| session.undo_delete(editor)>"Undo"</button>
                    <button class="icon-button" aria-label="Dismiss" on:click=move |_| session.deleted.set(None)>"\u{d7}"</button>
                </div>
            </Show>
        </div>
    }
}
