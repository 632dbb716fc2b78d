//! The app shell: top bar, palette, canvas and inspector; autosave; global shortcuts,
//! clipboard and file drop.

use super::help::HelpDialog;
use super::topbar::{Theme, TopBar, ViewControls};
use crate::domain::change::FlowChange;
use crate::domain::clipboard;
use crate::domain::flow::{BlockId, Flow, Point};
use crate::domain::layout::{bounds, GRID};
use crate::domain::recording::Recording;
use crate::ui::canvas::canvas::Canvas;
use crate::ui::canvas::fit::{canvas_size, is_typing, is_typing_target};
use crate::ui::canvas::palette::Palette;
use crate::ui::inspector::inspector::Inspector;
use crate::ui::platform::platform;
use crate::ui::run::run::Runner;
use crate::ui::share::files;
use crate::ui::share::present::Present;
use crate::ui::share::share_ui::{open_from_location, Shared, SharedBanner};
use crate::ui::state::editor::Editor;
use crate::ui::state::persist::{apply_view, Session};
use crate::ui::state::settings::Settings;
use leptos::prelude::*;

use crate::ui::platform::storage_keys::THEME as THEME_KEY;

/// Copied blocks, kept in the page too, for browsers that refuse the system clipboard.
#[derive(Clone, Copy)]
struct LocalClipboard(StoredValue<Option<String>>);

#[component]
pub fn App() -> impl IntoView {
    let (session, flow, view_state) = Session::load();
    let editor = Editor::new(flow);
    provide_context(editor);
    provide_context(session);
    let settings = Settings::load();
    provide_context(settings);
    // New Prompt blocks and starter flows start on sample answers until a key is added.
    crate::ui::state::starting::follow_first_key(editor, session, settings);
    let knowledge = crate::ui::knowledge::knowledge::Knowledge::new();
    provide_context(knowledge);
    let media = crate::ui::platform::media::MediaStore::new();
    provide_context(media);
    let runner = Runner::new(knowledge, media);
    // The images and audio the flow's Inputs hold, loaded from this browser's storage.
    Effect::new(move |_| {
        editor.any_rev.track();
        let ids = editor.with_flow(|f| {
            f.blocks
                .iter()
                .filter_map(|b| match &b.config {
                    crate::domain::blocks::BlockConfig::Input(i) => {
                        Some(i.values.iter().filter_map(|v| v.media.as_ref().map(|m| m.id.clone())))
                    }
                    _ => None,
                })
                .flatten()
                .collect::<Vec<_>>()
        });
        media.ensure(ids);
    });
    provide_context(runner);
    let present = Present::new();
    provide_context(present);
    provide_context(super::gallery::GalleryOpen(RwSignal::new(false)));
    provide_context(super::versions_ui::VersionsOpen(RwSignal::new(false)));
    provide_context(crate::ui::run::data_sent::DataSentOpen(RwSignal::new(false)));
    provide_context(crate::ui::share::export_dialog::ExportCodeOpen(RwSignal::new(false)));
    provide_context(crate::ui::evals::eval_dialog::EvalOpen(RwSignal::new(false)));
    provide_context(crate::ui::chat::chat_panel::ChatOpen(RwSignal::new(false)));
    provide_context(crate::ui::knowledge::knowledge_dialog::KnowledgeOpen(RwSignal::new(false)));
    provide_context(crate::ui::share::feedback_ui::FeedbackOpen(RwSignal::new(false)));
    provide_context(crate::ui::knowledge::knowledge_dialog::KnowledgeStatus(RwSignal::new(Vec::new())));
    provide_context(crate::ui::evals::eval_driver::EvalDriver::new());
    let shared = Shared::new();
    provide_context(shared);
    open_from_location(editor, session, runner, shared, present);

    // Each flow has its own last run (for replay in present mode); switching flows clears
    // the results on screen.
    Effect::new(move |prev: Option<String>| {
        let id = session.current.get();
        if prev.as_ref().is_some_and(|p| *p != id) {
            runner.reset();
        }
        if editor.read_only.get_untracked() {
            // A shared link: its own outputs are the recording (see share_ui), not the viewer's.
            return id;
        }
        let rec = crate::ui::state::unreadable::load::<Recording>(
            &crate::ui::platform::storage_keys::recording(&id),
            "The next run records over it; the copy stays.",
        );
        runner.recording.set(rec);
        id
    });
    Effect::new(move |first: Option<()>| {
        let rec = runner.recording.get();
        // A shared link's runs are never kept over the viewer's own flow's recording.
        if first.is_some() && !editor.read_only.get_untracked() {
            if let Some(rec) = rec {
                let id = session.current.get_untracked();
                let _ = platform::storage_set(&crate::ui::platform::storage_keys::recording(&id), &rec.to_json());
            }
        }
    });
    // Each flow has its own documents. A shared link being viewed shows its own (in memory).
    Effect::new(move |_| {
        let id = session.current.get();
        if !editor.read_only.get_untracked() {
            knowledge.open(id);
        }
    });
    apply_view(editor, view_state);
    session.save_now(editor);

    // Autosave: every edit, debounced; the view (pan, zoom, selection) separately and cheaply.
    Effect::new(move |first: Option<()>| {
        editor.any_rev.track();
        if first.is_some() {
            session.schedule_save(editor);
        }
    });
    Effect::new(move |first: Option<()>| {
        editor.viewport.track();
        editor.selection.track();
        if first.is_some() {
            session.schedule_view_save(editor);
        }
    });

    // Never lose a debounced save when the tab closes or reloads.
    let _hide = window_event_listener(leptos::ev::pagehide, move |_| {
        session.save_now(editor);
    });
    let _vis = window_event_listener(leptos::ev::visibilitychange, move |_| {
        session.save_now(editor);
    });
    // Another tab saving the same flow is noticed, never silently overwritten.
    let _other_tab = window_event_listener(leptos::ev::storage, move |ev| {
        session.on_storage(editor, ev.key(), ev.new_value());
    });

    let initial = platform::storage_get(THEME_KEY)
        .filter(|t| t == "dark" || t == "light")
        .map(|t| if t == "dark" { "dark" } else { "light" })
        .unwrap_or(if platform::prefers_dark() { "dark" } else { "light" });
    let theme = RwSignal::new(initial);
    provide_context(Theme(theme));
    Effect::new(move |_| {
        let t = theme.get();
        platform::set_document_theme(t);
        let _ = platform::storage_set(THEME_KEY, t);
    });

    let help_open = RwSignal::new(false);
    provide_context(HelpOpen(help_open));
    let local_clip = LocalClipboard(StoredValue::new(None));

    let _keys = window_event_listener(leptos::ev::keydown, move |ev| {
        if crate::ui::share::present::on_key(present, editor, &ev) {
            ev.prevent_default();
            return;
        }
        on_key(editor, help_open, local_clip, &ev)
    });
    let _copy = window_event_listener(leptos::ev::copy, move |ev| {
        if let Some(text) = copy_selection(editor, local_clip, is_typing_target(ev.target())) {
            if let Some(data) = ev.clipboard_data() {
                let _ = data.set_data("text/plain", &text);
                ev.prevent_default();
            }
        }
    });
    let _cut = window_event_listener(leptos::ev::cut, move |ev| {
        if let Some(text) = copy_selection(editor, local_clip, is_typing_target(ev.target())) {
            if let Some(data) = ev.clipboard_data() {
                let _ = data.set_data("text/plain", &text);
                ev.prevent_default();
            }
            delete_selection(editor);
        }
    });
    let _paste = window_event_listener(leptos::ev::paste, move |ev| {
        if is_typing_target(ev.target()) {
            return;
        }
        let text = ev.clipboard_data().and_then(|d| d.get_data("text/plain").ok()).filter(|t| !t.is_empty());
        let text = text.or_else(|| local_clip.0.get_value());
        if let Some(fragment) = text.as_deref().and_then(clipboard::read) {
            ev.prevent_default();
            paste_fragment(editor, &fragment);
        }
    });

    let knowledge_open = expect_context::<crate::ui::knowledge::knowledge_dialog::KnowledgeOpen>().0;
    let knowledge_status = expect_context::<crate::ui::knowledge::knowledge_dialog::KnowledgeStatus>().0;
    let on_drop = move |ev: leptos::ev::DragEvent| {
        ev.prevent_default();
        let kind = ev
            .data_transfer()
            .and_then(|d| d.get_data(crate::ui::canvas::palette::DRAG_TYPE).ok())
            .filter(|k| !k.is_empty());
        // Where the drop lands, in canvas coordinates.
        let origin = web_sys::window()
            .and_then(|w| w.document())
            .and_then(|d| d.query_selector(".canvas").ok().flatten())
            .map(|el| {
                let r = el.get_bounding_client_rect();
                (r.left(), r.top())
            })
            .unwrap_or((0.0, 0.0));
        let screen = Point::new(ev.client_x() as f64 - origin.0, ev.client_y() as f64 - origin.1);
        let at = editor.viewport.get_untracked().to_canvas(screen);
        if let Some(kind) = kind.and_then(|k| crate::domain::blocks::BlockKind::ALL.into_iter().find(|b| b.id() == k)) {
            crate::ui::canvas::palette::add_block(editor, kind, at);
            return;
        }
        let file = ev.data_transfer().and_then(|d| d.files()).and_then(|f| f.get(0));
        let is_media =
            file.as_ref().is_some_and(|f| f.type_().starts_with("image/") || f.type_().starts_with("audio/"));
        if let (Some(file), true) = (file.clone(), is_media && !editor.read_only.get_untracked()) {
            // A photo or recording dropped on the canvas becomes an Input that holds it.
            crate::ui::inspector::media_value::add_input_with_file(editor, media, file, at, session.notice);
            return;
        }
        if let Some(file) = file {
            // Documents go to the knowledge base; .json files are flows.
            let format = crate::domain::retrieval::documents::DocFormat::from_name(&file.name());
            if format.is_some_and(|f| f != crate::domain::retrieval::documents::DocFormat::Json)
                && !editor.read_only.get_untracked()
            {
                // The dialog shows what happened to the file (a refusal says why).
                knowledge_open.set(true);
                crate::ui::knowledge::knowledge_dialog::add_files(knowledge, vec![file], knowledge_status);
            } else {
                files::import(editor, session, knowledge, media, file);
            }
        }
    };

    let embed = platform::is_embed();
    // The app view and present mode cover the editor: it is hidden, so a phone never
    // scrolls sideways over a canvas it cannot use.
    let covered = move || present.on.get() || shared.app_on();
    view! {
        <div class="app" class:embed=embed class:covered=covered class:tryit-on=move || shared.app_on()>
            <crate::ui::share::try_it::TryItView />
            <TopBar />
            <div class="workspace">
                <Show when=move || !editor.read_only.get()>
                    <Palette />
                </Show>
                <main class="stage" aria-label="Flow editor"
                    on:dragover=|ev: leptos::ev::DragEvent| ev.prevent_default()
                    on:drop=on_drop>
                    <Banners />
                    <Canvas />
                    <ViewControls />
                </main>
                <crate::ui::chat::chat_panel::LazyChatPanel />
                <Inspector />
            </div>
            <HelpDialog open=help_open />
            <crate::ui::settings::settings_dialog::LazySettingsDialog />
            <crate::ui::share::present::LazyPresentView />
            <crate::ui::share::share_ui::LazyShareDialog />
            <super::gallery::LazyGallery />
            <super::versions_ui::LazyVersionsDialog />
            <crate::ui::run::data_sent::LazyDataSentDialog />
            <crate::ui::share::export_dialog::LazyExportCodeDialog />
            <crate::ui::run::approve_hosts::ApproveHostsDialog />
            <crate::ui::evals::eval_dialog::LazyEvalDialog />
            <crate::ui::knowledge::knowledge_dialog::LazyKnowledgeDialog />
            <crate::ui::share::feedback_ui::LazyFeedbackImportDialog />
            <crate::ui::settings::local_model_ui::DownloadConfirm />
        </div>
    }
}

#[derive(Clone, Copy)]
pub struct HelpOpen(pub RwSignal<bool>);

#[component]
fn Banners() -> impl IntoView {
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

fn on_key(editor: Editor, help_open: RwSignal<bool>, clip: LocalClipboard, ev: &web_sys::KeyboardEvent) {
    if is_typing(ev) {
        return;
    }
    let cmd = ev.ctrl_key() || ev.meta_key();
    let key = ev.key();
    let handled = match key.as_str() {
        "z" | "Z" if cmd && ev.shift_key() => {
            editor.redo();
            true
        }
        "z" | "Z" if cmd => {
            editor.undo();
            true
        }
        "y" | "Y" if cmd => {
            editor.redo();
            true
        }
        "a" | "A" if cmd => {
            editor.selection.set(editor.order.get_untracked());
            true
        }
        "d" | "D" if cmd => {
            if let Some(text) = copy_selection(editor, clip, false) {
                if let Some(fragment) = clipboard::read(&text) {
                    paste_fragment(editor, &fragment);
                }
            }
            true
        }
        "Delete" | "Backspace" => {
            delete_selection(editor);
            true
        }
        "ArrowLeft" | "ArrowRight" | "ArrowUp" | "ArrowDown" if !cmd => nudge(editor, &key, ev.shift_key()),
        "Escape" => {
            help_open.set(false);
            if let Some(k) = use_context::<crate::ui::knowledge::knowledge_dialog::KnowledgeOpen>() {
                k.0.set(false);
            }
            if let Some(runner) = use_context::<Runner>() {
                runner.approval.set(None);
            }
            editor.selection.set(Vec::new());
            editor.selected_edge.set(None);
            true
        }
        "?" => {
            help_open.update(|o| *o = !*o);
            true
        }
        _ => false,
    };
    if handled {
        ev.prevent_default();
    }
}

fn delete_selection(editor: Editor) {
    if let Some(edge) = editor.selected_edge.get_untracked() {
        let _ = editor.apply(FlowChange::RemoveEdge { id: edge });
        return;
    }
    let ids = editor.selection.get_untracked();
    if !ids.is_empty() {
        let _ = editor.apply(FlowChange::Batch(ids.into_iter().map(|id| FlowChange::RemoveBlock { id }).collect()));
    }
}

fn nudge(editor: Editor, key: &str, far: bool) -> bool {
    let ids = editor.selection.get_untracked();
    if ids.is_empty() {
        return false;
    }
    let step = if far { GRID * 4.0 } else { GRID };
    let (dx, dy) = match key {
        "ArrowLeft" => (-step, 0.0),
        "ArrowRight" => (step, 0.0),
        "ArrowUp" => (0.0, -step),
        _ => (0.0, step),
    };
    let moves: Vec<FlowChange> = editor.with_flow(|f| {
        ids.iter()
            .filter_map(|id| {
                f.block(id).map(|b| FlowChange::MoveBlock {
                    id: id.clone(),
                    to: Point::new(b.position.x + dx, b.position.y + dy),
                })
            })
            .collect()
    });
    let _ = editor.apply_merging(FlowChange::Batch(moves), "nudge");
    true
}

fn copy_selection(editor: Editor, clip: LocalClipboard, typing: bool) -> Option<String> {
    if typing {
        return None;
    }
    let ids = editor.selection.get_untracked();
    let text = editor.with_flow(|f| clipboard::copy(f, &ids))?;
    clip.0.set_value(Some(text.clone()));
    Some(text)
}

/// Pastes next to the originals when they are in view, else in the middle of the view.
fn paste_fragment(editor: Editor, fragment: &Flow) {
    let Some(fb) = bounds(&fragment.blocks) else { return };
    let v = editor.viewport.get_untracked();
    let (w, h) = canvas_size();
    let view = v.visible(w, h);
    let offset = if view.intersects(&fb) {
        Point::new(2.0 * GRID, 2.0 * GRID)
    } else {
        Point::new(
            crate::domain::layout::snap(view.x + view.w / 2.0 - fb.w / 2.0 - fb.x),
            crate::domain::layout::snap(view.y + view.h / 2.0 - fb.h / 2.0 - fb.y),
        )
    };
    let (change, ids): (FlowChange, Vec<BlockId>) = editor.with_flow(|f| clipboard::paste(f, fragment, offset));
    if editor.apply(change).is_ok() {
        editor.selection.set(ids);
    }
}
