//! From raw results to what a PM reads, with the test case as the unit: pass rates over
//! cases with intervals that account for repetitions, per-check rates, each case's own rate
//! and how consistent it is, latency and cost, a held-out set kept apart, and a paired
//! comparison of each variant with the first (Holm-corrected when there are several).

use std::collections::BTreeMap;

use super::case_stats::{case_interval, case_rate, chance_to_see_mixed, mover_difference, CaseTally};
use super::paired::{compare_paired, holm, PairedCase, PairedComparison};
use super::run::JobResult;
use super::stats::{percent, percentile, Interval};

#[derive(Debug, Clone, PartialEq)]
pub struct CheckSummary {
    pub name: String,
    /// Runs that passed this check, out of the runs where it could be evaluated.
    pub passes: usize,
    pub evaluated: usize,
    /// The check could not run (bad regex, judge failure): not counted as failures.
    pub errors: usize,
    /// Over the working cases, the case as the unit.
    pub rate: Option<Interval>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct CaseSummary {
    pub case: usize,
    pub passes: usize,
    pub evaluated: usize,
    /// Passed some repetitions and failed others.
    pub mixed: bool,
    /// The case's own pass rate with its 95% interval (two runs or more).
    pub interval: Option<Interval>,
    pub held_out: bool,
}

/// How consistent the answers are across repetitions, and how much a count can see.
#[derive(Debug, Clone, PartialEq)]
pub struct Consistency {
    /// Working cases with mixed results, out of those run at least twice.
    pub mixed: usize,
    pub repeated_cases: usize,
    /// The usual number of checked runs per case.
    pub runs_per_case: usize,
}

impl Consistency {
    pub fn describe(&self) -> String {
        if self.repeated_cases == 0 {
            return "Each case ran once, so inconsistent answers cannot show: run cases 3 times or more to see them."
                .to_string();
        }
        let seen = format!(
            "Mixed results (passed some runs, failed others) in {} of {} cases.",
            self.mixed, self.repeated_cases
        );
        let chance = percent(chance_to_see_mixed(self.runs_per_case, 0.9));
        format!(
            "{seen} With {} runs a case, one that fails 1 run in 10 shows it only {chance}% of the time, so more cases may be inconsistent than this shows.",
            self.runs_per_case
        )
    }
}

/// The held-out cases, kept apart while the prompt is tuned on the others.
#[derive(Debug, Clone, PartialEq)]
pub struct HeldOutSummary {
    pub cases: usize,
    pub rate: Option<Interval>,
    /// Working-set pass rate minus the held-out one, for independent sets of cases.
    pub gap: Option<Interval>,
}

impl HeldOutSummary {
    /// A warning when the working cases pass clearly more often than the held-out ones.
    pub fn overfitting_warning(&self, working: Option<Interval>) -> Option<String> {
        let gap = self.gap?;
        let (w, h) = (working?, self.rate?);
        (gap.low > 0.0).then(|| {
            format!(
                "Passes {}% of the working cases but only {}% of the held-out ones (gap {} points, 95% interval {} to {}): the prompt may be tuned to the cases you looked at.",
                percent(w.estimate),
                percent(h.estimate),
                percent(gap.estimate),
                percent(gap.low),
                percent(gap.high)
            )
        })
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct VariantSummary {
    pub name: String,
    pub runs: usize,
    /// Runs whose flow failed (provider errors after retries).
    pub run_errors: usize,
    /// Checked runs that passed, over the working cases.
    pub passes: usize,
    pub evaluated: usize,
    /// Working cases with at least one checked run.
    pub case_count: usize,
    /// The pass rate over working cases (mean of the cases' own rates), with its interval.
    pub rate: Option<Interval>,
    /// How many independent observations the runs are worth (see `case_stats`).
    pub effective_n: f64,
    pub checks: Vec<CheckSummary>,
    /// Every case, held-out ones included (flagged).
    pub cases: Vec<CaseSummary>,
    pub consistency: Consistency,
    pub held_out: Option<HeldOutSummary>,
    pub latency_p50_ms: Option<f64>,
    pub latency_p90_ms: Option<f64>,
    pub input_tokens: u64,
    pub output_tokens: u64,
    pub cost_usd: f64,
}

/// A variant against the first one, on the working cases both have.
#[derive(Debug, Clone, PartialEq)]
pub struct Comparison {
    pub variant: usize,
    pub paired: PairedComparison,
    pub verdict: String,
    pub warnings: Vec<String>,
}

impl Comparison {
    pub fn difference(&self) -> Option<Interval> {
        self.paired.difference
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Report {
    pub variants: Vec<VariantSummary>,
    pub comparisons: Vec<Comparison>,
    /// Cases marked as held out (0 when none are, or when every case is).
    pub held_out_cases: usize,
}

/// Which cases are held out, by case index; empty or all-held-out means none.
fn working_mask(held_out: &[bool], case_count: usize) -> Vec<bool> {
    let held: Vec<bool> = (0..case_count).map(|c| held_out.get(c).copied().unwrap_or(false)).collect();
    if held.iter().all(|h| *h) {
        vec![false; case_count]
    } else {
        held
    }
}

/// Per-case tallies of one variant's runs (one entry per case).
fn tallies(mine: &[&JobResult], case_count: usize, outcome: impl Fn(&JobResult) -> Option<bool>) -> Vec<CaseTally> {
    let mut out = vec![CaseTally::default(); case_count];
    for r in mine {
        let (Some(t), Some(pass)) = (out.get_mut(r.case), outcome(r)) else { continue };
        t.runs += 1;
        t.passes += usize::from(pass);
    }
    out
}

fn select(tallies: &[CaseTally], held: &[bool], want_held: bool) -> Vec<CaseTally> {
    tallies.iter().zip(held).filter(|(_, h)| **h == want_held).map(|(t, _)| *t).collect()
}

/// `held_out[c]` marks case `c` as held out (its length is the number of cases).
pub fn summarize(results: &[JobResult], variants: &[String], checks: &[String], held_out: &[bool]) -> Report {
    let case_count = held_out.len();
    let held = working_mask(held_out, case_count);
    let held_out_cases = held.iter().filter(|h| **h).count();
    let mut out = Vec::new();
    for (v, name) in variants.iter().enumerate() {
        let mine: Vec<&JobResult> = results.iter().filter(|r| r.variant == v && r.case < case_count).collect();
        let overall = tallies(&mine, case_count, JobResult::passed);
        let working = select(&overall, &held, false);
        let rate = case_rate(&working);
        let check_summaries = checks
            .iter()
            .enumerate()
            .map(|(i, check_name)| {
                let ran: Vec<&JobResult> = mine.iter().copied().filter(|r| r.error.is_none()).collect();
                let per_case = tallies(&ran, case_count, |r| r.checks.get(i).and_then(|c| c.passed()));
                let working = select(&per_case, &held, false);
                let attempted = ran.iter().filter(|r| !held[r.case] && r.checks.get(i).is_some()).count();
                let evaluated: usize = working.iter().map(|t| t.runs).sum();
                CheckSummary {
                    name: check_name.clone(),
                    passes: working.iter().map(|t| t.passes).sum(),
                    evaluated,
                    errors: attempted - evaluated,
                    rate: case_rate(&working).map(|r| r.interval),
                }
            })
            .collect();
        let cases: Vec<CaseSummary> = overall
            .iter()
            .enumerate()
            .map(|(c, t)| CaseSummary {
                case: c,
                passes: t.passes,
                evaluated: t.runs,
                mixed: t.passes > 0 && t.passes < t.runs,
                interval: case_interval(*t),
                held_out: held[c],
            })
            .collect();
        let repeated: Vec<&CaseSummary> = cases.iter().filter(|c| !c.held_out && c.evaluated >= 2).collect();
        let consistency = Consistency {
            mixed: repeated.iter().filter(|c| c.mixed).count(),
            repeated_cases: repeated.len(),
            runs_per_case: typical(&repeated.iter().map(|c| c.evaluated).collect::<Vec<_>>()),
        };
        let held_out_summary = (held_out_cases > 0).then(|| {
            let h = case_rate(&select(&overall, &held, true)).map(|r| r.interval);
            HeldOutSummary {
                cases: held_out_cases,
                rate: h,
                gap: rate.map(|r| r.interval).zip(h).map(|(w, h)| mover_difference(w, h, 0.0)),
            }
        });
        let latencies: Vec<f64> = mine.iter().filter(|r| r.error.is_none()).map(|r| r.latency_ms).collect();
        out.push(VariantSummary {
            name: name.clone(),
            runs: mine.len(),
            run_errors: mine.iter().filter(|r| r.error.is_some()).count(),
            passes: working.iter().map(|t| t.passes).sum(),
            evaluated: working.iter().map(|t| t.runs).sum(),
            case_count: rate.map_or(0, |r| r.cases),
            rate: rate.map(|r| r.interval),
            effective_n: rate.map_or(0.0, |r| r.effective_n),
            checks: check_summaries,
            cases,
            consistency,
            held_out: held_out_summary,
            latency_p50_ms: percentile(&latencies, 50.0),
            latency_p90_ms: percentile(&latencies, 90.0),
            input_tokens: mine.iter().map(|r| r.input_tokens).sum(),
            output_tokens: mine.iter().map(|r| r.output_tokens).sum(),
            cost_usd: mine.iter().map(|r| r.cost_usd).sum(),
        });
    }
    let comparisons = compare_all(results, &out, &held);
    Report { variants: out, comparisons, held_out_cases }
}

/// The most common value (the larger on ties); 0 for none.
fn typical(values: &[usize]) -> usize {
    let mut counts: BTreeMap<usize, usize> = BTreeMap::new();
    for v in values {
        *counts.entry(*v).or_default() += 1;
    }
    counts.into_iter().max_by_key(|(v, n)| (*n, *v)).map_or(0, |(v, _)| v)
}

fn compare_all(results: &[JobResult], summaries: &[VariantSummary], held: &[bool]) -> Vec<Comparison> {
    let case_count = held.len();
    let per_variant = |v: usize| -> Vec<CaseTally> {
        let mine: Vec<&JobResult> = results.iter().filter(|r| r.variant == v && r.case < case_count).collect();
        tallies(&mine, case_count, JobResult::passed)
    };
    let base = per_variant(0);
    let mut paired: Vec<PairedComparison> = (1..summaries.len())
        .map(|v| {
            let this = per_variant(v);
            let pairs: Vec<PairedCase> = (0..case_count)
                .filter(|c| !held[*c])
                .map(|c| PairedCase { case: c, base: base[c], this: this[c] })
                .collect();
            compare_paired(&pairs)
        })
        .collect();
    let adjusted = holm(&paired.iter().map(|p| p.p_value).collect::<Vec<_>>());
    for (p, a) in paired.iter_mut().zip(adjusted) {
        p.p_adjusted = a;
    }
    let count = paired.len();
    let base_name = summaries.first().map_or("", |s| s.name.as_str());
    paired
        .into_iter()
        .enumerate()
        .map(|(i, p)| {
            let name = summaries.get(i + 1).map_or("", |s| s.name.as_str());
            Comparison {
                variant: i + 1,
                verdict: p.describe(name, base_name, count),
                warnings: p.warnings(),
                paired: p,
            }
        })
        .collect()
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
            routes: Vec::new(),
        }
    }

    #[test]
    fn repetitions_errors_and_mixed_cases() {
        // Case 0 passes 3/3, case 1 passes 1/3 (mixed), case 2 fails twice and errors once.
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
        let r = summarize(&results, &["Base".into()], &["Polite".into()], &[false; 3]);
        let v = &r.variants[0];
        assert_eq!((v.runs, v.run_errors, v.passes, v.evaluated, v.case_count), (9, 1, 4, 8, 3));
        assert_eq!((v.consistency.mixed, v.consistency.repeated_cases, v.consistency.runs_per_case), (1, 3, 3));
        assert!(v.cases[1].mixed && !v.cases[0].mixed && !v.cases[2].mixed);
        assert!(v.cases[1].interval.is_some_and(|i| i.low < 0.34 && i.high > 0.33));
        assert_eq!(v.checks[0].evaluated, 8);
        assert_eq!(v.checks[0].errors, 0, "a failed run is not a check error");
        // The case is the unit: (1 + 1/3 + 0) / 3, not 4 of 8 runs.
        let rate = v.rate.expect("checked runs");
        assert!((rate.estimate - 4.0 / 9.0).abs() < 1e-12, "{rate:?}");
        assert_eq!(v.latency_p50_ms, Some(200.0));
        assert!((v.cost_usd - 0.009).abs() < 1e-12);
        assert!(v.consistency.describe().contains("only 27% of the time"));
    }

    #[test]
    fn variants_are_compared_on_paired_cases() {
        // Ten cases: the base passes 3, the variant passes 9; the variant wins every
        // disagreement (6 of them): McNemar p = 2/64.
        let mut results = Vec::new();
        for c in 0..10 {
            results.push(job(0, c, 0, Some(c < 3)));
            results.push(job(1, c, 0, Some(c < 9)));
        }
        let r = summarize(&results, &["GPT".into(), "Claude".into()], &["ok".into()], &[false; 10]);
        let cmp = &r.comparisons[0];
        assert_eq!((cmp.paired.cases, cmp.paired.cases_base_ahead, cmp.paired.cases_this_ahead), (10, 0, 6));
        assert!((cmp.paired.p_value - 2.0 / 64.0).abs() < 1e-9);
        let d = cmp.difference().expect("has pairs");
        assert!((d.estimate - 0.6).abs() < 1e-9 && d.low > 0.0, "{d:?}");
        assert!(cmp.verdict.starts_with("Claude: pass rate 60 points higher than GPT"), "{}", cmp.verdict);
        assert!(cmp.verdict.contains("Claude is better"), "{}", cmp.verdict);
    }

    #[test]
    fn several_variants_are_holm_corrected() {
        // Three variants against the base on 30 cases; each wins 6 disagreements of 6.
        let mut results = Vec::new();
        for c in 0..30 {
            results.push(job(0, c, 0, Some(c >= 6)));
            for v in 1..4 {
                results.push(job(v, c, 0, Some(true)));
            }
        }
        let names: Vec<String> = ["A", "B", "C", "D"].iter().map(|s| s.to_string()).collect();
        let r = summarize(&results, &names, &["ok".into()], &[false; 30]);
        assert_eq!(r.comparisons.len(), 3);
        let c = &r.comparisons[0];
        assert!((c.paired.p_adjusted - 3.0 * c.paired.p_value).abs() < 1e-12);
        assert!(c.verdict.contains("after Holm's correction for 3 comparisons"), "{}", c.verdict);
    }

    #[test]
    fn held_out_cases_are_kept_apart() {
        // 40 working cases all pass; 40 held-out cases pass 10.
        let mut results = Vec::new();
        for c in 0..80 {
            results.push(job(0, c, 0, Some(c < 40 || c < 50)));
        }
        let held: Vec<bool> = (0..80).map(|c| c >= 40).collect();
        let r = summarize(&results, &["Base".into()], &["ok".into()], &held);
        let v = &r.variants[0];
        assert_eq!((r.held_out_cases, v.case_count), (40, 40));
        assert_eq!(v.rate.map(|i| i.estimate), Some(1.0));
        let h = v.held_out.as_ref().expect("held-out cases");
        assert_eq!(h.rate.map(|i| i.estimate), Some(0.25));
        let warning = h.overfitting_warning(v.rate).expect("clear gap");
        assert!(warning.starts_with("Passes 100% of the working cases but only 25% of the held-out ones"), "{warning}");
        // Marking every case held out means none is.
        assert_eq!(summarize(&results, &["Base".into()], &["ok".into()], &[true; 80]).held_out_cases, 0);
    }
}

/// One variant's pass rate in two eval runs (matched by name) and the change between them.
#[derive(Debug, Clone, PartialEq)]
pub struct RunChange {
    pub variant: String,
    pub now: Option<Interval>,
    pub before: Option<Interval>,
    /// `now - before` by square-and-add from the two case-level intervals (the runs are
    /// treated as independent samples of cases).
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
                change: old.and_then(|o| Some(mover_difference(v.rate?, o.rate?, 0.0))),
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
                routes: Vec::new(),
            })
            .collect()
    }

    #[test]
    fn runs_are_compared_by_variant_name() {
        let now = summarize(&runs(0, 56, 70), &["Base".into()], &["c".into()], &[false; 70]);
        let before = summarize(&runs(0, 48, 80), &["Base".into()], &["c".into()], &[false; 80]);
        let changes = compare_runs(&now, &before);
        let c = changes[0].change.expect("both have runs");
        // Newcombe (1998b) example (a): 56/70 − 48/80 → +0.0524 to +0.3339.
        assert!((c.low - 0.0524).abs() < 5e-4 && (c.high - 0.3339).abs() < 5e-4, "{c:?}");
        let other = summarize(&runs(0, 1, 2), &["Renamed".into()], &["c".into()], &[false; 2]);
        assert_eq!(compare_runs(&other, &before)[0].change, None);
    }
}
