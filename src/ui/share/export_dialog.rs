//! "Export as code…": the flow as a Python or TypeScript (Node) program, or its test cases as a promptfoo
//! config (src/domain/export_code). Shows each generated file read-only and downloads them as
//! one .zip. Titles and prompts only ever reach the page as text nodes.

use crate::domain::export_code::{export, slug, zip::zip, ExportFile, ExportSource, ExportTarget};
use crate::ui::platform::platform;
use crate::ui::state::editor::Editor;
use crate::ui::state::persist::Session;
use crate::ui::widgets::modal::Modal;
use leptos::prelude::*;

#[derive(Clone, Copy)]
pub struct ExportCodeOpen(pub RwSignal<bool>);

crate::ui::widgets::lazy::load_on_first_open!(
    export_code,
    LazyExportCodeDialog,
    build_export_code_dialog,
    ExportCodeDialog,
    "Export as code",
    expect_context::<ExportCodeOpen>().0
);

#[component]
fn ExportCodeDialog() -> impl IntoView {
    let open = expect_context::<ExportCodeOpen>().0;
    let editor = expect_context::<Editor>();
    let session = expect_context::<Session>();
    let knowledge = expect_context::<crate::ui::knowledge::knowledge::Knowledge>();
    let target = RwSignal::new(ExportTarget::Python);
    // The file shown: the program (or the promptfoo config) until another one is picked.
    let shown = RwSignal::new(None::<usize>);
    let main_file = |files: &[ExportFile]| {
        files.iter().position(|f| f.path.starts_with("main.") || f.path == "promptfooconfig.yaml").unwrap_or(0)
    };
    let error = RwSignal::new(None::<String>);
    // Generated when the dialog opens or the language changes (never on every keystroke).
    let files = Memo::new(move |_| -> Vec<ExportFile> {
        if !open.get() {
            return Vec::new();
        }
        shown.set(None);
        let flow = editor.flow();
        let flow_id = session.current.get_untracked();
        let suite = crate::ui::evals::suite_store::load_suite(&flow_id);
        let knowledge = knowledge.kb.with_untracked(|kb| (!kb.documents.is_empty()).then(|| kb.portable()));
        export(target.get(), &ExportSource { flow, knowledge, suite: Some(suite) })
    });
    let download = move || {
        let name = format!("{}-{}", slug(&editor.flow().meta.title), target.get_untracked().id());
        let bytes = files.with_untracked(|f| zip(&name, f));
        match platform::download_bytes(&format!("{name}.zip"), &bytes, "application/zip") {
            Ok(()) => error.set(None),
            Err(e) => error.set(Some(e)),
        }
    };
    view! {
        <Modal open=open label="Export as code" title="Export as code" close_label="Close export" wide=true>
            <p class="dialog-lead">
                "Hand the flow to engineers: a program that runs it with each provider's official SDK, or its test cases for promptfoo. Keys are never in the code: it reads them from environment variables."
            </p>
            <div class="export-targets" role="radiogroup" aria-label="Export as">
                {ExportTarget::ALL.into_iter().map(|t| view! {
                    <label class="radio-pill">
                        <input type="radio" name="export-target" aria-label=t.label()
                            prop:checked=move || target.get() == t
                            on:change=move |_| { target.set(t); shown.set(None); } />
                        {t.label()}
                    </label>
                }).collect_view()}
            </div>
            <div class="export-body">
                <div class="export-file-list" role="list" aria-label="Files">
                    {move || files.get().iter().enumerate().map(|(i, f)| {
                        let path = f.path.clone();
                        view! {
                            <div role="listitem"><button class="export-file" aria-label=format!("Show {path}")
                                aria-pressed=move || (shown.get().unwrap_or_else(|| files.with(|f| main_file(f))) == i).to_string()
                                on:click=move |_| shown.set(Some(i))>{path.clone()}</button></div>
                        }
                    }).collect_view()}
                </div>
                <pre class="export-preview" aria-label="File preview" tabindex="0">
                    {move || files.with(|f| {
                        let i = shown.get().unwrap_or_else(|| main_file(f));
                        f.get(i).or(f.first()).map(|f| f.text.clone()).unwrap_or_default()
                    })}
                </pre>
            </div>
            <Show when=move || error.get().is_some()>
                <p class="form-error" role="alert">{move || error.get().unwrap_or_default()}</p>
            </Show>
            <div class="dialog-actions">
                <button class="button button-primary" on:click=move |_| download()>"Download .zip"</button>
            </div>
        </Modal>
    }
}
