//! "Where the answer comes from" under a Prompt's result: the words it quotes from its input
//! values and retrieved passages, highlighted (see `domain::explain`). Built from text nodes
//! only: the answer and the sources are untrusted.

use leptos::prelude::*;

use crate::domain::blocks::BlockConfig;
use crate::domain::explain::{explain, Source};
use crate::domain::flow::BlockId;
use crate::domain::retrieval::search::Passage;
use crate::ui::run::run::Runner;
use crate::ui::state::editor::Editor;

/// The texts this block's answer may draw on: the values arriving on its inputs (not from a
/// Retrieve block: its passages are listed one by one instead) and the passages.
fn sources(editor: Editor, runner: Runner, id: &BlockId, passages: &[Passage]) -> Vec<Source> {
    let incoming: Vec<(BlockId, String, String)> = editor.with_flow(|f| {
        f.edges
            .iter()
            .filter(|e| &e.to.block == id)
            .filter(|e| !matches!(f.block(&e.from.block).map(|b| &b.config), Some(BlockConfig::Retrieve(_))))
            .map(|e| (e.from.block.clone(), e.from.port.clone(), e.to.port.clone()))
            .collect()
    });
    let mut out: Vec<Source> = incoming
        .into_iter()
        .filter_map(|(from, port, name)| {
            let text = runner.run_of(&from).with_untracked(|r| r.as_ref()?.port_value(&port).map(str::to_string))?;
            Some(Source { label: format!("input {{{{{name}}}}}"), text })
        })
        .collect();
    out.extend(
        passages
            .iter()
            .map(|p| Source { label: format!("passage [{}] ({})", p.number, p.source), text: p.text.clone() }),
    );
    out
}

#[component]
pub fn ExplainAnswer(id: BlockId, answer: String, passages: Vec<Passage>) -> impl IntoView {
    let editor = expect_context::<Editor>();
    let runner = expect_context::<Runner>();
    let sources = sources(editor, runner, &id, &passages);
    if sources.is_empty() || answer.trim().is_empty() {
        return ().into_any();
    }
    let found = explain(&answer, &sources);
    let summary = found.summary(&sources);
    let segments = found.segments(&answer);
    let pieces = segments
        .into_iter()
        .map(|(range, from)| {
            let text = answer.get(range).unwrap_or_default().to_string();
            if from.is_empty() {
                view! { <span>{text}</span> }.into_any()
            } else {
                let names: Vec<String> = from.iter().filter_map(|i| sources.get(*i).map(|s| s.label.clone())).collect();
                let title = format!("Quoted from {}", names.join(" and "));
                view! { <mark class="quoted" title=title.clone() aria-label=title>{text}</mark> }.into_any()
            }
        })
        .collect_view();
    let used = found
        .used
        .iter()
        .filter_map(|u| {
            let source = sources.get(u.source)?;
            let fragments: Vec<String> = found
                .quotes
                .iter()
                .filter(|q| q.source == u.source)
                .filter_map(|q| source.text.get(q.in_source.clone()).map(str::to_string))
                .collect();
            Some(view! {
                <li>
                    <span class="explain-source">{source.label.clone()}</span>
                    {format!(" \u{b7} {} words quoted", u.words)}
                    <ul class="explain-fragments">
                        {fragments.into_iter().map(|f| view! { <li><q>{f}</q></li> }).collect_view()}
                    </ul>
                </li>
            })
        })
        .collect_view();
    view! {
        <details class="explain">
            <summary>"Where the answer comes from"</summary>
            <p class="explain-summary">{summary}</p>
            <p class="explain-answer" aria-label="The answer with quoted words highlighted">{pieces}</p>
            <ul class="explain-used" aria-label="Sources quoted">{used}</ul>
        </details>
    }
    .into_any()
}
