//! An agent's run as a timeline a stakeholder can follow: each model call, what it said,
//! the tools it called with which arguments, and what each tool returned (errors marked).

use crate::domain::engine::{AgentStep, ToolCallRun};
use crate::domain::json_view::pretty;
use leptos::prelude::*;

/// Arguments as indented JSON when they parse (they may still be streaming).
fn arguments_text(call: &ToolCallRun) -> String {
    match serde_json::from_str::<serde_json::Value>(&call.arguments) {
        Ok(v) => pretty(&v),
        Err(_) if call.arguments.trim().is_empty() => "{}".to_string(),
        Err(_) => call.arguments.clone(),
    }
}

fn result_text(content: &str) -> String {
    match serde_json::from_str::<serde_json::Value>(content) {
        Ok(v) if v.is_object() || v.is_array() => pretty(&v),
        _ => content.to_string(),
    }
}

#[component]
pub fn AgentTimeline(steps: Vec<AgentStep>, max_steps: u32, running: bool) -> impl IntoView {
    let total = steps.len();
    view! {
        <ol class="timeline" aria-label="Agent steps">
            {steps.into_iter().enumerate().map(|(i, step)| {
                let n = i + 1;
                let last = n == total;
                let thinking = last && running && step.calls.is_empty() && step.text.is_empty();
                view! {
                    <li class="timeline-step" data-step=n.to_string()>
                        <p class="timeline-head">{format!("Step {n} of up to {max_steps}: model")}</p>
                        {if last && !running && step.calls.is_empty() {
                            // The final answer is shown once, below the timeline.
                            Some(view! { <p class="field-help">"Answered without calling a tool: the answer is below."</p> }.into_any())
                        } else {
                            (!step.text.trim().is_empty()).then(|| view! { <p class="timeline-text">{step.text.clone()}</p> }.into_any())
                        }}
                        {thinking.then(|| view! { <p class="field-help">"Waiting for the model\u{2026}"</p> })}
                        <ul class="timeline-calls">
                            {step.calls.into_iter().map(|call| {
                                let status = match &call.result {
                                    None => "running",
                                    Some(r) if r.is_error => "error",
                                    Some(_) => "ok",
                                };
                                let args = arguments_text(&call);
                                let name = call.name.clone();
                                view! {
                                    <li class="tool-call" data-tool=name.clone() data-status=status>
                                        <p class="tool-call-head">
                                            <span class="tool-call-icon" aria-hidden="true"><crate::ui::widgets::icons::Icon name="tool" size=14 /></span>
                                            {format!("Called {name}")}
                                        </p>
                                        <pre class="tool-call-args" aria-label=format!("Arguments of {name}")>{args}</pre>
                                        {match call.result {
                                            None => view! { <p class="field-help">"Waiting for the tool\u{2026}"</p> }.into_any(),
                                            Some(r) => {
                                                let label = if r.is_error { "Tool error, sent back to the model" } else { "Result, sent back to the model" };
                                                let class = if r.is_error { "tool-result tool-result-error" } else { "tool-result" };
                                                view! {
                                                    <p class="field-label">{label}</p>
                                                    <pre class=class aria-label=format!("Result of {name}")>{result_text(&r.content)}</pre>
                                                }.into_any()
                                            }
                                        }}
                                    </li>
                                }
                            }).collect_view()}
                        </ul>
                    </li>
                }
            }).collect_view()}
        </ol>
    }
}
