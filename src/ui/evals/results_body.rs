//! One eval run's results: each variant's pass rate with its interval (and whether sample
//! answers gave it), a chart, score figures and trade-offs, the comparison in words with its
//! cautions, held-out and fairness results, each case's and each check's pass rate, and the
//! exports (results CSV, HTML report). The outputs under them are results_grid.rs.

use super::eval_charts::{ScoreChart, TradeoffChart};
use super::eval_dialog::EvalState;
use super::eval_results::Shown;
use super::held_out::HeldOut;
use super::results_grid::{grid_rows, OutputsGrid, GRID_ROWS};
use crate::domain::evals::export::{
    case_cell, html_report, pass_rate_chart, results_csv, score_distributions, tradeoffs, METHODS_NOTE,
};
use crate::domain::evals::fairness::fairness_reports;
use crate::domain::evals::report_setup::report_setup;
use crate::domain::evals::stats::percent;
use crate::ui::platform::platform;
use leptos::prelude::*;

#[component]
pub(super) fn ResultsBody(shown: Shown) -> impl IntoView {
    let state = expect_context::<EvalState>();
    let report = shown.report();
    let chart = pass_rate_chart(&report);
    let only_disagreements = RwSignal::new(false);
    let s_csv = shown.clone();
    let s_html = shown.clone();
    let r_html = report.clone();
    // Reports show a media value as its file's name and size, not its token.
    let media = expect_context::<crate::ui::platform::media::MediaStore>();
    let readable = move |cases: &[crate::domain::evals::cases::TestCase]| {
        media.library.with_untracked(|lib| {
            crate::domain::evals::cases::with_readable_media(cases, |id| lib.get(id).map(|i| i.meta.clone()))
        })
    };
    let export_csv = move |_| {
        let cases = readable(&s_csv.cases);
        let csv = results_csv(&s_csv.variants, &s_csv.inputs, &cases, &s_csv.checks, &s_csv.results);
        let _ = platform::download_text("eval-results.csv", &csv, "text/csv");
    };
    let export_html = move |_| {
        let cases = readable(&s_html.cases);
        // What ran, from the flow and the suite as they are now, for the variants this run had.
        let editor = expect_context::<crate::ui::state::editor::Editor>();
        let flow = editor.flow();
        let setup = state.suite.with_untracked(|suite| {
            let variants: Vec<_> =
                suite.all_variants().into_iter().filter(|v| s_html.variants.contains(&v.name)).collect();
            let checks: Vec<_> = suite.checks.iter().filter(|c| s_html.checks.contains(&c.name)).cloned().collect();
            report_setup(&flow, &variants, &checks)
        });
        let title = format!("Eval report: {}", flow.meta.title);
        let html = html_report(&title, &s_html.label, &r_html, Some(&setup), &s_html.checks, &cases, &s_html.results);
        let _ = platform::download_text("eval-report.html", &html, "text/html");
    };
    let (rows, total_rows) = grid_rows(&shown.results, shown.variants.len());
    let variant_names = shown.variants.clone();
    let cases = shown.cases.clone();
    // Which variants answered with sample answers (judged on the flow as it is now), so their
    // numbers are never mistaken for a model's.
    let editor = expect_context::<crate::ui::state::editor::Editor>();
    let sample: Vec<bool> = {
        let flow = editor.flow();
        state.suite.with_untracked(|suite| {
            let target = suite
                .target
                .clone()
                .filter(|t| flow.block(&crate::domain::flow::BlockId::new(t.clone())).is_some())
                .or_else(|| super::suite_store::targets(&flow).first().map(|t| t.0.clone()));
            let all = suite.all_variants();
            shown
                .variants
                .iter()
                .map(|name| {
                    let (Some(t), Some(v)) = (target.as_ref(), all.iter().find(|v| &v.name == name)) else {
                        return false;
                    };
                    crate::domain::evals::run::variant_is_sample(
                        &flow,
                        &crate::domain::flow::BlockId::new(t.clone()),
                        v,
                    )
                })
                .collect()
        })
    };
    let fairness: Vec<(String, crate::domain::evals::fairness::FairnessReport)> = (0..shown.variants.len())
        .flat_map(|v| {
            let name = shown.variants[v].clone();
            fairness_reports(&shown.results, &shown.cases, v).into_iter().map(move |r| (name.clone(), r))
        })
        .collect();
    view! {
        <p class="field-help eval-label">{shown.label.clone()}</p>
        <div class="variant-cards">
            {report.variants.iter().enumerate().map(|(i, v)| {
                let big = v.rate.map_or_else(|| "\u{2014}".to_string(), |r| format!("{}%", percent(r.estimate)));
                let range = v.rate.map_or_else(|| "no checked runs yet".to_string(), |r| format!("pass, likely between {}% and {}%", percent(r.low), percent(r.high)));
                let latency = match (v.latency_p50_ms, v.latency_p90_ms) {
                    (Some(a), Some(b)) => format!("{:.1} s median, {:.1} s p90", a / 1000.0, b / 1000.0),
                    _ => "no timings".into(),
                };
                let is_sample = sample.get(i).copied().unwrap_or(false);
                view! {
                    <div class="variant-card" role="group" aria-label=format!("Variant {}", v.name)>
                        <p class="variant-name">{v.name.clone()}
                            {is_sample.then(|| view! { " "<span class="sample-badge" title="Answered by sample answers, not by a model">{crate::domain::sample::SAMPLE_BADGE}</span> })}
                        </p>
                        <p class="variant-rate">{big}</p>
                        <p class="variant-range">{range}</p>
                        <p class="field-help">{format!("over {} cases \u{b7} {} of {} runs passed \u{b7} {} run errors", v.case_count, v.passes, v.evaluated, v.run_errors)}</p>
                        <p class="field-help consistency">{v.consistency.describe()}</p>
                        <p class="field-help">{format!("{latency} \u{b7} {} tokens \u{b7} {}", v.input_tokens + v.output_tokens, crate::domain::engine::format_usd(v.cost_usd))}</p>
                    </div>
                }
            }).collect_view()}
        </div>
        <svg class="pass-chart" viewBox=format!("0 0 {} {}", chart.width, chart.height) role="img" aria-label="Pass rate per variant with 95% intervals">
            {[(0.0, "0%"), (0.5, "50%"), (1.0, "100%")].into_iter().map(|(p, label)| {
                let y = chart.baseline - (chart.baseline - chart.ceiling) * p;
                view! {
                    <line class="chart-grid" x1="44" x2=(chart.width - 10.0).to_string() y1=y.to_string() y2=y.to_string() />
                    <text class="chart-axis" x="38" y=(y + 4.0).to_string() text-anchor="end">{label}</text>
                }
            }).collect_view()}
            {chart.bars.iter().map(|b| {
                let cx = b.x + b.width / 2.0;
                view! {
                    <rect class="chart-bar" x=b.x.to_string() y=b.top.to_string() width=b.width.to_string() height=(chart.baseline - b.top).max(0.0).to_string() rx="4" />
                    <line class="chart-whisker" x1=cx.to_string() x2=cx.to_string() y1=b.whisker_high.to_string() y2=b.whisker_low.to_string() />
                    <line class="chart-whisker" x1=(cx - 8.0).to_string() x2=(cx + 8.0).to_string() y1=b.whisker_low.to_string() y2=b.whisker_low.to_string() />
                    <line class="chart-whisker" x1=(cx - 8.0).to_string() x2=(cx + 8.0).to_string() y1=b.whisker_high.to_string() y2=b.whisker_high.to_string() />
                    <text class="chart-value" x=cx.to_string() y=(b.whisker_high - 6.0).max(12.0).to_string() text-anchor="middle">{b.value_label.clone()}</text>
                    <text class="chart-label" x=cx.to_string() y=(chart.baseline + 18.0).to_string() text-anchor="middle">{b.label.clone()}</text>
                }
            }).collect_view()}
        </svg>
        <div class="eval-figures">
            {score_distributions(&shown.results, &shown.variants, &shown.checks).into_iter().map(|dist| view! { <ScoreChart dist /> }).collect_view()}
            {(report.variants.len() > 1).then(|| view! { <TradeoffChart points=tradeoffs(&report) /> })}
        </div>
        <div class="verdicts" aria-label="Comparison">
            {report.comparisons.iter().map(|c| {
                let method = if c.paired.one_run_each { "exact McNemar test" } else { "exact sign-flip test on each case's pass rate" };
                let detail = format!(
                    "Cases where the first variant passed more often: {}; where this one did: {} ({method}).",
                    c.paired.cases_base_ahead, c.paired.cases_this_ahead
                );
                view! {
                    <div class="verdict-block">
                        <p class="verdict">{c.verdict.clone()}</p>
                        {c.warnings.iter().map(|w| view! { <p class="verdict-warning" role="note">{w.clone()}</p> }).collect_view()}
                        <p class="field-help">{detail}</p>
                    </div>
                }
            }).collect_view()}
            <p class="field-help">{METHODS_NOTE}</p>
        </div>
        <HeldOut report=report.clone() />
        <super::fairness_ui::FairnessResults reports=fairness />
        <details class="case-rates">
            <summary>"Each case\u{2019}s pass rate"</summary>
            <div class="table-scroll">
                <table class="checks-table" aria-label="Pass rate per case">
                    <thead><tr><th>"Case"</th>{report.variants.iter().map(|v| view! { <th>{v.name.clone()}</th> }).collect_view()}</tr></thead>
                    <tbody>
                        {(0..shown.cases.len().min(GRID_ROWS)).map(|i| {
                            let held = shown.cases.get(i).is_some_and(|c| c.held_out);
                            view! {
                                <tr class:hidden=held>
                                    <td>{format!("#{}", i + 1)}</td>
                                    {report.variants.iter().map(|v| view! { <td>{v.cases.get(i).map(case_cell).unwrap_or_default()}</td> }).collect_view()}
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                </table>
            </div>
        </details>
        <table class="checks-table" aria-label="Pass rate per check">
            <thead><tr><th>"Check"</th>{report.variants.iter().map(|v| view! { <th>{v.name.clone()}</th> }).collect_view()}</tr></thead>
            <tbody>
                {shown.checks.iter().enumerate().map(|(i, name)| view! {
                    <tr>
                        <td>{name.clone()}</td>
                        {report.variants.iter().map(|v| {
                            let c = v.checks.get(i);
                            let text = c.and_then(|c| c.rate).map_or_else(|| "n/a".to_string(), |r| r.describe("pass"));
                            let errors = c.map_or(0, |c| c.errors);
                            view! { <td>{text}{(errors > 0).then(|| view! { <span class="check-errors">{format!(" ({errors} could not be checked)")}</span> })}</td> }
                        }).collect_view()}
                    </tr>
                }).collect_view()}
            </tbody>
        </table>
        <div class="eval-section-head">
            <label class="check">
                <input type="checkbox" prop:checked=move || only_disagreements.get() on:change=move |ev| only_disagreements.set(event_target_checked(&ev)) />
                "Only where variants disagree"
            </label>
            <div class="eval-actions">
                <button class="button button-quiet" on:click=export_csv>"Export results CSV"</button>
                <button class="button button-quiet" on:click=export_html>"Download HTML report"</button>
            </div>
        </div>
        <OutputsGrid rows total_rows variant_names cases only_disagreements />
    }
}
