//! A Prompt block's settings: provider and model, messages, variables, tools, answer format.

use super::inspector::edit_config;
use crate::domain::blocks::tool::TOOLS_PORT;
use crate::domain::blocks::{BlockConfig, PromptConfig};
use crate::domain::flow::Block;
use crate::domain::json_schema::OutputFormat;
use crate::domain::pricing::{suggested_models, PriceTable};
use crate::domain::providers::{ProviderKind, ToolChoice};
use crate::ui::state::editor::Editor;
use crate::ui::state::settings::Settings;
use crate::ui::widgets::template_editor::TemplateEditor;
use leptos::prelude::*;

/// Variables shown as chips in a Prompt's settings; the rest are counted.
const MAX_CHIPS: usize = 100;

fn prompt_of(b: &Block) -> PromptConfig {
    match &b.config {
        BlockConfig::Prompt(p) => p.clone(),
        _ => PromptConfig::default(),
    }
}

#[component]
pub(super) fn PromptSettings(cell: RwSignal<Block>) -> impl IntoView {
    let editor = expect_context::<Editor>();
    let p = move || cell.with(prompt_of);
    let set = move |key: &'static str, f: Box<dyn FnOnce(&mut PromptConfig)>| {
        edit_config(editor, cell, key, move |c| {
            if let BlockConfig::Prompt(p) = c {
                f(p);
            }
        });
    };
    let end = move |_: ()| editor.end_merge();
    let vars = Memo::new(move |_| cell.with(|b| prompt_of(b).variables()));
    let settings = expect_context::<Settings>();
    // Fetched models first (Settings → Test connection), then priced ones of the family.
    let models = move || {
        let Some(kind) = ProviderKind::from_id(&p().provider) else { return Vec::new() };
        let mut list = settings.prefs.with(|m| m.get(kind.id()).map(|p| p.models.clone()).unwrap_or_default());
        for m in suggested_models(&PriceTable::builtin(), kind) {
            if !list.contains(&m) {
                list.push(m);
            }
        }
        list
    };
    let format_id = move || match p().output_format {
        OutputFormat::Text => "text",
        OutputFormat::Json => "json",
        OutputFormat::JsonSchema { .. } => "json_schema",
    };
    let schema_text = move || match p().output_format {
        OutputFormat::JsonSchema { schema } => crate::domain::json_view::pretty(&schema),
        _ => String::new(),
    };
    let schema_error = RwSignal::new(None::<String>);
    let block_id = cell.with_untracked(|b| b.id.clone());
    let tool_names = Memo::new(move |_| {
        editor.edges.track();
        editor.any_rev.track();
        editor.with_flow(|f| {
            f.edges
                .iter()
                .filter(|e| e.to.block == block_id && e.to.port == TOOLS_PORT)
                .filter_map(|e| match f.block(&e.from.block).map(|b| &b.config) {
                    Some(BlockConfig::Tool(t)) => Some(t.name.clone()),
                    _ => None,
                })
                .collect::<Vec<_>>()
        })
    });
    let choice_id = move || match p().tool_choice {
        ToolChoice::Auto => "auto".to_string(),
        ToolChoice::Required => "required".to_string(),
        ToolChoice::None => "none".to_string(),
        ToolChoice::Tool(name) => format!("tool:{name}"),
    };
    let agent_fields = move || {
        let names = tool_names.get();
        (!names.is_empty()).then(|| {
            let count = names.len();
            view! {
                <div class="agent-settings" role="group" aria-label="Agent">
                    <p class="field-label">{format!("Agent: {count} tool{} connected", if count == 1 { "" } else { "s" })}</p>
                    <div class="field-row">
                        <label class="field">
                            <span class="field-label">"Tool choice"</span>
                            <select on:change=move |ev| {
                                let v = event_target_value(&ev);
                                let choice = match v.as_str() {
                                    "required" => ToolChoice::Required,
                                    "none" => ToolChoice::None,
                                    other => other.strip_prefix("tool:").map_or(ToolChoice::Auto, |n| ToolChoice::Tool(n.to_string())),
                                };
                                set("tool-choice", Box::new(move |c| c.tool_choice = choice));
                                end(());
                            }>
                                <option value="auto" selected=move || choice_id() == "auto">"The model decides"</option>
                                <option value="required" selected=move || choice_id() == "required">"Must call a tool"</option>
                                <option value="none" selected=move || choice_id() == "none">"No tool calls"</option>
                                {names.into_iter().map(|n| {
                                    let value = format!("tool:{n}");
                                    let v2 = value.clone();
                                    view! { <option value=value selected=move || choice_id() == v2>{format!("Must call {n}")}</option> }
                                }).collect_view()}
                            </select>
                        </label>
                        <label class="field field-narrow">
                            <span class="field-label">"Step limit"</span>
                            <input type="number" min="1" max="50" step="1"
                                prop:value=move || p().max_steps.to_string()
                                on:change=move |ev| {
                                    let v = event_target_value(&ev);
                                    if let Ok(n) = v.trim().parse::<u32>() {
                                        set("max-steps", Box::new(move |c| c.max_steps = n));
                                        end(());
                                    }
                                } />
                        </label>
                    </div>
                    <p class="field-help">"The model may call tools and read their results, up to the step limit; then it is stopped."</p>
                </div>
            }
        })
    };
    view! {
        <div class="field-row">
            <label class="field">
                <span class="field-label">"Provider"</span>
                <select on:change=move |ev| { let v = event_target_value(&ev); set("provider", Box::new(move |c| {
                    // A hosted model's name means nothing in the browser: start from the smallest listed model.
                    if v == "browser" && !(c.model.starts_with("http") || c.model.starts_with("file:")) {
                        c.model = crate::domain::providers::local_models::LOCAL_MODELS[0].url.to_string();
                    }
                    c.provider = v;
                })); end(()); }>
                    {ProviderKind::ALL.iter().map(|k| {
                        let id = k.id();
                        view! { <option value=id selected=move || p().provider == id>{k.label()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <Show when=move || p().provider != "browser">
                <label class="field">
                    <span class="field-label">"Model"</span>
                    <input type="text" list="model-suggestions" prop:value=move || p().model
                        on:input=move |ev| { let v = event_target_value(&ev); set("model", Box::new(move |c| c.model = v.trim().to_string())); }
                        on:blur=move |_| end(()) />
                    <datalist id="model-suggestions">
                        {move || models().into_iter().map(|m| view! { <option value=m></option> }).collect_view()}
                    </datalist>
                </label>
            </Show>
        </div>
        <Show when=move || p().provider == "browser">
            <crate::ui::settings::local_model_ui::LocalModelField cell />
        </Show>
        <div class="field-row">
            <label class="field">
                <span class="field-label">"Temperature"</span>
                <input type="number" min="0" max="2" step="0.1" placeholder="default"
                    prop:value=move || p().temperature.map(|t| t.to_string()).unwrap_or_default()
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        set("temperature", Box::new(move |c| c.temperature = v.trim().parse().ok()));
                        end(());
                    } />
            </label>
            <label class="field">
                <span class="field-label">"Max tokens"</span>
                <input type="number" min="1" step="1" placeholder="default"
                    prop:value=move || p().max_tokens.map(|t| t.to_string()).unwrap_or_default()
                    on:change=move |ev| {
                        let v = event_target_value(&ev);
                        set("max_tokens", Box::new(move |c| c.max_tokens = v.trim().parse().ok()));
                        end(());
                    } />
            </label>
        </div>
        <TemplateEditor label="System" rows=3 placeholder="How the model should behave (optional)"
            value=Signal::derive(move || p().system)
            on_input=move |v: String| set("system", Box::new(move |c| c.system = v))
            on_commit=end />
        <super::prompt_messages::ExampleTurnsField cell />
        <TemplateEditor label="User message" rows=6 placeholder="What to ask. Use {{name}} for inputs."
            value=Signal::derive(move || p().user)
            on_input=move |v: String| set("user", Box::new(move |c| c.user = v))
            on_commit=end />
        <super::prompt_messages::ConversationField cell />
        <label class="field">
            <span class="field-label">"Answer format"</span>
            <select on:change=move |ev| {
                let v = event_target_value(&ev);
                schema_error.set(None);
                set("format", Box::new(move |c| c.output_format = match v.as_str() {
                    "json" => OutputFormat::Json,
                    "json_schema" => OutputFormat::JsonSchema { schema: serde_json::json!({"type": "object", "properties": {}, "required": []}) },
                    _ => OutputFormat::Text,
                }));
                end(());
            }>
                <option value="text" selected=move || format_id() == "text">"Text"</option>
                <option value="json" selected=move || format_id() == "json">"JSON object"</option>
                <option value="json_schema" selected=move || format_id() == "json_schema">"JSON matching a schema"</option>
            </select>
        </label>
        <Show when=move || format_id() == "json_schema">
            <label class="field">
                <span class="field-label">"JSON Schema"</span>
                <textarea class="template" rows="6" spellcheck="false" prop:value=schema_text
                    on:change=move |ev| {
                        let text = event_target_value(&ev);
                        match serde_json::from_str::<serde_json::Value>(&text) {
                            Ok(schema) if schema.is_object() => {
                                schema_error.set(None);
                                set("schema", Box::new(move |c| c.output_format = OutputFormat::JsonSchema { schema }));
                                end(());
                            }
                            Ok(_) => schema_error.set(Some("A schema must be a JSON object, like {\"type\": \"object\"}.".into())),
                            Err(e) => schema_error.set(Some(format!("Not valid JSON: {e}. The previous schema is kept."))),
                        }
                    }></textarea>
                {move || schema_error.get().map(|e| view! { <p class="result-error" role="alert">{e}</p> })}
            </label>
            <label class="check">
                <input type="checkbox" prop:checked=move || p().repair_json
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        set("repair", Box::new(move |c| c.repair_json = on));
                        end(());
                    } />
                "If the answer does not match, ask the model once to fix it"
            </label>
            {move || {
                let ignored = match p().output_format {
                    OutputFormat::JsonSchema { schema } => crate::domain::json_schema::unsupported_keywords(&schema),
                    _ => Vec::new(),
                };
                (!ignored.is_empty()).then(|| view! {
                    <p class="field-help">{format!("Answers are checked against this schema; {} {} not checked.", ignored.join(", "), if ignored.len() == 1 { "is" } else { "are" })}</p>
                })
            }}
        </Show>
        {agent_fields}
        <super::prompt_messages::AdvancedParams cell />
        <super::sample_answers::SampleAnswersField cell />
        <div class="variables">
            <span class="field-label">"Variables it takes in"</span>
            <Show when=move || !vars.with(Vec::is_empty)
                fallback=|| view! { <p class="field-help">"Write {{name}} in a template to take a value in from another block."</p> }>
                <ul class="chips" aria-label="Variables">
                    // A template pasted with thousands of placeholders lists the first ones and a count.
                    {move || vars.with(|vs| vs.iter().take(MAX_CHIPS).map(|v| view! { <li class="chip">{format!("{{{{{v}}}}}")}</li> }).collect_view())}
                    {move || vars.with(|vs| (vs.len() > MAX_CHIPS).then(|| view! { <li class="chip chip-more">{format!("and {} more", vs.len() - MAX_CHIPS)}</li> }))}
                </ul>
            </Show>
        </div>
        <super::get_code::GetCode cell />
    }
}
