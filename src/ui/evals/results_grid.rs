//! Every output of an eval run side by side: one line per case and repetition, one column per
//! variant, each with its pass/fail badge, the routes its Routers took and the output's text.
//! Lines where the variants disagree can be shown alone; held-out cases stay hidden until
//! their results are revealed. A big eval shows its first lines only (the CSV has them all).

use super::held_out::HeldOutShown;
use crate::domain::evals::cases::TestCase;
use crate::domain::evals::checks::CheckResult;
use crate::domain::evals::run::JobResult;
use leptos::prelude::*;

/// Rows the outputs grid shows at most.
pub(super) const GRID_ROWS: usize = 200;

/// One line of the outputs grid: (case, repetition) and each variant's result.
pub(super) type GridRow = ((usize, u32), Vec<Option<JobResult>>);

/// The grid's lines in order of case and repetition (the first [`GRID_ROWS`] of them), and how
/// many there are in all.
pub(super) fn grid_rows(results: &[JobResult], variants: usize) -> (Vec<GridRow>, usize) {
    // Rows: (case, rep) with each variant's result.
    let by_key: std::collections::HashMap<(usize, usize, u32), &JobResult> =
        results.iter().map(|r| ((r.variant, r.case, r.rep), r)).collect();
    let mut keys: Vec<(usize, u32)> = results.iter().map(|r| (r.case, r.rep)).collect();
    keys.sort_unstable();
    keys.dedup();
    let rows: Vec<GridRow> = keys
        .into_iter()
        .map(|k| {
            let per: Vec<Option<JobResult>> =
                (0..variants).map(|v| by_key.get(&(v, k.0, k.1)).map(|r| (*r).clone())).collect();
            (k, per)
        })
        .collect();
    // A big eval has thousands of runs: the grid shows the first ones (the CSV has all).
    let total_rows = rows.len();
    let rows: Vec<GridRow> = rows.into_iter().take(GRID_ROWS).collect();
    (rows, total_rows)
}

fn outcome_badge(r: &JobResult) -> (&'static str, String) {
    if let Some(e) = &r.error {
        return ("err", format!("Run failed: {e}"));
    }
    match r.passed() {
        Some(true) => ("pass", "pass".into()),
        Some(false) => {
            let why: Vec<String> = r
                .checks
                .iter()
                .filter_map(|c| match c {
                    CheckResult::Fail { reason, score } => {
                        Some(score.map_or_else(|| reason.clone(), |s| format!("{s}/5: {reason}")))
                    }
                    _ => None,
                })
                .collect();
            ("fail", format!("fail: {}", why.join(" ")))
        }
        None => ("err", "check error".into()),
    }
}

/// The route each Router took for this run, as chips: "Guardrail: flagged — Personal data
/// found: 1 e-mail address." (text nodes only: a reason may quote a model).
fn route_chips(r: &JobResult) -> impl IntoView {
    r.routes
        .iter()
        .map(|t| {
            let held = t.route != crate::domain::blocks::router::DEFAULT_ROUTE;
            view! {
                <span class="route-chip" class:route-chip-held=held data-route=t.route.clone() title=t.describe()>
                    <strong>{format!("{}: {}", t.title, t.route)}</strong>
                    {t.reason.clone().map(|why| format!(" \u{2014} {why}"))}
                </span>
            }
        })
        .collect_view()
}

/// The outputs grid (under the "Only where variants disagree" filter, which `only_disagreements`
/// follows).
#[component]
pub(super) fn OutputsGrid(
    rows: Vec<GridRow>,
    total_rows: usize,
    variant_names: Vec<String>,
    cases: Vec<TestCase>,
    only_disagreements: RwSignal<bool>,
) -> impl IntoView {
    let held_shown = expect_context::<HeldOutShown>().0;
    view! {
        {(total_rows > GRID_ROWS).then(|| view! {
            <p class="field-help">{format!("Showing the first {GRID_ROWS} of {total_rows} cases and runs; the CSV export has them all.")}</p>
        })}
        <div class="table-scroll">
            <table class="outputs-table" aria-label="Every output">
                <thead><tr><th>"Case"</th>{variant_names.iter().map(|n| view! { <th>{n.clone()}</th> }).collect_view()}</tr></thead>
                <tbody>
                    {rows.into_iter().map(|((case, rep), per)| {
                        let outcomes: Vec<Option<bool>> = per.iter().map(|r| r.as_ref().and_then(JobResult::passed)).collect();
                        let disagree = outcomes.iter().flatten().any(|p| *p) && outcomes.iter().flatten().any(|p| !*p);
                        let summary = cases.get(case).map(|c| c.inputs.values().cloned().collect::<Vec<_>>().join(" | ")).unwrap_or_default();
                        let held = cases.get(case).is_some_and(|c| c.held_out);
                        view! {
                            <tr class:hidden=move || (only_disagreements.get() && !disagree) || (held && !held_shown.get()) data-disagree=disagree.to_string()>
                                <td class="case-cell"><strong>{format!("#{} \u{b7} run {}", case + 1, rep + 1)}</strong><br/>{summary}</td>
                                {per.into_iter().map(|r| match r {
                                    None => view! { <td class="pending">"\u{2026}"</td> }.into_any(),
                                    Some(r) => {
                                        let (class, badge) = outcome_badge(&r);
                                        view! {
                                            <td data-outcome=class>
                                                <span class=format!("badge badge-{class}")>{badge}</span>
                                                {route_chips(&r)}
                                                <div class="output-text">{r.output.clone().unwrap_or_default()}</div>
                                            </td>
                                        }.into_any()
                                    }
                                }).collect_view()}
                            </tr>
                        }
                    }).collect_view()}
                </tbody>
            </table>
        </div>
    }
}
