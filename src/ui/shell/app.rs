//! The app shell: top bar, palette, canvas and inspector, the dialogs, and the contexts every
//! feature reads; autosave, the theme, and files or blocks dropped on the canvas. Keyboard
//! shortcuts and the clipboard are shortcuts.rs; the banners over the canvas banners.rs.

use super::banners::Banners;
use super::help::HelpDialog;
use super::shortcuts::listen_for_shortcuts;
use super::topbar::{Theme, TopBar, ViewControls};
use crate::domain::flow::Point;
use crate::domain::recording::Recording;
use crate::ui::canvas::canvas::Canvas;
use crate::ui::canvas::palette::Palette;
use crate::ui::inspector::inspector::Inspector;
use crate::ui::platform::platform;
use crate::ui::run::run::Runner;
use crate::ui::share::files;
use crate::ui::share::present::Present;
use crate::ui::share::share_ui::{open_from_location, Shared};
use crate::ui::state::editor::Editor;
use crate::ui::state::persist::{apply_view, Session};
use crate::ui::state::settings::Settings;
use leptos::prelude::*;

use crate::ui::platform::storage_keys::THEME as THEME_KEY;

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
    listen_for_shortcuts(editor, present, help_open);

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
