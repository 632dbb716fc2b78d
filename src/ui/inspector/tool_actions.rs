//! What happens when the model calls a Tool block, in its settings: a mock response (with
//! specific answers by argument), an HTTP request (method, URL, headers, body, the part of
//! the response to return), or another flow of the workspace.

use super::tool_settings::ToolEdit;
use crate::domain::blocks::tool::{
    HeaderRow, HttpAction, HttpMethod, MockAction, MockRow, ParamType, ToolAction, ToolParam,
};
use crate::domain::blocks::{BlockConfig, ToolConfig};
use leptos::prelude::*;

fn mock_of(c: &ToolConfig) -> MockAction {
    match &c.action {
        ToolAction::Mock(m) => m.clone(),
        _ => MockAction::default(),
    }
}

#[component]
pub(super) fn MockForm(t: ToolEdit) -> impl IntoView {
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
pub(super) fn SubFlowForm(t: ToolEdit) -> impl IntoView {
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
pub(super) fn HttpForm(t: ToolEdit) -> impl IntoView {
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
