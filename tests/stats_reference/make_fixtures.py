"""Reference values for the eval statistics (src/domain/evals), computed once with scipy and
statsmodels so the Rust formulas are checked against libraries statisticians use.

Run (any machine with PyPI access):
    python3 -m venv /tmp/statvenv && /tmp/statvenv/bin/pip install scipy statsmodels numpy
    /tmp/statvenv/bin/python tests/stats_reference/make_fixtures.py > tests/fixtures/stats_reference.json

tests/stats_reference.rs reads the JSON; `make test` does not need Python.
"""
import json
import itertools

import numpy as np
import scipy
import statsmodels
from scipy import special, stats
from statsmodels.stats.contingency_tables import mcnemar
from statsmodels.stats.multitest import multipletests
from statsmodels.stats.proportion import proportion_confint

out = {"generated_with": {"scipy": scipy.__version__, "statsmodels": statsmodels.__version__, "numpy": np.__version__}}

out["wilson"] = []
for n in [1, 2, 3, 5, 10, 20, 37, 50, 100, 263, 1000]:
    for x in sorted({0, 1, n // 3, n // 2, n - 1, n}):
        if 0 <= x <= n:
            lo, hi = proportion_confint(x, n, alpha=0.05, method="wilson")
            out["wilson"].append({"passes": x, "n": n, "low": lo, "high": hi})

out["jeffreys"] = []
for n in [2, 3, 4, 5, 10, 20]:
    for x in range(1, n):
        lo, hi = proportion_confint(x, n, alpha=0.05, method="jeffreys")
        out["jeffreys"].append({"passes": x, "runs": n, "low": lo, "high": hi})

out["t_quantile"] = [
    {"q": q, "df": df, "value": stats.t.ppf(q, df)}
    for q in [0.6, 0.9, 0.975, 0.995]
    for df in [1, 2, 3, 5, 9, 19, 49, 99, 1000]
]
out["beta_quantile"] = [
    {"q": q, "a": a, "b": b, "value": stats.beta.ppf(q, a, b)}
    for q in [0.025, 0.5, 0.975]
    for a, b in [(0.5, 0.5), (2.5, 1.5), (1.5, 9.5), (10.5, 0.5), (40.5, 60.5)]
]
out["incomplete_beta"] = [
    {"x": x, "a": a, "b": b, "value": special.betainc(a, b, x)}
    for x in [0.01, 0.3, 0.5, 0.77, 0.99]
    for a, b in [(0.5, 0.5), (2, 3), (9.5, 0.5), (50, 70)]
]

out["mcnemar_exact"] = []
for b, c in [(0, 0), (1, 6), (6, 1), (0, 10), (3, 9), (12, 20), (40, 55), (5, 5)]:
    r = mcnemar([[10, b], [c, 10]], exact=True)
    out["mcnemar_exact"].append({"only_a": b, "only_b": c, "p": float(r.pvalue)})

out["holm"] = []
for ps in [[0.01, 0.04, 0.03], [0.2, 0.001, 0.04, 0.5], [0.5], [0.012, 0.013]]:
    out["holm"].append({"p": ps, "adjusted": list(multipletests(ps, method="holm")[1])})

# Exact sign-flip permutation test (scipy enumerates all 2^k sign patterns with
# n_resamples=inf). Integer differences on a common grid, as the Rust code uses.
out["sign_flip"] = []
rng = np.random.default_rng(7)
cases = [[3, 1, 2], [3, -1, 2], [1, 1, 1, 1, 1, 1], [5, -5, 5, 4, -1, 2, 2, 3]]
for _ in range(8):
    k = int(rng.integers(3, 12))
    cases.append([int(v) for v in rng.integers(-10, 11, size=k) if v != 0])
for d in cases:
    res = stats.permutation_test(
        (np.array(d, dtype=float),),
        statistic=np.sum,
        permutation_type="samples",
        n_resamples=np.inf,
        alternative="two-sided",
    )
    out["sign_flip"].append({"steps": d, "p": float(res.pvalue)})

print(json.dumps(out, indent=1))
