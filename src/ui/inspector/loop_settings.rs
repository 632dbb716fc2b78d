//! The Loop ("For each item") block in the inspector: how to split the list, what runs per
//! item (a prompt, or another flow), how many at once, how to join; and after a run, the
//! items with their results, a page at a time (a loop may have hundreds).

use super::inspector::edit_config;
use crate::domain::blocks::loop_block::{
    default_body_prompt, CsvRowAs, JoinMode, LoopBody, LoopConfig, SplitMode, MAX_CONCURRENCY, MAX_ITEMS_LIMIT,
};
use crate::domain::blocks::BlockConfig;
use crate::domain::engine::{format_usd, BlockStatus, ItemRun};
use crate::domain::flow::{Block, BlockId};
use crate::domain::providers::ProviderKind;
use crate::ui::run::run::Runner;
use crate::ui::state::editor::Editor;
use crate::ui::widgets::template_editor::TemplateEditor;
use leptos::prelude::*;

/// Items listed per page: enough to scan, few enough that a 200-item loop stays quick.
const PAGE: usize = 25;
/// Characters of an item's input shown in its one-line summary.
const PREVIEW_CHARS: usize = 80;

fn loop_of(b: &Block) -> LoopConfig {
    match &b.config {
        BlockConfig::Loop(c) => c.clone(),
        _ => LoopConfig::default(),
    }
}

/// A separator as typed: a line break is written `\n`.
fn separator_shown(s: &str) -> String {
    s.replace('\n', "\\n").replace('\t', "\\t")
}

fn separator_typed(s: &str) -> String {
    s.replace("\\n", "\n").replace("\\t", "\t")
}

#[component]
pub fn LoopSettings(cell: RwSignal<Block>) -> impl IntoView {
    let editor = expect_context::<Editor>();
    let session = expect_context::<crate::ui::state::persist::Session>();
    let c = move || cell.with(loop_of);
    let set = move |key: &'static str, f: Box<dyn FnOnce(&mut LoopConfig)>| {
        edit_config(editor, cell, key, move |cfg| {
            if let BlockConfig::Loop(l) = cfg {
                f(l);
            }
        });
    };
    let end = move |_: ()| editor.end_merge();
    let body_kind = move || if matches!(c().body, LoopBody::Prompt(_)) { "prompt" } else { "flow" };
    let prompt = move || c().prompt().cloned().unwrap_or_else(default_body_prompt);
    let set_prompt = move |key: &'static str, f: Box<dyn FnOnce(&mut crate::domain::blocks::PromptConfig)>| {
        set(
            key,
            Box::new(move |l| {
                if let LoopBody::Prompt(p) = &mut l.body {
                    f(p);
                }
            }),
        );
    };
    let flow_id = move || match c().body {
        LoopBody::Flow { flow_id, .. } => flow_id,
        LoopBody::Prompt(_) => String::new(),
    };
    let flow_input = move || match c().body {
        LoopBody::Flow { input, .. } => input,
        LoopBody::Prompt(_) => String::new(),
    };
    let current = move || session.current.get();
    let flows = move || session.workspace.with(|w| w.flows.clone());
    view! {
        <p class="field-help">"Runs once for each item of the list on its \u{201c}list\u{201d} input and joins the results."</p>
        <label class="field">
                <span class="field-label">"Split the list"</span>
                <select on:change=move |ev| {
                    let v = event_target_value(&ev);
                    if let Some(mode) = SplitMode::from_id(&v) {
                        set("split", Box::new(move |l| l.split = mode));
                        end(());
                    }
                }>
                    {SplitMode::ALL.into_iter().map(|m| view! {
                        <option value=m.id() selected=move || c().split == m>{m.label()}</option>
                    }).collect_view()}
                </select>
            </label>
            <Show when=move || matches!(c().split, SplitMode::Auto | SplitMode::Csv)>
                <label class="field">
                    <span class="field-label">"Each CSV row as"</span>
                    <select on:change=move |ev| {
                        let json = event_target_value(&ev) == "json";
                        set("csv-rows", Box::new(move |l| l.csv_rows = if json { CsvRowAs::Json } else { CsvRowAs::Text }));
                        end(());
                    }>
                        <option value="text" selected=move || c().csv_rows == CsvRowAs::Text>"column: value lines"</option>
                        <option value="json" selected=move || c().csv_rows == CsvRowAs::Json>"a JSON object"</option>
                    </select>
                </label>
            </Show>
        <label class="field">
            <span class="field-label">"For each item, run"</span>
            <select on:change=move |ev| {
                let v = event_target_value(&ev);
                set("body-kind", Box::new(move |l| {
                    l.body = if v == "flow" {
                        LoopBody::Flow { flow_id: String::new(), input: String::new() }
                    } else {
                        let mut p = default_body_prompt();
                        (p.provider, p.model) = crate::ui::state::starting::starting();
                        LoopBody::Prompt(p)
                    };
                }));
                end(());
            }>
                <option value="prompt" selected=move || body_kind() == "prompt">"A prompt"</option>
                <option value="flow" selected=move || body_kind() == "flow">"Another flow"</option>
            </select>
        </label>
        <Show when=move || body_kind() == "prompt">
            <div class="field-row">
                <label class="field">
                    <span class="field-label">"Provider"</span>
                    <select on:change=move |ev| {
                        let v = event_target_value(&ev);
                        set_prompt("loop-provider", Box::new(move |p| p.provider = v));
                        end(());
                    }>
                        // The in-browser model answers one request at a time and is not offered here.
                        {ProviderKind::ALL.iter().filter(|k| **k != ProviderKind::Browser).map(|k| {
                            let id = k.id();
                            view! { <option value=id selected=move || prompt().provider == id>{k.label()}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span class="field-label">"Model"</span>
                    <input type="text" prop:value=move || prompt().model
                        on:input=move |ev| { let v = event_target_value(&ev); set_prompt("loop-model", Box::new(move |p| p.model = v.trim().to_string())); }
                        on:blur=move |_| end(()) />
                </label>
            </div>
            <TemplateEditor label="System" rows=2 placeholder="How the model should behave (optional)"
                value=Signal::derive(move || prompt().system)
                on_input=move |v: String| set_prompt("loop-system", Box::new(move |p| p.system = v))
                on_commit=end />
            <TemplateEditor label="Prompt for each item" rows=5 placeholder="Summarise in one sentence: {{item}}"
                value=Signal::derive(move || prompt().user)
                on_input=move |v: String| set_prompt("loop-user", Box::new(move |p| p.user = v))
                on_commit=end />
            <p class="field-help">"{{item}} is the item, {{index}} its number. Other {{names}} become inputs of this block, the same for every item."</p>
        </Show>
        <Show when=move || body_kind() == "flow">
            <label class="field">
                <span class="field-label">"Flow to run"</span>
                <select on:change=move |ev| {
                    let v = event_target_value(&ev);
                    set("loop-flow", Box::new(move |l| if let LoopBody::Flow { flow_id, .. } = &mut l.body { *flow_id = v }));
                    end(());
                }>
                    <option value="" selected=move || flow_id().is_empty()>"Choose a flow\u{2026}"</option>
                    {move || flows().into_iter().filter(|f| f.id != current()).map(|f| {
                        let (id, id2) = (f.id.clone(), f.id.clone());
                        view! { <option value=id selected=move || flow_id() == id2>{f.title.clone()}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label class="field">
                <span class="field-label">"Input value that gets the item"</span>
                <input type="text" placeholder="the flow's first Input value" prop:value=flow_input
                    on:input=move |ev| {
                        let v = event_target_value(&ev).trim().to_string();
                        set("loop-flow-input", Box::new(move |l| if let LoopBody::Flow { input, .. } = &mut l.body { *input = v }));
                    }
                    on:blur=move |_| end(()) />
            </label>
            <p class="field-help">"The flow's Output blocks are each item's result."</p>
        </Show>
        <div class="field-row">
            <label class="field field-narrow">
                <span class="field-label">"Items at once"</span>
                <input type="number" min="1" max=MAX_CONCURRENCY.to_string() step="1"
                    prop:value=move || c().concurrency.to_string()
                    on:change=move |ev| {
                        if let Ok(n) = event_target_value(&ev).trim().parse::<u32>() {
                            set("loop-concurrency", Box::new(move |l| l.concurrency = n));
                            end(());
                        }
                    } />
            </label>
            <label class="field field-narrow">
                <span class="field-label">"Max items"</span>
                <input type="number" min="1" max=MAX_ITEMS_LIMIT.to_string() step="1"
                    prop:value=move || c().max_items.to_string()
                    on:change=move |ev| {
                        if let Ok(n) = event_target_value(&ev).trim().parse::<u32>() {
                            set("loop-max-items", Box::new(move |l| l.max_items = n));
                            end(());
                        }
                    } />
            </label>
        </div>
        <label class="field">
                <span class="field-label">"Join results as"</span>
                <select on:change=move |ev| {
                    let text = event_target_value(&ev) == "text";
                    set("loop-join", Box::new(move |l| l.join = if text { JoinMode::Text } else { JoinMode::JsonArray }));
                    end(());
                }>
                    <option value="json_array" selected=move || c().join == JoinMode::JsonArray>"JSON array (failed items are null)"</option>
                    <option value="text" selected=move || c().join == JoinMode::Text>"Text (failed items left out)"</option>
                </select>
            </label>
            <Show when=move || c().join == JoinMode::Text>
                <label class="field field-narrow">
                    <span class="field-label">"Separator"</span>
                    <input type="text" prop:value=move || separator_shown(&c().separator)
                        on:input=move |ev| {
                            let v = separator_typed(&event_target_value(&ev));
                            set("loop-separator", Box::new(move |l| l.separator = v));
                        }
                        on:blur=move |_| end(()) />
                </label>
            </Show>
    }
}

fn status_word(s: BlockStatus) -> &'static str {
    match s {
        BlockStatus::Queued | BlockStatus::Idle | BlockStatus::Waiting => "waiting",
        BlockStatus::Running => "running",
        BlockStatus::Done => "done",
        BlockStatus::Cached => "cached",
        BlockStatus::Error => "failed",
        BlockStatus::Stopped => "stopped",
        BlockStatus::Skipped => "skipped",
    }
}

fn one_line(text: &str) -> String {
    let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if flat.chars().count() <= PREVIEW_CHARS {
        flat
    } else {
        format!("{}\u{2026}", flat.chars().take(PREVIEW_CHARS - 1).collect::<String>())
    }
}

/// The numbers under an item: tokens, cost, attempts.
fn item_stats(item: &ItemRun) -> String {
    let mut parts = Vec::new();
    if let (Some(i), Some(o)) = (item.usage.input_tokens, item.usage.output_tokens) {
        parts.push(format!("{i} tokens in, {o} out"));
    }
    match item.cost_usd {
        Some(c) if item.status.is_terminal() => parts.push(format_usd(c)),
        None if item.status.is_terminal() => parts.push("cost unknown".to_string()),
        _ => {}
    }
    if item.attempts > 1 {
        parts.push(format!("{} attempts", item.attempts));
    }
    parts.join(" \u{b7} ")
}

/// The items of the loop's last run, with their results; click one to see it whole.
#[component]
pub fn LoopResults(id: BlockId) -> impl IntoView {
    let runner = expect_context::<Runner>();
    let run = runner.run_of(&id);
    let page = RwSignal::new(0usize);
    let failed_only = RwSignal::new(false);
    // Which items are listed (positions in the loop), for the current filter.
    let listed = Memo::new(move |_| {
        run.with(|r| {
            let Some(l) = r.as_ref().and_then(|r| r.loop_run.as_ref()) else { return Vec::new() };
            l.items
                .iter()
                .enumerate()
                .filter(|(_, i)| !failed_only.get() || i.status == BlockStatus::Error)
                .map(|(n, _)| n)
                .collect::<Vec<_>>()
        })
    });
    let pages = move || listed.with(|l| l.len().div_ceil(PAGE).max(1));
    let shown = move || {
        let p = page.get().min(pages() - 1);
        let wanted: Vec<usize> = listed.with(|l| l.iter().skip(p * PAGE).take(PAGE).copied().collect());
        run.with(|r| {
            let Some(l) = r.as_ref().and_then(|r| r.loop_run.as_ref()) else { return Vec::new() };
            wanted.into_iter().filter_map(|n| l.items.get(n).map(|i| (n, i.clone()))).collect::<Vec<_>>()
        })
    };
    let summary = move || {
        run.with(|r| {
            let l = r.as_ref()?.loop_run.as_ref()?;
            let failed = l.failed();
            // Once the loop ends, its note below says how many failed.
            let say_failed = failed > 0 && l.note.is_none();
            Some(format!(
                "{} items finished{}",
                l.progress(),
                if say_failed { format!(", {failed} failed") } else { String::new() }
            ))
        })
    };
    view! {
        <Show when=move || run.with(|r| r.as_ref().is_some_and(|r| r.loop_run.is_some()))>
            <section class="loop-results" aria-label="Items">
                <div class="result-head">
                    <span class="field-label">"Items"</span>
                    <span class="field-help" role="status">{summary}</span>
                </div>
                {move || run.with(|r| r.as_ref().and_then(|r| r.loop_run.as_ref()?.note.clone()))
                    .map(|n| view! { <p class="result-warning">{n}</p> })}
                <label class="check">
                    <input type="checkbox" prop:checked=move || failed_only.get()
                        on:change=move |ev| { failed_only.set(event_target_checked(&ev)); page.set(0); } />
                    "Only failed items"
                </label>
                <ol class="loop-items">
                    <For each=shown key=|(n, item)| (*n, item.status, item.output.as_ref().map(String::len)) let:entry>
                        {
                            let (n, item) = entry;
                            let word = status_word(item.status);
                            let label = format!("Item {}: {word}", n + 1);
                            let stats = item_stats(&item);
                            view! {
                                <li class=format!("loop-item item-{word}") data-status=word>
                                    <details>
                                        <summary aria-label=label.clone()>
                                            <span class="loop-item-number">{format!("{}", n + 1)}</span>
                                            <span class=format!("status-pill status-{}", item.status.label())>{word}</span>
                                            <span class="loop-item-input">{one_line(&item.input)}</span>
                                        </summary>
                                        <div class="loop-item-body">
                                            <p class="field-label">"Item"</p>
                                            <pre class="loop-item-text">{item.input.clone()}</pre>
                                            {item.error.clone().map(|e| view! { <p class="result-error">{e}</p> })}
                                            {item.output.clone().map(|o| view! {
                                                <p class="field-label">"Result"
                                                    {item.sample.then(|| view! { " " <span class="sample-badge">{crate::domain::sample::SAMPLE_BADGE}</span> })}
                                                </p>
                                                <pre class="loop-item-text">{o}</pre>
                                            })}
                                            {(!stats.is_empty()).then(|| view! { <p class="field-help">{stats}</p> })}
                                        </div>
                                    </details>
                                </li>
                            }
                        }
                    </For>
                </ol>
                <Show when=move || { pages() > 1 }>
                    <nav class="loop-pages" aria-label="Item pages">
                        <button class="button button-quiet" disabled=move || page.get() == 0
                            on:click=move |_| page.update(|p| *p = p.saturating_sub(1))>"Previous"</button>
                        <span>{move || format!("Page {} of {}", page.get().min(pages() - 1) + 1, pages())}</span>
                        <button class="button button-quiet" disabled=move || { page.get() + 1 >= pages() }
                            on:click=move |_| page.update(|p| *p += 1)>"Next"</button>
                    </nav>
                </Show>
            </section>
        </Show>
    }
}
