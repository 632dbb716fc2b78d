//! The eval statistics against reference values computed with scipy and statsmodels
//! (`tests/stats_reference/make_fixtures.py` wrote `tests/fixtures/stats_reference.json`).

use chainboard::domain::evals::case_stats::{case_interval, CaseTally};
use chainboard::domain::evals::distributions::{beta_quantile, incomplete_beta, t_quantile};
use chainboard::domain::evals::paired::{holm, sign_flip_p_on_grid};
use chainboard::domain::evals::stats::{mcnemar_exact, wilson};
use serde_json::Value;

fn fixtures() -> Value {
    serde_json::from_str(include_str!("fixtures/stats_reference.json")).expect("fixture is JSON")
}

fn num(v: &Value, key: &str) -> f64 {
    v[key].as_f64().unwrap_or_else(|| panic!("{key} in {v}"))
}

fn close(a: f64, b: f64, tol: f64) -> bool {
    (a - b).abs() <= tol * b.abs().max(1.0)
}

#[test]
fn wilson_matches_statsmodels() {
    for f in fixtures()["wilson"].as_array().expect("list") {
        let i = wilson(num(f, "passes") as usize, num(f, "n") as usize).expect("n > 0");
        assert!(close(i.low, num(f, "low"), 1e-9) && close(i.high, num(f, "high"), 1e-9), "{f} vs {i:?}");
    }
}

#[test]
fn jeffreys_case_intervals_match_statsmodels() {
    for f in fixtures()["jeffreys"].as_array().expect("list") {
        let t = CaseTally { passes: num(f, "passes") as usize, runs: num(f, "runs") as usize };
        let i = case_interval(t).expect("two runs or more");
        assert!(close(i.low, num(f, "low"), 1e-9) && close(i.high, num(f, "high"), 1e-9), "{f} vs {i:?}");
    }
}

#[test]
fn distributions_match_scipy() {
    let all = fixtures();
    for f in all["t_quantile"].as_array().expect("list") {
        let v = t_quantile(num(f, "q"), num(f, "df"));
        assert!(close(v, num(f, "value"), 1e-9), "t {f} vs {v}");
    }
    for f in all["beta_quantile"].as_array().expect("list") {
        let v = beta_quantile(num(f, "q"), num(f, "a"), num(f, "b"));
        assert!(close(v, num(f, "value"), 1e-9), "beta {f} vs {v}");
    }
    for f in all["incomplete_beta"].as_array().expect("list") {
        let v = incomplete_beta(num(f, "x"), num(f, "a"), num(f, "b"));
        assert!(close(v, num(f, "value"), 1e-10), "betainc {f} vs {v}");
    }
}

#[test]
fn tests_match_statsmodels_and_scipy() {
    let all = fixtures();
    for f in all["mcnemar_exact"].as_array().expect("list") {
        let p = mcnemar_exact(num(f, "only_a") as usize, num(f, "only_b") as usize);
        assert!(close(p, num(f, "p"), 1e-9), "mcnemar {f} vs {p}");
    }
    for f in all["holm"].as_array().expect("list") {
        let p: Vec<f64> = f["p"].as_array().expect("list").iter().filter_map(Value::as_f64).collect();
        let want: Vec<f64> = f["adjusted"].as_array().expect("list").iter().filter_map(Value::as_f64).collect();
        let got = holm(&p);
        assert!(got.iter().zip(&want).all(|(a, b)| close(*a, *b, 1e-12)), "holm {f} vs {got:?}");
    }
    for f in all["sign_flip"].as_array().expect("list") {
        let steps: Vec<i64> = f["steps"].as_array().expect("list").iter().filter_map(Value::as_i64).collect();
        let p = sign_flip_p_on_grid(&steps);
        assert!(close(p, num(f, "p"), 1e-9), "sign flip {f} vs {p}");
    }
}
