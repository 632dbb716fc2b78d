//! Pass rates where the test case is the unit. Repetitions of one case are not independent
//! observations (a case the prompt gets wrong tends to stay wrong), so a pass rate is the
//! mean of the cases' own pass rates, and its interval is a Wilson interval on the number of
//! independent observations the runs are really worth: the effective sample size n / deff
//! of survey statistics (Kish 1965), here estimated from the spread of the case means, with
//! Student's t for the variance estimated from n cases. Over one run per case this is the
//! plain Wilson interval.

use super::distributions::{beta_quantile, t95, Z95};
use super::stats::Interval;

/// One case's checked runs for one variant (or one check).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct CaseTally {
    pub passes: usize,
    pub runs: usize,
}

impl CaseTally {
    pub fn rate(&self) -> Option<f64> {
        (self.runs > 0).then(|| self.passes as f64 / self.runs as f64)
    }
}

/// A pass rate over cases, with what its interval rests on.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct CaseRate {
    pub interval: Interval,
    /// Cases with at least one checked run.
    pub cases: usize,
    /// Checked runs over those cases.
    pub runs: usize,
    /// How many independent observations the runs are worth (between `cases` and `runs`).
    pub effective_n: f64,
}

/// The Wilson score interval for a share `p` of `n` observations, `n` possibly fractional
/// (an effective sample size), with critical value `z`.
pub fn wilson_z(p: f64, n: f64, z: f64) -> Interval {
    let z2 = z * z;
    let denom = 1.0 + z2 / n;
    let centre = (p + z2 / (2.0 * n)) / denom;
    let half = z * (p * (1.0 - p) / n + z2 / (4.0 * n * n)).max(0.0).sqrt() / denom;
    Interval { estimate: p, low: (centre - half).clamp(0.0, p), high: (centre + half).clamp(p, 1.0) }
}

/// The pass rate over cases with its 95% interval; `None` when no case has a checked run.
pub fn case_rate(tallies: &[CaseTally]) -> Option<CaseRate> {
    let means: Vec<f64> = tallies.iter().filter_map(CaseTally::rate).collect();
    let n = means.len();
    if n == 0 {
        return None;
    }
    let runs: usize = tallies.iter().map(|t| t.runs).sum();
    let p = means.iter().sum::<f64>() / n as f64;
    let one_run_each = tallies.iter().all(|t| t.runs <= 1);
    let (effective_n, z) = if one_run_each || n == 1 {
        // Independent cases: the classic Wilson interval.
        (n as f64, Z95)
    } else {
        let var_of_mean = sample_variance(&means) / n as f64;
        let spread = p * (1.0 - p);
        let eff = if spread <= 0.0 {
            // Every run passed (or failed): nothing says how much cases differ, so count cases.
            n as f64
        } else if var_of_mean <= 0.0 {
            runs as f64
        } else {
            (spread / var_of_mean).clamp(n as f64, runs as f64)
        };
        // The variance came from n cases: t with n − 1 degrees of freedom.
        (eff, t95((n - 1) as f64))
    };
    Some(CaseRate { interval: wilson_z(p, effective_n, z), cases: n, runs, effective_n })
}

/// One case's own pass rate with its 95% interval (Jeffreys: the Beta(½, ½) posterior's
/// 2.5% and 97.5% points, which keep their coverage on average even at 2-3 runs, Brown, Cai
/// & DasGupta 2001). `None` below two runs, where it would say nothing.
pub fn case_interval(t: CaseTally) -> Option<Interval> {
    if t.runs < 2 || t.passes > t.runs {
        return None;
    }
    let (x, n) = (t.passes as f64, t.runs as f64);
    let low = if t.passes == 0 { 0.0 } else { beta_quantile(0.025, x + 0.5, n - x + 0.5) };
    let high = if t.passes == t.runs { 1.0 } else { beta_quantile(0.975, x + 0.5, n - x + 0.5) };
    Some(Interval { estimate: x / n, low, high })
}

/// The difference `a − b` of two rates from their own 95% intervals, by Newcombe's square-and-
/// add (MOVER) method; `r` is the correlation between the two estimates (0 for independent
/// samples, the correlation of the paired case means otherwise). With one run per case and
/// `r` = φ of the 2×2 table, this is method 10 of Newcombe (1998) for paired data.
pub fn mover_difference(a: Interval, b: Interval, r: f64) -> Interval {
    let d = a.estimate - b.estimate;
    let (a_lo, a_hi) = (a.estimate - a.low, a.high - a.estimate);
    let (b_lo, b_hi) = (b.estimate - b.low, b.high - b.estimate);
    let low = d - (a_lo * a_lo - 2.0 * r * a_lo * b_hi + b_hi * b_hi).max(0.0).sqrt();
    let high = d + (a_hi * a_hi - 2.0 * r * a_hi * b_lo + b_lo * b_lo).max(0.0).sqrt();
    Interval { estimate: d, low: low.clamp(-1.0, d), high: high.clamp(d, 1.0) }
}

/// The sample variance (n − 1 in the denominator); 0 for fewer than two values.
pub fn sample_variance(values: &[f64]) -> f64 {
    if values.len() < 2 {
        return 0.0;
    }
    let mean = values.iter().sum::<f64>() / values.len() as f64;
    values.iter().map(|v| (v - mean).powi(2)).sum::<f64>() / (values.len() - 1) as f64
}

/// Pearson's correlation of paired values; 0 when either side does not vary.
pub fn correlation(pairs: &[(f64, f64)]) -> f64 {
    let n = pairs.len() as f64;
    if pairs.len() < 2 {
        return 0.0;
    }
    let (ma, mb) = (pairs.iter().map(|p| p.0).sum::<f64>() / n, pairs.iter().map(|p| p.1).sum::<f64>() / n);
    let (mut sab, mut saa, mut sbb) = (0.0, 0.0, 0.0);
    for (a, b) in pairs {
        sab += (a - ma) * (b - mb);
        saa += (a - ma).powi(2);
        sbb += (b - mb).powi(2);
    }
    if saa <= 0.0 || sbb <= 0.0 {
        0.0
    } else {
        (sab / (saa * sbb).sqrt()).clamp(-1.0, 1.0)
    }
}

/// How likely `runs` repetitions of a case that passes 90% of the time show at least one pass
/// and one failure: what a "mixed results" count can see.
pub fn chance_to_see_mixed(runs: usize, pass_probability: f64) -> f64 {
    let r = runs as i32;
    (1.0 - pass_probability.powi(r) - (1.0 - pass_probability).powi(r)).max(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::evals::stats::wilson;

    fn tallies(v: &[(usize, usize)]) -> Vec<CaseTally> {
        v.iter().map(|&(passes, runs)| CaseTally { passes, runs }).collect()
    }

    #[test]
    fn one_run_per_case_is_plain_wilson() {
        let t: Vec<CaseTally> = (0..100).map(|i| CaseTally { passes: usize::from(i < 72), runs: 1 }).collect();
        let r = case_rate(&t).expect("has cases");
        assert_eq!(r.interval, wilson(72, 100).expect("n > 0"));
        assert_eq!((r.cases, r.runs, r.effective_n), (100, 100, 100.0));
    }

    #[test]
    fn repetitions_of_consistent_cases_add_no_information() {
        // 10 cases, 5 runs each, every case all-pass or all-fail: the 50 runs are worth 10.
        let t = tallies(&[(5, 5), (5, 5), (5, 5), (5, 5), (5, 5), (0, 5), (0, 5), (0, 5), (0, 5), (0, 5)]);
        let r = case_rate(&t).expect("has cases");
        assert_eq!(r.effective_n, 10.0);
        let naive = wilson(25, 50).expect("n > 0");
        assert!(r.interval.high - r.interval.low > naive.high - naive.low + 0.1, "{r:?} vs {naive:?}");
        // Cases that all pass 3 of 5: no spread between cases, the runs count fully.
        let t = tallies(&[(3, 5); 10]);
        assert_eq!(case_rate(&t).expect("has cases").effective_n, 50.0);
        assert_eq!(case_rate(&tallies(&[(0, 0)])), None);
    }

    #[test]
    fn case_intervals_are_jeffreys() {
        // Jeffreys for 2 of 3 runs: Beta(2.5, 1.5) quantiles (scipy.stats.beta.ppf).
        let i = case_interval(CaseTally { passes: 2, runs: 3 }).expect("two runs or more");
        assert!((i.low - 0.176_736_097_131_257).abs() < 1e-9 && (i.high - 0.961_252_382_214_835).abs() < 1e-9, "{i:?}");
        assert_eq!(case_interval(CaseTally { passes: 1, runs: 1 }), None);
        let all = case_interval(CaseTally { passes: 4, runs: 4 }).expect("four runs");
        assert_eq!(all.high, 1.0);
    }

    #[test]
    fn mover_with_no_correlation_is_newcombe_hybrid() {
        // Newcombe (1998b) example (a): 56/70 − 48/80 → +0.0524 to +0.3339.
        let d = mover_difference(wilson(56, 70).expect("n"), wilson(48, 80).expect("n"), 0.0);
        assert!((d.low - 0.0524).abs() < 5e-4 && (d.high - 0.3339).abs() < 5e-4, "{d:?}");
    }

    #[test]
    fn chance_to_see_a_ninety_percent_case_as_mixed() {
        assert!((chance_to_see_mixed(3, 0.9) - 0.27).abs() < 1e-9);
        assert_eq!(chance_to_see_mixed(1, 0.9), 0.0);
    }
}
