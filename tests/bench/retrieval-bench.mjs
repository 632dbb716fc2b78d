// Retrieval speed: a 5 MB synthetic corpus indexed and queried in headless Chromium, by
// Chainboard's BM25 (the release wasm, through its `bench_retrieval` export) and by
// minisearch (npm) in the same page, on the same texts and queries. Then the top-10 lists
// are checked against bm25s (PyPI) with the same parameters and tokens. Writes the
// "Retrieval" section of docs/benchmarks.md.
// Usage: node tests/bench/retrieval-bench.mjs [distDir]   (make bench runs it)
import { writeSection, launchChromium, serveStatic, percentile, machine, load, today } from "./report.mjs";
import { spawnSync } from "node:child_process";

const dist = process.argv[2] || "dist";
const APP_PORT = 4183;
const TARGET_BYTES = 5 * 1024 * 1024;
const QUERIES = 300;

// A deterministic corpus: 8,000 made-up words drawn with a Zipf-like skew, documents of
// 120-220 words (about the size of a passage).
function corpus() {
  let seed = 7n;
  const next = () => {
    seed = (seed * 6364136223846793005n + 1442695040888963407n) & 0xffffffffffffffffn;
    return Number(seed >> 33n);
  };
  const syllables = ["ka", "lo", "mi", "ne", "ru", "sa", "ti", "vo", "pe", "da", "gri", "shu", "fen", "tor", "bel", "qua"];
  const vocab = [];
  while (vocab.length < 8000) {
    const n = 2 + (next() % 3);
    let w = "";
    for (let i = 0; i < n; i++) w += syllables[next() % syllables.length];
    if (!vocab.includes(w)) vocab.push(w);
  }
  const pick = () => vocab[Math.min(next() % vocab.length, next() % vocab.length, next() % vocab.length)];
  const docs = [];
  let bytes = 0;
  while (bytes < TARGET_BYTES) {
    const n = 120 + (next() % 100);
    const words = [];
    for (let i = 0; i < n; i++) words.push(pick());
    const text = words.join(" ") + ".";
    docs.push(text);
    bytes += text.length;
  }
  const queries = [];
  for (let i = 0; i < QUERIES; i++) {
    const n = 2 + (next() % 4);
    const q = [];
    for (let j = 0; j < n; j++) q.push(vocab[next() % 2000]);
    queries.push(q.join(" "));
  }
  return { docs, queries, bytes };
}

const fmt = (x) => (x >= 100 ? x.toFixed(0) : x >= 10 ? x.toFixed(1) : x.toFixed(2));

const { docs, queries, bytes } = corpus();
const server = await serveStatic(dist, APP_PORT);
const browser = await launchChromium();
let ours, theirs;
try {
  // The app's CSP forbids injected scripts; the benchmark page alone lifts it to load minisearch.
  const context = await browser.newContext({ bypassCSP: true });
  const page = await context.newPage();
  await page.goto(server.url);
  await page.getByRole("region", { name: "Flow canvas" }).waitFor();
  await page.addScriptTag({ path: "node_modules/minisearch/dist/umd/index.js" });
  const input = { docs: JSON.stringify(docs), queries: JSON.stringify(queries) };
  // Median of 3 runs each, alternating, so both see the same machine state.
  const runs = [];
  for (let i = 0; i < 3; i++) {
    runs.push(await page.evaluate(async ({ docs, queries }) => {
      const ours = JSON.parse(await window.wasmBindings.bench_retrieval(docs, queries, 10));
      const texts = JSON.parse(docs);
      const qs = JSON.parse(queries);
      const t0 = performance.now();
      const ms = new MiniSearch({ fields: ["text"], idField: "id" });
      ms.addAll(texts.map((text, id) => ({ id, text })));
      const index_ms = performance.now() - t0;
      const query_ms = [];
      const top = [];
      for (const q of qs) {
        const t = performance.now();
        const hits = ms.search(q).slice(0, 10);
        query_ms.push(performance.now() - t);
        top.push(hits.map((h) => h.id));
      }
      return { ours, theirs: { index_ms, query_ms, top } };
    }, input));
  }
  const mid = (f) => [...runs].sort((a, b) => f(a) - f(b))[1];
  ours = mid((r) => r.ours.index_ms).ours;
  theirs = mid((r) => r.theirs.index_ms).theirs;
  ours.query_ms = runs.flatMap((r) => r.ours.query_ms);
  theirs.query_ms = runs.flatMap((r) => r.theirs.query_ms);
} finally {
  await browser.close();
  server.close();
}

// Overlap of the two engines' top-10 (informational: minisearch scores with BM25+ and its
// own tokeniser, so identical lists are not expected).
let overlap = 0;
for (let i = 0; i < queries.length; i++) {
  const a = new Set(ours.top[i]);
  overlap += theirs.top[i].filter((d) => a.has(d)).length / Math.max(1, Math.min(10, theirs.top[i].length, ours.top[i].length));
}
overlap /= queries.length;

// The reference check: our top-10 against bm25s on the same tokens and parameters.
let reference = "not run (python3 with bm25s is needed: pip install bm25s)";
const hasBm25s = spawnSync("python3", ["-c", "import bm25s"]).status === 0
  || spawnSync("python3", ["-m", "pip", "install", "--quiet", "--break-system-packages", "bm25s"], { stdio: "inherit" }).status === 0;
if (hasBm25s) {
  const writer = spawnSync("cargo", ["test", "--release", "--test", "retrieval", "--", "--ignored"], { encoding: "utf8" });
  const check = spawnSync("python3", ["tests/bench/bm25-reference.py"], { encoding: "utf8" });
  const line = (check.stdout || "").trim().split("\n").pop();
  reference = writer.status === 0 && check.status === 0 ? line : `failed: ${(check.stderr || writer.stderr || "").slice(-300)}`;
}

const ratio = (a, b) => (b / a).toFixed(1);
const report = `## Retrieval (BM25 in WebAssembly beside minisearch)

Measured ${today()} on ${machine()} (${load()}),
headless Chromium, release build. Command: \`node tests/bench/retrieval-bench.mjs dist\` (part of \`make bench\`).
Corpus: ${docs.length.toLocaleString("en")} synthetic documents, ${(bytes / 1e6).toFixed(1)} MB of text; ${queries.length} queries of
2-5 words; top 10. Both engines index the same texts in the same page; times are medians of 3 runs
(queries: all runs pooled; the page's clock is coarsened to 0.1 ms, so query times are multiples of it).

| | Chainboard (Rust/wasm) | minisearch 7 (JS) | Goal |
|---|---|---|---|
| Index build, 5 MB | ${fmt(ours.index_ms)} ms | ${fmt(theirs.index_ms)} ms | under 1,000 ms, faster than minisearch (${ratio(ours.index_ms, theirs.index_ms)}x) |
| Query, p50 | ${fmt(percentile(ours.query_ms, 50))} ms | ${fmt(percentile(theirs.query_ms, 50))} ms | |
| Query, p95 | ${fmt(percentile(ours.query_ms, 95))} ms | ${fmt(percentile(theirs.query_ms, 95))} ms | under 5 ms, faster than minisearch (${ratio(percentile(ours.query_ms, 95), percentile(theirs.query_ms, 95))}x) |

- Top-10 overlap between the two engines: ${(overlap * 100).toFixed(0)}% (minisearch ranks with BM25+ and its own tokeniser).
- Ranking check against bm25s 0.3 from PyPI (method "lucene", k1 1.2, b 0.75, same tokens, on a corpus of 2,000
  passages and 5 queries written by \`cargo test --test retrieval -- --ignored\`): ${reference}.
- A whole knowledge base from the same texts (chunking at 800 characters, then indexing): ${fmt(ours.kb_ms)} ms for
  ${ours.chunks.toLocaleString("en")} passages; stored form ${(ours.stored_bytes / 1e6).toFixed(1)} MB, read back in ${fmt(ours.reload_ms)} ms
  (${ours.restored_chunks === ours.chunks ? "no re-indexing" : "RE-INDEXED: check"}).
`;

writeSection("## Retrieval", report);
