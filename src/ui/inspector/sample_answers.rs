//! A Prompt block's sample answers (the no-key "Sample answers" provider): rows of
//! condition → answer, first match wins, as in a Wizard-of-Oz prototype. Open when the
//! block uses sample answers, collapsed otherwise.

use super::inspector::edit_config;
use crate::domain::blocks::{BlockConfig, PromptConfig};
use crate::domain::flow::Block;
use crate::domain::sample::{SampleRule, SampleWhen};
use crate::ui::state::editor::Editor;
use leptos::prelude::*;

/// An edit of a block's rules.
type RulesEdit = Box<dyn FnOnce(&mut Vec<SampleRule>)>;

fn rules_of(b: &Block) -> Vec<SampleRule> {
    match &b.config {
        BlockConfig::Prompt(p) => p.sample_answers.clone(),
        _ => Vec::new(),
    }
}

#[component]
pub fn SampleAnswersField(cell: RwSignal<Block>) -> impl IntoView {
    let editor = expect_context::<Editor>();
    let count = Memo::new(move |_| cell.with(|b| rules_of(b).len()));
    let on_samples = Memo::new(move |_| {
        cell.with(|b| matches!(&b.config, BlockConfig::Prompt(PromptConfig { provider, .. }) if provider == "demo"))
    });
    let set = move |key: String, f: RulesEdit| {
        edit_config(editor, cell, &key, move |c| {
            if let BlockConfig::Prompt(p) = c {
                f(&mut p.sample_answers);
            }
        });
    };
    let end = move || editor.end_merge();
    let add = move |_| {
        set(
            "sample-add".into(),
            Box::new(|rules| {
                // New rules go before a final "otherwise", which must stay last to be reached.
                let at = match rules.last() {
                    Some(r) if r.when == SampleWhen::Otherwise => rules.len() - 1,
                    _ => rules.len(),
                };
                rules.insert(at, SampleRule::contains("", ""));
            }),
        );
        end();
    };
    view! {
        <details class="sample-answers" prop:open=move || on_samples.get()>
            <summary>
                <span class="field-label">"Sample answers"</span>
                <span class="field-help">{move || match count.get() {
                    0 => " \u{b7} none written".to_string(),
                    1 => " \u{b7} 1 rule".to_string(),
                    n => format!(" \u{b7} {n} rules"),
                }}</span>
            </summary>
            <p class="field-help">
                "With the Sample answers provider this block answers without a model: the first row whose condition \
                 holds for the user message gives the answer ({{variables}} allowed). With no match, a short answer \
                 is built from the input. Every such answer is labelled \u{201c}Sample answer\u{201d}."
            </p>
            <ol class="sample-rules" aria-label="Sample answers">
                {move || (0..count.get()).map(|i| {
                    let n = i + 1;
                    let get = move || cell.with(|b| rules_of(b).get(i).cloned().unwrap_or_default());
                    view! {
                        <li class="sample-rule">
                            <div class="sample-rule-when">
                                <select aria-label=format!("Sample answer {n}: when") on:change=move |ev| {
                                    let when = SampleWhen::from_id(&event_target_value(&ev)).unwrap_or_default();
                                    set(format!("sample-when-{i}"), Box::new(move |r| if let Some(rule) = r.get_mut(i) { rule.when = when }));
                                    end();
                                }>
                                    {SampleWhen::ALL.into_iter().map(|w| view! {
                                        <option value=w.id() selected=move || get().when == w>{format!("Input {}", w.label())}</option>
                                    }).collect_view()}
                                </select>
                                <Show when=move || get().when != SampleWhen::Otherwise>
                                    <input type="text" aria-label=format!("Sample answer {n}: text to match")
                                        placeholder=move || if get().when == SampleWhen::Matches { "a pattern, e.g. (?i)refund|money back" } else { "words, e.g. refund" }
                                        prop:value=move || get().text
                                        on:input=move |ev| {
                                            let text = event_target_value(&ev);
                                            set(format!("sample-text-{i}"), Box::new(move |r| if let Some(rule) = r.get_mut(i) { rule.text = text }));
                                        }
                                        on:blur=move |_| end() />
                                </Show>
                                <button class="icon-button" aria-label=format!("Remove sample answer {n}") title="Remove" on:click=move |_| {
                                    set("sample-remove".into(), Box::new(move |r| if i < r.len() { r.remove(i); }));
                                    end();
                                }>"\u{d7}"</button>
                            </div>
                            <textarea class="template" rows="3" aria-label=format!("Sample answer {n}: answer")
                                placeholder="The answer to show. {{variables}} of this block are filled in."
                                prop:value=move || get().answer
                                on:input=move |ev| {
                                    let answer = event_target_value(&ev);
                                    set(format!("sample-answer-{i}"), Box::new(move |r| if let Some(rule) = r.get_mut(i) { rule.answer = answer }));
                                }
                                on:blur=move |_| end()></textarea>
                        </li>
                    }
                }).collect_view()}
            </ol>
            <button class="button button-quiet" on:click=add>"+ Add sample answer"</button>
        </details>
    }
}
