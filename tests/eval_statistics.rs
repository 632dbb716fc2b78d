//! Does every interval the eval report shows cover what it claims, and does every verdict
//! keep its false-positive rate? A seeded simulation of the usual situation: each test case
//! has its own pass probability (drawn from a Beta distribution), repeated runs of a case are
//! Bernoulli draws with that probability, and variants are compared on the same cases.
//!
//! For 20/50/100 cases × 1/3/5/10 repetitions and three case populations it measures:
//! - the real coverage of the overall pass-rate interval (target: the population's mean pass
//!   probability), of each case's own interval (target: that case's probability), and of the
//!   paired difference interval (target: the population's mean difference), which must lie in
//!   93-97%;
//! - how often a verdict says "better" or "worse" when the variants are equal on average
//!   across cases (two nulls: the same probability per case, and probabilities drawn
//!   independently per variant), which must be at most 6% at the nominal 5%;
//! - the power under a real difference (reported, not asserted).
//!
//! `EVAL_SIMS` sets the simulated evals per cell (default 3,000; `make test` runs this file
//! in the optimised `fuzz` profile). The table it prints is in docs/evals.md.

use chainboard::domain::evals::case_stats::{case_interval, case_rate, CaseTally};
use chainboard::domain::evals::paired::{compare_paired, Leaning, PairedCase};

/// xoshiro256** seeded by SplitMix64: small, fast, and the same numbers on every machine.
struct Rng([u64; 4]);

impl Rng {
    fn new(seed: u64) -> Rng {
        let mut x = seed;
        let mut next = || {
            x = x.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = x;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^ (z >> 31)
        };
        Rng([next(), next(), next(), next()])
    }

    fn next_u64(&mut self) -> u64 {
        let s = &mut self.0;
        let result = s[1].wrapping_mul(5).rotate_left(7).wrapping_mul(9);
        let t = s[1] << 17;
        s[2] ^= s[0];
        s[3] ^= s[1];
        s[1] ^= s[2];
        s[0] ^= s[3];
        s[2] ^= t;
        s[3] = s[3].rotate_left(45);
        result
    }

    /// Uniform in (0, 1).
    fn uniform(&mut self) -> f64 {
        ((self.next_u64() >> 11) as f64 + 0.5) / (1u64 << 53) as f64
    }

    fn normal(&mut self) -> f64 {
        let (u, v) = (self.uniform(), self.uniform());
        (-2.0 * u.ln()).sqrt() * (2.0 * std::f64::consts::PI * v).cos()
    }

    /// Gamma(shape, 1) by Marsaglia and Tsang (2000), boosted for shape < 1.
    fn gamma(&mut self, shape: f64) -> f64 {
        if shape < 1.0 {
            return self.gamma(shape + 1.0) * self.uniform().powf(1.0 / shape);
        }
        let d = shape - 1.0 / 3.0;
        let c = 1.0 / (9.0 * d).sqrt();
        loop {
            let x = self.normal();
            let v = (1.0 + c * x).powi(3);
            if v <= 0.0 {
                continue;
            }
            let u = self.uniform();
            if u.ln() < 0.5 * x * x + d - d * v + d * v.ln() {
                return d * v;
            }
        }
    }

    fn beta(&mut self, a: f64, b: f64) -> f64 {
        let x = self.gamma(a);
        x / (x + self.gamma(b))
    }

    fn binomial(&mut self, runs: usize, p: f64) -> usize {
        (0..runs).filter(|_| self.uniform() < p).count()
    }
}

/// A population of cases: pass probabilities ~ Beta(a, b).
#[derive(Clone, Copy)]
struct Population {
    name: &'static str,
    a: f64,
    b: f64,
}

const POPULATIONS: [Population; 3] = [
    // Most cases always pass or always fail: the usual eval.
    Population { name: "Beta(0.5, 0.5)", a: 0.5, b: 0.5 },
    // A mediocre prompt: cases spread around 73%.
    Population { name: "Beta(4, 1.5)", a: 4.0, b: 1.5 },
    // A good prompt: most cases pass nearly always.
    Population { name: "Beta(6, 1)", a: 6.0, b: 1.0 },
];
const CASES: [usize; 3] = [20, 50, 100];
const REPETITIONS: [usize; 4] = [1, 3, 5, 10];

fn sims() -> usize {
    std::env::var("EVAL_SIMS").ok().and_then(|s| s.parse().ok()).unwrap_or(3_000)
}

fn logit(p: f64) -> f64 {
    (p / (1.0 - p)).ln()
}

fn logistic(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

/// How the second variant's probability relates to the first's, per case.
#[derive(Clone, Copy, PartialEq)]
enum Model {
    /// Same probability per case.
    SameCase,
    /// Drawn independently from the same population (equal on average, not per case).
    Exchangeable,
    /// Better by `shift` on the log-odds scale in every case.
    Shifted(f64),
}

fn variant_b(model: Model, pop: Population, p_a: f64, rng: &mut Rng) -> f64 {
    match model {
        Model::SameCase => p_a,
        Model::Exchangeable => rng.beta(pop.a, pop.b),
        Model::Shifted(shift) => logistic(logit(p_a.clamp(1e-9, 1.0 - 1e-9)) + shift),
    }
}

/// The population's mean difference under a model (by a large, separately seeded sample).
fn population_difference(model: Model, pop: Population) -> f64 {
    let mut rng = Rng::new(99);
    let n = 400_000;
    (0..n)
        .map(|_| {
            let a = rng.beta(pop.a, pop.b);
            variant_b(model, pop, a, &mut rng) - a
        })
        .sum::<f64>()
        / n as f64
}

#[derive(Default)]
struct Cell {
    rate_covered: usize,
    rate_total: usize,
    case_covered: usize,
    case_total: usize,
    diff_covered: usize,
    diff_total: usize,
    called: usize,
    compared: usize,
}

impl Cell {
    fn share(hit: usize, total: usize) -> f64 {
        if total == 0 {
            f64::NAN
        } else {
            hit as f64 / total as f64
        }
    }
}

fn simulate(pop: Population, cases: usize, reps: usize, model: Model, seed: u64) -> Cell {
    let mut rng = Rng::new(seed);
    let truth_rate = pop.a / (pop.a + pop.b);
    let truth_diff = match model {
        Model::SameCase | Model::Exchangeable => 0.0,
        Model::Shifted(_) => population_difference(model, pop),
    };
    // Each case's interval depends only on (passes, runs): computed once per count.
    let intervals: Vec<Option<(f64, f64)>> =
        (0..=reps).map(|k| case_interval(CaseTally { passes: k, runs: reps }).map(|i| (i.low, i.high))).collect();
    let mut cell = Cell::default();
    for _ in 0..sims() {
        let mut pairs = Vec::with_capacity(cases);
        let mut base = Vec::with_capacity(cases);
        for c in 0..cases {
            let p_a = rng.beta(pop.a, pop.b);
            let p_b = variant_b(model, pop, p_a, &mut rng);
            let a = CaseTally { passes: rng.binomial(reps, p_a), runs: reps };
            let b = CaseTally { passes: rng.binomial(reps, p_b), runs: reps };
            if let Some((low, high)) = intervals[a.passes] {
                cell.case_total += 1;
                cell.case_covered += usize::from(low <= p_a && p_a <= high);
            }
            base.push(a);
            pairs.push(PairedCase { case: c, base: a, this: b });
        }
        if let Some(r) = case_rate(&base) {
            cell.rate_total += 1;
            cell.rate_covered += usize::from(r.interval.low <= truth_rate && truth_rate <= r.interval.high);
        }
        let cmp = compare_paired(&pairs);
        if let Some(d) = cmp.difference {
            cell.diff_total += 1;
            cell.diff_covered += usize::from(d.low <= truth_diff && truth_diff <= d.high);
        }
        cell.compared += 1;
        cell.called += usize::from(matches!(cmp.leaning(), Leaning::Better | Leaning::Worse));
    }
    cell
}

/// `EVAL_SEED` shifts every cell's seed, to check a result is not one lucky draw.
fn seed(p: usize, n: usize, r: usize, m: u64) -> u64 {
    let base: u64 = std::env::var("EVAL_SEED").ok().and_then(|s| s.parse().ok()).unwrap_or(0);
    base.wrapping_mul(0x2545_f491_4f6c_dd1d) + 1_000_003 * p as u64 + 10_007 * n as u64 + 101 * r as u64 + m
}

/// Whether a measured coverage lies in `low..=high` up to the simulation's own error (two
/// standard errors of a share measured over `sims()` evals): a binomial interval's exact
/// coverage at one n and p is itself a fixed number (Wilson's is 93.5% at n = 50, p = 0.5),
/// and 2,000-4,000 simulated evals measure it to about ±0.4-0.5 points.
fn within(value: f64, low: f64, high: f64) -> bool {
    let se = (0.95 * 0.05 / sims() as f64).sqrt();
    value >= low - 2.0 * se && value <= high + 2.0 * se
}

fn pct(x: f64) -> String {
    if x.is_nan() {
        "—".to_string()
    } else {
        format!("{:.1}%", 100.0 * x)
    }
}

#[test]
#[cfg_attr(debug_assertions, ignore = "slow unoptimised: run `cargo test --profile fuzz --test eval_statistics`")]
fn intervals_cover_and_verdicts_keep_their_error_rate() {
    let mut failures = Vec::new();
    let mut table = String::from(
        "| Population | Cases | Reps | Pass-rate interval | Case intervals | Difference interval (null / real) | False \"better\" (same case / exchangeable) | Power (+0.8 log-odds) |\n|---|---|---|---|---|---|---|---|\n",
    );
    for (pi, pop) in POPULATIONS.iter().enumerate() {
        for &n in &CASES {
            for &reps in &REPETITIONS {
                let same = simulate(*pop, n, reps, Model::SameCase, seed(pi, n, reps, 1));
                let exch = simulate(*pop, n, reps, Model::Exchangeable, seed(pi, n, reps, 2));
                let real = simulate(*pop, n, reps, Model::Shifted(0.8), seed(pi, n, reps, 3));
                let rate = Cell::share(same.rate_covered + exch.rate_covered, same.rate_total + exch.rate_total);
                let case = Cell::share(same.case_covered, same.case_total);
                let diff_null = Cell::share(exch.diff_covered, exch.diff_total);
                let diff_real = Cell::share(real.diff_covered, real.diff_total);
                let false_same = Cell::share(same.called, same.compared);
                let false_exch = Cell::share(exch.called, exch.compared);
                let power = Cell::share(real.called, real.compared);
                table.push_str(&format!(
                    "| {} | {n} | {reps} | {} | {} | {} / {} | {} / {} | {} |\n",
                    pop.name,
                    pct(rate),
                    pct(case),
                    pct(diff_null),
                    pct(diff_real),
                    pct(false_same),
                    pct(false_exch),
                    pct(power)
                ));
                let where_ = format!("{} × {n} cases × {reps} reps", pop.name);
                for (what, value) in [
                    ("pass-rate interval coverage", rate),
                    ("case interval coverage", case),
                    ("difference interval coverage (null)", diff_null),
                    ("difference interval coverage (real difference)", diff_real),
                ] {
                    if !value.is_nan() && !within(value, 0.93, 0.97) {
                        failures.push(format!("{where_}: {what} {}", pct(value)));
                    }
                }
                for (what, value) in
                    [("false 'better', same case", false_same), ("false 'better', exchangeable", false_exch)]
                {
                    if value > 0.06 {
                        failures.push(format!("{where_}: {what} {}", pct(value)));
                    }
                }
            }
        }
    }
    println!("{table}");
    assert!(failures.is_empty(), "{} cells out of bounds:\n{}\n\n{table}", failures.len(), failures.join("\n"));
}
