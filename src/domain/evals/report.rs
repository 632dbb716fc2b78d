//! From raw results to what a PM reads: pass rates with intervals per variant and per
//! check, flaky cases, latency and cost, and a paired comparison of each variant with the
//! first one.

use std::collections::BTreeMap;

use super::run::JobResult;
use super::stats::{difference, mcnemar_exact, percentile, verdict, wilson, Interval};

#[derive(Debug, Clone, PartialEq)]
pub struct CheckSummary {
    pub name: String,
    pub passes: usize,
    pub evaluated: usize,
    /// The check could not run (bad regex, judge failure): not counted as failures.
    pub errors: usize,
    pub rate: Option<Interval>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CaseSummary {
    pub case: usize,
    pub passes: usize,
    pub evaluated: usize,
    /// Passed some repetitions and failed others.
    pub flaky: bool,
}

#[derive(Debug, Clone, PartialEq)]
pub struct VariantSummary {
    pub name: String,
    pub runs: usize,
    /// Runs whose flow failed (provider errors after retries).
    pub run_errors: usize,
    pub passes: usize,
    pub evaluated: usize,
    pub rate: Option<Interval>,
    pub checks: Vec<CheckSummary>,
    pub cases: Vec<CaseSummary>,
    pub latency_p50_ms: Option<f64>,
    pub latency_p90_ms: Option<f64>,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cost_usd: f64,
}

impl VariantSummary {
    pub fn flaky_cases(&self) -> usize {
        self.cases.iter().filter(|c| c.flaky).count()
    }
}

/// A variant against the first one, on the runs both have (same case, same repetition).
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub variant: usize,
    pub pairs: usize,
    /// Pairs where only the first variant passed, and where only this one did.
    pub only_base: usize,
    pub only_this: usize,
    /// This variant's pass rate minus the first's, with its 95% interval.
    pub difference: Option<Interval>,
    pub p_value: f64,
    pub verdict: String,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub variants: Vec<VariantSummary>,
    pub comparisons: Vec<Comparison>,
}

pub fn summarize(results: &[JobResult], variants: &[String], checks: &[String], case_count: usize) -> Report {
    let mut out = Vec::new();
    for (v, name) in variants.iter().enumerate() {
        let mine: Vec<&JobResult> = results.iter().filter(|r| r.variant == v).collect();
        let outcomes: Vec<bool> = mine.iter().filter_map(|r| r.passed()).collect();
        let passes = outcomes.iter().filter(|p| **p).count();
        let check_summaries = checks
            .iter()
            .enumerate()
            .map(|(i, check_name)| {
                let results: Vec<Option<bool>> = mine
                    .iter()
                    .filter(|r| r.error.is_none())
                    .filter_map(|r| r.checks.get(i))
                    .map(|c| c.passed())
                    .collect();
                let evaluated = results.iter().filter(|r| r.is_some()).count();
                let p = results.iter().filter(|r| **r == Some(true)).count();
                CheckSummary {
                    name: check_name.clone(),
                    passes: p,
                    evaluated,
                    errors: results.len() - evaluated,
                    rate: wilson(p, evaluated),
                }
            })
            .collect();
        let cases = (0..case_count)
            .map(|c| {
                let reps: Vec<bool> = mine.iter().filter(|r| r.case == c).filter_map(|r| r.passed()).collect();
                let p = reps.iter().filter(|x| **x).count();
                CaseSummary { case: c, passes: p, evaluated: reps.len(), flaky: p > 0 && p < reps.len() }
            })
            .collect();
        let latencies: Vec<f64> = mine.iter().filter(|r| r.error.is_none()).map(|r| r.latency_ms).collect();
        out.push(VariantSummary {
            name: name.clone(),
            runs: mine.len(),
            run_errors: mine.iter().filter(|r| r.error.is_some()).count(),
            passes,
            evaluated: outcomes.len(),
            rate: wilson(passes, outcomes.len()),
            checks: check_summaries,
            cases,
            latency_p50_ms: percentile(&latencies, 50.0),
            latency_p90_ms: percentile(&latencies, 90.0),
            input_tokens: mine.iter().map(|r| r.input_tokens).sum(),
            output_tokens: mine.iter().map(|r| r.output_tokens).sum(),
            cost_usd: mine.iter().map(|r| r.cost_usd).sum(),
        });
    }
    let comparisons = (1..variants.len()).map(|v| compare(results, &out, v)).collect();
    Report { variants: out, comparisons }
}

fn compare(results: &[JobResult], summaries: &[VariantSummary], v: usize) -> Comparison {
    let outcome = |variant: usize| -> BTreeMap<(usize, u32), bool> {
        results.iter().filter(|r| r.variant == variant).filter_map(|r| Some(((r.case, r.rep), r.passed()?))).collect()
    };
    let base = outcome(0);
    let this = outcome(v);
    let (mut pairs, mut only_base, mut only_this, mut base_passes, mut this_passes) = (0, 0, 0, 0, 0);
    for (key, b) in &base {
        let Some(t) = this.get(key) else { continue };
        pairs += 1;
        base_passes += usize::from(*b);
        this_passes += usize::from(*t);
        match (b, t) {
            (true, false) => only_base += 1,
            (false, true) => only_this += 1,
            _ => {}
        }
    }
    let p_value = mcnemar_exact(only_base, only_this);
    let names = (summaries.get(v).map_or("", |s| s.name.as_str()), summaries.first().map_or("", |s| s.name.as_str()));
    let rate = |p: usize| if pairs == 0 { 0.0 } else { p as f64 / pairs as f64 };
    Comparison {
        variant: v,
        pairs,
        only_base,
        only_this,
        difference: difference((this_passes, pairs), (base_passes, pairs)),
        p_value,
        verdict: if pairs == 0 {
            "No paired results yet.".to_string()
        } else {
            verdict(rate(this_passes), rate(base_passes), p_value, pairs, names)
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::evals::checks::CheckResult;

    fn job(variant: usize, case: usize, rep: u32, pass: Option<bool>) -> JobResult {
        let checks = match pass {
            Some(true) => vec![CheckResult::Pass { score: None, reason: String::new() }],
            Some(false) => vec![CheckResult::Fail { score: None, reason: "no".into() }],
            None => vec![],
        };
        JobResult {
            variant,
            case,
            rep,
            output: pass.map(|_| "x".into()),
            error: pass.is_none().then(|| "HTTP 500".to_string()),
            checks,
            latency_ms: 100.0 * (case + 1) as f64,
            input_tokens: 10,
            output_tokens: 5,
            cost_usd: 0.001,
        }
    }

    #[test]
    fn repetitions_errors_and_flaky_cases() {
        // Case 0 passes 3/3, case 1 passes 1/3 (flaky), case 2 fails twice and errors once.
        let results = vec![
            job(0, 0, 0, Some(true)),
            job(0, 0, 1, Some(true)),
            job(0, 0, 2, Some(true)),
            job(0, 1, 0, Some(true)),
            job(0, 1, 1, Some(false)),
            job(0, 1, 2, Some(false)),
            job(0, 2, 0, Some(false)),
            job(0, 2, 1, Some(false)),
            job(0, 2, 2, None),
        ];
        let r = summarize(&results, &["Base".into()], &["Polite".into()], 3);
        let v = &r.variants[0];
        assert_eq!((v.runs, v.run_errors, v.passes, v.evaluated), (9, 1, 4, 8));
        assert_eq!(v.flaky_cases(), 1);
        assert!(v.cases[1].flaky && !v.cases[0].flaky && !v.cases[2].flaky);
        assert_eq!(v.checks[0].evaluated, 8);
        assert_eq!(v.checks[0].errors, 0, "a failed run is not a check error");
        assert_eq!(v.rate.map(|i| i.estimate), Some(0.5));
        assert_eq!(v.latency_p50_ms, Some(200.0));
        assert!((v.cost_usd - 0.009).abs() < 1e-12);
    }

    #[test]
    fn variants_are_compared_on_paired_runs() {
        // Ten cases: the base passes 3, the variant passes 9; the variant wins every
        // disagreement (6 of them): McNemar p = 2/64.
        let mut results = Vec::new();
        for c in 0..10 {
            results.push(job(0, c, 0, Some(c < 3)));
            results.push(job(1, c, 0, Some(c < 9)));
        }
        let r = summarize(&results, &["GPT".into(), "Claude".into()], &["ok".into()], 10);
        let cmp = &r.comparisons[0];
        assert_eq!((cmp.pairs, cmp.only_base, cmp.only_this), (10, 0, 6));
        assert!((cmp.p_value - 2.0 / 64.0).abs() < 1e-9);
        let d = cmp.difference.expect("has pairs");
        assert!((d.estimate - 0.6).abs() < 1e-9 && d.low > 0.0, "{d:?}");
        assert!(cmp.verdict.starts_with("Claude is better than GPT by 60 points"), "{}", cmp.verdict);
    }
}

/// One variant's pass rate in two eval runs (matched by name) and the change between them.
#[derive(Debug, Clone, PartialEq)]
pub struct RunChange {
    pub variant: String,
    pub now: Option<Interval>,
    pub before: Option<Interval>,
    /// `now - before` with Newcombe's interval (the runs are independent samples).
    pub change: Option<Interval>,
}

/// Compares the variants of two reports by name, in the order of `now`.
pub fn compare_runs(now: &Report, before: &Report) -> Vec<RunChange> {
    now.variants
        .iter()
        .map(|v| {
            let old = before.variants.iter().find(|b| b.name == v.name);
            RunChange {
                variant: v.name.clone(),
                now: v.rate,
                before: old.and_then(|o| o.rate),
                change: old.and_then(|o| difference((v.passes, v.evaluated), (o.passes, o.evaluated))),
            }
        })
        .collect()
}

#[cfg(test)]
mod run_change_tests {
    use super::*;
    use crate::domain::evals::checks::CheckResult;

    fn runs(variant: usize, passes: usize, n: usize) -> Vec<JobResult> {
        (0..n)
            .map(|i| JobResult {
                variant,
                case: i,
                rep: 0,
                output: Some(String::new()),
                error: None,
                checks: vec![if i < passes {
                    CheckResult::Pass { score: None, reason: String::new() }
                } else {
                    CheckResult::Fail { score: None, reason: String::new() }
                }],
                latency_ms: 1.0,
                input_tokens: 0,
                output_tokens: 0,
                cost_usd: 0.0,
            })
            .collect()
    }

    #[test]
    fn runs_are_compared_by_variant_name() {
        let now = summarize(&runs(0, 56, 70), &["Base".into()], &["c".into()], 70);
        let before = summarize(&runs(0, 48, 80), &["Base".into()], &["c".into()], 80);
        let changes = compare_runs(&now, &before);
        let c = changes[0].change.expect("both have runs");
        // Newcombe (1998b) example (a): 56/70 − 48/80 → +0.0524 to +0.3339.
        assert!((c.low - 0.0524).abs() < 5e-4 && (c.high - 0.3339).abs() < 5e-4, "{c:?}");
        let other = summarize(&runs(0, 1, 2), &["Renamed".into()], &["c".into()], 2);
        assert_eq!(compare_runs(&other, &before)[0].change, None);
    }
}
