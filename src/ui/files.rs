//! Import and export of flow files. A bad file never touches the open flow: it gets a
//! message that says what is wrong.

use super::editor::Editor;
use super::persist::Session;
use super::platform;
use crate::domain::flow_file;
use leptos::prelude::*;

pub fn export(editor: Editor, session: Session) {
    let flow = editor.flow();
    let name = file_name(&flow.meta.title);
    // The flow's test cases and checks travel with it.
    let suite = super::eval_dialog::load_suite(&session.current.get_untracked());
    if let Err(e) = platform::download_text(&name, &flow_file::to_json_with_evals(&flow, &suite), "application/json") {
        session.notice.set(Some(format!("Export failed: {e}")));
    }
}

/// A safe file name from a flow title.
fn file_name(title: &str) -> String {
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
pub fn import(editor: Editor, session: Session, file: web_sys::File) {
    let name = file.name();
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
                    match super::eval_dialog::store_suite(&session.current.get_untracked(), &suite) {
                        Ok(()) => note.push_str(&format!(" It came with {} test cases.", suite.cases.len())),
                        Err(e) => note.push_str(&format!(" Its test cases could not be kept ({e}).")),
                    }
                }
                session.notice.set(Some(note));
            }
            Err(e) => session
                .notice
                .set(Some(format!("Could not import \u{201c}{name}\u{201d}: {e} Your open flow is unchanged."))),
        }
    });
}
