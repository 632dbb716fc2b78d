// Runs the exported code for real (make test): every gallery template is exported to Python,
// Node and promptfoo (cargo run --example export_flows), Chainboard's own engine runs the same
// flow against the same aimock fixtures (expected.json), then the Python program (official
// SDKs from PyPI in target/export-venv), the TypeScript program (npm SDKs; type-checked with
// `tsc --noEmit` under its strict tsconfig.json, run with tsx) and `promptfoo eval` run
// against aimock on 127.0.0.1 and must give the same answers and the same pass/fail counts.
//
// Usage: node tests/export/run-exports.mjs [--only TEMPLATE_ID] [--providers openai,anthropic]
import { spawn } from "node:child_process";
import { copyFileSync, existsSync, readFileSync, readdirSync, symlinkSync, rmSync } from "node:fs";
import { join, resolve } from "node:path";
import { EXPORT_MOCK_PORT } from "../../playwright.config.js";

const ROOT = resolve(new URL("../..", import.meta.url).pathname);
const OUT = join(ROOT, "target/exports");
const PY = join(ROOT, "target/export-venv/bin/python");
const TSC = join(ROOT, "node_modules/.bin/tsc");
const TSX = join(ROOT, "node_modules/.bin/tsx");
const PORT = EXPORT_MOCK_PORT;
const arg = (name) => { const i = process.argv.indexOf(name); return i > 0 ? process.argv[i + 1] : undefined; };
const ONLY = arg("--only");

// Each provider's SDK against aimock; a template's Prompt blocks are pointed at it with
// templates::with_provider, as the gallery does.
const PROVIDERS = [
  ["openai", ""],
  ["anthropic", "claude-haiku-4-5"],
  ["gemini", "gemini-2.5-flash"],
  ["ollama", "llama3.2"],
].filter(([id]) => !arg("--providers") || arg("--providers").split(",").includes(id));
// Every template runs on OpenAI (the gallery's provider); the other SDKs run the templates that
// cover each feature: JSON, a schema, an agent, an image, a transcript, parallel blocks,
// retrieval, a chain, hostile text, example turns, a model's route, a loop.
const FEATURES = ["sentiment", "extract-email", "order-agent", "classify-photo", "call-complaint", "compare-models",
  "policy-answers", "draft-critique", "hostile-titles", "chatbot-memory", "triage", "summarise-rows", "control-blocks"];

const ENV = {
  ...process.env,
  // Approval blocks approve without asking, as the app's run in export_flows does.
  CHAINBOARD_AUTO_APPROVE: "1",
  OPENAI_API_KEY: "test-key", OPENAI_BASE_URL: `http://127.0.0.1:${PORT}/v1`,
  ANTHROPIC_API_KEY: "test-key", ANTHROPIC_BASE_URL: `http://127.0.0.1:${PORT}`,
  GEMINI_API_KEY: "test-key", GEMINI_BASE_URL: `http://127.0.0.1:${PORT}`,
  OLLAMA_HOST: `http://127.0.0.1:${PORT}`,
  PROMPTFOO_DISABLE_TELEMETRY: "1", PROMPTFOO_DISABLE_UPDATE: "1", PROMPTFOO_DISABLE_SHARING: "1",
  PROMPTFOO_CONFIG_DIR: join(ROOT, "target/promptfoo-home"),
};

function run(cmd, args, options = {}) {
  return new Promise((done) => {
    const child = spawn(cmd, args, { env: ENV, ...options });
    let stdout = "", stderr = "";
    child.stdout.on("data", (d) => { stdout += d; });
    child.stderr.on("data", (d) => { stderr += d; });
    child.on("close", (code) => done({ code, stdout, stderr }));
  });
}

async function startMock() {
  const mock = spawn("node", [join(ROOT, "tests/browser/mock-provider.mjs"), String(PORT)], { stdio: ["ignore", "pipe", "inherit"] });
  await new Promise((ready, fail) => {
    mock.stdout.on("data", (d) => { if (String(d).includes("mock provider on")) ready(); });
    mock.on("exit", (code) => fail(new Error(`the mock provider exited (${code}); is port ${PORT} taken?`)));
  });
  return mock;
}

const results = { passed: 0, failed: 0, failures: [] };
function check(name, ok, detail) {
  if (ok) { results.passed++; console.log(`  ok    ${name}`); return; }
  results.failed++;
  results.failures.push(`${name}: ${detail}`);
  console.log(`  FAIL  ${name}: ${detail}`);
}

function sameAnswers(name, got, expected) {
  // An Output on a branch the app did not take (`skipped`) is null in the programs' answers.
  const want = expected.map((e) => ({ output: e.output, answer: e.answer }));
  const errors = expected.filter((e) => e.error).map((e) => `${e.output}: ${e.error}`);
  if (errors.length) return check(name, false, `the app's own run failed: ${errors.join("; ")}`);
  if (want.some((w, i) => !w.answer && !expected[i].skipped)) return check(name, false, `the app's run gave an empty answer: ${JSON.stringify(want)}`);
  if (want.every((w) => w.answer === null)) return check(name, false, `every Output was skipped in the app's run: ${JSON.stringify(expected)}`);
  check(name, JSON.stringify(got) === JSON.stringify(want), `printed ${JSON.stringify(got)}, the app showed ${JSON.stringify(want)}`);
}

async function runProgram(name, dir, cmd, args, expected) {
  const r = await run(cmd, args, { cwd: dir });
  let got;
  try { got = JSON.parse(r.stdout.trim().split("\n").pop()); } catch {
    return check(name, false, `exit ${r.code}; ${(r.stderr || r.stdout).trim().split("\n").slice(-2).join(" | ").slice(0, 400)}`);
  }
  sameAnswers(name, got, expected);
}

async function pool(tasks, size) {
  const queue = [...tasks];
  await Promise.all(Array.from({ length: size }, async () => { while (queue.length) await queue.shift()(); }));
}

const mock = await startMock();
try {
  for (const [provider, model] of PROVIDERS) {
    const out = join(OUT, provider);
    rmSync(out, { recursive: true, force: true });
    console.log(`==> ${provider}: exporting every gallery template and running it in the app's engine`);
    const extra = provider === "openai" ? [] : ["--provider", provider, model];
    const gen = await run("cargo", ["run", "--quiet", "--example", "export_flows", "--", out, "--engine", String(PORT), ...extra], { cwd: ROOT });
    if (gen.code !== 0) throw new Error(`export_flows failed:\n${gen.stderr}`);
    const tasks = [];
    for (const id of readdirSync(out).sort()) {
      if (ONLY && id !== ONLY) continue;
      if (provider !== "openai" && !FEATURES.includes(id)) continue;
      const dir = join(out, id);
      if (!existsSync(join(dir, "expected.json"))) continue;
      const expected = JSON.parse(readFileSync(join(dir, "expected.json"), "utf8"));
      for (const lang of ["python", "typescript"]) {
        const code = join(dir, lang);
        if (!existsSync(code)) continue;
        // Sample files (the photo, the call) beside the program, where its defaults point.
        for (const f of readdirSync(join(ROOT, "public/samples"))) copyFileSync(join(ROOT, "public/samples", f), join(code, f));
        if (lang === "python") {
          tasks.push(() => runProgram(`${provider} ${id} python`, code, PY, ["main.py", "--json"], expected));
        } else if (existsSync(join(code, "main.ts"))) {
          if (!existsSync(join(code, "node_modules"))) symlinkSync(join(ROOT, "node_modules"), join(code, "node_modules"));
          tasks.push(async () => {
            const r = await run(TSC, ["--noEmit", "-p", "."], { cwd: code });
            check(`${provider} ${id} typescript tsc --strict`, r.code === 0, (r.stdout + r.stderr).trim().split("\n").slice(0, 4).join(" | ").slice(0, 600));
          });
          tasks.push(() => runProgram(`${provider} ${id} typescript`, code, TSX, ["main.ts", "--json"], expected));
        }
      }
    }
    // The Router's "has personal data" test, ported to both languages, answers as the app's
    // detector on a few thousand texts (written by export_flows with the app's answers).
    const pii = join(out, "pii-check");
    if (provider === "openai" && existsSync(pii) && !ONLY) {
      const want = JSON.parse(readFileSync(join(pii, "cases.json"), "utf8"));
      for (const [lang, cmd, file] of [["python", PY, "detector.py"], ["typescript", TSX, "detector.ts"]]) {
        tasks.push(async () => {
          const r = await run(cmd, [file], { cwd: pii });
          let got = [];
          try { got = JSON.parse(r.stdout); } catch { return check(`${provider} personal data ${lang}`, false, `exit ${r.code}: ${r.stderr.slice(-300)}`); }
          const wrong = want.corpus.filter((_, i) => got[i] !== want.expected[i]);
          check(`${provider} personal data ${lang}`, wrong.length === 0 && got.length === want.corpus.length,
            `${wrong.length} of ${want.corpus.length} texts differ from the app's detector, e.g. ${JSON.stringify(wrong.slice(0, 3))}`);
        });
      }
    }
    // The loop's list splitting and the router's reading of a model's pick, in both ports,
    // answer as the app on a few thousand texts.
    const parsers = join(out, "parser-check");
    if (provider === "openai" && existsSync(parsers) && !ONLY) {
      const want = JSON.parse(readFileSync(join(parsers, "cases.json"), "utf8"));
      for (const [lang, cmd, file] of [["python", PY, "check.py"], ["typescript", TSX, "check.ts"]]) {
        tasks.push(async () => {
          const r = await run(cmd, [file], { cwd: parsers });
          let got;
          try { got = JSON.parse(r.stdout); } catch { return check(`${provider} list and route parsing ${lang}`, false, `exit ${r.code}: ${r.stderr.slice(-300)}`); }
          const wrong = [
            ...want.split.map((c, i) => ({ ...c, got: got.split[i] })).filter((c) => JSON.stringify(c.got) !== JSON.stringify(c.expected)),
            ...want.route.map((c, i) => ({ ...c, got: got.route[i] })).filter((c) => c.got !== c.expected),
          ];
          check(`${provider} list and route parsing ${lang}`, wrong.length === 0,
            `${wrong.length} cases differ from the app, e.g. ${JSON.stringify(wrong.slice(0, 3))}`);
        });
      }
    }
    // Every Transform operation and Router rule of the control-blocks flow on a few hundred
    // generated inputs: each program's runFlow gives what the engine gave, or fails where it failed.
    const blocks = join(out, "block-check");
    if (provider === "openai" && existsSync(blocks) && !ONLY) {
      const want = JSON.parse(readFileSync(join(blocks, "cases.json"), "utf8"));
      for (const [lang, cmd, dir, file] of [["python", PY, "python", "check.py"], ["typescript", TSX, "typescript", "check.ts"]]) {
        tasks.push(async () => {
          const r = await run(cmd, [file], { cwd: join(blocks, dir) });
          let got;
          try { got = JSON.parse(r.stdout); } catch { return check(`${provider} transforms and rules ${lang}`, false, `exit ${r.code}: ${r.stderr.slice(-300)}`); }
          const same = (a) => (Array.isArray(a) ? a.map(({ output, answer }) => ({ output, answer })) : a);
          const wrong = want.inputs.map((inputs, i) => ({ inputs, expected: want.expected[i], got: got[i] }))
            .filter((c) => JSON.stringify(same(c.got)) !== JSON.stringify(same(c.expected)));
          check(`${provider} transforms and rules ${lang}`, wrong.length === 0,
            `${wrong.length} of ${want.inputs.length} inputs differ from the app, e.g. ${JSON.stringify(wrong.slice(0, 2))}`);
        });
      }
    }
    await pool(tasks, 2);
    if (provider !== "openai") continue;
    // The exported promptfoo configs of the templates that come with test cases: once per case
    // on the base flow, against the same mock; pass/fail counts as in the app's own eval.
    for (const id of readdirSync(out).sort()) {
      if (ONLY && id !== ONLY) continue;
      const evalFile = join(out, id, "expected-eval.json");
      if (!existsSync(evalFile)) continue;
      const expected = JSON.parse(readFileSync(evalFile, "utf8"));
      const dir = join(out, id, "promptfoo");
      const result = join(dir, "results.json");
      const r = await run(join(ROOT, "node_modules/.bin/promptfoo"), [
        "eval", "-c", "promptfooconfig.yaml", "--repeat", "1", "--filter-providers", "^Base$",
        "--no-cache", "--no-write", "--no-table", "--no-progress-bar", "-o", result,
      ], { cwd: dir });
      if (!existsSync(result)) { check(`promptfoo ${id}`, false, `exit ${r.code}: ${r.stderr.slice(-400)}`); continue; }
      const stats = JSON.parse(readFileSync(result, "utf8")).results.stats;
      const got = { passed: stats.successes, failed: stats.failures + stats.errors };
      if (expected.unexported?.length) {
        // Checks promptfoo cannot see (the route a Router took) are left out of the config, so
        // the counts differ by design: the config must run every case without errors.
        check(`promptfoo ${id}`, stats.errors === 0 && got.passed + got.failed > 0,
          `promptfoo ran ${JSON.stringify(stats)} (not exported: ${expected.unexported.join(", ")})`);
        continue;
      }
      check(`promptfoo ${id}`, got.passed === expected.passed && got.failed === expected.failed,
        `promptfoo counted ${JSON.stringify(got)}, the app's eval ${JSON.stringify(expected)}`);
    }
  }
} finally {
  mock.kill();
}
for (const f of results.failures) console.log(`FAIL ${f}`);
console.log(`exports: ${results.passed} passed, ${results.failed} failed`);
process.exit(results.failed ? 1 : 0);
