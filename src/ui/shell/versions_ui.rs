//! Named versions of the open flow: save one, compare it with now, restore it. Restoring
//! first saves the current state as a version, so nothing is lost.

use crate::domain::flow_file;
use crate::domain::time::format_iso;
use crate::domain::versions::{compare, Versions};
use crate::ui::platform::platform;
use crate::ui::state::editor::Editor;
use crate::ui::state::persist::Session;
use crate::ui::widgets::modal::Modal;
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct VersionsOpen(pub RwSignal<bool>);

use crate::ui::platform::storage_keys::versions as key;

pub use crate::ui::state::versions_store::load;

crate::ui::widgets::lazy::load_on_first_open!(
    dialogs,
    LazyVersionsDialog,
    build_versions_dialog,
    VersionsDialog,
    "Versions",
    expect_context::<VersionsOpen>().0
);

#[component]
fn VersionsDialog() -> impl IntoView {
    let editor = expect_context::<Editor>();
    let session = expect_context::<Session>();
    let open = expect_context::<VersionsOpen>().0;
    let versions = RwSignal::new(Versions::default());
    let name = RwSignal::new(String::new());
    let diff = RwSignal::new(None::<(String, Vec<String>)>);
    let error = RwSignal::new(None::<String>);
    Effect::new(move |_| {
        if open.get() {
            let id = session.current.get_untracked();
            versions.set(load(&id));
            diff.set(None);
            error.set(crate::ui::state::unreadable::problem_of(&key(&id)));
        }
    });
    let store = move |v: &Versions| {
        if let Err(e) = platform::storage_set(&key(&session.current.get_untracked()), &v.to_json()) {
            error.set(Some(format!("The version was not saved: {e}")));
        }
    };
    let save = move || {
        let mut v = versions.get_untracked();
        v.save(&name.get_untracked(), &editor.flow(), platform::now_ms());
        store(&v);
        versions.set(v);
        name.set(String::new());
    };
    view! {
        <Modal open=open label="Versions" title="Versions of this flow" close_label="Close versions" wide=true>
                    <div class="version-save">
                        <input type="text" aria-label="Version name" placeholder="Name this version, e.g. \u{201c}Before the demo\u{201d}"
                            prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))
                            on:keydown=move |ev| if ev.key() == "Enter" { save() } />
                        <button class="button button-primary" on:click=move |_| save()>"Save version"</button>
                    </div>
                    {move || error.get().map(|e| view! { <p class="result-error" role="alert">{e}</p> })}
                    <Show when=move || versions.with(|v| v.list.is_empty())>
                        <p class="field-help">"No saved versions yet. Save one before you change a prompt, so you can compare and go back."</p>
                    </Show>
                    <ul class="version-list" aria-label="Saved versions">
                        {move || versions.get().list.into_iter().map(|v| {
                            let when = format_iso(v.saved_ms).replace('T', " ").trim_end_matches('Z').chars().take(16).collect::<String>();
                            let (text1, text2, vname, vname2) = (v.flow.clone(), v.flow.clone(), v.name.clone(), v.name.clone());
                            view! {
                                <li class="version-item">
                                    <span class="version-name">{v.name.clone()}</span>
                                    <span class="version-when">{when}" UTC"</span>
                                    <button class="button button-quiet" aria-label=format!("Compare {} with now", v.name) on:click=move |_| {
                                        match flow_file::from_json(&text1) {
                                            Ok(old) => diff.set(Some((vname.clone(), compare(&old, &editor.flow())))),
                                            Err(e) => error.set(Some(format!("This version cannot be read: {e}"))),
                                        }
                                    }>"Compare"</button>
                                    <button class="button" aria-label=format!("Restore {}", v.name) on:click=move |_| {
                                        let Ok(flow) = flow_file::from_json(&text2) else {
                                            error.set(Some("This version cannot be read.".into()));
                                            return;
                                        };
                                        let mut all = versions.get_untracked();
                                        all.save(&format!("Before restoring {vname2}"), &editor.flow(), platform::now_ms());
                                        store(&all);
                                        versions.set(all);
                                        editor.replace_flow(flow);
                                        session.save_now(editor);
                                        session.notice.set(Some(format!("Restored \u{201c}{vname2}\u{201d}. The state before it is saved as a version.")));
                                        open.set(false);
                                    }>"Restore"</button>
                                </li>
                            }
                        }).collect_view()}
                    </ul>
                    {move || diff.get().map(|(vname, lines)| view! {
                        <section class="version-diff" aria-label="Differences">
                            <h3>{format!("From \u{201c}{vname}\u{201d} to now")}</h3>
                            {if lines.is_empty() {
                                view! { <p class="field-help">"No differences in the settings (layout is not compared)."</p> }.into_any()
                            } else {
                                view! { <ul>{lines.into_iter().map(|l| view! { <li>{l}</li> }).collect_view()}</ul> }.into_any()
                            }}
                        </section>
                    })}
        </Modal>
    }
}
