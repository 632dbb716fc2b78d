//! The Run section of Evaluate: variants, settings, the estimate, starting or sending a batch,
//! and the results below.

use super::eval_dialog::EvalState;
use super::eval_driver::EvalDriver;
use super::suite_store::targets;
use crate::domain::engine::{EngineConfig, RunScope};
use crate::domain::evals::checks::{check_problems, CheckKind};
use crate::domain::evals::run::{estimate_eval, EvalSpec, Variant};
use crate::domain::flow::BlockId;
use crate::domain::providers::ProviderKind;
use crate::ui::run::run::Runner;
use crate::ui::state::editor::Editor;
use crate::ui::state::settings::Settings;
use leptos::prelude::*;

#[component]
pub(super) fn RunSection() -> impl IntoView {
    let state = expect_context::<EvalState>();
    let editor = expect_context::<Editor>();
    let settings = expect_context::<Settings>();
    let runner = expect_context::<Runner>();
    let driver = expect_context::<EvalDriver>();
    let target_list = Memo::new(move |_| {
        editor.any_rev.track();
        editor.with_flow(targets)
    });
    let variant_count = Memo::new(move |_| state.suite.with(|s| s.variants.len()));
    let build_spec = move || -> Result<(EvalSpec, EngineConfig), String> {
        let flow = editor.flow();
        let suite = state.suite.get_untracked();
        if suite.cases.is_empty() {
            return Err("Add at least one test case.".into());
        }
        if suite.checks.is_empty() {
            return Err("Add at least one check: it says what a good answer is.".into());
        }
        if let Some(p) = suite.checks.iter().flat_map(check_problems).next() {
            return Err(p);
        }
        let target = suite
            .target
            .clone()
            .filter(|t| flow.block(&BlockId::new(t.clone())).is_some())
            .or_else(|| targets(&flow).first().map(|t| t.0.clone()))
            .ok_or("The flow has no Output or Prompt block to check.")?;
        let spec = EvalSpec {
            flow: flow.clone(),
            target: BlockId::new(target),
            cases: suite.cases.clone(),
            checks: suite.checks.clone(),
            variants: suite.all_variants(),
            repetitions: suite.repetitions.clamp(1, 100),
            concurrency: suite.concurrency.clamp(1, 32),
            budget_usd: settings.limits.get_untracked().budget_usd,
        };
        let config = EngineConfig {
            approved_hosts: runner.approved_hosts(editor),
            subflows: runner.subflows(editor),
            ..runner.config(settings)
        };
        Ok((spec, config))
    };
    let estimate = move || {
        state.suite.track();
        match build_spec() {
            Ok((spec, config)) => estimate_eval(&spec, &config).describe(),
            Err(e) => e,
        }
    };
    // The pre-run check of a single run (the flow's blocks and its sub-flows), plus the
    // providers of the variants and of model-graded and similarity checks.
    let missing_keys = move |spec: &EvalSpec, config: &EngineConfig| -> Vec<&'static str> {
        let has_key = |k: ProviderKind| settings.has_key(k);
        let view = crate::domain::engine::PreflightView {
            has_key: &has_key,
            approved_hosts: &config.approved_hosts,
            model_ok: &|_| true,
            subflows: &config.subflows,
        };
        let mut kinds: Vec<ProviderKind> = crate::domain::engine::preflight(&spec.flow, &RunScope::All, &view)
            .into_iter()
            .find_map(|b| match b {
                crate::domain::engine::Blocker::MissingKeys(k) => Some(k),
                _ => None,
            })
            .unwrap_or_default();
        let others =
            spec.variants.iter().filter_map(|v| v.provider.clone()).chain(spec.checks.iter().filter_map(|c| {
                match &c.kind {
                    CheckKind::ModelGraded { provider, .. } | CheckKind::Similarity { provider, .. } => {
                        Some(provider.clone())
                    }
                    _ => None,
                }
            }));
        for kind in others.filter_map(|p| ProviderKind::from_id(p.trim())) {
            if kind.needs_key() && !settings.has_key(kind) && !kinds.contains(&kind) {
                kinds.push(kind);
            }
        }
        kinds.into_iter().map(|k| k.label()).collect()
    };
    // Why a run did not start, shown beside the Run eval button (the dialog scrolls: a
    // message at its top was out of view when the button was pressed).
    let run_message = RwSignal::new(None::<String>);
    let run_message_ref = NodeRef::<leptos::html::P>::new();
    let refuse = move |m: String| {
        run_message.set(Some(m));
        request_animation_frame(move || {
            if let Some(el) = run_message_ref.get_untracked() {
                el.scroll_into_view_with_bool(false);
            }
        });
    };
    let run = move |resume: bool| match build_spec() {
        Err(e) => refuse(e),
        Ok((spec, config)) => {
            let missing = missing_keys(&spec, &config);
            if !missing.is_empty() {
                refuse(format!("Add your {} key in Settings to run this eval.", missing.join(" and ")));
                return;
            }
            run_message.set(None);
            state.message.set(None);
            state.shown.set(None);
            let done = if resume { driver.results.get_untracked() } else { Vec::new() };
            driver.start(settings, spec, config, done);
        }
    };
    let can_resume = move || {
        !driver.running.get() && driver.stopped.get().is_some() && {
            let (d, t) = driver.progress.get();
            d < t
        }
    };
    view! {
        <section class="eval-section" aria-label="Run">
            <div class="eval-section-head"><h3>"Run"</h3></div>
            <div class="field-row field-row-3">
                <label class="field">
                    <span class="field-label">"Check the output of"</span>
                    <select on:change=move |ev| { let v = event_target_value(&ev); state.edit(|s| s.target = Some(v)); }>
                        {move || target_list.get().into_iter().map(|(id, label)| {
                            let id2 = id.clone();
                            view! { <option value=id selected=move || state.suite.with(|s| s.target.as_deref() == Some(id2.as_str()))>{label}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label class="field">
                    <span class="field-label">"Repetitions"</span>
                    <input type="number" min="1" max="100" prop:value=move || state.suite.with(|s| s.repetitions.to_string())
                        on:change=move |ev| { if let Ok(n) = event_target_value(&ev).trim().parse::<u32>() { state.edit(|s| s.repetitions = n.clamp(1, 100)); } } />
                </label>
                <label class="field">
                    <span class="field-label">"At once"</span>
                    <input type="number" min="1" max="32" prop:value=move || state.suite.with(|s| s.concurrency.to_string())
                        on:change=move |ev| { if let Ok(n) = event_target_value(&ev).trim().parse::<usize>() { state.edit(|s| s.concurrency = n.clamp(1, 32)); } } />
                </label>
            </div>
            <div class="field">
                <span class="field-label">"Variants to compare"</span>
                <p class="variant-base">"1. As it is (the flow unchanged)"</p>
                {move || (0..variant_count.get()).map(|i| view! { <VariantRow i /> }).collect_view()}
                <button class="button button-quiet" on:click=move |_| state.edit(|s| {
                    let n = s.variants.len() + 2;
                    s.variants.push(Variant { name: format!("Variant {n}"), ..Variant::default() });
                })>"+ Add variant"</button>
            </div>
            <p class="eval-estimate" aria-label="Estimate">{estimate}</p>
            <super::eval_batch::BatchControls spec=build_spec />
            <div class="eval-run-bar">
                <Show when=move || !driver.running.get()
                    fallback=move || view! { <button class="button button-danger" on:click=move |_| driver.stop()>"Stop eval"</button> }>
                    <button class="button button-primary" on:click=move |_| run(false)>"Run eval"</button>
                    <Show when=can_resume>
                        <button class="button button-quiet" on:click=move |_| run(true)>"Resume"</button>
                    </Show>
                </Show>
                {move || {
                    let (done, total) = driver.progress.get();
                    (total > 0).then(|| view! {
                        <div class="progress" role="progressbar" aria-label="Eval progress"
                            aria-valuemin="0" aria-valuemax=total.to_string() aria-valuenow=done.to_string()>
                            <div class="progress-fill" style:width=format!("{:.1}%", done as f64 * 100.0 / total.max(1) as f64)></div>
                        </div>
                        <span class="progress-text">{format!("{done} of {total} runs")}</span>
                    })
                }}
                {move || driver.stopped.get().map(|s| view! { <span class="field-help">{s}</span> })}
            </div>
            <Show when=move || run_message.with(Option::is_some)>
                <p class="result-error eval-run-message" role="alert" node_ref=run_message_ref>
                    {move || run_message.get().unwrap_or_default()}
                </p>
            </Show>
        </section>
    }
}

#[component]
fn VariantRow(i: usize) -> impl IntoView {
    let state = expect_context::<EvalState>();
    let n = i + 2;
    let get = move |f: fn(&Variant) -> String| state.suite.with(|s| s.variants.get(i).map(f).unwrap_or_default());
    let set = move |f: Box<dyn FnOnce(&mut Variant)>| {
        state.edit(|s| {
            if let Some(v) = s.variants.get_mut(i) {
                f(v)
            }
        })
    };
    view! {
        <div class="variant-row" role="group" aria-label=format!("Variant {n}")>
            <span class="case-num">{format!("{n}.")}</span>
            <input type="text" aria-label=format!("Name of variant {n}") prop:value=move || get(|v| v.name.clone())
                on:change=move |ev| { let x = event_target_value(&ev); set(Box::new(move |v| v.name = x)); } />
            <select aria-label=format!("Provider of variant {n}") on:change=move |ev| {
                let x = event_target_value(&ev);
                set(Box::new(move |v| v.provider = (!x.is_empty()).then_some(x)));
            }>
                <option value="" selected=move || get(|v| v.provider.clone().unwrap_or_default()).is_empty()>"Same provider"</option>
                {ProviderKind::ALL.iter().map(|p| {
                    let id = p.id();
                    view! { <option value=id selected=move || get(|v| v.provider.clone().unwrap_or_default()) == id>{p.label()}</option> }
                }).collect_view()}
            </select>
            <input type="text" aria-label=format!("Model of variant {n}") placeholder="Same model" prop:value=move || get(|v| v.model.clone().unwrap_or_default())
                on:change=move |ev| { let x = event_target_value(&ev).trim().to_string(); set(Box::new(move |v| v.model = (!x.is_empty()).then_some(x))); } />
            <input type="number" step="0.1" min="0" max="2" aria-label=format!("Temperature of variant {n}") placeholder="Same temp."
                prop:value=move || get(|v| v.temperature.map(|t| t.to_string()).unwrap_or_default())
                on:change=move |ev| { let x = event_target_value(&ev); set(Box::new(move |v| v.temperature = x.trim().parse().ok())); } />
            <button class="icon-button" aria-label=format!("Remove variant {n}")
                on:click=move |_| state.edit(|s| if i < s.variants.len() { s.variants.remove(i); })>"\u{d7}"</button>
        </div>
    }
}
