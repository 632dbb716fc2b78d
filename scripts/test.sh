#!/usr/bin/env bash
# Runs every test: host unit tests, property tests, then browser tests in headless Chromium
# against the release build. Called by `make test` after scripts/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

echo "==> Host tests (cargo test)"
# Includes tests/fuzz.rs at its quick default of 1,000 cases per property.
cargo test --quiet

# The same properties at full strength: 100,000 broken inputs per parser, about 80 s. The `fuzz`
# profile is optimised (a debug build takes about 11 minutes) and keeps overflow checks on, which
# the release profile turns off. Results: docs/robustness.md.
echo "==> Property tests: 100,000 broken inputs per parser (cargo test --profile fuzz --test fuzz)"
FUZZ_CASES=100000 cargo test --profile fuzz --quiet --test fuzz

# Seeded simulation of 216 eval designs x 3,000 evals: every interval the report shows covers
# what it claims and no verdict calls chance a win (docs/evals.md). About 40 s optimised.
echo "==> Eval statistics simulation (cargo test --profile fuzz --test eval_statistics)"
cargo test --profile fuzz --quiet --test eval_statistics

# The exported code, run for real: every gallery template exported to Python, Node and
# promptfoo, run with the official SDKs (PyPI, npm) against aimock on 127.0.0.1 and compared
# with the app's own engine run of the same flow (docs/export.md).
echo "==> Exported code against aimock (node tests/export/run-exports.mjs)"
node tests/export/run-exports.mjs

echo "==> Release build (trunk build --release)"
trunk build --release

echo "==> Browser tests (Playwright + Debian chromium, headless)"
npx playwright test
