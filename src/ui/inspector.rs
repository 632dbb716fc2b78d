//! The side panel with the selected block's settings. Every edit is one FlowChange,
//! committed on `change` (blur or Enter) so one edit is one undo step.

use super::editor::Editor;
use crate::domain::blocks::{BlockConfig, InputConfig, InputValue, PromptConfig};
use crate::domain::change::FlowChange;
use crate::domain::flow::{Block, BlockId};
use crate::domain::providers::ProviderKind;
use leptos::prelude::*;

const PROVIDERS: [ProviderKind; 6] = [
    ProviderKind::OpenAi,
    ProviderKind::Anthropic,
    ProviderKind::Gemini,
    ProviderKind::Ollama,
    ProviderKind::OpenAiCompatible,
    ProviderKind::Demo,
];

#[component]
pub fn Inspector() -> impl IntoView {
    let editor = expect_context::<Editor>();
    let selected = Memo::new(move |_| editor.single_selected());
    view! {
        <aside class="inspector" aria-label="Inspector">
            {move || match selected.get() {
                Some(id) => view! { <BlockSettings id /> }.into_any(),
                None => {
                    let count = editor.selection.with(Vec::len);
                    view! {
                        <div class="inspector-empty">
                            <p class="inspector-empty-title">
                                {if count > 1 { format!("{count} blocks selected") } else { "Nothing selected".to_string() }}
                            </p>
                            <p>"Select a block on the canvas to see and edit its settings."</p>
                        </div>
                    }
                    .into_any()
                }
            }}
        </aside>
    }
}

fn set_config(editor: Editor, id: &BlockId, config: BlockConfig) {
    let _ = editor.apply(FlowChange::SetConfig { id: id.clone(), config });
}

#[component]
fn BlockSettings(id: BlockId) -> impl IntoView {
    let editor = expect_context::<Editor>();
    let Some(cell) = editor.cell(&id) else {
        return view! { <p class="inspector-empty">"This block no longer exists."</p> }.into_any();
    };
    let block = move || cell.get();
    let id_title = id.clone();
    let id_note = id.clone();
    let id_prob = id.clone();
    let problems = Memo::new(move |_| editor.problems_for(&id_prob));
    let kind_label = move || block().config.kind_label().to_string();
    view! {
        <div class="inspector-body">
            <p class="inspector-kind">{kind_label}" block"</p>
            <label class="field">
                <span class="field-label">"Title"</span>
                <input
                    type="text"
                    prop:value=move || block().title
                    on:change=move |ev| {
                        let _ = editor.apply(FlowChange::SetTitle { id: id_title.clone(), title: event_target_value(&ev) });
                    }
                />
            </label>
            <Show when=move || !problems.with(Vec::is_empty)>
                <ul class="problem-list" aria-label="Problems">
                    {move || problems.get().into_iter().map(|p| view! { <li>{p}</li> }).collect_view()}
                </ul>
            </Show>
            {
                let id = id.clone();
                move || kind_settings(editor, &id, &block())
            }
            <label class="field">
                <span class="field-label">"Note"</span>
                <textarea
                    rows="2"
                    placeholder="Why this block exists (optional)"
                    prop:value=move || block().note.unwrap_or_default()
                    on:change=move |ev| {
                        let text = event_target_value(&ev);
                        let note = if text.trim().is_empty() { None } else { Some(text) };
                        let _ = editor.apply(FlowChange::SetNote { id: id_note.clone(), note });
                    }
                ></textarea>
            </label>
        </div>
    }
    .into_any()
}

fn kind_settings(editor: Editor, id: &BlockId, block: &Block) -> AnyView {
    match &block.config {
        BlockConfig::Prompt(p) => prompt_settings(editor, id.clone(), p.clone()).into_any(),
        BlockConfig::Input(c) => input_settings(editor, id.clone(), c.clone()).into_any(),
        BlockConfig::Note(n) => {
            let id = id.clone();
            let n = n.clone();
            view! {
                <label class="field">
                    <span class="field-label">"Text"</span>
                    <textarea rows="6" prop:value=n.text.clone() on:change=move |ev| {
                        set_config(editor, &id, BlockConfig::Note(crate::domain::blocks::NoteConfig { text: event_target_value(&ev) }));
                    }></textarea>
                </label>
            }
            .into_any()
        }
        BlockConfig::Output(_) => view! {
            <p class="field-help">"Shows whatever is connected to its \u{201c}value\u{201d} input after a run."</p>
        }
        .into_any(),
        BlockConfig::Unknown(u) => view! {
            <p class="field-help">{format!("This file came from a newer Chainboard: the \u{201c}{}\u{201d} block is kept unchanged but cannot run here.", u.kind)}</p>
        }
        .into_any(),
    }
}

fn prompt_settings(editor: Editor, id: BlockId, p: PromptConfig) -> impl IntoView {
    let base = p.clone();
    let update = move |f: Box<dyn FnOnce(&mut PromptConfig)>| {
        let id = id.clone();
        let mut next = base.clone();
        f(&mut next);
        set_config(editor, &id, BlockConfig::Prompt(next));
    };
    let u1 = update.clone();
    let u2 = update.clone();
    let u3 = update.clone();
    let u4 = update.clone();
    let u5 = update.clone();
    let u6 = update;
    let vars = p.variables();
    let provider = p.provider.clone();
    view! {
        <div class="field-row">
            <label class="field">
                <span class="field-label">"Provider"</span>
                <select on:change=move |ev| { let v = event_target_value(&ev); u1(Box::new(move |c| c.provider = v)); }>
                    {PROVIDERS.iter().map(|k| {
                        let sel = k.id() == provider;
                        view! { <option value=k.id() selected=sel>{k.label()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label class="field">
                <span class="field-label">"Model"</span>
                <input type="text" prop:value=p.model.clone() on:change=move |ev| {
                    let v = event_target_value(&ev);
                    u2(Box::new(move |c| c.model = v.trim().to_string()));
                } />
            </label>
        </div>
        <div class="field-row">
            <label class="field">
                <span class="field-label">"Temperature"</span>
                <input type="number" min="0" max="2" step="0.1" placeholder="default"
                    prop:value=p.temperature.map(|t| t.to_string()).unwrap_or_default()
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        u3(Box::new(move |c| c.temperature = v.trim().parse().ok()));
                    } />
            </label>
            <label class="field">
                <span class="field-label">"Max tokens"</span>
                <input type="number" min="1" step="1" placeholder="default"
                    prop:value=p.max_tokens.map(|t| t.to_string()).unwrap_or_default()
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        u4(Box::new(move |c| c.max_tokens = v.trim().parse().ok()));
                    } />
            </label>
        </div>
        <label class="field">
            <span class="field-label">"System"</span>
            <textarea class="template" rows="3" placeholder="How the model should behave (optional)"
                prop:value=p.system.clone()
                on:change=move |ev| { let v = event_target_value(&ev); u5(Box::new(move |c| c.system = v)); }></textarea>
        </label>
        <label class="field">
            <span class="field-label">"User message"</span>
            <textarea class="template" rows="6" prop:value=p.user.clone()
                on:change=move |ev| { let v = event_target_value(&ev); u6(Box::new(move |c| c.user = v)); }></textarea>
        </label>
        <div class="variables" aria-label="Variables">
            <span class="field-label">"Variables (input ports)"</span>
            {if vars.is_empty() {
                view! { <p class="field-help">"Write {{name}} in a template to add an input port."</p> }.into_any()
            } else {
                view! { <ul class="chips">{vars.into_iter().map(|v| view! { <li class="chip">{format!("{{{{{v}}}}}")}</li> }).collect_view()}</ul> }.into_any()
            }}
        </div>
    }
}

fn input_settings(editor: Editor, id: BlockId, c: InputConfig) -> impl IntoView {
    let rows = c.values.clone().into_iter().enumerate().map(|(i, v)| {
        let (id1, id2, id3) = (id.clone(), id.clone(), id.clone());
        let (c1, c2, c3) = (c.clone(), c.clone(), c.clone());
        view! {
            <div class="input-value">
                <input type="text" class="input-name" aria-label=format!("Name of value {}", i + 1) prop:value=v.name.clone()
                    on:change=move |ev| {
                        let mut next = c1.clone();
                        if let Some(val) = next.values.get_mut(i) { val.name = event_target_value(&ev).trim().to_string(); }
                        set_config(editor, &id1, BlockConfig::Input(next));
                    } />
                <button class="icon-button" aria-label=format!("Remove value {}", v.name) on:click=move |_| {
                    let mut next = c3.clone();
                    if i < next.values.len() { next.values.remove(i); }
                    set_config(editor, &id3, BlockConfig::Input(next));
                }>"\u{d7}"</button>
                <textarea rows="4" aria-label=format!("Value of {}", v.name) prop:value=v.value.clone()
                    on:change=move |ev| {
                        let mut next = c2.clone();
                        if let Some(val) = next.values.get_mut(i) { val.value = event_target_value(&ev); }
                        set_config(editor, &id2, BlockConfig::Input(next));
                    }></textarea>
            </div>
        }
    }).collect_view();
    let add = move |_| {
        let mut next = c.clone();
        let mut n = next.values.len() + 1;
        while next.values.iter().any(|v| v.name == format!("value_{n}")) {
            n += 1;
        }
        next.values.push(InputValue { name: format!("value_{n}"), value: String::new() });
        set_config(editor, &id, BlockConfig::Input(next));
    };
    view! {
        <div class="field">
            <span class="field-label">"Values (output ports)"</span>
            {rows}
            <button class="button button-quiet" on:click=add>"+ Add value"</button>
        </div>
    }
}
