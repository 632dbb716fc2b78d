//! Renders model output. Markdown becomes DOM nodes built one by one from the domain's
//! safe AST (text is always a text node; links only with http(s)/mailto; images are never
//! loaded). JSON output is shown pretty-printed and collapsible.

use crate::domain::json_view::{summarize, try_parse_json};
use crate::domain::markdown::{parse, Block, Inline};
use crate::domain::retrieval::search::Passage;
use leptos::prelude::*;
use serde_json::Value;

/// The passages an answer may cite (from the Retrieve blocks feeding its Prompt), and which
/// one the reader opened.
#[derive(Clone, Copy)]
pub struct Citations {
    pub passages: Signal<Vec<Passage>>,
    pub open: RwSignal<Option<usize>>,
}

/// `[n]` in an answer: a button that shows passage n when there is one, plain text otherwise.
fn citation(n: u32) -> AnyView {
    let n = n as usize;
    let found = use_context::<Citations>().and_then(|c| {
        let source = c.passages.with_untracked(|p| p.iter().find(|p| p.number == n).map(|p| p.source.clone()))?;
        Some((c, source))
    });
    match found {
        Some((c, source)) => view! {
            <button class="citation" aria-label=format!("Source {n}: {source}") title=source
                aria-expanded=move || (c.open.get() == Some(n)).to_string()
                on:click=move |_| c.open.update(|o| *o = if *o == Some(n) { None } else { Some(n) })>{format!("[{n}]")}</button>
        }
        .into_any(),
        None => view! { <sup class="citation">{format!("[{n}]")}</sup> }.into_any(),
    }
}

fn inlines(items: Vec<Inline>) -> AnyView {
    items.into_iter().map(inline).collect_view().into_any()
}

fn inline(i: Inline) -> AnyView {
    match i {
        Inline::Text(t) => t.into_any(),
        Inline::Strong(c) => view! { <strong>{inlines(c)}</strong> }.into_any(),
        Inline::Emphasis(c) => view! { <em>{inlines(c)}</em> }.into_any(),
        Inline::Strike(c) => view! { <s>{inlines(c)}</s> }.into_any(),
        Inline::Code(c) => view! { <code>{c}</code> }.into_any(),
        Inline::LineBreak => view! { <br /> }.into_any(),
        Inline::Citation(n) => citation(n),
        Inline::Link { href: Some(url), children } => view! {
            <a href=url.into_string() target="_blank" rel="noopener noreferrer nofollow">{inlines(children)}</a>
        }
        .into_any(),
        Inline::Link { href: None, children } => view! { <span class="link-blocked">{inlines(children)}</span> }.into_any(),
        Inline::ImagePlaceholder { alt, .. } => view! {
            <span class="image-placeholder" title="Images in model output are not loaded">{format!("[image: {alt}]")}</span>
        }
        .into_any(),
    }
}

fn block(b: Block) -> AnyView {
    match b {
        Block::Heading { level, inlines: c } => match level {
            1 => view! { <h3>{inlines(c)}</h3> }.into_any(),
            2 => view! { <h4>{inlines(c)}</h4> }.into_any(),
            _ => view! { <h5>{inlines(c)}</h5> }.into_any(),
        },
        Block::Paragraph(c) => view! { <p>{inlines(c)}</p> }.into_any(),
        Block::List { ordered, start, items } => {
            let lis = items.into_iter().map(|item| view! { <li>{blocks(item)}</li> }).collect_view();
            if ordered {
                view! { <ol start=start.to_string()>{lis}</ol> }.into_any()
            } else {
                view! { <ul>{lis}</ul> }.into_any()
            }
        }
        Block::CodeBlock { code, .. } => view! { <pre><code>{code}</code></pre> }.into_any(),
        Block::Quote(c) => view! { <blockquote>{blocks(c)}</blockquote> }.into_any(),
        Block::Rule => view! { <hr /> }.into_any(),
        Block::Table { header, rows } => view! {
            <table>
                <thead><tr>{header.into_iter().map(|c| view! { <th>{inlines(c)}</th> }).collect_view()}</tr></thead>
                <tbody>{rows.into_iter().map(|r| view! {
                    <tr>{r.into_iter().map(|c| view! { <td>{inlines(c)}</td> }).collect_view()}</tr>
                }).collect_view()}</tbody>
            </table>
        }
        .into_any(),
    }
}

fn blocks(items: Vec<Block>) -> AnyView {
    items.into_iter().map(block).collect_view().into_any()
}

/// A collapsible JSON tree; each level starts open up to depth 2.
fn json_node(key: Option<String>, v: Value, depth: usize) -> AnyView {
    let label = key.map(|k| format!("{k}: ")).unwrap_or_default();
    match v {
        Value::Object(map) if !map.is_empty() => {
            let summary = summarize(&Value::Object(map.clone()));
            view! {
                <details class="json-node" open=depth < 2>
                    <summary><span class="json-key">{label}</span><span class="json-summary">{summary}</span></summary>
                    {map.into_iter().map(|(k, v)| json_node(Some(k), v, depth + 1)).collect_view()}
                </details>
            }
            .into_any()
        }
        Value::Array(items) if !items.is_empty() => {
            let summary = summarize(&Value::Array(items.clone()));
            view! {
                <details class="json-node" open=depth < 2>
                    <summary><span class="json-key">{label}</span><span class="json-summary">{summary}</span></summary>
                    {items.into_iter().enumerate().map(|(i, v)| json_node(Some(i.to_string()), v, depth + 1)).collect_view()}
                </details>
            }
            .into_any()
        }
        other => view! {
            <div class="json-leaf"><span class="json-key">{label}</span><span class=format!("json-{}", kind_of(&other))>{other.to_string()}</span></div>
        }
        .into_any(),
    }
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "string",
        Value::Number(_) => "number",
        Value::Bool(_) => "bool",
        Value::Null => "null",
        _ => "other",
    }
}

/// The most of an answer rendered as markdown. Rendering a 10 MB answer whole (again on each
/// streamed chunk) froze the page for tens of seconds (tests/browser/faults.spec.js, `huge`);
/// the rest still goes on to the next blocks.
const SHOWN_BYTES: usize = 200_000;

#[component]
pub fn OutputView(#[prop(into)] text: Signal<String>) -> impl IntoView {
    let unbroken = move || text.with(|t| crate::domain::markdown::has_unbroken_run(t, 2_000));
    view! {
        <div class="output-view" class:text-unbroken=unbroken>
            {move || {
                let t = text.get();
                if t.len() > SHOWN_BYTES {
                    let head = crate::domain::media::preview(&t, SHOWN_BYTES);
                    let note = format!(
                        "Showing the first {} of this {} answer; all of it goes on to the next blocks.",
                        crate::domain::util::format::human_size(SHOWN_BYTES as u64),
                        crate::domain::util::format::human_size(t.len() as u64)
                    );
                    return view! {
                        <p class="field-help">{note}</p>
                        <div class="markdown">{blocks(parse(&head))}</div>
                    }
                    .into_any();
                }
                match try_parse_json(&t) {
                    Some(v) => view! { <div class="json-view" aria-label="JSON output">{json_node(None, v, 0)}</div> }.into_any(),
                    None => view! { <div class="markdown">{blocks(parse(&t))}</div> }.into_any(),
                }
            }}
        </div>
    }
}
