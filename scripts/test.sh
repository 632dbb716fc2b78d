#!/usr/bin/env bash
# Runs every test: host unit tests, then browser tests in headless Chromium against the
# release build. Called by `make test` after scripts/setup.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/node_modules/.bin:$HOME/.cargo/bin:$PATH"

echo "==> Host tests (cargo test)"
cargo test --quiet

echo "==> Release build (trunk build --release)"
trunk build --release

echo "==> Browser tests (Playwright + Debian chromium, headless)"
npx playwright test
