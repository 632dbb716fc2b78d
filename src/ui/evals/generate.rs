//! Generating test cases with a model from a description, reviewed before they are added.

use crate::domain::blocks::BlockConfig;
use crate::domain::engine::{preflight, Blocker, PreflightView, RunScope};
use crate::domain::evals::cases::TestCase;
use crate::domain::flow::{BlockId, Flow};
use crate::domain::providers::ProviderKind;
use crate::ui::state::editor::Editor;
use crate::ui::state::settings::Settings;
use leptos::prelude::*;

/// What would stop the generator's one-block flow, by the pre-run check every run goes through.
/// It calls no tools and no sub-flows, and an in-browser model was chosen here on purpose.
fn blockers(flow: &Flow, settings: Settings) -> Vec<Blocker> {
    let has_key = |k: ProviderKind| settings.has_key(k);
    preflight(flow, &RunScope::All, &PreflightView::keys_only(&has_key))
}

/// Asks a model for cases from a description; shows them for review before they are added.
#[component]
pub(super) fn GenerateBox(
    inputs: Memo<Vec<String>>,
    on_add: impl Fn(Vec<TestCase>) + Copy + Send + Sync + 'static,
) -> impl IntoView {
    use crate::domain::evals::generate::{generator_flow, parse_generated, GENERATOR_BLOCK};
    let editor = expect_context::<Editor>();
    let settings = expect_context::<Settings>();
    let shot = crate::ui::run::one_shot::OneShot::new();
    let runner = expect_context::<crate::ui::run::run::Runner>();
    let description = RwSignal::new(String::new());
    let count = RwSignal::new(10usize);
    // The first Prompt's provider and model: what the flow already uses.
    let (p0, m0) = editor.with_flow(|f| {
        f.blocks
            .iter()
            .find_map(|b| match &b.config {
                BlockConfig::Prompt(p) => Some((p.provider.clone(), p.model.clone())),
                _ => None,
            })
            .unwrap_or_else(|| ("openai".into(), "gpt-4o-mini".into()))
    });
    let provider = RwSignal::new(p0);
    let model = RwSignal::new(m0);
    let generate = move |_| {
        let flow = generator_flow(
            &description.get_untracked(),
            count.get_untracked(),
            &inputs.get_untracked(),
            &provider.get_untracked(),
            &model.get_untracked(),
        );
        // The key first (the same pre-run check as any run), then the description, then the
        // rest of what would stop the generator's flow.
        let blockers = blockers(&flow, settings);
        if let Some(Blocker::MissingKeys(k)) = blockers.first() {
            let names = k.iter().map(|k| k.label()).collect::<Vec<_>>().join(" and ");
            shot.result.set(Some(Err(format!("Add your {names} key in Settings first."))));
            return;
        }
        if description.get_untracked().trim().is_empty() {
            shot.result
                .set(Some(Err("Describe the cases you want, for example: angry emails about late parcels.".into())));
            return;
        }
        if let Some(Blocker::CannotRun(e)) = blockers.iter().find(|b| matches!(b, Blocker::CannotRun(_))) {
            shot.result.set(Some(Err(format!("The cases cannot be generated: {}", e.messages().join(" ")))));
            return;
        }
        shot.start(settings, &flow, BlockId::new(GENERATOR_BLOCK), runner.config(settings));
    };
    let parsed = Memo::new(move |_| match shot.result.get() {
        Some(Ok(reply)) => Some(parse_generated(&reply, &inputs.get())),
        Some(Err(e)) => Some(Err(e)),
        None => None,
    });
    view! {
        <div class="generate-box" role="group" aria-label="Generate cases">
            <label class="field">
                <span class="field-label">"Describe the cases"</span>
                <textarea rows="2" placeholder="20 angry customer emails about late delivery"
                    prop:value=move || description.get() on:input=move |ev| description.set(event_target_value(&ev))></textarea>
            </label>
            <div class="field-row field-row-3">
                <label class="field">
                    <span class="field-label">"Provider"</span>
                    <select aria-label="Generator provider" on:change=move |ev| provider.set(event_target_value(&ev))>
                        {ProviderKind::ALL.iter().map(|p| {
                            let id = p.id();
                            view! { <option value=id selected=move || provider.get() == id>{p.label()}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span class="field-label">"Model"</span>
                    <input type="text" aria-label="Generator model" prop:value=move || model.get() on:change=move |ev| model.set(event_target_value(&ev).trim().to_string()) />
                </label>
                <label class="field">
                    <span class="field-label">"How many"</span>
                    <input type="number" min="1" max="50" aria-label="How many cases" prop:value=move || count.get().to_string()
                        on:change=move |ev| { if let Ok(n) = event_target_value(&ev).trim().parse::<usize>() { count.set(n.clamp(1, 50)); } } />
                </label>
            </div>
            <div class="eval-actions">
                <Show when=move || !shot.running.get() fallback=move || view! {
                    <button class="button button-danger" on:click=move |_| shot.stop()>"Stop"</button>
                    <span class="field-help">"Writing cases\u{2026}"</span>
                }>
                    <button class="button button-primary" on:click=generate>"Generate"</button>
                </Show>
            </div>
            {move || match parsed.get() {
                None => ().into_any(),
                Some(Err(e)) => view! { <p class="result-error" role="alert">{e}</p> }.into_any(),
                Some(Ok(cases)) => {
                    let n = cases.len();
                    let names = inputs.get();
                    let add = cases.clone();
                    view! {
                        <p class="field-help">{format!("{n} cases written. Review them, then add them.")}</p>
                        <div class="table-scroll">
                            <table class="cases-table" aria-label="Generated cases">
                                <thead><tr>{names.iter().map(|c| view! { <th>{c.clone()}</th> }).collect_view()}<th>"expected"</th></tr></thead>
                                <tbody>
                                    {cases.iter().map(|c| view! {
                                        <tr>
                                            {names.iter().map(|k| view! { <td>{c.inputs.get(k).cloned().unwrap_or_default()}</td> }).collect_view()}
                                            <td>{c.expected.clone().unwrap_or_default()}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                        <div class="eval-actions">
                            <button class="button button-primary" on:click=move |_| { on_add(add.clone()); shot.result.set(None); }>{format!("Add these {n} cases")}</button>
                            <button class="button button-quiet" on:click=move |_| shot.result.set(None)>"Discard"</button>
                        </div>
                    }.into_any()
                }
            }}
        </div>
    }
}
