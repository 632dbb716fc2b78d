//! Opening a link from the address bar: a shared flow (read-only, with its outputs, test cases
//! and documents), a locked one once its password opened it, or a feedback link. Its code is a
//! wasm module of its own, fetched only when a link is opened.

use super::present::Present;
use crate::domain::engine::{BlockRun, BlockStatus};
use crate::domain::recording::{RecordedBlock, Recording};
use crate::domain::share::{decode, from_plaintext_bytes, hosts_contacted, Decoded, SharePayload, ShareView};
use crate::ui::platform::platform;
use crate::ui::run::run::Runner;
use crate::ui::state::editor::Editor;
use crate::ui::state::persist::Session;
use crate::ui::state::shared::Shared;
use leptos::prelude::*;

/// Reads the link in the address bar, if any. Called once at start. Reading and showing a link
/// is code most visits never need, so it is a wasm module of its own (`open_link`, in the
/// `modes` group with the app view and present mode): a shared flow's link is read-only at
/// once, so nothing of the viewer's own flow is edited or saved while that module arrives.
pub fn open_from_location(editor: Editor, session: Session, runner: Runner, shared: Shared, present: Present) {
    let hash = platform::location_hash();
    let feedback = hash.starts_with("#fb");
    if !feedback && !hash.starts_with("#v") {
        return;
    }
    if !feedback {
        editor.read_only.set(true);
    }
    leptos::task::spawn_local(async move {
        let link = Link { editor, session, runner, shared, present };
        if open_link(hash, link).await.is_err() {
            if !feedback {
                editor.read_only.set(false);
            }
            session.notice.set(Some(
                "This link could not be opened: part of the app did not load. Check the connection, then reload \
                 the page. Your own flows are unchanged."
                    .into(),
            ));
        }
    });
}

/// What showing a link changes.
#[derive(Clone, Copy)]
pub(super) struct Link {
    pub(super) editor: Editor,
    pub(super) session: Session,
    pub(super) runner: Runner,
    pub(super) shared: Shared,
    pub(super) present: Present,
}

#[leptos::wasm_split::wasm_split(modes, fallible, wasm_split_path = ::leptos::wasm_split)]
fn open_link(hash: String, link: Link) -> Result<(), crate::ui::widgets::lazy::ChunkError> {
    let Link { editor, session, runner, shared, present } = link;
    if hash.starts_with("#fb") {
        super::feedback_ui::import_from_location(&hash, editor, session);
        return Ok(());
    }
    match decode(&hash) {
        Ok(Decoded::Open(payload)) => show_payload(editor, runner, shared, present, payload),
        Ok(Decoded::Sealed { salt, iv, ciphertext }) => {
            // The password box asks first; behind it, the viewer's own flow as it was.
            editor.read_only.set(false);
            shared.locked.set(Some((salt, iv, ciphertext)));
        }
        Err(e) => {
            editor.read_only.set(false);
            session.notice.set(Some(format!("This shared link could not be opened: {e} Your own flows are unchanged.")))
        }
    }
    Ok(())
}

/// A locked link's payload once the password opened it: read and shown (in the link's module).
#[leptos::wasm_split::wasm_split(modes, fallible, wasm_split_path = ::leptos::wasm_split)]
pub(super) fn show_unsealed(
    bytes: Vec<u8>,
    link: Link,
) -> Result<Result<(), String>, crate::ui::widgets::lazy::ChunkError> {
    let Link { editor, runner, shared, present, .. } = link;
    Ok(from_plaintext_bytes(&bytes).map_err(|e| e.to_string()).map(|payload| {
        shared.locked.set(None);
        show_payload(editor, runner, shared, present, payload);
    }))
}

fn show_payload(editor: Editor, runner: Runner, shared: Shared, present: Present, payload: SharePayload) {
    let hosts = hosts_contacted(&payload.flow);
    // Read-only first, so nothing about the shared flow is ever saved over the user's own.
    editor.read_only.set(true);
    let samples: Vec<bool> =
        payload.outputs.iter().map(|(id, _)| crate::domain::try_it::shows_sample(&payload.flow, id)).collect();
    editor.replace_flow(payload.flow);
    runner.reset();
    // The shared outputs are also the recording present mode replays: no network needed.
    let recording = (!payload.outputs.is_empty()).then(|| Recording {
        recorded_ms: 0,
        blocks: payload
            .outputs
            .iter()
            .zip(&samples)
            .map(|((id, text), sample)| RecordedBlock {
                id: id.0.clone(),
                status: "done".into(),
                input: String::new(),
                output: text.clone(),
                error: None,
                sample: *sample,
            })
            .collect(),
    });
    for ((id, text), sample) in payload.outputs.into_iter().zip(samples) {
        let run = BlockRun { status: BlockStatus::Done, output: Some(text), sample, ..Default::default() };
        runner.run_of(&id).set(Some(run));
    }
    runner.recording.set(recording);
    shared.suite.set(payload.evals);
    let kb =
        payload.knowledge.map(crate::domain::retrieval::knowledge::KnowledgeBase::from_portable).unwrap_or_default();
    // Called after an async unlock too (no reactive owner there): no context lookups.
    runner.knowledge.show_unsaved(kb);
    shared.view.set(payload.view);
    shared.viewing.set(Some(hosts));
    if payload.view == ShareView::Present {
        // No fullscreen: browsers allow it only after a click, and the page is one already.
        present.enter_at(editor, payload.start_at.as_ref(), false);
    }
}
