//! Comparing two variants on the same cases, with the case as the unit.
//!
//! - The difference is the mean of the per-case differences in pass rate, with a paired
//!   square-and-add interval ([`mover_difference`] on the two case-level intervals and the
//!   correlation of the case means; Newcombe 1998 method 10 with one run per case).
//! - The test is an exact sign-flip permutation test on the per-case differences (Fisher's
//!   randomisation test): if the variants are alike, each case's difference is as likely to
//!   point either way. With one run per case it is exact McNemar.
//! - Several variants against the first are corrected with Holm's method (Holm 1979).
//! - "Not enough evidence yet" comes with the number of cases a paired design would need
//!   (Connor 1987 with one run per case; the paired-t formula on case differences otherwise).

use super::case_stats::{case_rate, correlation, mover_difference, sample_variance, CaseTally};
use super::distributions::{Z80, Z95};
use super::stats::{mcnemar_exact, Interval};
use crate::domain::util::format::thousands;

/// Below this many paired cases a comparison is a first look, and says so.
pub const FEW_CASES: usize = 20;
const ALPHA: f64 = 0.05;
/// Above this, "not enough evidence yet" rather than "no clear difference".
const LEANING: f64 = 0.2;
/// Sums the exact test enumerates at most (cases × range); beyond it the normal
/// approximation of the same statistic is used (it is then very accurate).
const EXACT_LIMIT: usize = 4_000_000;

/// One case seen by both variants.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PairedCase {
    pub case: usize,
    pub base: CaseTally,
    pub this: CaseTally,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Leaning {
    /// The evidence says this variant is better (or worse) than the first.
    Better,
    Worse,
    /// A difference that could still be chance.
    NotEnoughEvidence,
    /// Nothing that looks like a difference.
    NoClearDifference,
    NoData,
}

/// The comparison of one variant with the first, ready to be put in words.
#[derive(Debug, Clone, PartialEq)]
pub struct PairedComparison {
    pub cases: usize,
    /// Cases where the first variant passed more often, and where this one did.
    pub cases_base_ahead: usize,
    pub cases_this_ahead: usize,
    /// This variant's pass rate minus the first's, over the paired cases.
    pub difference: Option<Interval>,
    /// Two-sided, before any correction.
    pub p_value: f64,
    /// After Holm's correction over all comparisons (equal to `p_value` for one).
    pub p_adjusted: f64,
    /// Whether every case had one run per variant (the McNemar design).
    pub one_run_each: bool,
    /// Cases a paired design would need to detect the difference seen (80% power, 5%).
    pub cases_needed: Option<usize>,
    /// The cases that make up the difference, when only one or two do.
    pub carried_by: Vec<usize>,
}

/// Compares two variants on their paired cases (before Holm's correction).
pub fn compare_paired(pairs: &[PairedCase]) -> PairedComparison {
    let pairs: Vec<PairedCase> = pairs.iter().copied().filter(|p| p.base.runs > 0 && p.this.runs > 0).collect();
    let n = pairs.len();
    let one_run_each = pairs.iter().all(|p| p.base.runs == 1 && p.this.runs == 1);
    let diffs: Vec<f64> = pairs.iter().map(|p| rate(p.this) - rate(p.base)).collect();
    let cases_this_ahead = diffs.iter().filter(|d| **d > 0.0).count();
    let cases_base_ahead = diffs.iter().filter(|d| **d < 0.0).count();
    let base = case_rate(&pairs.iter().map(|p| p.base).collect::<Vec<_>>());
    let this = case_rate(&pairs.iter().map(|p| p.this).collect::<Vec<_>>());
    let difference = match (this, base) {
        (Some(t), Some(b)) => {
            let r = correlation(&pairs.iter().map(|p| (rate(p.this), rate(p.base))).collect::<Vec<_>>());
            Some(mover_difference(t.interval, b.interval, r))
        }
        _ => None,
    };
    let p_value = if one_run_each { mcnemar_exact(cases_base_ahead, cases_this_ahead) } else { sign_flip_p(&pairs) };
    let mean = if n == 0 { 0.0 } else { diffs.iter().sum::<f64>() / n as f64 };
    let cases_needed = if one_run_each {
        connor_cases(cases_base_ahead as f64 / n.max(1) as f64, cases_this_ahead as f64 / n.max(1) as f64)
    } else {
        paired_t_cases(mean, sample_variance(&diffs).sqrt())
    };
    let carried_by = carried_by(&pairs, &diffs, mean);
    PairedComparison {
        cases: n,
        cases_base_ahead,
        cases_this_ahead,
        difference,
        p_value,
        p_adjusted: p_value,
        one_run_each,
        cases_needed,
        carried_by,
    }
}

fn rate(t: CaseTally) -> f64 {
    t.rate().unwrap_or(0.0)
}

/// The cases in the winning direction, when there are only one or two of them.
fn carried_by(pairs: &[PairedCase], diffs: &[f64], mean: f64) -> Vec<usize> {
    if mean == 0.0 {
        return Vec::new();
    }
    let favouring: Vec<usize> = pairs
        .iter()
        .zip(diffs)
        .filter(|(_, d)| d.signum() == mean.signum() && **d != 0.0)
        .map(|(p, _)| p.case)
        .collect();
    if favouring.len() <= 2 {
        favouring
    } else {
        Vec::new()
    }
}

/// The exact two-sided p-value of the sign-flip test on the per-case differences. The
/// differences are put on a common integer grid (the least common multiple of the run
/// counts, at most 2,520) so the permutation distribution is counted exactly by dynamic
/// programming over sums.
pub fn sign_flip_p(pairs: &[PairedCase]) -> f64 {
    let runs: Vec<usize> = pairs.iter().flat_map(|p| [p.base.runs, p.this.runs]).filter(|r| *r > 0).collect();
    let mut grid: u64 = 1;
    for r in &runs {
        let next = lcm(grid, *r as u64);
        if next > 2_520 {
            grid = 2_520;
            break;
        }
        grid = next;
    }
    let steps: Vec<i64> = pairs
        .iter()
        .filter(|p| p.base.runs > 0 && p.this.runs > 0)
        .map(|p| ((rate(p.this) - rate(p.base)) * grid as f64).round() as i64)
        .filter(|k| *k != 0)
        .collect();
    sign_flip_p_on_grid(&steps)
}

/// The exact sign-flip p-value for integer differences (zeros already removed).
pub fn sign_flip_p_on_grid(steps: &[i64]) -> f64 {
    if steps.is_empty() {
        return 1.0;
    }
    let observed: i64 = steps.iter().sum::<i64>().abs();
    let total: usize = steps.iter().map(|k| k.unsigned_abs() as usize).sum();
    if total.saturating_mul(steps.len()) > EXACT_LIMIT {
        // Many cases: the sum of ±k is very nearly normal with variance Σk².
        let var: f64 = steps.iter().map(|k| (*k as f64).powi(2)).sum();
        // Continuity correction of half a grid step.
        let z = (observed as f64 - 0.5) / var.sqrt();
        return (2.0 * normal_upper(z)).min(1.0);
    }
    // dist[s + total] = P(sum of signs × |k| = s) over the cases so far.
    let width = 2 * total + 1;
    let mut dist = vec![0.0f64; width];
    dist[total] = 1.0;
    let mut reach = 0usize;
    for k in steps {
        let k = k.unsigned_abs() as usize;
        let mut next = vec![0.0f64; width];
        for s in (total - reach)..=(total + reach) {
            let p = dist[s];
            if p == 0.0 {
                continue;
            }
            next[s + k] += 0.5 * p;
            next[s - k] += 0.5 * p;
        }
        reach += k;
        dist = next;
    }
    let observed = observed as usize;
    let p: f64 = dist
        .iter()
        .enumerate()
        .filter(|(s, _)| (*s as i64 - total as i64).unsigned_abs() as usize >= observed)
        .map(|(_, p)| p)
        .sum();
    p.min(1.0)
}

fn lcm(a: u64, b: u64) -> u64 {
    fn gcd(a: u64, b: u64) -> u64 {
        if b == 0 {
            a
        } else {
            gcd(b, a % b)
        }
    }
    a / gcd(a, b) * b
}

/// P(Z > z) for a standard normal (complementary error function, Numerical Recipes' erfc
/// Chebyshev fit: relative error below 1.2e-7, plenty for a p-value).
pub fn normal_upper(z: f64) -> f64 {
    let x = z / std::f64::consts::SQRT_2;
    let t = 1.0 / (1.0 + 0.5 * x.abs());
    let poly = -x * x - 1.265_512_23
        + t * (1.000_023_68
            + t * (0.374_091_96
                + t * (0.096_784_18
                    + t * (-0.186_288_06
                        + t * (0.278_868_07
                            + t * (-1.135_203_98 + t * (1.488_515_87 + t * (-0.822_152_23 + t * 0.170_872_77))))))));
    let erfc = t * poly.exp();
    let erfc = if x >= 0.0 { erfc } else { 2.0 - erfc };
    0.5 * erfc
}

/// Holm's step-down correction (Holm 1979): adjusted p-values in the input's order.
pub fn holm(p_values: &[f64]) -> Vec<f64> {
    let m = p_values.len();
    let mut order: Vec<usize> = (0..m).collect();
    order.sort_by(|a, b| p_values[*a].total_cmp(&p_values[*b]));
    let mut adjusted = vec![1.0; m];
    let mut running: f64 = 0.0;
    for (rank, &i) in order.iter().enumerate() {
        running = running.max(((m - rank) as f64 * p_values[i]).min(1.0));
        adjusted[i] = running;
    }
    adjusted
}

/// Connor (1987): paired cases needed to detect the discordance seen (one run per case),
/// two-sided 5% with 80% power. `base_only` and `this_only` are the shares of cases where
/// only one variant passed.
pub fn connor_cases(base_only: f64, this_only: f64) -> Option<usize> {
    let psi = base_only + this_only;
    let delta = (this_only - base_only).abs();
    if delta < 1e-9 {
        return None;
    }
    let n = (Z95 * psi.sqrt() + Z80 * (psi - delta * delta).max(0.0).sqrt()).powi(2) / (delta * delta);
    Some(n.ceil().max(2.0) as usize)
}

/// Cases needed to detect a mean per-case difference `mean` with spread `sd` (paired-t
/// normal approximation plus Guenther's small-sample term z²/2).
pub fn paired_t_cases(mean: f64, sd: f64) -> Option<usize> {
    if mean.abs() < 1e-9 || sd <= 0.0 {
        return None;
    }
    let n = ((Z95 + Z80) * sd / mean.abs()).powi(2) + Z95 * Z95 / 2.0;
    Some(n.ceil().max(2.0) as usize)
}

impl PairedComparison {
    /// Which way the evidence leans, after the correction. "Better" needs both the corrected
    /// test and the interval to agree, so the words never contradict the numbers beside them.
    pub fn leaning(&self) -> Leaning {
        let Some(d) = self.difference.filter(|_| self.cases > 0) else { return Leaning::NoData };
        if self.p_adjusted < ALPHA && d.low > 0.0 {
            Leaning::Better
        } else if self.p_adjusted < ALPHA && d.high < 0.0 {
            Leaning::Worse
        } else if self.p_adjusted < LEANING {
            Leaning::NotEnoughEvidence
        } else {
            Leaning::NoClearDifference
        }
    }

    /// The comparison in words, effect and interval first. `corrected_for` is the number of
    /// comparisons Holm's correction covered.
    pub fn describe(&self, this: &str, base: &str, corrected_for: usize) -> String {
        let Some(d) = self.difference.filter(|_| self.cases > 0) else {
            return format!("No case has results for both {base} and {this} yet.");
        };
        let points = signed_points(d.estimate);
        let effect = match points {
            0 if d.estimate == 0.0 => format!("{this} and {base} pass equally often"),
            0 => format!("{this} and {base} are within 1 point of each other"),
            // "X: pass rate … higher than Y" reads right whatever X is: a variant, a model,
            // or a group of names ("Men's names passes…" did not).
            p if p > 0 => format!("{this}: pass rate {} higher than {base}", points_word(p)),
            p => format!("{this}: pass rate {} lower than {base}", points_word(-p)),
        };
        let interval =
            format!("95% interval {} to {} points", signed(signed_points(d.low)), signed(signed_points(d.high)));
        let plural = if self.cases == 1 { "" } else { "s" };
        let mut out = format!("{effect} ({interval}), over {} paired case{plural}. ", self.cases);
        let p = p_phrase(self.p_value, self.p_adjusted, corrected_for);
        match self.leaning() {
            Leaning::Better => out.push_str(&format!("{this} is better: that is unlikely to be chance ({p}).")),
            Leaning::Worse => out.push_str(&format!("{this} is worse: that is unlikely to be chance ({p}).")),
            Leaning::NotEnoughEvidence => {
                out.push_str(&format!("Not enough evidence yet to call it ({p}).{}", self.needed_sentence()))
            }
            Leaning::NoClearDifference => out.push_str(&format!(
                "No clear difference: this could easily be chance ({p}).{}",
                self.needed_sentence()
            )),
            Leaning::NoData => {}
        }
        out
    }

    fn needed_sentence(&self) -> String {
        let Some(d) = self.difference else { return String::new() };
        let points = signed_points(d.estimate).abs();
        match self.cases_needed {
            Some(m) if points >= 1 && m > self.cases => format!(
                " To tell a {}-point difference apart reliably, use about {} cases{}.",
                points,
                thousands(m),
                if self.one_run_each { "" } else { " with the same repetitions" }
            ),
            Some(_) if points >= 1 => {
                " This many cases would usually show a difference this size; this run may be unlucky, so run it again."
                    .to_string()
            }
            _ => String::new(),
        }
    }

    /// Cautions a PM should read before repeating the verdict.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.cases > 0 && self.cases < FEW_CASES {
            out.push(format!(
                "Only {} paired case{}: a first look, not evidence. {FEW_CASES} or more cases make the numbers dependable.",
                self.cases,
                if self.cases == 1 { "" } else { "s" }
            ));
        }
        match self.carried_by.as_slice() {
            [] => {}
            [one] => out.push(format!(
                "The whole difference comes from one case (case {}): read its answers before trusting it.",
                one + 1
            )),
            [a, b, ..] => out.push(format!(
                "The whole difference comes from two cases (cases {} and {}): read their answers before trusting it.",
                a + 1,
                b + 1
            )),
        }
        out
    }
}

fn p_phrase(raw: f64, adjusted: f64, corrected_for: usize) -> String {
    if corrected_for > 1 {
        format!("{} after Holm's correction for {corrected_for} comparisons; {} alone", p_text(adjusted), p_text(raw))
    } else {
        p_text(raw)
    }
}

/// "p = 0.021", or "p < 0.001".
pub fn p_text(p: f64) -> String {
    if p < 0.001 {
        "p < 0.001".to_string()
    } else {
        format!("p = {p:.3}")
    }
}

/// A difference in rates as whole percentage points (rounded once, so an estimate and its
/// bounds never disagree by a rounding).
pub fn signed_points(d: f64) -> i64 {
    (d * 100.0).round() as i64
}

fn signed(points: i64) -> String {
    if points > 0 {
        format!("+{points}")
    } else if points < 0 {
        format!("\u{2212}{}", -points)
    } else {
        "0".to_string()
    }
}

fn points_word(p: i64) -> String {
    if p == 1 {
        "1 point".to_string()
    } else {
        format!("{p} points")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pair(case: usize, base: (usize, usize), this: (usize, usize)) -> PairedCase {
        PairedCase {
            case,
            base: CaseTally { passes: base.0, runs: base.1 },
            this: CaseTally { passes: this.0, runs: this.1 },
        }
    }

    #[test]
    fn the_issue_example_is_not_called_better() {
        // 20 cases × 5 runs: B wins every run of one case and one run of another.
        let mut pairs: Vec<PairedCase> = (0..20).map(|c| pair(c, (3, 5), (3, 5))).collect();
        pairs[0] = pair(0, (0, 5), (5, 5));
        pairs[1] = pair(1, (2, 5), (3, 5));
        let c = compare_paired(&pairs);
        // Two non-zero differences (1 and 0.2): 4 equally likely sign patterns, 2 as extreme.
        assert!((c.p_value - 0.5).abs() < 1e-12, "{c:?}");
        assert_eq!(c.leaning(), Leaning::NoClearDifference);
        let text = c.describe("B", "A", 1);
        assert!(text.starts_with("B: pass rate 6 points higher than A (95% interval"), "{text}");
        assert!(!text.contains("is better"), "{text}");
        assert_eq!(c.carried_by, vec![0, 1]);
        assert!(c.warnings()[0].contains("cases 1 and 2"), "{:?}", c.warnings());
    }

    #[test]
    fn one_run_each_is_exact_mcnemar_and_newcombe_paired() {
        // 10 cases: base passes 3, variant passes 9, the variant wins all 6 disagreements.
        let pairs: Vec<PairedCase> =
            (0..10).map(|c| pair(c, (usize::from(c < 3), 1), (usize::from(c < 9), 1))).collect();
        let c = compare_paired(&pairs);
        assert!(c.one_run_each);
        assert!((c.p_value - 2.0 / 64.0).abs() < 1e-12);
        let d = c.difference.expect("paired");
        assert!((d.estimate - 0.6).abs() < 1e-12 && d.low > 0.0, "{d:?}");
        assert_eq!(c.leaning(), Leaning::Better);
        assert!(c.describe("Claude", "GPT", 1).contains("Claude is better"));
        assert!(c.warnings()[0].starts_with("Only 10 paired cases"));
    }

    #[test]
    fn sign_flip_matches_enumeration() {
        // Differences 3, 1, 2 (on a grid): 8 patterns; |sum| ≥ 6 only for all-equal signs.
        assert!((sign_flip_p_on_grid(&[3, 1, 2]) - 0.25).abs() < 1e-12);
        // |sum| ≥ 4: sums are ±6, ±4 (flip the 1: 3−1+2), ±2, 0 → 4 of 8.
        assert!((sign_flip_p_on_grid(&[3, -1, 2]) - 0.5).abs() < 1e-12);
        assert_eq!(sign_flip_p_on_grid(&[]), 1.0);
        // All unit steps: the binomial, i.e. McNemar.
        assert!((sign_flip_p_on_grid(&[1, 1, 1, 1, 1, 1]) - mcnemar_exact(0, 6)).abs() < 1e-12);
    }

    #[test]
    fn holm_adjusts_step_down() {
        let a = holm(&[0.01, 0.04, 0.03]);
        // Sorted 0.01, 0.03, 0.04 → 0.03, 0.06, max(0.06, 0.04) = 0.06.
        assert!((a[0] - 0.03).abs() < 1e-12 && (a[2] - 0.06).abs() < 1e-12 && (a[1] - 0.06).abs() < 1e-12, "{a:?}");
        assert_eq!(holm(&[0.5]), vec![0.5]);
    }

    #[test]
    fn connor_sample_size() {
        // Discordant shares 0.25 and 0.10: ψ = 0.35, δ = 0.15, (1.96·√0.35 + 0.84·√0.3275)² / 0.0225 ≈ 119.7.
        let n = connor_cases(0.10, 0.25).expect("differs");
        assert!((115..=125).contains(&n), "{n}");
        assert_eq!(connor_cases(0.1, 0.1), None);
    }

    #[test]
    fn rounding_never_contradicts() {
        let c = PairedComparison {
            cases: 40,
            cases_base_ahead: 1,
            cases_this_ahead: 2,
            difference: Some(Interval { estimate: 0.004, low: -0.1, high: 0.11 }),
            p_value: 0.9,
            p_adjusted: 0.9,
            one_run_each: true,
            cases_needed: None,
            carried_by: vec![],
        };
        let t = c.describe("B", "A", 1);
        assert!(
            t.starts_with("B and A are within 1 point of each other (95% interval \u{2212}10 to +11 points)"),
            "{t}"
        );
        assert!(normal_upper(1.959_963_984_540_054) - 0.025 < 1e-6);
    }
}
