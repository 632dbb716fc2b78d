//! The selected block's last run: its output (markdown or JSON), numbers, and the trace
//! (the exact request sent, key redacted, and the raw stream).

use super::agent_timeline::AgentTimeline;
use super::explain_view::ExplainAnswer;
use crate::domain::engine::{format_usd, BlockRun, BlockStatus, RunScope};
use crate::domain::flow::BlockId;
use crate::domain::providers::HttpRequest;
use crate::ui::run::run::Runner;
use crate::ui::state::editor::Editor;
use crate::ui::state::settings::Settings;
use crate::ui::widgets::markdown_view::OutputView;
use leptos::prelude::*;

/// A duration as people read it: "850 ms" under a second, "32.4 s" above.
fn duration(ms: f64) -> String {
    if ms < 1000.0 {
        format!("{ms:.0} ms")
    } else {
        format!("{:.1} s", ms / 1000.0)
    }
}

fn stats(run: &BlockRun) -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    if let Some(t) = run.ttft_ms() {
        out.push(("First token", duration(t)));
    }
    if let Some(t) = run.total_ms() {
        out.push(("Total", duration(t)));
    }
    if let Some(i) = run.usage.input_tokens {
        out.push(("Tokens in", i.to_string()));
    }
    if let Some(o) = run.usage.output_tokens {
        out.push(("Tokens out", o.to_string()));
    }
    // Generation speed: output tokens over the time from the first token to the end.
    if let (Some(tokens), Some(first), Some(end)) = (run.usage.output_tokens, run.first_token_ms, run.finished_ms) {
        let secs = (end - first) / 1000.0;
        if tokens > 1 && secs > 0.05 {
            out.push(("Speed", format!("{:.0} tokens/s", tokens as f64 / secs)));
        }
    }
    // Which model ran, and where, in words (an in-browser model's setting is an address).
    if let (Some(crate::domain::providers::ProviderKind::Browser), Some(model)) = (run.trace.provider, &run.trace.model)
    {
        out.insert(0, ("Model", crate::domain::providers::local_models::where_it_ran(model)));
    }
    if let Some(c) = run.cost_usd {
        out.push(("Cost", format_usd(c)));
    }
    if !run.steps.is_empty() {
        // An agent makes one call per step; only calls beyond that are retries.
        out.push(("Model calls", run.attempts.to_string()));
    } else if run.attempts > 1 {
        out.push(("Attempts", run.attempts.to_string()));
    }
    out
}

fn request_text(req: &HttpRequest) -> String {
    let headers: String = req.headers.iter().map(|(k, v)| format!("{k}: {v}\n")).collect();
    let body = req
        .body
        .as_deref()
        .map(|b| {
            serde_json::from_str::<serde_json::Value>(b)
                .map(|v| crate::domain::json_view::pretty(&v))
                .unwrap_or_else(|_| b.to_string())
        })
        .unwrap_or_default();
    format!("{} {}\n{headers}\n{body}", req.method.as_str(), req.url)
}

#[component]
pub fn ResultPanel(id: BlockId, is_prompt: bool) -> impl IntoView {
    let editor = expect_context::<Editor>();
    let runner = expect_context::<Runner>();
    let settings = expect_context::<Settings>();
    let run = runner.run_of(&id);
    let (id_one, id_from, id_explain) = (id.clone(), id.clone(), id.clone());
    let output = Signal::derive(move || run.with(|r| r.as_ref().and_then(|r| r.output.clone()).unwrap_or_default()));
    // Passages of the Retrieve blocks feeding this one, so `[n]` in the answer opens them.
    let feeding: Vec<BlockId> = editor.with_flow(|f| {
        f.edges
            .iter()
            .filter(|e| e.to.block == id)
            .filter(|e| {
                matches!(
                    f.block(&e.from.block).map(|b| &b.config),
                    Some(crate::domain::blocks::BlockConfig::Retrieve(_))
                )
            })
            .map(|e| e.from.block.clone())
            .collect()
    });
    let sources: Vec<_> = feeding.iter().map(|b| runner.run_of(b)).collect();
    let passages = Signal::derive(move || {
        sources
            .iter()
            .flat_map(|s| {
                s.with(|r| {
                    r.as_ref().and_then(|r| r.retrieval.as_ref().map(|x| x.passages.clone())).unwrap_or_default()
                })
            })
            .collect::<Vec<_>>()
    });
    let citations = crate::ui::widgets::markdown_view::Citations { passages, open: RwSignal::new(None) };
    provide_context(citations);
    let opened = move || {
        let n = citations.open.get()?;
        passages.with(|p| p.iter().find(|p| p.number == n).cloned())
    };
    view! {
        <section class="result" aria-label="Result">
            <div class="result-head">
                <span class="field-label">"Result"</span>
                <Show when=move || is_prompt>
                    <div class="result-actions">
                        <button class="button button-quiet" disabled=move || runner.running.get()
                            title="Run only this block, reusing the results of the blocks before it"
                            on:click={ let id = id_one.clone(); move |_| runner.start(editor, settings, RunScope::Block(id.clone())) }>"Run this block"</button>
                        <button class="button button-quiet" disabled=move || runner.running.get()
                            title="Run this block and everything after it"
                            on:click={ let id = id_from.clone(); move |_| runner.start(editor, settings, RunScope::From(id.clone())) }>"Run from here"</button>
                    </div>
                </Show>
            </div>
            {move || match run.get() {
                None => view! { <p class="field-help">"Not run yet. Press Run in the top bar."</p> }.into_any(),
                Some(r) => {
                    let stats = stats(&r);
                    let error = r.error.clone();
                    let incomplete = r.incomplete;
                    let status = r.status;
                    let trace = r.trace.clone();
                    let steps = r.steps.clone();
                    let max_steps = r.max_steps.unwrap_or(0);
                    let running = !r.status.is_terminal();
                    let sent_count = trace.sent.len();
                    // Once the answer is final: what it quotes from its inputs and passages.
                    let explained = (is_prompt && r.status.has_result() && steps.is_empty()).then(|| {
                        let answer = r.output.clone().unwrap_or_default();
                        view! { <ExplainAnswer id=id_explain.clone() answer passages=passages.get_untracked() /> }
                    });
                    let sample = r.sample.then(|| {
                        let which = match r.sample_rule {
                            Some(i) => format!("Sample answer {} of this block answered (a rule, not a model).", i + 1),
                            None => "Built from the input by sample answers, not by a model.".to_string(),
                        };
                        view! {
                            <p class="sample-note"><span class="sample-badge">{crate::domain::sample::SAMPLE_BADGE}</span>" "{which}</p>
                        }
                    });
                    view! {
                        <div class="result-body">
                            {sample}
                            {error.map(|e| view! { <p class="result-error" role="alert">{e}</p> })}
                            {incomplete.then(|| view! { <p class="result-warning">"Incomplete: the answer stopped early; the text so far is kept."</p> })}
                            {(status == BlockStatus::Cached).then(|| view! { <p class="field-help">"From the cache: the request was identical to an earlier run."</p> })}
                            {(r.repaired && status == BlockStatus::Done).then(|| view! {
                                <p class="field-help">{format!("The first answer did not match the schema ({}); one repair request fixed it.", r.schema_errors.join(" "))}</p>
                            })}
                            {(!steps.is_empty()).then(|| view! { <AgentTimeline steps max_steps running /> })}
                            <OutputView text=output />
                            {explained}
                            {move || opened().map(|p| view! {
                                <aside class="cited-passage" aria-label=format!("Passage {}", p.number)>
                                    <p class="passage-head"><span class="passage-number">{format!("[{}]", p.number)}</span>
                                        <span class="passage-source">{match &p.heading { Some(h) => format!("{} \u{b7} {h}", p.source), None => format!("{} \u{b7} part {}", p.source, p.chunk) }}</span></p>
                                    <p class="passage-text">{p.text.clone()}</p>
                                </aside>
                            })}
                            {(!stats.is_empty()).then(|| view! {
                                <dl class="stats">{stats.into_iter().map(|(k, v)| view! { <div><dt>{k}</dt><dd>{v}</dd></div> }).collect_view()}</dl>
                            })}
                            {(!trace.sent.is_empty() || !trace.raw.is_empty()).then(|| view! {
                                <details class="trace">
                                    <summary>"Trace"</summary>
                                    {trace.sent.iter().enumerate().map(|(i, req)| {
                                        let label = if sent_count > 1 {
                                            format!("Request {} of {sent_count} (key hidden)", i + 1)
                                        } else {
                                            "Request (key hidden)".to_string()
                                        };
                                        view! {
                                            <p class="field-label">{label}</p>
                                            <pre class="trace-pre">{request_text(req)}</pre>
                                        }
                                    }).collect_view()}
                                    {(!trace.retries.is_empty()).then(|| view! {
                                        <p class="field-label">"Retries"</p>
                                        <ul>{trace.retries.iter().map(|r| view! { <li>{r.clone()}</li> }).collect_view()}</ul>
                                    })}
                                    <p class="field-label">"Raw response"</p>
                                    <pre class="trace-pre">{trace.raw.clone()}</pre>
                                </details>
                            })}
                        </div>
                    }
                    .into_any()
                }
            }}
        </section>
    }
}
