//! The Prompt inspector's message list (few-shot example turns between the system and the
//! user message), its conversation memory, and the advanced model parameters.

use super::inspector::edit_config;
use crate::domain::blocks::prompt::{DEFAULT_MEMORY_TURNS, REASONING_EFFORTS};
use crate::domain::blocks::{BlockConfig, ExampleTurn, Memory, PromptConfig};
use crate::domain::flow::Block;
use crate::domain::providers::Role;
use crate::ui::state::editor::Editor;
use leptos::prelude::*;

fn prompt_of(b: &Block) -> PromptConfig {
    match &b.config {
        BlockConfig::Prompt(p) => p.clone(),
        _ => PromptConfig::default(),
    }
}

/// One change to a Prompt's settings.
type Edit = Box<dyn FnOnce(&mut PromptConfig)>;

/// Edits the Prompt config of `cell` (keystrokes merge under `key`).
fn setter(editor: Editor, cell: RwSignal<Block>) -> impl Fn(String, Edit) + Copy {
    move |key: String, f: Edit| {
        edit_config(editor, cell, &key, move |c| {
            if let BlockConfig::Prompt(p) = c {
                f(p);
            }
        });
    }
}

fn role_label(role: Role) -> &'static str {
    match role {
        Role::User => "User",
        Role::Assistant => "Assistant",
    }
}

/// Example turns: what a user might say and how the assistant should answer, in order.
#[component]
pub fn ExampleTurnsField(cell: RwSignal<Block>) -> impl IntoView {
    let editor = expect_context::<Editor>();
    let set = setter(editor, cell);
    let end = move || editor.end_merge();
    let count = Memo::new(move |_| cell.with(|b| prompt_of(b).examples.len()));
    let add = move |_| {
        set(
            "add-example".into(),
            Box::new(|c| {
                // Alternate: a user example, then the answer to it.
                let role = match c.examples.last().map(|e| e.role) {
                    Some(Role::User) => Role::Assistant,
                    _ => Role::User,
                };
                c.examples.push(ExampleTurn { role, text: String::new() });
            }),
        );
        end();
    };
    view! {
        <div class="field example-turns" role="group" aria-label="Example turns">
            <span class="field-label">"Example turns (few-shot)"</span>
            <Show when=move || count.get() == 0>
                <p class="field-help">"Show the model how to answer: add a user message and the assistant\u{2019}s answer to it. They are sent between the system message and the user message."</p>
            </Show>
            {move || (0..count.get()).map(|i| {
                let n = i + 1;
                let turn = move || cell.with(|b| prompt_of(b).examples.get(i).cloned());
                let role = move || turn().map_or(Role::User, |t| t.role);
                view! {
                    <div class="example-turn" data-role=move || role_label(role()).to_lowercase()>
                        <div class="example-turn-head">
                            <select aria-label=format!("Role of example {n}") on:change=move |ev| {
                                let role = if event_target_value(&ev) == "assistant" { Role::Assistant } else { Role::User };
                                set(format!("example-role-{i}"), Box::new(move |c| if let Some(t) = c.examples.get_mut(i) { t.role = role }));
                                end();
                            }>
                                <option value="user" selected=move || role() == Role::User>"User"</option>
                                <option value="assistant" selected=move || role() == Role::Assistant>"Assistant"</option>
                            </select>
                            <button class="icon-button" aria-label=format!("Move example {n} up") disabled=move || i == 0
                                on:click=move |_| { set("example-move".into(), Box::new(move |c| if i > 0 && i < c.examples.len() { c.examples.swap(i - 1, i) })); end(); }>"\u{2191}"</button>
                            <button class="icon-button" aria-label=format!("Move example {n} down") disabled=move || { i + 1 >= count.get() }
                                on:click=move |_| { set("example-move".into(), Box::new(move |c| if i + 1 < c.examples.len() { c.examples.swap(i, i + 1) })); end(); }>"\u{2193}"</button>
                            <button class="icon-button" aria-label=format!("Remove example {n}")
                                on:click=move |_| { set("example-remove".into(), Box::new(move |c| if i < c.examples.len() { c.examples.remove(i); })); end(); }>"\u{d7}"</button>
                        </div>
                        <textarea class="template" rows="2" aria-label=move || format!("Example {n} ({})", role_label(role()).to_lowercase())
                            placeholder=move || if role() == Role::User { "What a user might say" } else { "How the assistant should answer" }
                            prop:value=move || turn().map(|t| t.text).unwrap_or_default()
                            on:input=move |ev| {
                                let text = event_target_value(&ev);
                                set(format!("example-text-{i}"), Box::new(move |c| if let Some(t) = c.examples.get_mut(i) { t.text = text }));
                            }
                            on:blur=move |_| end()></textarea>
                    </div>
                }
            }).collect_view()}
            <button class="button button-quiet" on:click=add>"+ Add example turn"</button>
        </div>
    }
}

/// "Remembers the conversation" and how many turns.
#[component]
pub fn ConversationField(cell: RwSignal<Block>) -> impl IntoView {
    let editor = expect_context::<Editor>();
    let set = setter(editor, cell);
    let memory = move || cell.with(|b| prompt_of(b).conversation);
    view! {
        <div class="conversation-field" role="group" aria-label="Conversation">
            <label class="check">
                <input type="checkbox" prop:checked=move || memory().is_some()
                    on:change=move |ev| {
                        let on = event_target_checked(&ev);
                        set("conversational".into(), Box::new(move |c| c.conversation = on.then(Memory::default)));
                        editor.end_merge();
                    } />
                "Remembers the conversation (Chat panel)"
            </label>
            <Show when=move || memory().is_some()>
                <label class="field field-narrow">
                    <span class="field-label">"Turns remembered"</span>
                    <input type="number" min="1" max="1000" step="1"
                        prop:value=move || memory().map_or(DEFAULT_MEMORY_TURNS, |m| m.turns).to_string()
                        on:change=move |ev| {
                            if let Ok(turns) = event_target_value(&ev).trim().parse::<u32>() {
                                set("memory-turns".into(), Box::new(move |c| c.conversation = Some(Memory { turns })));
                                editor.end_merge();
                            }
                        } />
                </label>
                <p class="field-help">"In the Chat panel, the last turns (your messages and this block\u{2019}s answers) are sent before the user message. Older ones are left out so requests stay small."</p>
            </Show>
        </div>
    }
}

/// Top P, stop sequences, seed, reasoning effort and thinking budget, folded away.
#[component]
pub fn AdvancedParams(cell: RwSignal<Block>) -> impl IntoView {
    let editor = expect_context::<Editor>();
    let set = setter(editor, cell);
    let p = move || cell.with(prompt_of);
    let warnings = Memo::new(move |_| cell.with(|b| prompt_of(b).parameter_warnings()));
    let any_set = cell.with_untracked(|b| !prompt_of(b).params.is_empty());
    let number = move |key: &'static str, f: fn(&mut PromptConfig, Option<String>)| {
        move |ev: leptos::ev::Event| {
            let v = event_target_value(&ev);
            let v = Some(v.trim().to_string()).filter(|s| !s.is_empty());
            set(key.into(), Box::new(move |c| f(c, v)));
            editor.end_merge();
        }
    };
    view! {
        <details class="advanced-params" open=any_set>
            <summary>"Advanced model settings"</summary>
            <div class="field-row">
                <label class="field">
                    <span class="field-label">"Top P"</span>
                    <input type="number" min="0" max="1" step="0.05" placeholder="default"
                        prop:value=move || p().params.top_p.map(|t| t.to_string()).unwrap_or_default()
                        on:change=number("top-p", |c, v| c.params.top_p = v.and_then(|v| v.parse().ok())) />
                </label>
                <label class="field">
                    <span class="field-label">"Seed"</span>
                    <input type="number" min="0" step="1" placeholder="none"
                        prop:value=move || p().params.seed.map(|t| t.to_string()).unwrap_or_default()
                        on:change=number("seed", |c, v| c.params.seed = v.and_then(|v| v.parse().ok())) />
                </label>
            </div>
            <label class="field">
                <span class="field-label">"Stop sequences (one per line)"</span>
                <textarea rows="2" spellcheck="false"
                    prop:value=move || p().params.stop.join("\n")
                    on:change=move |ev| {
                        let stop: Vec<String> = event_target_value(&ev).lines().filter(|l| !l.is_empty()).map(str::to_string).collect();
                        set("stop".into(), Box::new(move |c| c.params.stop = stop));
                        editor.end_merge();
                    }></textarea>
            </label>
            <div class="field-row">
                <label class="field">
                    <span class="field-label">"Reasoning effort"</span>
                    <select on:change=move |ev| {
                        let v = event_target_value(&ev);
                        set("effort".into(), Box::new(move |c| c.params.reasoning_effort = Some(v).filter(|v| !v.is_empty())));
                        editor.end_merge();
                    }>
                        <option value="" selected=move || p().params.reasoning_effort.is_none()>"Default"</option>
                        {REASONING_EFFORTS.iter().map(|e| view! {
                            <option value=*e selected=move || p().params.reasoning_effort.as_deref() == Some(*e)>{*e}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span class="field-label">"Thinking budget (tokens)"</span>
                    <input type="number" min="0" step="256" placeholder="off"
                        prop:value=move || p().params.thinking_budget.map(|t| t.to_string()).unwrap_or_default()
                        on:change=number("thinking", |c, v| c.params.thinking_budget = v.and_then(|v| v.parse().ok())) />
                </label>
            </div>
            <p class="field-help">"Reasoning effort is for OpenAI reasoning models; the thinking budget for Anthropic and Gemini. Each setting is sent only to providers that take it."</p>
            <Show when=move || !warnings.with(Vec::is_empty)>
                <ul class="param-warnings" aria-label="Settings not sent">
                    {move || warnings.get().into_iter().map(|w| view! { <li>{w}</li> }).collect_view()}
                </ul>
            </Show>
        </details>
    }
}
