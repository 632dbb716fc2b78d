//! Loading stored records without ever losing one. A record that cannot be read (damaged, or
//! saved by a newer Chainboard) is never replaced by a silent default: its text is first
//! copied to `<key>.unreadable-<fingerprint>` (once per distinct text), or, when even that
//! copy fails, the key is protected from every write in this tab; then the person is told what
//! could not be loaded, where the copy is and what to do (a banner per record, see `Problems`).

use crate::domain::stored::{from_stored, unreadable_message, Stored, StoredError};
use crate::ui::platform::platform;
use crate::ui::platform::storage_keys;
use leptos::prelude::*;

thread_local! {
    /// (key, message) of every record that could not be loaded, oldest first.
    static PROBLEMS: ArcRwSignal<Vec<(String, String)>> = ArcRwSignal::new(Vec::new());
}

/// The records that could not be loaded, as (key, message).
pub fn problems() -> ArcRwSignal<Vec<(String, String)>> {
    PROBLEMS.with(Clone::clone)
}

/// Shows `message` about `key` (replacing an earlier one about the same key).
pub fn report(key: &str, message: String) {
    problems().update(|list| {
        list.retain(|(k, _)| k != key);
        list.push((key.to_string(), message));
    });
}

/// What was said about `key`, if it could not be loaded (for a dialog to repeat it).
pub fn problem_of(key: &str) -> Option<String> {
    problems().with_untracked(|list| list.iter().find(|(k, _)| k == key).map(|(_, m)| m.clone()))
}

pub fn dismiss(key: &str) {
    problems().update(|list| list.retain(|(k, _)| k != key));
}

/// Keeps the unreadable `text` of localStorage `key` before anything may write that key:
/// `Some(backup key)` once copied; `None` when it could not be, and then `key` is protected.
pub fn keep(key: &str, text: &str) -> Option<String> {
    let backup = storage_keys::unreadable(key, text);
    let kept = platform::storage_get(&backup).as_deref() == Some(text) || platform::storage_set(&backup, text).is_ok();
    if kept {
        Some(backup)
    } else {
        platform::protect(key);
        None
    }
}

/// Keeps the text and tells the person about a record that could not be read.
pub fn keep_and_report(key: &str, text: &str, what: &str, error: &StoredError, instead: &str) {
    let kept = keep(key, text);
    report(key, unreadable_message(what, error, kept.as_deref(), instead));
}

/// The record stored at `key`: `None` when there is none, or when it cannot be read — then its
/// text is kept and the person is told (`instead` says what the app does without it).
pub fn load<T: Stored>(key: &str, instead: &str) -> Option<T> {
    let text = platform::storage_get(key)?;
    match from_stored::<T>(&text) {
        Ok(value) => Some(value),
        Err(e) => {
            keep_and_report(key, &text, T::WHAT, &e, instead);
            None
        }
    }
}

/// One banner per record that could not be loaded, each dismissable.
#[component]
pub fn UnreadableBanners() -> impl IntoView {
    let list = problems();
    view! {
        <For each=move || list.get() key=|(k, m)| (k.clone(), m.clone()) let((key, message))>
            {
                let shown = key.clone();
                view! {
                    <div class="banner banner-error" role="alert" data-unreadable=shown>
                        <span>{message}</span>
                        <button class="icon-button" aria-label="Dismiss" on:click=move |_| dismiss(&key)>"\u{d7}"</button>
                    </div>
                }
            }
        </For>
    }
}
