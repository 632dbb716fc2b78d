//! The fields of one check, for its kind (a "Route taken" check picks a Router and a route).

use super::eval_dialog::EvalState;
use crate::domain::evals::checks::{CheckKind, DEFAULT_PASS_SCORE};
use crate::domain::providers::ProviderKind;
use crate::ui::state::editor::Editor;
use leptos::prelude::*;

/// The fields of check `i`, for its kind.
#[component]
pub(super) fn CheckFields(i: usize) -> impl IntoView {
    let state = expect_context::<EvalState>();
    let n = i + 1;
    let kind = move || state.suite.with(|s| s.checks.get(i).map(|c| c.kind.clone()));
    let set = move |f: Box<dyn FnOnce(&mut CheckKind)>| {
        state.edit(|s| {
            if let Some(c) = s.checks.get_mut(i) {
                f(&mut c.kind);
            }
        });
    };
    let text_field = move |label: &'static str, get: fn(&CheckKind) -> String, put: fn(&mut CheckKind, String)| {
        view! {
            <label class="field">
                <span class="field-label">{label}</span>
                <input type="text" aria-label=format!("{label} (check {n})") spellcheck="false"
                    prop:value=move || kind().map(|k| get(&k)).unwrap_or_default()
                    on:change=move |ev| { let v = event_target_value(&ev); set(Box::new(move |k| put(k, v))); } />
            </label>
        }
    };
    let num = |v: &str| v.trim().parse::<f64>().ok();
    match kind() {
        Some(CheckKind::Contains { .. } | CheckKind::NotContains { .. }) => text_field(
            "Text ({{expected}} for the case's expected value)",
            |k| match k {
                CheckKind::Contains { text, .. } | CheckKind::NotContains { text, .. } => text.clone(),
                _ => String::new(),
            },
            |k, v| {
                if let CheckKind::Contains { text, .. } | CheckKind::NotContains { text, .. } = k {
                    *text = v;
                }
            },
        )
        .into_any(),
        Some(CheckKind::Equals { .. }) => text_field(
            "Equals (empty: the case's expected value)",
            |k| if let CheckKind::Equals { text } = k { text.clone() } else { String::new() },
            |k, v| {
                if let CheckKind::Equals { text } = k {
                    *text = v;
                }
            },
        )
        .into_any(),
        Some(CheckKind::StartsWith { .. }) => text_field(
            "Starts with",
            |k| if let CheckKind::StartsWith { text } = k { text.clone() } else { String::new() },
            |k, v| {
                if let CheckKind::StartsWith { text } = k {
                    *text = v;
                }
            },
        )
        .into_any(),
        Some(CheckKind::Regex { .. }) => text_field(
            "Regular expression",
            |k| if let CheckKind::Regex { pattern } = k { pattern.clone() } else { String::new() },
            |k, v| {
                if let CheckKind::Regex { pattern } = k {
                    *pattern = v;
                }
            },
        )
        .into_any(),
        Some(CheckKind::JsonField { .. }) => view! {
            {text_field("Field path (like label or items.0.name)",
                |k| if let CheckKind::JsonField { path, .. } = k { path.clone() } else { String::new() },
                |k, v| if let CheckKind::JsonField { path, .. } = k { *path = v; })}
            {text_field("Equals",
                |k| if let CheckKind::JsonField { equals, .. } = k { equals.clone() } else { String::new() },
                |k, v| if let CheckKind::JsonField { equals, .. } = k { *equals = v; })}
        }
        .into_any(),
        Some(CheckKind::Length { .. }) => view! {
            <div class="field-row">
                {text_field("Min characters",
                    |k| if let CheckKind::Length { min, .. } = k { min.map(|m| m.to_string()).unwrap_or_default() } else { String::new() },
                    |k, v| if let CheckKind::Length { min, .. } = k { *min = v.trim().parse().ok(); })}
                {text_field("Max characters",
                    |k| if let CheckKind::Length { max, .. } = k { max.map(|m| m.to_string()).unwrap_or_default() } else { String::new() },
                    |k, v| if let CheckKind::Length { max, .. } = k { *max = v.trim().parse().ok(); })}
            </div>
        }
        .into_any(),
        Some(CheckKind::NumberRange { .. }) => view! {
            {text_field("Field path (empty: the first number in the answer)",
                |k| if let CheckKind::NumberRange { path, .. } = k { path.clone() } else { String::new() },
                |k, v| if let CheckKind::NumberRange { path, .. } = k { *path = v; })}
            <div class="field-row">
                {text_field("Min",
                    |k| if let CheckKind::NumberRange { min, .. } = k { min.map(|m| m.to_string()).unwrap_or_default() } else { String::new() },
                    |k, v| if let CheckKind::NumberRange { min, .. } = k { *min = v.trim().parse().ok(); })}
                {text_field("Max",
                    |k| if let CheckKind::NumberRange { max, .. } = k { max.map(|m| m.to_string()).unwrap_or_default() } else { String::new() },
                    |k, v| if let CheckKind::NumberRange { max, .. } = k { *max = v.trim().parse().ok(); })}
            </div>
        }
        .into_any(),
        Some(CheckKind::MatchesSchema { .. }) => {
            let error = RwSignal::new(None::<String>);
            view! {
                <label class="field">
                    <span class="field-label">"JSON Schema"</span>
                    <textarea class="template" rows="5" spellcheck="false" aria-label=format!("JSON Schema (check {n})")
                        prop:value=move || match kind() { Some(CheckKind::MatchesSchema { schema }) => crate::domain::json_view::pretty(&schema), _ => String::new() }
                        on:change=move |ev| {
                            let text = event_target_value(&ev);
                            match serde_json::from_str::<serde_json::Value>(&text) {
                                Ok(v) if v.is_object() => { error.set(None); set(Box::new(move |k| if let CheckKind::MatchesSchema { schema } = k { *schema = v; })); }
                                Ok(_) => error.set(Some("A schema is a JSON object.".into())),
                                Err(e) => error.set(Some(format!("Not valid JSON ({e}); the previous schema is kept."))),
                            }
                        }></textarea>
                    {move || error.get().map(|e| view! { <p class="result-error" role="alert">{e}</p> })}
                </label>
            }
            .into_any()
        }
        Some(CheckKind::ModelGraded { .. }) => {
            let _ = num;
            view! {
                <label class="field">
                    <span class="field-label">"Rubric: what a good answer does, in plain words"</span>
                    <textarea rows="3" aria-label=format!("Rubric (check {n})")
                        prop:value=move || match kind() { Some(CheckKind::ModelGraded { rubric, .. }) => rubric, _ => String::new() }
                        on:change=move |ev| { let v = event_target_value(&ev); set(Box::new(move |k| if let CheckKind::ModelGraded { rubric, .. } = k { *rubric = v; })); }></textarea>
                </label>
                <div class="field-row field-row-3">
                    <label class="field">
                        <span class="field-label">"Judge provider"</span>
                        <select aria-label=format!("Judge provider (check {n})") on:change=move |ev| {
                            let v = event_target_value(&ev);
                            set(Box::new(move |k| if let CheckKind::ModelGraded { provider, .. } = k { *provider = v; }));
                        }>
                            {ProviderKind::ALL.iter().map(|p| {
                                let id = p.id();
                                view! { <option value=id selected=move || matches!(kind(), Some(CheckKind::ModelGraded { provider, .. }) if provider == id)>{p.label()}</option> }
                            }).collect_view()}
                        </select>
                    </label>
                    {text_field("Judge model",
                        |k| if let CheckKind::ModelGraded { model, .. } = k { model.clone() } else { String::new() },
                        |k, v| if let CheckKind::ModelGraded { model, .. } = k { *model = v.trim().to_string(); })}
                    {text_field("Pass at score (1-5)",
                        |k| if let CheckKind::ModelGraded { pass_score, .. } = k { pass_score.to_string() } else { String::new() },
                        |k, v| if let CheckKind::ModelGraded { pass_score, .. } = k { *pass_score = v.trim().parse::<u8>().unwrap_or(DEFAULT_PASS_SCORE).clamp(1, 5); })}
                </div>
            }
            .into_any()
        }
        Some(CheckKind::Similarity { .. }) => view! {
            <div class="field-row field-row-3">
                <label class="field">
                    <span class="field-label">"Embeddings provider"</span>
                    <select aria-label=format!("Embeddings provider (check {n})") on:change=move |ev| {
                        let v = event_target_value(&ev);
                        set(Box::new(move |k| if let CheckKind::Similarity { provider, .. } = k { *provider = v; }));
                    }>
                        {[ProviderKind::OpenAi, ProviderKind::Gemini, ProviderKind::Ollama, ProviderKind::OpenAiCompatible].into_iter().map(|p| {
                            let id = p.id();
                            view! { <option value=id selected=move || matches!(kind(), Some(CheckKind::Similarity { provider, .. }) if provider == id)>{p.label()}</option> }
                        }).collect_view()}
                    </select>
                </label>
                {text_field("Embeddings model",
                    |k| if let CheckKind::Similarity { model, .. } = k { model.clone() } else { String::new() },
                    |k, v| if let CheckKind::Similarity { model, .. } = k { *model = v.trim().to_string(); })}
                {text_field("Pass at similarity (0-1)",
                    |k| if let CheckKind::Similarity { min, .. } = k { min.to_string() } else { String::new() },
                    |k, v| if let CheckKind::Similarity { min, .. } = k { *min = v.trim().parse::<f64>().unwrap_or(0.8).clamp(-1.0, 1.0); })}
            </div>
            <p class="field-help">"Compares the meaning of the answer and the case's expected value (cosine similarity of their embeddings)."</p>
        }
        .into_any(),
        Some(CheckKind::RouteTaken { .. }) => view! { <RouteCheckFields i /> }.into_any(),
        Some(CheckKind::ValidJson) | None => view! { <p class="field-help">"Passes when the answer parses as JSON (also inside a ```json fence)."</p> }.into_any(),
    }
}

/// An edit of a route check's (block, route).
type RouteEdit = Box<dyn FnOnce(&mut String, &mut String)>;

/// A "Route taken" check: which Router, and which route it must take (a fixed route, or the
/// case's expected value, so each case can name its own).
#[component]
fn RouteCheckFields(i: usize) -> impl IntoView {
    let state = expect_context::<EvalState>();
    let editor = expect_context::<Editor>();
    let n = i + 1;
    let routers = Memo::new(move |_| {
        editor.any_rev.track();
        editor.with_flow(crate::domain::evals::routes::routers)
    });
    let current = move || {
        state.suite.with(|s| match s.checks.get(i).map(|c| &c.kind) {
            Some(CheckKind::RouteTaken { block, route }) => (block.clone(), route.clone()),
            _ => (String::new(), String::new()),
        })
    };
    let set = move |f: RouteEdit| {
        state.edit(|s| {
            if let Some(CheckKind::RouteTaken { block, route }) = s.checks.get_mut(i).map(|c| &mut c.kind) {
                f(block, route);
            }
        });
    };
    let routes_of_current = move || {
        let (block, _) = current();
        routers
            .with(|rs| rs.iter().find(|(id, _, _)| *id == block).map(|(_, _, names)| names.clone()).unwrap_or_default())
    };
    view! {
        <Show when=move || !routers.with(Vec::is_empty) fallback=|| view! {
            <p class="result-error">"This flow has no Router: add one (a guardrail) to check its decisions."</p>
        }>
            <div class="field-row">
                <label class="field">
                    <span class="field-label">"Router"</span>
                    <select aria-label=format!("Router (check {n})") on:change=move |ev| {
                        let v = event_target_value(&ev);
                        set(Box::new(move |b, _| *b = v));
                    }>
                        {move || {
                            let (block, _) = current();
                            let mut options: Vec<_> = Vec::new();
                            if !routers.with(|rs| rs.iter().any(|(id, _, _)| *id == block)) {
                                options.push(view! { <option value="" selected=true>"Choose a Router"</option> }.into_any());
                            }
                            options.extend(routers.get().into_iter().map(|(id, title, _)| {
                                let selected = id == block;
                                view! { <option value=id selected=selected>{title}</option> }.into_any()
                            }));
                            options
                        }}
                    </select>
                </label>
                <label class="field">
                    <span class="field-label">"must take the route"</span>
                    <select aria-label=format!("Expected route (check {n})") on:change=move |ev| {
                        let v = event_target_value(&ev);
                        set(Box::new(move |_, r| *r = v));
                    }>
                        {move || {
                            let (_, route) = current();
                            let by_case = route.trim().is_empty() || route.trim() == "{{expected}}";
                            let mut options = vec![view! {
                                <option value="{{expected}}" selected=by_case>"the case\u{2019}s expected value"</option>
                            }.into_any()];
                            options.extend(routes_of_current().into_iter().map(|name| {
                                let selected = !by_case && name == route;
                                view! { <option value=name.clone() selected=selected>{name.clone()}</option> }.into_any()
                            }));
                            options
                        }}
                    </select>
                </label>
            </div>
            <p class="field-help">"Checks the Router\u{2019}s decision, not the answer: for example \u{201c}this message must be held back by the guardrail\u{201d}. With the expected value, each case names its route (like flagged or default)."</p>
        </Show>
    }
}
