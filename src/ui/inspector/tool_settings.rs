//! The Tool block's settings: name, description, arguments (a simple form that makes the
//! JSON Schema, or the schema by hand), and what happens when the model calls it.

use crate::domain::blocks::tool::{
    form_schema, HeaderRow, HttpAction, HttpMethod, MockAction, MockRow, ParamType, SubFlowAction, ToolAction,
    ToolParam,
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
struct ToolEdit {
    editor: Editor,
    cell: RwSignal<Block>,
}

impl ToolEdit {
    fn set(self, key: &str, f: impl FnOnce(&mut ToolConfig)) {
        let Some((id, mut config)) = self.cell.try_with_untracked(|b| (b.id.clone(), b.config.clone())) else {
            return;
        };
        if let BlockConfig::Tool(t) = &mut config {
            f(t);
        }
        let _ = self.editor.apply_merging(FlowChange::SetConfig { id: id.clone(), config }, &format!("{key}:{id}"));
    }

    fn commit(self) {
        self.editor.end_merge();
    }

    fn get<R>(self, f: impl FnOnce(&ToolConfig) -> R) -> R {
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

fn mock_of(c: &ToolConfig) -> MockAction {
    match &c.action {
        ToolAction::Mock(m) => m.clone(),
        _ => MockAction::default(),
    }
}

#[component]
fn MockForm(t: ToolEdit) -> impl IntoView {
    let rows = Memo::new(move |_| t.get(|c| mock_of(c).rows.len()));
    let edit = move |key: String, f: Box<dyn FnOnce(&mut MockAction)>| {
        t.set(&key, move |c| {
            if let ToolAction::Mock(m) = &mut c.action {
                f(m);
            }
        });
    };
    let row_get =
        move |i: usize, f: fn(&MockRow) -> String| t.get(|c| mock_of(c).rows.get(i).map(f).unwrap_or_default());
    view! {
        <label class="field">
            <span class="field-label">"Mock response"</span>
            <textarea class="template" rows="4" spellcheck="false"
                placeholder="{\"status\": \"shipped\", \"order\": \"{{order_id}}\"}"
                prop:value=move || t.get(|c| mock_of(c).response)
                on:input=move |ev| { let v = event_target_value(&ev); edit("mock-response".into(), Box::new(move |m| m.response = v)); }
                on:blur=move |_| t.commit()></textarea>
            <span class="field-help">"Use {{argument}} to fill in what the model sent. In JSON, text values are escaped for you."</span>
        </label>
        <div class="field">
            <span class="field-label">"Specific answers (first match wins)"</span>
            {move || (0..rows.get()).map(|i| {
                let n = i + 1;
                view! {
                    <div class="mock-row" role="group" aria-label=format!("Answer {n}")>
                        <span>"When"</span>
                        <input type="text" aria-label=format!("Argument of answer {n}") placeholder="argument"
                            prop:value=move || row_get(i, |r| r.argument.clone())
                            on:input=move |ev| { let v = event_target_value(&ev); edit(format!("row-arg-{i}"), Box::new(move |m| if let Some(r) = m.rows.get_mut(i) { r.argument = v })); }
                            on:blur=move |_| t.commit() />
                        <span>"is"</span>
                        <input type="text" aria-label=format!("Value of answer {n}") placeholder="value"
                            prop:value=move || row_get(i, |r| r.equals.clone())
                            on:input=move |ev| { let v = event_target_value(&ev); edit(format!("row-eq-{i}"), Box::new(move |m| if let Some(r) = m.rows.get_mut(i) { r.equals = v })); }
                            on:blur=move |_| t.commit() />
                        <button class="icon-button" aria-label=format!("Remove answer {n}") on:click=move |_| {
                            edit("row-remove".into(), Box::new(move |m| if i < m.rows.len() { m.rows.remove(i); }));
                            t.commit();
                        }>"\u{d7}"</button>
                        <textarea class="template" rows="2" aria-label=format!("Response of answer {n}")
                            prop:value=move || row_get(i, |r| r.response.clone())
                            on:input=move |ev| { let v = event_target_value(&ev); edit(format!("row-resp-{i}"), Box::new(move |m| if let Some(r) = m.rows.get_mut(i) { r.response = v })); }
                            on:blur=move |_| t.commit()></textarea>
                    </div>
                }
            }).collect_view()}
            <button class="button button-quiet" on:click=move |_| {
                edit("row-add".into(), Box::new(|m| {
                    m.rows.push(MockRow::default());
                }));
                t.commit();
            }>"+ Add a specific answer"</button>
        </div>
    }
}

fn http_of(c: &ToolConfig) -> HttpAction {
    match &c.action {
        ToolAction::Http(h) => h.clone(),
        _ => HttpAction::default(),
    }
}

fn flow_of(c: &ToolConfig) -> String {
    match &c.action {
        ToolAction::SubFlow(s) => s.flow_id.clone(),
        _ => String::new(),
    }
}

/// Picks the workspace flow the tool runs; its Input values named like the arguments get the
/// arguments, and its Output blocks are the result.
#[component]
fn SubFlowForm(t: ToolEdit) -> impl IntoView {
    let session = expect_context::<crate::ui::state::persist::Session>();
    let current = move || session.current.get();
    let flows = move || session.workspace.with(|w| w.flows.clone());
    let use_inputs = move |_| {
        let id = t.get(flow_of);
        let Some(flow) = session.saved_flow(&id) else { return };
        let names: Vec<String> = flow
            .blocks
            .iter()
            .filter_map(|b| match &b.config {
                BlockConfig::Input(i) => Some(i.values.iter().map(|v| v.name.clone()).collect::<Vec<_>>()),
                _ => None,
            })
            .flatten()
            .collect();
        t.set("flow-params", move |c| {
            c.schema_json = None;
            c.params = names
                .into_iter()
                .map(|name| ToolParam { name, ty: ParamType::String, required: true, ..ToolParam::default() })
                .collect();
        });
        t.commit();
    };
    view! {
        <label class="field">
            <span class="field-label">"Flow to run"</span>
            <select on:change=move |ev| {
                let v = event_target_value(&ev);
                t.set("flow-id", |c| if let ToolAction::SubFlow(s) = &mut c.action { s.flow_id = v });
                t.commit();
            }>
                <option value="" selected=move || t.get(flow_of).is_empty()>"Choose a flow\u{2026}"</option>
                {move || flows().into_iter().filter(|f| f.id != current()).map(|f| {
                    let id = f.id.clone();
                    let id2 = f.id.clone();
                    view! { <option value=id selected=move || t.get(flow_of) == id2>{f.title.clone()}</option> }
                }).collect_view()}
            </select>
        </label>
        <p class="field-help">"The arguments fill the flow's Input values with the same names; its Output blocks are the result."</p>
        <button class="button button-quiet" disabled=move || t.get(flow_of).is_empty() on:click=use_inputs>
            "Use the flow's inputs as arguments"
        </button>
    }
}

#[component]
fn HttpForm(t: ToolEdit) -> impl IntoView {
    let edit = move |key: String, f: Box<dyn FnOnce(&mut HttpAction)>| {
        t.set(&key, move |c| {
            if let ToolAction::Http(h) = &mut c.action {
                f(h);
            }
        });
    };
    let headers = Memo::new(move |_| t.get(|c| http_of(c).headers.len()));
    let has_body = move || t.get(|c| http_of(c).method.has_body());
    let header_get =
        move |i: usize, f: fn(&HeaderRow) -> String| t.get(|c| http_of(c).headers.get(i).map(f).unwrap_or_default());
    view! {
        <div class="field-row">
            <label class="field field-narrow">
                <span class="field-label">"Method"</span>
                <select on:change=move |ev| {
                    let v = event_target_value(&ev);
                    edit("http-method".into(), Box::new(move |h| h.method = HttpMethod::from_id(&v).unwrap_or_default()));
                    t.commit();
                }>
                    {HttpMethod::ALL.into_iter().map(|m| view! {
                        <option value=m.id() selected=move || t.get(|c| http_of(c).method) == m>{m.id()}</option>
                    }).collect_view()}
                </select>
            </label>
            <label class="field">
                <span class="field-label">"URL"</span>
                <input type="text" spellcheck="false" placeholder="https://api.example.com/orders/{{order_id}}"
                    prop:value=move || t.get(|c| http_of(c).url)
                    on:input=move |ev| { let v = event_target_value(&ev); edit("http-url".into(), Box::new(move |h| h.url = v)); }
                    on:blur=move |_| t.commit() />
            </label>
        </div>
        <p class="field-help">"Arguments in the URL are encoded. Chainboard asks before the first call to a new host."</p>
        <div class="field">
            <span class="field-label">"Headers"</span>
            {move || (0..headers.get()).map(|i| {
                let n = i + 1;
                view! {
                    <div class="header-row">
                        <input type="text" aria-label=format!("Header {n} name") placeholder="Name"
                            prop:value=move || header_get(i, |h| h.name.clone())
                            on:input=move |ev| { let v = event_target_value(&ev); edit(format!("hdr-name-{i}"), Box::new(move |h| if let Some(r) = h.headers.get_mut(i) { r.name = v.trim().to_string() })); }
                            on:blur=move |_| t.commit() />
                        <input type="text" aria-label=format!("Header {n} value") placeholder="Value"
                            prop:value=move || header_get(i, |h| h.value.clone())
                            on:input=move |ev| { let v = event_target_value(&ev); edit(format!("hdr-value-{i}"), Box::new(move |h| if let Some(r) = h.headers.get_mut(i) { r.value = v })); }
                            on:blur=move |_| t.commit() />
                        <button class="icon-button" aria-label=format!("Remove header {n}") on:click=move |_| {
                            edit("hdr-remove".into(), Box::new(move |h| if i < h.headers.len() { h.headers.remove(i); }));
                            t.commit();
                        }>"\u{d7}"</button>
                    </div>
                }
            }).collect_view()}
            <button class="button button-quiet" on:click=move |_| {
                edit("hdr-add".into(), Box::new(|h| h.headers.push(HeaderRow::default())));
                t.commit();
            }>"+ Add header"</button>
            <span class="field-help">"Headers are saved with the flow and go into share links: do not put secrets here."</span>
        </div>
        <Show when=has_body>
            <label class="field">
                <span class="field-label">"Body"</span>
                <textarea class="template" rows="4" spellcheck="false" placeholder="{\"query\": \"{{q}}\"}"
                    prop:value=move || t.get(|c| http_of(c).body)
                    on:input=move |ev| { let v = event_target_value(&ev); edit("http-body".into(), Box::new(move |h| h.body = v)); }
                    on:blur=move |_| t.commit()></textarea>
            </label>
        </Show>
        <label class="field">
            <span class="field-label">"Part of the response to return (optional)"</span>
            <input type="text" spellcheck="false" placeholder="data.items.0.status"
                prop:value=move || t.get(|c| http_of(c).json_path)
                on:input=move |ev| { let v = event_target_value(&ev); edit("http-path".into(), Box::new(move |h| h.json_path = v)); }
                on:blur=move |_| t.commit() />
        </label>
    }
}
