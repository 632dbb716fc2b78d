//! The side panel with the selected block's settings. Fields are built once per block
//! and read the block reactively, so typing never loses focus. Typing in one field is
//! one undo step (edits merge until the field loses focus).

use super::result_panel::ResultPanel;
use crate::domain::blocks::tool::TOOLS_PORT;
use crate::domain::blocks::{BlockConfig, InputConfig, InputValue, NoteConfig, PromptConfig};
use crate::domain::change::FlowChange;
use crate::domain::flow::{Block, BlockId};
use crate::domain::json_schema::OutputFormat;
use crate::domain::pricing::{suggested_models, PriceTable};
use crate::domain::providers::{ProviderKind, ToolChoice};
use crate::ui::state::editor::Editor;
use crate::ui::state::settings::Settings;
use crate::ui::widgets::template_editor::TemplateEditor;
use leptos::prelude::*;

/// Variables shown as chips in a Prompt's settings; the rest are counted.
const MAX_CHIPS: usize = 100;

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

fn prompt_of(b: &Block) -> PromptConfig {
    match &b.config {
        BlockConfig::Prompt(p) => p.clone(),
        _ => PromptConfig::default(),
    }
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
        Some(crate::domain::blocks::BlockKind::Prompt) => view! { <PromptSettings cell /> }.into_any(),
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

#[component]
fn PromptSettings(cell: RwSignal<Block>) -> impl IntoView {
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
