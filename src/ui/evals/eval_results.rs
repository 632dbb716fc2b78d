//! The results of an eval, live or saved: pass rates over cases with their intervals, a
//! chart, the comparison in words with its cautions, per-check rates, each case's own rate,
//! held-out results (hidden until asked for), and every output side by side (filterable to
//! the cases where variants disagree). Exports as CSV and an HTML report.

use super::eval_charts::{ScoreChart, TradeoffChart};
use super::eval_dialog::EvalState;
use super::eval_driver::EvalDriver;
use super::suite_store::input_names;
use crate::domain::evals::cases::TestCase;
use crate::domain::evals::checks::CheckResult;
use crate::domain::evals::export::{
    case_cell, html_report, pass_rate_chart, results_csv, score_distributions, tradeoffs, METHODS_NOTE,
};
use crate::domain::evals::fairness::fairness_reports;
use crate::domain::evals::report::{compare_runs, summarize, Report};
use crate::domain::evals::report_setup::report_setup;
use crate::domain::evals::run::JobResult;
use crate::domain::evals::stats::percent;
use crate::domain::evals::suite::EvalRecord;
use crate::domain::time::format_iso;
use crate::ui::platform::platform;
use leptos::prelude::*;

/// Rows the outputs grid shows at most.
const GRID_ROWS: usize = 200;

/// One line of the outputs grid: (case, repetition) and each variant's result.
type GridRow = ((usize, u32), Vec<Option<JobResult>>);

/// "2026-11-23 15:31": when a run was saved.
fn when(ms: i64) -> String {
    format_iso(ms).replace('T', " ").chars().take(16).collect()
}

/// What the results view shows.
#[derive(Clone, PartialEq)]
struct Shown {
    label: String,
    variants: Vec<String>,
    checks: Vec<String>,
    inputs: Vec<String>,
    cases: Vec<TestCase>,
    results: Vec<JobResult>,
}

impl Shown {
    fn report(&self) -> Report {
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

#[component]
fn ResultsBody(shown: Shown) -> impl IntoView {
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
    // Rows: (case, rep) with each variant's result.
    let by_key: std::collections::HashMap<(usize, usize, u32), &JobResult> =
        shown.results.iter().map(|r| ((r.variant, r.case, r.rep), r)).collect();
    let mut keys: Vec<(usize, u32)> = shown.results.iter().map(|r| (r.case, r.rep)).collect();
    keys.sort_unstable();
    keys.dedup();
    let rows: Vec<GridRow> = keys
        .into_iter()
        .map(|k| {
            let per: Vec<Option<JobResult>> =
                (0..shown.variants.len()).map(|v| by_key.get(&(v, k.0, k.1)).map(|r| (*r).clone())).collect();
            (k, per)
        })
        .collect();
    // A big eval has thousands of runs: the grid shows the first ones (the CSV has all).
    let total_rows = rows.len();
    let rows: Vec<GridRow> = rows.into_iter().take(GRID_ROWS).collect();
    let variant_names = shown.variants.clone();
    let cases = shown.cases.clone();
    let held_shown = expect_context::<HeldOutShown>().0;
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

/// Whether held-out results are revealed (for the whole results view, so the grid and the
/// summary agree). Provided by [`Results`].
#[derive(Clone, Copy)]
struct HeldOutShown(RwSignal<bool>);

/// Held-out cases: hidden while the prompt is tuned, revealed on request with a warning when
/// the working cases pass clearly more often.
#[component]
fn HeldOut(report: Report) -> impl IntoView {
    let shown = expect_context::<HeldOutShown>().0;
    let count = report.held_out_cases;
    (count > 0).then(move || {
        let rows = report
            .variants
            .iter()
            .filter_map(|v| {
                let h = v.held_out.as_ref()?;
                let rate = h.rate.map_or_else(|| "no checked runs yet".to_string(), |r| r.describe("pass"));
                let working = v.rate.map_or_else(|| "no checked runs yet".to_string(), |r| r.describe("pass"));
                Some((v.name.clone(), working, rate, h.overfitting_warning(v.rate)))
            })
            .collect::<Vec<_>>();
        view! {
            <div class="held-out" role="region" aria-label="Held-out cases">
                <p>
                    <strong>{format!("{count} held-out case{}", if count == 1 { "" } else { "s" })}</strong>
                    {move || if shown.get() {
                        " \u{b7} results shown below and in the grid."
                    } else {
                        " \u{b7} results hidden while you tune the prompt, so you are not tempted to fit it to them. The numbers above are the working cases only."
                    }}
                </p>
                <Show when=move || !shown.get()>
                    <button class="button button-quiet" on:click=move |_| shown.set(true)>"Show held-out results"</button>
                </Show>
                <Show when=move || shown.get()>
                    <ul class="held-out-list">
                        {rows.clone().into_iter().map(|(name, working, rate, warning)| view! {
                            <li>
                                <strong>{name}</strong>{format!(": held out {rate}; working cases {working}.")}
                                {warning.map(|w| view! { <p class="verdict-warning" role="note">{w}</p> })}
                            </li>
                        }).collect_view()}
                    </ul>
                    <button class="button button-quiet" on:click=move |_| shown.set(false)>"Hide held-out results"</button>
                </Show>
            </div>
        }
    })
}
