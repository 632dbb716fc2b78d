# Chainboard: `make serve` to run the app, `make test` to run every test.
# Both install what is missing first (see scripts/setup.sh).
PORT ?= 8080
export PATH := $(CURDIR)/node_modules/.bin:$(HOME)/.cargo/bin:$(PATH)

.PHONY: serve test build bench setup-serve setup-test

serve: setup-serve
	@echo "==> Building and serving Chainboard at http://127.0.0.1:$(PORT)/"
	trunk serve --release --port $(PORT) --address 127.0.0.1

test: setup-test
	scripts/test.sh

build: setup-serve
	trunk build --release

setup-serve:
	@scripts/setup.sh serve

setup-test:
	@scripts/setup.sh test

# Measures the initial download beside ChainForge and Flowise (fetched from PyPI and npm), what the
# main module is made of (by crate and folder), startup,
# the canvas at 1,000 blocks beside React Flow, eval throughput, retrieval (beside minisearch), the
# in-browser model (beside native llama.cpp), share-link lengths, the engine's overhead (host
# tests), the markdown parser's agreement with pulldown-cmark on the CommonMark spec examples
# per section (host test; the spec from the npm package commonmark-spec) and the PDF reader's word
# recall (beside pdftotext and pdf.js); each script writes its
# section of docs/benchmarks.md.
bench: setup-test
	trunk build --release
	node tests/bench/download-bench.mjs dist
	node tests/bench/main-module-bench.mjs dist
	node tests/bench/startup-bench.mjs dist
	node tests/bench/canvas-bench.mjs dist
	node tests/bench/eval-bench.mjs dist
	node tests/bench/retrieval-bench.mjs dist
	node tests/bench/local-model-bench.mjs dist
	node tests/bench/share-bench.mjs
	node tests/bench/engine-bench.mjs
	node tests/bench/markdown-bench.mjs
	node tests/bench/pdf-bench.mjs
