#!/usr/bin/env bash
# Trunk post_build hook (the only one: Trunk runs the hooks of one stage at the same time, and
# both steps below rewrite index.html).
#
# 1. Features loaded on first use. Trunk 0.21 has no stage between cargo and wasm-bindgen, so
#    this redoes the back half of the build from cargo's raw wasm (kept with its relocations by
#    .cargo/config.toml): wasm-split-cli cuts every `#[wasm_split(<group>)]` function into
#    split_<group>.wasm (code several groups share goes into chunk_<n>.wasm), wasm-bindgen binds
#    the main module, wasm-opt shrinks each module in release builds, and the results replace
#    what Trunk staged. The modules sit in split-<build hash>/, so a cached module of an older
#    build can never meet a newer main module.
# 2. scripts/merge-chunks.mjs joins the small shared pieces into one shared.wasm (release).
# 3. scripts/csp-hash.mjs: subresource integrity for the replaced files, a modulepreload for the
#    loader, and the hash of Trunk's inline loader script in the Content-Security-Policy.
#
# Every rewrite must find what it replaces; anything unexpected stops the build with the reason.
set -euo pipefail

die() { echo "post-build: $*" >&2; exit 1; }

stage=${TRUNK_STAGING_DIR:?post-build: run by trunk (TRUNK_STAGING_DIR is not set)}
profile=${TRUNK_PROFILE:-release}
root=$(cd "$(dirname "$0")/.." && pwd)
target=${CARGO_TARGET_DIR:-$root/target}
case "$profile" in release) cargo_dir=release ;; *) cargo_dir=debug ;; esac
raw="$target/wasm32-unknown-unknown/$cargo_dir/chainboard.wasm"
[ -f "$raw" ] || die "cargo's wasm is not at $raw"

bg=$(ls "$stage"/chainboard-*_bg.wasm 2>/dev/null) || die "Trunk staged no chainboard-*_bg.wasm"
[ "$(echo "$bg" | wc -l)" = 1 ] || die "more than one chainboard-*_bg.wasm staged"
stem=$(basename "$bg" _bg.wasm)
hash=${stem#chainboard-}
split="split-$hash"

work="$target/wasm-split/$profile"
rm -rf "$work"
mkdir -p "$work/bg"

wasm-split-cli "$raw" "$work/$split" --target web --out-name "$stem" >/dev/null
[ -f "$work/$split/$stem.wasm" ] || die "wasm-split-cli wrote no main module"
mv "$work/$split/$stem.wasm" "$work/main.wasm"

# --keep-lld-exports: the split modules link to the main module's memory, function table and
# stack pointer by their export names.
wasm-bindgen --target=web --keep-lld-exports --no-demangle --no-typescript \
  --out-dir "$work/bg" --out-name "$stem" "$work/main.wasm"

replace_all() { # file, from, to: at least once
  grep -qF -- "$2" "$1" || die "expected '$2' in $1"
  FROM="$2" TO="$3" perl -0pi -e 's/\Q$ENV{FROM}\E/$ENV{TO}/g' "$1"
}
replace_once() { # file, from, to
  local n
  n=$(grep -cF -- "$2" "$1" || true)
  [ "$n" = 1 ] || die "expected one '$2' in $1, found $n"
  FROM="$2" TO="$3" perl -0pi -e 's/\Q$ENV{FROM}\E/$ENV{TO}/' "$1"
}
replace_all "$work/bg/$stem.js" 'from "./__wasm_split.js"' "from \"./$split/__wasm_split.js\""
replace_once "$work/$split/__wasm_split.js" "from \"./$stem.js\"" "from \"../$stem.js\""

if [ "$profile" = release ]; then
  # The features index.html gave Trunk's wasm-opt before; never --minify-imports-and-exports,
  # since the split modules find the main module's functions by export name.
  features="--enable-bulk-memory --enable-nontrapping-float-to-int --enable-sign-ext --enable-mutable-globals --enable-reference-types --enable-multivalue"
  for f in "$work/bg/${stem}_bg.wasm" "$work/$split"/*.wasm; do
    # wasm-opt does not know the name subsection (id 3) wasm-split-cli keeps and says so once
    # per module; the names are dropped anyway, so that line is noise.
    # shellcheck disable=SC2086
    wasm-opt -Oz $features "$f" -o "$f" 2> >(grep -v "unknown name subsection" >&2 || true)
  done
fi

# 2. The many small pieces shared by several features become one module (see the script), so a
#    feature opens with a few fetches. Debug builds keep them apart (faster to build).
if [ "$profile" = release ]; then
  # shellcheck disable=SC2086
  node "$root/scripts/merge-chunks.mjs" "$work/$split" $features
fi

cp "$work/bg/$stem.js" "$work/bg/${stem}_bg.wasm" "$stage/"
if [ -d "$work/bg/snippets" ]; then rm -rf "$stage/snippets" && cp -r "$work/bg/snippets" "$stage/"; fi
cp -r "$work/$split" "$stage/"

gz() { echo $(( $(gzip -9c "$1" | wc -c) / 1024 )); }
report="main ${stem}_bg.wasm $(gz "$stage/${stem}_bg.wasm") kB"
for f in "$stage/$split"/split_*.wasm; do
  name=$(basename "$f" .wasm); report="$report, ${name#split_} $(gz "$f") kB"
done
shopt -s nullglob
chunks=("$stage/$split"/chunk_*.wasm "$stage/$split"/shared.wasm)
shopt -u nullglob
if [ ${#chunks[@]} -gt 0 ]; then
  report="$report, plus ${#chunks[@]} files shared by several features, $(for f in "${chunks[@]}"; do gzip -9c "$f" | wc -c; done | awk '{s+=$1} END {print int(s/1024)}') kB"
fi
echo "post-build: features split out of the main module (gzip): $report"

STEM="$stem" SPLIT="$split" node "$root/scripts/csp-hash.mjs"
