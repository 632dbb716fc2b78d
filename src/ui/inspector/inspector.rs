//! The side panel with the selected block's settings. Fields are built once per block
//! and read the block reactively, so typing never loses focus. Typing in one field is
//! one undo step (edits merge until the field loses focus).

use super::result_panel::ResultPanel;
use crate::domain::blocks::{BlockConfig, InputConfig, InputValue, NoteConfig};
use crate::domain::change::FlowChange;
use crate::domain::flow::{Block, BlockId};
use crate::ui::state::editor::Editor;
use leptos::prelude::*;

#[component]
pub fn Inspector() -> impl IntoView {
    let editor = expect_context::<Editor>();
    let selected = Memo::new(move |_| editor.single_selected());
    view! {
        <aside class="inspector" aria-label="Inspector">
            {move || match selected.get() {
                Some(id) => {
                    let id = StoredValue::new(id);
                    crate::ui::widgets::lazy::load_here("settings", move || Box::pin(block_settings(id.get_value())))
                        .into_any()
                }
                None => {
                    let count = editor.selection.with(Vec::len);
                    view! {
                        <div class="inspector-empty">
                            <p class="inspector-empty-title">
                                {if count > 1 { format!("{count} blocks selected") } else { "Nothing selected".to_string() }}
                            </p>
                            <p>"Select a block on the canvas to see and edit its settings."</p>
                            <p class="field-help">"Press ? for keyboard shortcuts."</p>
                        </div>
                    }
                    .into_any()
                }
            }}
        </aside>
    }
}

/// A block's settings are a wasm module of their own (the `inspector` group), fetched the first
/// time a block is selected: the canvas opens without them. Rarer blocks' settings sit in a
/// further module (`block_settings`), fetched when such a block is first selected.
#[leptos::wasm_split::wasm_split(inspector, fallible, wasm_split_path = ::leptos::wasm_split)]
fn block_settings(id: BlockId) -> Result<AnyView, crate::ui::widgets::lazy::ChunkError> {
    Ok(view! { <BlockSettings id /> }.into_any())
}

/// Edits the block's config through a closure, merging keystrokes under `key`.
pub(crate) fn edit_config(editor: Editor, cell: RwSignal<Block>, key: &str, f: impl FnOnce(&mut BlockConfig)) {
    let Some((id, mut config)) = cell.try_with_untracked(|b| (b.id.clone(), b.config.clone())) else { return };
    f(&mut config);
    let _ = editor.apply_merging(FlowChange::SetConfig { id: id.clone(), config }, &format!("{key}:{id}"));
}

#[component]
fn BlockSettings(id: BlockId) -> impl IntoView {
    let editor = expect_context::<Editor>();
    let Some(cell) = editor.cell(&id) else {
        return view! { <p class="inspector-empty">"This block no longer exists."</p> }.into_any();
    };
    let id_prob = id.clone();
    let settings_ctx = expect_context::<crate::ui::state::settings::Settings>();
    let problems = Memo::new(move |_| {
        let mut p = editor.problems_for(&id_prob);
        p.extend(cell.try_with(|b| super::control_settings::key_problem(b, settings_ctx)).flatten());
        p
    });
    let kind = cell.with_untracked(|b| b.config.kind());
    let kind_label = cell.with_untracked(|b| b.config.kind_label().to_string());
    let end = move |_: ()| editor.end_merge();
    let settings = match kind {
        Some(crate::domain::blocks::BlockKind::Prompt) => view! { <super::prompt_settings::PromptSettings cell /> }.into_any(),
        Some(crate::domain::blocks::BlockKind::Input) => view! { <InputSettings cell /> }.into_any(),
        Some(crate::domain::blocks::BlockKind::Tool) => {
            crate::ui::widgets::lazy::load_block_settings!(block_settings, tool_settings, "tool settings", cell, |cell| view! { <super::tool_settings::ToolSettings cell /> })
                .into_any()
        }
        Some(crate::domain::blocks::BlockKind::Retrieve) => {
            crate::ui::widgets::lazy::load_block_settings!(block_settings, retrieve_settings, "search settings", cell, |cell| view! { <super::retrieve_settings::RetrieveSettings cell /> })
                .into_any()
        }
        Some(crate::domain::blocks::BlockKind::Transcribe) => {
            crate::ui::widgets::lazy::load_block_settings!(block_settings, transcribe_settings, "transcription settings", cell, |cell| view! { <super::transcribe_settings::TranscribeSettings cell /> })
                .into_any()
        }
        Some(crate::domain::blocks::BlockKind::Router) => {
            crate::ui::widgets::lazy::load_block_settings!(block_settings, router_settings, "route settings", cell, |cell| view! { <super::control_settings::RouterSettings cell /> })
                .into_any()
        }
        Some(crate::domain::blocks::BlockKind::Transform) => {
            crate::ui::widgets::lazy::load_block_settings!(block_settings, transform_settings, "transform settings", cell, |cell| view! { <super::control_settings::TransformSettings cell /> })
                .into_any()
        }
        Some(crate::domain::blocks::BlockKind::Approval) => view! { <super::control_settings::ApprovalSettings cell /> }.into_any(),
        Some(crate::domain::blocks::BlockKind::Loop) => {
            crate::ui::widgets::lazy::load_block_settings!(block_settings, loop_block_settings, "loop settings", cell, |cell| view! { <super::loop_settings::LoopSettings cell /> })
                .into_any()
        }
        Some(crate::domain::blocks::BlockKind::Note) => view! {
            <label class="field">
                <span class="field-label">"Text"</span>
                <textarea rows="6"
                    prop:value=move || cell.with(|b| match &b.config { BlockConfig::Note(n) => n.text.clone(), _ => String::new() })
                    on:input=move |ev| {
                        let text = event_target_value(&ev);
                        edit_config(editor, cell, "note-text", |c| *c = BlockConfig::Note(NoteConfig { text }));
                    }
                    on:blur=move |_| end(())></textarea>
            </label>
        }
        .into_any(),
        Some(crate::domain::blocks::BlockKind::Output) => view! {
            <p class="field-help">"Shows whatever is connected to its \u{201c}value\u{201d} input after a run."</p>
        }
        .into_any(),
        None => view! {
            <p class="field-help">{format!("This block came from a newer Chainboard (kind \u{201c}{}\u{201d}). It is kept unchanged but cannot run here.", cell.with_untracked(|b| b.config.kind_id().to_string()))}</p>
        }
        .into_any(),
    };
    // Outside the fieldset: a shared link is read-only, but its run may still wait for a decision.
    let approval = matches!(kind, Some(crate::domain::blocks::BlockKind::Approval))
        .then(|| view! { <super::control_settings::ApprovalStatus id=id.clone() /> });
    view! {
        {approval}
        <fieldset class="inspector-body" disabled=move || editor.read_only.get()>
            <p class="inspector-kind">{kind_label}" block"</p>
            <label class="field">
                <span class="field-label">"Title"</span>
                <input
                    type="text"
                    prop:value=move || cell.with(|b| b.title.clone())
                    on:input=move |ev| {
                        let title = event_target_value(&ev);
                        let Some(id) = cell.try_with_untracked(|b| b.id.clone()) else { return };
                        let _ = editor.apply_merging(FlowChange::SetTitle { id: id.clone(), title }, &format!("title:{id}"));
                    }
                    on:blur=move |_| end(())
                />
            </label>
            <Show when=move || !problems.with(Vec::is_empty)>
                <ul class="problem-list" aria-label="Problems">
                    {move || problems.get().into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}
                </ul>
            </Show>
            {settings}
            {matches!(kind, Some(crate::domain::blocks::BlockKind::Prompt | crate::domain::blocks::BlockKind::Output | crate::domain::blocks::BlockKind::Transcribe | crate::domain::blocks::BlockKind::Router | crate::domain::blocks::BlockKind::Loop))
                .then(|| view! { <ResultPanel id=id.clone() is_prompt=matches!(kind, Some(crate::domain::blocks::BlockKind::Prompt | crate::domain::blocks::BlockKind::Transcribe | crate::domain::blocks::BlockKind::Router | crate::domain::blocks::BlockKind::Loop)) /> })}
            {matches!(kind, Some(crate::domain::blocks::BlockKind::Loop))
                .then(|| view! { <super::loop_settings::LoopResults id=id.clone() /> })}
            {matches!(kind, Some(crate::domain::blocks::BlockKind::Retrieve))
                .then(|| view! { <super::retrieve_settings::RetrievalPanel id=id.clone() cell /> })}
            <label class="field">
                <span class="field-label">"Note"</span>
                <textarea
                    rows="2"
                    placeholder="Why this block exists (optional)"
                    prop:value=move || cell.with(|b| b.note.clone().unwrap_or_default())
                    on:input=move |ev| {
                        let text = event_target_value(&ev);
                        let note = if text.is_empty() { None } else { Some(text) };
                        let Some(id) = cell.try_with_untracked(|b| b.id.clone()) else { return };
                        let _ = editor.apply_merging(FlowChange::SetNote { id: id.clone(), note }, &format!("note:{id}"));
                    }
                    on:blur=move |_| end(())
                ></textarea>
            </label>
        </fieldset>
    }
    .into_any()
}

fn input_of(b: &Block) -> InputConfig {
    match &b.config {
        BlockConfig::Input(c) => c.clone(),
        _ => InputConfig::default(),
    }
}

#[component]
fn InputSettings(cell: RwSignal<Block>) -> impl IntoView {
    let editor = expect_context::<Editor>();
    let count = Memo::new(move |_| cell.with(|b| input_of(b).values.len()));
    let set = move |key: String, f: Box<dyn FnOnce(&mut InputConfig)>| {
        edit_config(editor, cell, &key, move |c| {
            if let BlockConfig::Input(i) = c {
                f(i);
            }
        });
    };
    let end = move || editor.end_merge();
    let add = move |_| {
        set(
            "add-value".into(),
            Box::new(|c| {
                let mut n = c.values.len() + 1;
                while c.values.iter().any(|v| v.name == format!("value_{n}")) {
                    n += 1;
                }
                c.values.push(InputValue { name: format!("value_{n}"), value: String::new(), media: None });
            }),
        );
        end();
    };
    view! {
        <div class="field">
            <span class="field-label">"Values it passes on"</span>
            {move || (0..count.get()).map(|i| {
                let get = move |f: fn(&InputValue) -> String| cell.with(|b| input_of(b).values.get(i).map(f).unwrap_or_default());
                view! {
                    <div class="input-value">
                        <input type="text" class="input-name" aria-label=format!("Name of value {}", i + 1)
                            prop:value=move || get(|v| v.name.clone())
                            on:input=move |ev| {
                                let name = event_target_value(&ev).trim().to_string();
                                set(format!("value-name-{i}"), Box::new(move |c| if let Some(v) = c.values.get_mut(i) { v.name = name }));
                            }
                            on:blur=move |_| end() />
                        <button class="icon-button" aria-label=format!("Remove value {}", i + 1) on:click=move |_| {
                            set("remove-value".into(), Box::new(move |c| if i < c.values.len() { c.values.remove(i); }));
                            end();
                        }>"\u{d7}"</button>
                        <super::media_value::InputValueField cell i />
                    </div>
                }
            }).collect_view()}
            <button class="button button-quiet" on:click=add>"+ Add value"</button>
        </div>
    }
}
