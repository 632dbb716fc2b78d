//! The results of an eval, live or saved: which run is shown (the newest saved one, the
//! eval running now, or one picked from the saved runs) and the comparison of its pass rates
//! with an earlier run's. What one run's results show is results_body.rs; every output side by
//! side is results_grid.rs; held-out results are held_out.rs.

use super::eval_dialog::EvalState;
use super::eval_driver::EvalDriver;
use super::held_out::HeldOutShown;
use super::results_body::ResultsBody;
use super::suite_store::input_names;
use crate::domain::evals::cases::TestCase;
use crate::domain::evals::report::{compare_runs, summarize, Report};
use crate::domain::evals::run::JobResult;
use crate::domain::evals::stats::percent;
use crate::domain::evals::suite::EvalRecord;
use crate::domain::time::format_iso;
use crate::ui::platform::platform;
use leptos::prelude::*;

/// "2026-11-23 15:31": when a run was saved.
fn when(ms: i64) -> String {
    format_iso(ms).replace('T', " ").chars().take(16).collect()
}

/// What the results view shows.
#[derive(Clone, PartialEq)]
pub(super) struct Shown {
    pub(super) label: String,
    pub(super) variants: Vec<String>,
    pub(super) checks: Vec<String>,
    pub(super) inputs: Vec<String>,
    pub(super) cases: Vec<TestCase>,
    pub(super) results: Vec<JobResult>,
}

impl Shown {
    pub(super) fn report(&self) -> Report {
        summarize(&self.results, &self.variants, &self.checks, &held_out_flags(&self.cases))
    }
}

fn held_out_flags(cases: &[TestCase]) -> Vec<bool> {
    cases.iter().map(|c| c.held_out).collect()
}

fn from_record(r: &EvalRecord) -> Shown {
    let stopped = r.stopped.as_deref().map(|s| format!(" \u{b7} stopped early: {s}")).unwrap_or_default();
    Shown {
        label: format!("Ran {} on {}{stopped}", when(r.ran_ms), r.version),
        variants: r.variants.clone(),
        checks: r.checks.clone(),
        inputs: r.inputs.clone(),
        cases: r.cases.clone(),
        results: r.results.clone(),
    }
}

#[component]
pub fn Results() -> impl IntoView {
    let state = expect_context::<EvalState>();
    let driver = expect_context::<EvalDriver>();
    let shown = Memo::new(move |_| {
        if let Some(i) = state.shown.get() {
            return state.records.with(|r| r.list.get(i).map(from_record));
        }
        if driver.running.get() {
            let spec = driver.spec()?;
            return Some(Shown {
                label: "Running\u{2026}".into(),
                variants: spec.variants.iter().map(|v| v.name.clone()).collect(),
                checks: spec.checks.iter().map(|c| c.name.clone()).collect(),
                inputs: input_names(&spec.flow),
                cases: spec.cases.clone(),
                results: driver.results.get(),
            });
        }
        state.records.with(|r| r.list.first().map(from_record))
    });
    provide_context(HeldOutShown(RwSignal::new(false)));
    // When an eval ends, bring its results into view.
    let section = NodeRef::<leptos::html::Section>::new();
    Effect::new(move |prev: Option<u64>| {
        let n = driver.ended.get();
        if prev.is_some_and(|p| p != n) {
            if let Some(el) = section.get_untracked() {
                platform::scroll_into_view(&el);
            }
        }
        n
    });
    view! {
        <section class="eval-section" aria-label="Results" node_ref=section>
            <div class="eval-section-head">
                <h3>"Results"</h3>
                <SavedRuns />
            </div>
            <CompareRuns shown />
            {move || match shown.get() {
                None => view! { <p class="field-help">"No results yet. Add cases and checks, then Run eval."</p> }.into_any(),
                Some(s) => view! { <ResultsBody shown=s /> }.into_any(),
            }}
        </section>
    }
}

#[component]
fn SavedRuns() -> impl IntoView {
    let state = expect_context::<EvalState>();
    let count = move || state.records.with(|r| r.list.len());
    view! {
        <Show when=move || count() != 0>
            <label class="field-inline">
                <span>"Saved runs"</span>
                <select aria-label="Saved runs" on:change=move |ev| {
                    state.shown.set(event_target_value(&ev).parse::<usize>().ok());
                }>
                    {move || state.records.with(|r| r.list.iter().enumerate().map(|(i, rec)| {
                        let rate = summarize(&rec.results, &rec.variants, &rec.checks, &held_out_flags(&rec.cases))
                            .variants
                            .iter()
                            .map(|v| v.rate.map_or_else(|| "n/a".to_string(), |r| format!("{}%", percent(r.estimate))))
                            .collect::<Vec<_>>()
                            .join(" / ");
                        let when = when(rec.ran_ms);
                        view! { <option value=i.to_string() selected=move || state.shown.get().unwrap_or(0) == i>{format!("{when} \u{b7} {rate} \u{b7} {}", rec.version)}</option> }
                    }).collect_view())}
                </select>
            </label>
        </Show>
    }
}

/// The shown run against an earlier saved one: each variant's pass rate then and now, and the
/// change with its interval.
#[component]
fn CompareRuns(shown: Memo<Option<Shown>>) -> impl IntoView {
    let state = expect_context::<EvalState>();
    let with = RwSignal::new(None::<usize>);
    let many = move || state.records.with(|r| r.list.len() > 1);
    let table = move || {
        let j = with.get()?;
        let now = shown.get()?.report();
        let before = state.records.with(|r| r.list.get(j).map(from_record))?;
        let rows = compare_runs(&now, &before.report());
        let pct = |i: Option<crate::domain::evals::stats::Interval>| {
            i.map_or_else(
                || "\u{2014}".to_string(),
                |i| format!("{}% ({}\u{2013}{}%)", percent(i.estimate), percent(i.low), percent(i.high)),
            )
        };
        Some(view! {
            <table class="checks-table" aria-label="Compared with an earlier run">
                <thead><tr><th>"Variant"</th><th>"This run"</th><th>{before.label.clone()}</th><th>"Change (95% interval)"</th></tr></thead>
                <tbody>
                    {rows.into_iter().map(|r| {
                        let change = r.change.map_or_else(
                            || "no match in the earlier run".to_string(),
                            |c| format!("{:+} points ({:+} to {:+})", percent(c.estimate), percent(c.low), percent(c.high)),
                        );
                        view! { <tr><td>{r.variant}</td><td>{pct(r.now)}</td><td>{pct(r.before)}</td><td>{change}</td></tr> }
                    }).collect_view()}
                </tbody>
            </table>
        })
    };
    view! {
        <Show when=many>
            <label class="field-inline">
                <span>"Compare with"</span>
                <select aria-label="Compare with an earlier run" on:change=move |ev| with.set(event_target_value(&ev).parse::<usize>().ok())>
                    <option value="" selected=move || with.get().is_none()>"(nothing)"</option>
                    {move || state.records.with(|r| r.list.iter().enumerate().map(|(i, rec)| {
                        let when = when(rec.ran_ms);
                        view! { <option value=i.to_string()>{format!("{when} \u{b7} {}", rec.version)}</option> }
                    }).collect_view())}
                </select>
            </label>
            {table}
        </Show>
    }
}
