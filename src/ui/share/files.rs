//! Import and export of flow files. A bad file never touches the open flow: it gets a
//! message that says what is wrong.
//!
//! Writing and reading a file (the bundle with its test cases, documents and media, and every
//! decoder that takes) is in the `files` wasm module, fetched the first time a flow is imported
//! or exported (docs/ARCHITECTURE.md, "Features loaded on first use"). If it cannot be fetched,
//! the user is told and nothing changes.

use crate::domain::bundle::{Bundle, ReadBundle};
use crate::domain::flow_file;
use crate::domain::media::MediaItem;
use crate::domain::retrieval::knowledge::KnowledgeBase;
use crate::ui::knowledge::knowledge::Knowledge;
use crate::ui::platform::media::MediaStore;
use crate::ui::platform::platform;
use crate::ui::state::editor::Editor;
use crate::ui::state::persist::Session;
use crate::ui::widgets::lazy::ChunkError;
use leptos::prelude::*;

/// Downloads the open flow as a file, with what travels with it.
pub fn export(editor: Editor, session: Session, knowledge: Knowledge, media: MediaStore) {
    leptos::task::spawn_local(async move {
        if write_export(editor, session, knowledge, media).await.is_err() {
            session.notice.set(Some(
                "Export failed: the part of Chainboard that writes flow files could not be loaded. Check the connection, then export again. Your flow is unchanged."
                    .into(),
            ));
        }
    });
}

#[leptos::wasm_split::wasm_split(files, fallible, wasm_split_path = ::leptos::wasm_split)]
fn write_export(editor: Editor, session: Session, knowledge: Knowledge, media: MediaStore) -> Result<(), ChunkError> {
    let flow = editor.flow();
    let name = file_name(&flow.meta.title);
    // The flow's test cases and checks travel with it, and so do its documents (their text;
    // the index is rebuilt on import).
    let suite = crate::ui::evals::suite_store::load_suite(&session.current.get_untracked());
    let mut bundle = Bundle { knowledge: Some(knowledge.kb.with_untracked(|kb| kb.portable())), ..Bundle::new(flow) };
    // And the images and audio its Inputs and test cases use (those in this browser).
    let mut ids: Vec<String> = crate::domain::evals::cases::media_ids(&suite.cases);
    for b in &bundle.flow.blocks {
        if let crate::domain::blocks::BlockConfig::Input(i) = &b.config {
            ids.extend(i.values.iter().filter_map(|v| v.media.as_ref().map(|m| m.id.clone())));
        }
    }
    bundle.evals = Some(suite);
    media.library.with_untracked(|lib| {
        for id in &ids {
            if let Some(item) = lib.get(id).filter(|i| !bundle.media.iter().any(|x| x.meta.id == i.meta.id)) {
                bundle.media.push(item.clone());
            }
        }
    });
    let json = bundle.to_json();
    if let Err(e) = platform::download_text(&name, &json, "application/json") {
        session.notice.set(Some(format!("Export failed: {e}")));
    }
    Ok(())
}

/// A safe file name from a flow title.
pub fn file_name(title: &str) -> String {
    let stem: String = title
        .chars()
        .map(|c| if c.is_alphanumeric() || c == '-' || c == '_' { c.to_ascii_lowercase() } else { '-' })
        .collect::<String>()
        .split('-')
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join("-");
    let stem = if stem.is_empty() { "flow".to_string() } else { stem.chars().take(60).collect() };
    format!("{stem}.chainboard.json")
}

/// Reads a file and, if it is a good flow, opens it as a new flow in the list.
pub fn import(editor: Editor, session: Session, knowledge: Knowledge, media: MediaStore, file: web_sys::File) {
    let name = file.name();
    let shown = name.clone();
    let refused = move |why: &str| {
        session
            .notice
            .set(Some(format!("Could not import \u{201c}{shown}\u{201d}: {why} Your open flow is unchanged.")))
    };
    // Refused by its size before it is read, so an oversized file never reaches memory.
    if let Err(e) = flow_file::check_file_size(file.size() as u64) {
        refused(&e.to_string());
        return;
    }
    leptos::task::spawn_local(async move {
        let text = match platform::read_file_text(file).await {
            Ok(t) => t,
            Err(e) => return refused(&e),
        };
        match open_import(editor, session, knowledge, name, text).await {
            Ok(files) => {
                for item in files {
                    let _ = media.add(item.meta.name.clone(), item.data.to_vec()).await;
                }
            }
            Err(ChunkError) => refused(
                "the part of Chainboard that reads flow files could not be loaded. Check the connection, then import it again.",
            ),
        }
    });
}

/// Opens the file's flow as a new flow with its test cases and documents, and says so; or says
/// why it cannot. Gives back the images and audio still to store.
#[leptos::wasm_split::wasm_split(files, fallible, wasm_split_path = ::leptos::wasm_split)]
fn open_import(
    editor: Editor,
    session: Session,
    knowledge: Knowledge,
    name: String,
    text: String,
) -> Result<Vec<MediaItem>, ChunkError> {
    let ReadBundle { bundle, left_out } = match Bundle::parse(&text) {
        Ok(read) => read,
        Err(e) => {
            session
                .notice
                .set(Some(format!("Could not import \u{201c}{name}\u{201d}: {e} Your open flow is unchanged.")));
            return Ok(Vec::new());
        }
    };
    let Bundle { flow, evals, knowledge: docs, media: files } = bundle;
    session.create(editor, flow);
    let mut note = format!("Imported \u{201c}{name}\u{201d} as a new flow.");
    if let Some(suite) = evals {
        match crate::ui::evals::suite_store::store_suite(&session.current.get_untracked(), &suite) {
            Ok(()) => note.push_str(&format!(" It came with {} test cases.", suite.cases.len())),
            Err(e) => note.push_str(&format!(" Its test cases could not be kept ({e}).")),
        }
    }
    if let Some(docs) = docs {
        let n = docs.documents.len();
        knowledge.replace(session.current.get_untracked(), KnowledgeBase::from_portable(docs));
        note.push_str(&format!(" It came with {n} document{}.", if n == 1 { "" } else { "s" }));
    }
    if !files.is_empty() {
        note.push_str(&format!(
            " It came with {} image or audio file{}.",
            files.len(),
            if files.len() == 1 { "" } else { "s" }
        ));
    }
    if !left_out.is_empty() {
        note.push_str(&format!(" Left out: {}.", left_out.join("; ")));
    }
    session.notice.set(Some(note));
    Ok(files)
}
