//! Import and export of flow files. A bad file never touches the open flow: it gets a
//! message that says what is wrong.

use crate::domain::flow_file;
use crate::domain::retrieval::knowledge::KnowledgeBase;
use crate::ui::knowledge::knowledge::Knowledge;
use crate::ui::platform::media::MediaStore;
use crate::ui::platform::platform;
use crate::ui::state::editor::Editor;
use crate::ui::state::persist::Session;
use leptos::prelude::*;

pub fn export(editor: Editor, session: Session, knowledge: Knowledge, media: MediaStore) {
    let flow = editor.flow();
    let name = file_name(&flow.meta.title);
    // The flow's test cases and checks travel with it.
    let suite = crate::ui::evals::suite_store::load_suite(&session.current.get_untracked());
    // So do its documents (their text; the index is rebuilt on import).
    let json = flow_file::with_knowledge(
        flow_file::to_json_with_evals(&flow, &suite),
        &knowledge.kb.with_untracked(|kb| kb.portable()),
    );
    // And the images and audio its Inputs and test cases use (those in this browser).
    let mut ids: Vec<String> = crate::domain::evals::cases::media_ids(&suite.cases);
    for b in &flow.blocks {
        if let crate::domain::blocks::BlockConfig::Input(i) = &b.config {
            ids.extend(i.values.iter().filter_map(|v| v.media.as_ref().map(|m| m.id.clone())));
        }
    }
    let json = media.library.with_untracked(|lib| {
        let mut items: Vec<&crate::domain::media::MediaItem> = Vec::new();
        for id in &ids {
            if let Some(item) = lib.get(id).filter(|i| !items.iter().any(|x| x.meta.id == i.meta.id)) {
                items.push(item);
            }
        }
        flow_file::with_media(json, &items)
    });
    if let Err(e) = platform::download_text(&name, &json, "application/json") {
        session.notice.set(Some(format!("Export failed: {e}")));
    }
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
    // Refused by its size before it is read, so an oversized file never reaches memory.
    if let Err(e) = flow_file::check_file_size(file.size() as u64) {
        session.notice.set(Some(format!("Could not import \u{201c}{name}\u{201d}: {e} Your open flow is unchanged.")));
        return;
    }
    leptos::task::spawn_local(async move {
        let text = match platform::read_file_text(file).await {
            Ok(t) => t,
            Err(e) => {
                session
                    .notice
                    .set(Some(format!("Could not import \u{201c}{name}\u{201d}: {e} Your open flow is unchanged.")));
                return;
            }
        };
        match flow_file::from_json(&text) {
            Ok(flow) => {
                session.create(editor, flow);
                let mut note = format!("Imported \u{201c}{name}\u{201d} as a new flow.");
                if let Some(suite) = flow_file::evals_of(&text) {
                    match crate::ui::evals::suite_store::store_suite(&session.current.get_untracked(), &suite) {
                        Ok(()) => note.push_str(&format!(" It came with {} test cases.", suite.cases.len())),
                        Err(e) => note.push_str(&format!(" Its test cases could not be kept ({e}).")),
                    }
                }
                if let Some(docs) = flow_file::knowledge_of(&text) {
                    let n = docs.documents.len();
                    knowledge.replace(session.current.get_untracked(), KnowledgeBase::from_portable(docs));
                    note.push_str(&format!(" It came with {n} document{}.", if n == 1 { "" } else { "s" }));
                }
                let files = flow_file::media_of(&text);
                if !files.is_empty() {
                    note.push_str(&format!(
                        " It came with {} image or audio file{}.",
                        files.len(),
                        if files.len() == 1 { "" } else { "s" }
                    ));
                }
                session.notice.set(Some(note));
                for item in files {
                    let _ = media.add(item.meta.name.clone(), item.data.to_vec()).await;
                }
            }
            Err(e) => session
                .notice
                .set(Some(format!("Could not import \u{201c}{name}\u{201d}: {e} Your open flow is unchanged."))),
        }
    });
}
