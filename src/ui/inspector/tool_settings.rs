//! The Tool block's settings: name, description, arguments (a simple form that makes the
//! JSON Schema, or the schema by hand), and which action runs when the model calls it (its
//! forms are tool_actions.rs).

use super::tool_actions::{HttpForm, MockForm, SubFlowForm};
use crate::domain::blocks::tool::{
    form_schema, HttpAction, MockAction, ParamType, SubFlowAction, ToolAction, ToolParam,
};
use crate::domain::blocks::{BlockConfig, ToolConfig};
use crate::domain::change::FlowChange;
use crate::domain::flow::Block;
use crate::domain::json_view::pretty;
use crate::ui::state::editor::Editor;
use leptos::prelude::*;

fn tool_of(b: &Block) -> ToolConfig {
    match &b.config {
        BlockConfig::Tool(t) => t.clone(),
        _ => ToolConfig::default(),
    }
}

/// Applies `f` to the tool's config as one undo step per field (typing merges under `key`).
#[derive(Clone, Copy)]
pub(super) struct ToolEdit {
    editor: Editor,
    cell: RwSignal<Block>,
}

impl ToolEdit {
    pub(super) fn set(self, key: &str, f: impl FnOnce(&mut ToolConfig)) {
        let Some((id, mut config)) = self.cell.try_with_untracked(|b| (b.id.clone(), b.config.clone())) else {
            return;
        };
        if let BlockConfig::Tool(t) = &mut config {
            f(t);
        }
        let _ = self.editor.apply_merging(FlowChange::SetConfig { id: id.clone(), config }, &format!("{key}:{id}"));
    }

    pub(super) fn commit(self) {
        self.editor.end_merge();
    }

    pub(super) fn get<R>(self, f: impl FnOnce(&ToolConfig) -> R) -> R {
        f(&self.cell.with(tool_of))
    }
}

#[component]
pub fn ToolSettings(cell: RwSignal<Block>) -> impl IntoView {
    let editor = expect_context::<Editor>();
    let t = ToolEdit { editor, cell };
    let hand_schema = Memo::new(move |_| cell.with(|b| tool_of(b).schema_json.is_some()));
    let action_kind = Memo::new(move |_| {
        cell.with(|b| match tool_of(b).action {
            ToolAction::Mock(_) => "mock",
            ToolAction::Http(_) => "http",
            ToolAction::SubFlow(_) => "flow",
        })
    });
    let schema_preview = move || t.get(|c| c.parameters_schema().map(|s| pretty(&s)).unwrap_or_else(|e| e));
    view! {
        <label class="field">
            <span class="field-label">"Tool name"</span>
            <input type="text" spellcheck="false" prop:value=move || t.get(|c| c.name.clone())
                on:input=move |ev| { let v = event_target_value(&ev); t.set("tool-name", |c| c.name = v.trim().to_string()); }
                on:blur=move |_| t.commit() />
            <span class="field-help">"Letters, digits, _ and -. The model calls the tool by this name."</span>
        </label>
        <label class="field">
            <span class="field-label">"Description (the model reads this)"</span>
            <textarea rows="3" placeholder="What the tool does and when to use it"
                prop:value=move || t.get(|c| c.description.clone())
                on:input=move |ev| { let v = event_target_value(&ev); t.set("tool-desc", |c| c.description = v); }
                on:blur=move |_| t.commit()></textarea>
        </label>
        <div class="field">
            <div class="field-head">
                <span class="field-label">"Arguments"</span>
                <label class="check">
                    <input type="checkbox" prop:checked=move || hand_schema.get()
                        on:change=move |ev| {
                            let on = event_target_checked(&ev);
                            t.set("tool-schema-mode", |c| {
                                c.schema_json = on.then(|| pretty(&form_schema(&c.params)));
                            });
                            t.commit();
                        } />
                    "Edit as JSON Schema"
                </label>
            </div>
            <Show when=move || !hand_schema.get() fallback=move || view! { <SchemaText t /> }>
                <ParamsForm t />
            </Show>
            <Show when=move || !hand_schema.get()>
                <details class="schema-preview">
                    <summary>"JSON Schema the model sees"</summary>
                    <pre class="trace-pre">{schema_preview}</pre>
                </details>
            </Show>
        </div>
        <label class="field">
            <span class="field-label">"When the model calls it"</span>
            <select on:change=move |ev| {
                let v = event_target_value(&ev);
                t.set("tool-action", |c| {
                    c.action = match v.as_str() {
                        "http" => ToolAction::Http(HttpAction { url: "https://".into(), ..HttpAction::default() }),
                        "flow" => ToolAction::SubFlow(SubFlowAction::default()),
                        _ => ToolAction::Mock(MockAction::default()),
                    }
                });
                t.commit();
            }>
                <option value="mock" selected=move || action_kind.get() == "mock">"Answer with a mock response"</option>
                <option value="http" selected=move || action_kind.get() == "http">"Send an HTTP request"</option>
                <option value="flow" selected=move || action_kind.get() == "flow">"Run another flow"</option>
            </select>
        </label>
        {move || match action_kind.get() {
            "mock" => view! { <MockForm t /> }.into_any(),
            "http" => view! { <HttpForm t /> }.into_any(),
            _ => view! { <SubFlowForm t /> }.into_any(),
        }}
    }
}

#[component]
fn SchemaText(t: ToolEdit) -> impl IntoView {
    view! {
        <textarea class="template" rows="10" spellcheck="false" aria-label="JSON Schema of the arguments"
            prop:value=move || t.get(|c| c.schema_json.clone().unwrap_or_default())
            on:input=move |ev| { let v = event_target_value(&ev); t.set("tool-schema", |c| c.schema_json = Some(v)); }
            on:blur=move |_| t.commit()></textarea>
        <span class="field-help">"Turning this off goes back to the form (hand edits here are dropped)."</span>
    }
}

fn param_get(t: ToolEdit, i: usize, f: fn(&ToolParam) -> String) -> String {
    t.get(|c| c.params.get(i).map(f).unwrap_or_default())
}

#[component]
fn ParamsForm(t: ToolEdit) -> impl IntoView {
    let count = Memo::new(move |_| t.get(|c| c.params.len()));
    let edit = move |i: usize, key: &'static str, f: Box<dyn FnOnce(&mut ToolParam)>| {
        t.set(&format!("{key}-{i}"), move |c| {
            if let Some(p) = c.params.get_mut(i) {
                f(p);
            }
        });
    };
    view! {
        <Show when=move || count.get() == 0>
            <p class="field-help">"No arguments: the model calls it without any."</p>
        </Show>
        {move || (0..count.get()).map(|i| {
            let n = i + 1;
            view! {
                <div class="param-row" role="group" aria-label=format!("Argument {n}")>
                    <input type="text" class="param-name" spellcheck="false" aria-label=format!("Name of argument {n}")
                        prop:value=move || param_get(t, i, |p| p.name.clone())
                        on:input=move |ev| { let v = event_target_value(&ev); edit(i, "param-name", Box::new(move |p| p.name = v.trim().to_string())); }
                        on:blur=move |_| t.commit() />
                    <select aria-label=format!("Type of argument {n}") on:change=move |ev| {
                        let v = event_target_value(&ev);
                        edit(i, "param-type", Box::new(move |p| p.ty = ParamType::from_id(&v).unwrap_or_default()));
                        t.commit();
                    }>
                        {ParamType::ALL.into_iter().map(|ty| view! {
                            <option value=ty.id() selected=move || param_get(t, i, |p| p.ty.id().to_string()) == ty.id()>{ty.id()}</option>
                        }).collect_view()}
                    </select>
                    <button class="icon-button" aria-label=format!("Remove argument {n}") on:click=move |_| {
                        t.set("param-remove", |c| if i < c.params.len() { c.params.remove(i); });
                        t.commit();
                    }>"\u{d7}"</button>
                    <input type="text" class="param-desc" placeholder="What it is (optional)" aria-label=format!("Description of argument {n}")
                        prop:value=move || param_get(t, i, |p| p.description.clone())
                        on:input=move |ev| { let v = event_target_value(&ev); edit(i, "param-desc", Box::new(move |p| p.description = v)); }
                        on:blur=move |_| t.commit() />
                    <input type="text" class="param-enum" placeholder="Allowed values: a, b, c (optional)" aria-label=format!("Allowed values of argument {n}")
                        prop:value=move || param_get(t, i, |p| p.enum_values.join(", "))
                        on:change=move |ev| {
                            let v = event_target_value(&ev);
                            let values: Vec<String> = v.split(',').map(|s| s.trim().to_string()).filter(|s| !s.is_empty()).collect();
                            edit(i, "param-enum", Box::new(move |p| p.enum_values = values));
                            t.commit();
                        } />
                    <label class="check">
                        <input type="checkbox" prop:checked=move || t.get(|c| c.params.get(i).is_some_and(|p| p.required))
                            on:change=move |ev| { let on = event_target_checked(&ev); edit(i, "param-req", Box::new(move |p| p.required = on)); t.commit(); } />
                        "required"
                    </label>
                </div>
            }
        }).collect_view()}
        <button class="button button-quiet" on:click=move |_| {
            t.set("param-add", |c| {
                let mut n = c.params.len() + 1;
                while c.params.iter().any(|p| p.name == format!("arg_{n}")) { n += 1; }
                c.params.push(ToolParam { name: format!("arg_{n}"), ..ToolParam::default() });
            });
            t.commit();
        }>"+ Add argument"</button>
    }
}
