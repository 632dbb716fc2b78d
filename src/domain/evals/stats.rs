//! The building blocks of the eval statistics: the 95% Wilson interval on independent
//! observations, Newcombe's interval for a difference of two independent rates, McNemar's
//! exact test, percentiles. Where the test case is the unit (every report), see
//! `case_stats` and `paired`, which are built on these.

use super::distributions::Z95;

/// A proportion with its 95% interval, all in 0..=1.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Interval {
    pub estimate: f64,
    pub low: f64,
    pub high: f64,
}

impl Interval {
    /// "72% pass, likely between 61% and 81%".
    pub fn describe(&self, what: &str) -> String {
        format!("{}% {what}, likely between {}% and {}%", percent(self.estimate), percent(self.low), percent(self.high))
    }
}

/// A share as a whole percentage.
pub fn percent(p: f64) -> i64 {
    (p * 100.0).round() as i64
}

/// The 95% Wilson score interval for `passes` out of `n`. `None` when there is nothing to
/// count.
pub fn wilson(passes: usize, n: usize) -> Option<Interval> {
    if n == 0 || passes > n {
        return None;
    }
    let n_f = n as f64;
    let p = passes as f64 / n_f;
    let z2 = Z95 * Z95;
    let denom = 1.0 + z2 / n_f;
    let centre = (p + z2 / (2.0 * n_f)) / denom;
    let half = Z95 * (p * (1.0 - p) / n_f + z2 / (4.0 * n_f * n_f)).sqrt() / denom;
    Some(Interval { estimate: p, low: (centre - half).max(0.0), high: (centre + half).min(1.0) })
}

/// The difference `a - b` of two pass rates with Newcombe's hybrid score interval (from the
/// two Wilson intervals; method 10 of Newcombe 1998).
pub fn difference(a: (usize, usize), b: (usize, usize)) -> Option<Interval> {
    let ia = wilson(a.0, a.1)?;
    let ib = wilson(b.0, b.1)?;
    let d = ia.estimate - ib.estimate;
    let low = d - ((ia.estimate - ia.low).powi(2) + (ib.high - ib.estimate).powi(2)).sqrt();
    let high = d + ((ia.high - ia.estimate).powi(2) + (ib.estimate - ib.low).powi(2)).sqrt();
    Some(Interval { estimate: d, low: low.max(-1.0), high: high.min(1.0) })
}

/// McNemar's exact test on paired outcomes: `only_a` cases passed with A and failed with B,
/// `only_b` the other way round. The two-sided p-value (1 when no case disagrees).
pub fn mcnemar_exact(only_a: usize, only_b: usize) -> f64 {
    let n = only_a + only_b;
    if n == 0 {
        return 1.0;
    }
    let k = only_a.min(only_b);
    // P(X <= k) for X ~ Binomial(n, 1/2), summed in log space so large n cannot overflow.
    let ln_half_n = -(n as f64) * std::f64::consts::LN_2;
    let mut ln_choose = 0.0; // ln C(n, 0)
    let mut tail = 0.0;
    for i in 0..=k {
        if i > 0 {
            ln_choose += ((n - i + 1) as f64).ln() - (i as f64).ln();
        }
        tail += (ln_choose + ln_half_n).exp();
    }
    (2.0 * tail).min(1.0)
}

/// The `q`-th percentile (0..=100) by linear interpolation between ranks.
pub fn percentile(values: &[f64], q: f64) -> Option<f64> {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| v.is_finite()).collect();
    if sorted.is_empty() {
        return None;
    }
    sorted.sort_by(f64::total_cmp);
    let rank = (q.clamp(0.0, 100.0) / 100.0) * (sorted.len() - 1) as f64;
    let lo = rank.floor() as usize;
    let hi = rank.ceil() as usize;
    let (a, b) = (sorted.get(lo).copied()?, sorted.get(hi).copied()?);
    Some(a + (b - a) * (rank - lo as f64))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 5e-4
    }

    #[test]
    fn wilson_matches_published_values() {
        // Newcombe (1998), Statistics in Medicine 17:857, table I: 81/263 → 0.2553–0.3662;
        // 0/10 → 0–0.2775; 15/148 → 0.0624–0.1605.
        let i = wilson(81, 263).expect("n > 0");
        assert!(close(i.low, 0.2553) && close(i.high, 0.3662), "{i:?}");
        let i = wilson(0, 10).expect("n > 0");
        assert!(close(i.low, 0.0) && close(i.high, 0.2775), "{i:?}");
        let i = wilson(15, 148).expect("n > 0");
        assert!(close(i.low, 0.0624) && close(i.high, 0.1605), "{i:?}");
        assert_eq!(wilson(0, 0), None);
        assert_eq!(wilson(3, 2), None);
        assert_eq!(
            wilson(72, 100).map(|i| i.describe("pass")).as_deref(),
            Some("72% pass, likely between 63% and 80%")
        );
    }

    #[test]
    fn newcombe_difference_matches_the_paper() {
        // Newcombe (1998b), Statistics in Medicine 17:873, example (a): 56/70 − 48/80,
        // method 10 → +0.0524 to +0.3339.
        let d = difference((56, 70), (48, 80)).expect("n > 0");
        assert!(close(d.estimate, 0.2) && close(d.low, 0.0524) && close(d.high, 0.3339), "{d:?}");
    }

    #[test]
    fn mcnemar_exact_p_values() {
        // b = 1, c = 6: 2 · (1 + 7) / 128 = 0.125.
        assert!(close(mcnemar_exact(1, 6), 0.125));
        assert!(close(mcnemar_exact(6, 1), 0.125));
        // b = 0, c = 10: 2 / 1024.
        assert!(close(mcnemar_exact(0, 10), 2.0 / 1024.0));
        assert_eq!(mcnemar_exact(0, 0), 1.0);
        assert_eq!(mcnemar_exact(5, 5), 1.0);
        // Large counts stay finite and tiny.
        let p = mcnemar_exact(100, 2000);
        assert!(p.is_finite() && p < 1e-100);
    }

    #[test]
    fn percentiles_interpolate() {
        let v = [10.0, 20.0, 30.0, 40.0];
        assert_eq!(percentile(&v, 50.0), Some(25.0));
        assert_eq!(percentile(&v, 0.0), Some(10.0));
        assert_eq!(percentile(&v, 100.0), Some(40.0));
        assert_eq!(percentile(&[], 50.0), None);
        assert_eq!(percentile(&[f64::NAN, 5.0], 90.0), Some(5.0));
    }
}
