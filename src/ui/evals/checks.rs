//! The Checks section of Evaluate: the list of checks and adding one of each kind.

use super::check_fields::CheckFields;
use super::eval_dialog::EvalState;
use crate::domain::evals::checks::{check_problems, Check, CheckKind, DEFAULT_PASS_SCORE};
use crate::ui::state::editor::Editor;
use leptos::prelude::*;

const CHECK_KINDS: [(&str, &str); 13] = [
    ("contains", "Contains"),
    ("not_contains", "Does not contain"),
    ("equals", "Equals"),
    ("starts_with", "Starts with"),
    ("regex", "Matches a regex"),
    ("length", "Length in range"),
    ("valid_json", "Is valid JSON"),
    ("matches_schema", "Matches a JSON Schema"),
    ("json_field", "JSON field equals"),
    ("number_range", "Number in range"),
    ("similarity", "Similar to expected (embeddings)"),
    ("model_graded", "Graded by a model (rubric)"),
    ("route_taken", "Route taken (a Router's decision)"),
];

fn new_check(kind: &str) -> Check {
    let (name, kind) = match kind {
        "not_contains" => ("Avoids a phrase", CheckKind::NotContains { text: String::new(), case_sensitive: false }),
        "equals" => ("Matches expected", CheckKind::Equals { text: String::new() }),
        "starts_with" => ("Starts right", CheckKind::StartsWith { text: String::new() }),
        "regex" => ("Pattern", CheckKind::Regex { pattern: String::new() }),
        "length" => ("Length", CheckKind::Length { min: None, max: Some(500) }),
        "valid_json" => ("Valid JSON", CheckKind::ValidJson),
        "matches_schema" => (
            "Schema",
            CheckKind::MatchesSchema {
                schema: serde_json::json!({"type": "object", "properties": {}, "required": []}),
            },
        ),
        "json_field" => ("Field", CheckKind::JsonField { path: String::new(), equals: "{{expected}}".into() }),
        "number_range" => ("Number", CheckKind::NumberRange { path: String::new(), min: None, max: None }),
        "similarity" => (
            "Close to expected",
            CheckKind::Similarity { provider: "openai".into(), model: "text-embedding-3-small".into(), min: 0.8 },
        ),
        "model_graded" => (
            "Rubric",
            CheckKind::ModelGraded {
                rubric: String::new(),
                provider: "openai".into(),
                model: "gpt-4o-mini".into(),
                pass_score: DEFAULT_PASS_SCORE,
            },
        ),
        "route_taken" => ("Route taken", CheckKind::RouteTaken { block: String::new(), route: "{{expected}}".into() }),
        _ => ("Mentions expected", CheckKind::Contains { text: "{{expected}}".into(), case_sensitive: false }),
    };
    Check { name: name.to_string(), kind }
}

fn kind_id(kind: &CheckKind) -> &'static str {
    match kind {
        CheckKind::Contains { .. } => "contains",
        CheckKind::NotContains { .. } => "not_contains",
        CheckKind::Equals { .. } => "equals",
        CheckKind::StartsWith { .. } => "starts_with",
        CheckKind::Regex { .. } => "regex",
        CheckKind::Length { .. } => "length",
        CheckKind::ValidJson => "valid_json",
        CheckKind::MatchesSchema { .. } => "matches_schema",
        CheckKind::JsonField { .. } => "json_field",
        CheckKind::NumberRange { .. } => "number_range",
        CheckKind::Similarity { .. } => "similarity",
        CheckKind::ModelGraded { .. } => "model_graded",
        CheckKind::RouteTaken { .. } => "route_taken",
    }
}

#[component]
pub(super) fn ChecksSection() -> impl IntoView {
    let state = expect_context::<EvalState>();
    let count = Memo::new(move |_| state.suite.with(|s| s.checks.len()));
    let new_kind = RwSignal::new("contains".to_string());
    view! {
        <section class="eval-section" aria-label="Checks">
            <div class="eval-section-head">
                <h3>{move || format!("Checks ({})", count.get())}</h3>
                <div class="eval-actions">
                    <select aria-label="New check type" on:change=move |ev| new_kind.set(event_target_value(&ev))>
                        {CHECK_KINDS.iter().map(|(id, label)| view! { <option value=*id>{*label}</option> }).collect_view()}
                    </select>
                    <button class="button button-quiet" on:click=move |_| {
                        let mut check = new_check(&new_kind.get_untracked());
                        // A route check starts on the flow's first Router.
                        if let CheckKind::RouteTaken { block, .. } = &mut check.kind {
                            let first = expect_context::<Editor>().with_flow(crate::domain::evals::routes::routers).into_iter().next();
                            *block = first.map(|(id, _, _)| id).unwrap_or_default();
                        }
                        state.edit(|s| s.checks.push(check));
                    }>"+ Add check"</button>
                </div>
            </div>
            <Show when=move || count.get() == 0>
                <p class="field-help">"A check says what a good answer is: it contains the expected value, matches a pattern, or a model grades it against a rubric."</p>
            </Show>
            <ul class="check-list">
                {move || (0..count.get()).map(|i| view! { <CheckRow i /> }).collect_view()}
            </ul>
        </section>
    }
}

#[component]
fn CheckRow(i: usize) -> impl IntoView {
    let state = expect_context::<EvalState>();
    let n = i + 1;
    let kind =
        Memo::new(move |_| state.suite.with(|s| s.checks.get(i).map(|c| kind_id(&c.kind)).unwrap_or("contains")));
    let problems = Memo::new(move |_| state.suite.with(|s| s.checks.get(i).map(check_problems).unwrap_or_default()));
    let label = move || CHECK_KINDS.iter().find(|(id, _)| *id == kind.get()).map_or("", |(_, l)| *l);
    view! {
        <li class="check-row" role="group" aria-label=format!("Check {n}")>
            <div class="check-head">
                <input type="text" class="check-name" aria-label=format!("Name of check {n}")
                    prop:value=move || state.suite.with(|s| s.checks.get(i).map(|c| c.name.clone()).unwrap_or_default())
                    on:change=move |ev| { let v = event_target_value(&ev); state.edit(|s| if let Some(c) = s.checks.get_mut(i) { c.name = v; }); } />
                <span class="check-kind">{label}</span>
                <button class="icon-button" aria-label=format!("Remove check {n}")
                    on:click=move |_| state.edit(|s| if i < s.checks.len() { s.checks.remove(i); })>"\u{d7}"</button>
            </div>
            {move || { kind.track(); view! { <CheckFields i /> } }}
            {move || problems.get().into_iter().map(|p| view! { <p class="result-error">{p}</p> }).collect_view()}
        </li>
    }
}
