//! Sharing: make a link that holds the whole flow (optionally the latest outputs, and
//! optionally locked with a password); open such a link read-only. Opening a link never
//! runs anything or contacts anyone until the viewer acts.

pub use super::open_link::open_from_location;
use super::open_link::{show_unsealed, Link};
use super::present::Present;
use crate::domain::flow::BlockId;
use crate::domain::share::{encode, encode_sealed, link_advice, plaintext_bytes, SharePayload, ShareView};
use crate::ui::platform::platform;
use crate::ui::run::run::Runner;
use crate::ui::state::editor::Editor;
use crate::ui::state::persist::Session;
pub use crate::ui::state::shared::Shared;
use crate::ui::widgets::lazy::ChunkError;
use crate::ui::widgets::modal::Modal;
use leptos::prelude::*;

/// "Make a copy": the shared flow becomes one of the viewer's flows, editable. In the module
/// that opened the link (so it is already here), with the shared test cases' writer.
#[leptos::wasm_split::wasm_split(modes, fallible, wasm_split_path = ::leptos::wasm_split)]
fn make_copy(editor: Editor, session: Session, runner: Runner, shared: Shared) -> Result<(), ChunkError> {
    let mut flow = editor.flow();
    // Opening your own link and copying it must not leave two flows with one name.
    flow.meta.title = session.workspace.with_untracked(|w| w.shared_copy_title(&flow.meta.title));
    session.create(editor, flow); // still read-only here, so the current flow is not overwritten
    runner.knowledge.adopt(session.current.get_untracked());
    editor.read_only.set(false);
    session.save_now(editor);
    if let Some(suite) = shared.suite.get_untracked() {
        let _ = crate::ui::evals::suite_store::store_suite(&session.current.get_untracked(), &suite);
    }
    shared.viewing.set(None);
    shared.view.set(ShareView::Canvas);
    platform::clear_hash();
    session.notice.set(Some("Copied to your flows. You can edit it now.".into()));
    Ok(())
}

fn back_to_own(editor: Editor, session: Session, runner: Runner, shared: Shared) {
    let id = session.current.get_untracked();
    session.open(editor, &id); // read-only still on: nothing saved
    editor.read_only.set(false);
    runner.knowledge.open(id);
    runner.reset();
    shared.viewing.set(None);
    shared.view.set(ShareView::Canvas);
    platform::clear_hash();
}

#[component]
pub fn SharedBanner() -> impl IntoView {
    let present = expect_context::<Present>();
    let editor = expect_context::<Editor>();
    let session = expect_context::<Session>();
    let runner = expect_context::<Runner>();
    let shared = expect_context::<Shared>();
    let password = RwSignal::new(String::new());
    let unlock_error = RwSignal::new(None::<String>);
    let unlock = move || {
        let Some((salt, iv, ct)) = shared.locked.get_untracked() else { return };
        let pw = password.get_untracked();
        let link = Link { editor, session, runner, shared, present };
        leptos::task::spawn_local(async move {
            let shown = match platform::unseal(&pw, &salt, &iv, &ct).await {
                Ok(bytes) => show_unsealed(bytes, link).await.unwrap_or_else(|_| {
                    Err("Part of the app did not load. Check the connection, then try again.".into())
                }),
                Err(e) => Err(e),
            };
            unlock_error.set(shown.err());
        });
    };
    // Esc cancels the password box like every other dialog (it is not a Modal: it has no close button).
    let esc = window_event_listener(leptos::ev::keydown, move |ev| {
        if ev.key() == "Escape" && shared.locked.try_with_untracked(Option::is_some) == Some(true) {
            ev.prevent_default();
            shared.locked.set(None);
            platform::clear_hash();
        }
    });
    on_cleanup(move || esc.remove());
    view! {
        <Show when=move || shared.viewing.with(Option::is_some)>
            <div class="banner banner-shared" role="region" aria-label="Shared playground">
                <div class="shared-text">
                    <strong>"Shared playground."</strong>
                    // "With your own key" only when it needs one: beside "It contacts no model
                    // provider", it contradicted the line under it.
                    " View it, run it"
                    {move || if shared.viewing.with(|h| h.as_ref().is_some_and(|h| h.is_empty())) { " (it needs no key)" } else { " with your own key" }}
                    ", or make a copy to edit. Nothing runs until you press Run."
                    <span class="shared-hosts">
                        {move || {
                            let hosts = shared.viewing.get().unwrap_or_default();
                            if hosts.is_empty() { "It contacts no model provider.".to_string() } else { format!("Running it contacts: {}.", hosts.join(", ")) }
                        }}
                    </span>
                </div>
                <button class="button" on:click=move |_| shared.view.set(ShareView::App)>"Open as an app"</button>
                <button class="button button-primary" on:click=move |_| leptos::task::spawn_local(async move {
                    if make_copy(editor, session, runner, shared).await.is_err() {
                        session.notice.set(Some("The copy was not made: part of the app did not load. Check the connection, then try again.".into()));
                    }
                })>"Make a copy"</button>
                <button class="button button-quiet" on:click=move |_| back_to_own(editor, session, runner, shared)>"Back to my flows"</button>
            </div>
            // Only on narrow screens (CSS): the canvas needs room a phone does not have.
            <div class="banner phone-banner" role="region" aria-label="Best on a computer">
                <span>"This editor is best on a computer. On a phone, try the flow as a simple app."</span>
                <button class="button button-primary" on:click=move |_| shared.view.set(ShareView::App)>"Open the app view"</button>
            </div>
        </Show>
        <Show when=move || shared.locked.with(Option::is_some)>
            <div class="dialog-backdrop">
                <div class="dialog" role="dialog" aria-modal="true" aria-label="Locked shared playground">
                    <header class="dialog-header"><h2>"This shared playground is locked"</h2></header>
                    <p>"Enter the password you were given with the link. It never leaves this browser."</p>
                    <label class="field">
                        <span class="field-label">"Password"</span>
                        <input type="password" aria-label="Password" prop:value=move || password.get()
                            on:input=move |ev| password.set(event_target_value(&ev))
                            on:keydown=move |ev| if ev.key() == "Enter" { unlock() } />
                    </label>
                    {move || unlock_error.get().map(|e| view! { <p class="result-error" role="alert">{e}</p> })}
                    <div class="dialog-footer">
                        <button class="button button-quiet" on:click=move |_| { shared.locked.set(None); platform::clear_hash(); }>"Cancel"</button>
                        <button class="button button-primary" on:click=move |_| unlock()>"Unlock"</button>
                    </div>
                </div>
            </div>
        </Show>
    }
}

crate::ui::widgets::lazy::load_on_first_open!(
    dialogs,
    LazyShareDialog,
    build_share_dialog,
    ShareDialog,
    "Share",
    expect_context::<Shared>().dialog_open
);

#[component]
fn ShareDialog() -> impl IntoView {
    let editor = expect_context::<Editor>();
    let session = expect_context::<Session>();
    let runner = expect_context::<Runner>();
    let shared = expect_context::<Shared>();
    let include_outputs = RwSignal::new(false);
    let include_tests = RwSignal::new(true);
    let include_docs = RwSignal::new(false);
    let knowledge = expect_context::<crate::ui::knowledge::knowledge::Knowledge>();
    // Only small documents fit in a link; the reason shows when they do not.
    let docs_state =
        move || knowledge.kb.with(|kb| (!kb.is_empty()).then(|| kb.shareable().map(|_| kb.documents.len())));
    let opens_as = RwSignal::new(ShareView::Canvas);
    let start_at = RwSignal::new(None::<BlockId>);
    let password = RwSignal::new(String::new());
    let link = RwSignal::new(None::<String>);
    let error = RwSignal::new(None::<String>);
    let copied = RwSignal::new(false);
    let create = move |_| {
        copied.set(false);
        error.set(None);
        let flow = editor.flow();
        let outputs: Vec<(BlockId, String)> = if include_outputs.get_untracked() {
            flow.blocks
                .iter()
                .filter_map(|b| {
                    runner
                        .run_of(&b.id)
                        .with_untracked(|r| r.as_ref().and_then(|r| r.output.clone()))
                        .map(|o| (b.id.clone(), o))
                })
                .collect()
        } else {
            Vec::new()
        };
        let evals = include_tests
            .get_untracked()
            .then(|| crate::ui::evals::suite_store::load_suite(&session.current.get_untracked()))
            .filter(|s| !s.cases.is_empty() || !s.checks.is_empty());
        let knowledge =
            if include_docs.get_untracked() { knowledge.kb.with_untracked(|kb| kb.shareable().ok()) } else { None };
        let payload = SharePayload {
            flow,
            outputs,
            include_note: None,
            evals,
            knowledge,
            view: opens_as.get_untracked(),
            start_at: start_at.get_untracked(),
        };
        let pw = password.get_untracked();
        let base = platform::location_href_without_hash();
        leptos::task::spawn_local(async move {
            let fragment = if pw.is_empty() {
                Ok(encode(&payload))
            } else {
                platform::seal(&pw, &plaintext_bytes(&payload))
                    .await
                    .map(|(salt, iv, ct)| encode_sealed(&ct, &salt, &iv))
            };
            match fragment {
                Ok(f) => link.set(Some(format!("{base}#{f}"))),
                Err(e) => error.set(Some(e)),
            }
        });
    };
    let advice = move || link.get().map(|l| link_advice(l.chars().count()));
    view! {
        <Modal open=shared.dialog_open label="Share" title="Share this playground" close_label="Close share">
                    <p class="field-help">"The whole flow travels inside the link (after the #, which browsers never send to a server). Your API keys are never included: viewers run it with their own."</p>
                    <label class="field">
                        <span class="field-label">"Opens as"</span>
                        <select aria-label="Opens as" on:change=move |ev| {
                            opens_as.set(ShareView::from_id(&event_target_value(&ev)));
                            link.set(None);
                        }>
                            {ShareView::ALL.into_iter().map(|v| view! {
                                <option value=v.id() selected=move || opens_as.get() == v>{v.label()}</option>
                            }).collect_view()}
                        </select>
                        <span class="field-help">{move || match opens_as.get() {
                            ShareView::App => "Viewers type their own input, press Run and rate the answers; \u{201c}How it works\u{201d} shows the flow. Best for stakeholders, and on phones.",
                            ShareView::Canvas => "Viewers see the whole flow read-only, as you do, and can make a copy to edit.",
                            ShareView::Present => "Opens full page, one step at a time; with the latest outputs included it replays them with no network.",
                        }}</span>
                    </label>
                    <Show when=move || opens_as.get() == ShareView::Present>
                        <label class="field">
                            <span class="field-label">"Start at"</span>
                            <select aria-label="Start at" on:change=move |ev| {
                                let v = event_target_value(&ev);
                                start_at.set((!v.is_empty()).then_some(BlockId(v)));
                                link.set(None);
                            }>
                                <option value="" selected=move || start_at.with(Option::is_none)>"The first step"</option>
                                {move || super::present::steps(editor).into_iter().enumerate().map(|(i, (id, name, kind))| {
                                    let value = id.0.clone();
                                    view! { <option value=value selected=move || start_at.with(|s| s.as_ref() == Some(&id))>{format!("{}. {name} ({kind})", i + 1)}</option> }
                                }).collect_view()}
                            </select>
                        </label>
                    </Show>
                    <label class="check">
                        <input type="checkbox" prop:checked=move || include_outputs.get() on:change=move |ev| { include_outputs.set(event_target_checked(&ev)); link.set(None); } />
                        <span>"Include the latest outputs"</span>
                    </label>
                    <label class="check">
                        <input type="checkbox" prop:checked=move || include_tests.get() on:change=move |ev| { include_tests.set(event_target_checked(&ev)); link.set(None); } />
                        <span>"Include the test cases and checks (Evaluate)"</span>
                    </label>
                    {move || docs_state().map(|state| match state {
                        Ok(n) => view! {
                            <label class="check">
                                <input type="checkbox" prop:checked=move || include_docs.get() on:change=move |ev| { include_docs.set(event_target_checked(&ev)); link.set(None); } />
                                <span>{format!("Include the {n} document{} (Knowledge)", if n == 1 { "" } else { "s" })}</span>
                            </label>
                        }.into_any(),
                        Err(reason) => view! { <p class="field-help">{reason}</p> }.into_any(),
                    })}
                    <label class="field">
                        <span class="field-label">"Password (optional)"</span>
                        <input type="password" aria-label="Link password" placeholder="Leave empty for an open link" autocomplete="new-password"
                            prop:value=move || password.get() on:input=move |ev| { password.set(event_target_value(&ev)); link.set(None); } />
                    </label>
                    <div class="dialog-footer">
                        <span></span>
                        <button class="button button-primary" on:click=create>"Create link"</button>
                    </div>
                    {move || error.get().map(|e| view! { <p class="result-error" role="alert">{e}</p> })}
                    {move || link.get().map(|l| {
                        let len = l.chars().count();
                        let l2 = l.clone();
                        view! {
                            <label class="field">
                                <span class="field-label">{format!("Link ({len} characters)")}</span>
                                <input type="text" readonly aria-label="Share link" prop:value=l.clone()
                                    on:focus=move |ev| { let i: web_sys::HtmlInputElement = event_target(&ev); i.select(); } />
                            </label>
                            <p class=move || if advice().is_some_and(|a| a.prefer_file()) { "result-error" } else { "field-help" }>
                                {move || advice().map(|a| a.message()).unwrap_or_default()}
                            </p>
                            <button class="button" on:click=move |_| {
                                let l = l2.clone();
                                leptos::task::spawn_local(async move { copied.set(platform::copy_text(&l).await); });
                            }>{move || if copied.get() { "Copied" } else { "Copy link" }}</button>
                            <label class="field">
                                <span class="field-label">"Embed in a page"</span>
                                <input type="text" readonly aria-label="Embed code" prop:value=embed_code(&l)
                                    on:focus=move |ev| { let i: web_sys::HtmlInputElement = event_target(&ev); i.select(); } />
                            </label>
                        }
                    })}
        </Modal>
    }
}

/// An `<iframe>` that shows the shared playground read-only (the link's `?embed` view).
/// Attribute values are escaped: the link is ours, but the rule is never to trust text.
fn embed_code(link: &str) -> String {
    let (base, fragment) = link.split_once('#').unwrap_or((link, ""));
    let sep = if base.contains('?') { "&" } else { "?" };
    let src = format!("{base}{sep}embed#{fragment}").replace('&', "&amp;").replace('"', "&quot;");
    format!("<iframe src=\"{src}\" width=\"100%\" height=\"520\" style=\"border:0\" title=\"Chainboard playground\"></iframe>")
}
