// Shared by every bench script: writing its section of docs/benchmarks.md, the statistics
// and machine line the sections quote, starting the static server and Chromium, measuring
// frame intervals, and the gzip size of what an index.html loads at start.
import { chromium } from "@playwright/test";
import { spawn } from "node:child_process";
import { readFileSync, writeFileSync, existsSync } from "node:fs";
import { gzipSync } from "node:zlib";
import { dirname, join, relative, resolve } from "node:path";
import os from "node:os";

// ---- docs/benchmarks.md ---------------------------------------------------------------------

const PATH = "docs/benchmarks.md";
const HEADER = "# Benchmarks\n\nEvery figure here was produced by `make bench` on the machine named in its section.\n\n";

/// Replaces the section that starts with `heading`, or adds it before "What is not met yet"
/// (or at the end), followed by one blank line.
export function writeSection(heading, text) {
  const report = `${text.trimEnd()}\n\n`;
  let doc;
  try { doc = readFileSync(PATH, "utf8"); } catch { doc = HEADER; }
  const start = doc.indexOf(heading);
  if (start >= 0) {
    const next = doc.indexOf("\n## ", start + 5);
    doc = doc.slice(0, start) + report + (next >= 0 ? doc.slice(next + 1) : "");
  } else {
    const before = doc.indexOf("## What is not met yet");
    doc = before >= 0 ? doc.slice(0, before) + report + doc.slice(before) : `${doc.trimEnd()}\n\n${report}`;
  }
  writeFileSync(PATH, doc);
  console.log(report);
}

// ---- Statistics and the machine --------------------------------------------------------------

/// The value below which `p` % of `xs` fall (nearest rank, so it is always a measured value).
export function percentile(xs, p) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
}

export const median = (xs) => percentile(xs, 50);

/// "2 × AMD EPYC, 24 GiB": the line every section names its machine with.
export function machine() {
  const cpus = os.cpus();
  return `${cpus.length} × ${cpus[0]?.model.trim()}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`;
}

// Taken when the script starts: the machine is shared, so timed sections say how busy it was.
const LOAD_AT_START = os.loadavg()[0];
export const load = () => `load average ${LOAD_AT_START.toFixed(1)} at the start`;

export const today = () => new Date().toISOString().slice(0, 10);

/// "2.5 MB" / "398.0 kB" (1 kB = 1,024 bytes, as in the sections written so far).
export function kB(bytes) {
  return bytes >= 1024 * 1024 ? `${(bytes / 1024 / 1024).toFixed(2)} MB` : `${(bytes / 1024).toFixed(1)} kB`;
}

// ---- Browser ---------------------------------------------------------------------------------

/// Headless Debian Chromium without the background traffic (updates, sync) that would add noise.
export function launchChromium(extraArgs = []) {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking",
      "--disable-component-update", "--disable-sync", ...extraArgs],
  });
}

/// Serves `dir` on 127.0.0.1:`port` with tests/browser/static-server.mjs; resolves once it
/// listens (a fixed sleep raced the server on a loaded machine).
export function serveStatic(dir, port) {
  const child = spawn("node", ["tests/browser/static-server.mjs", dir, String(port)], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolveReady, reject) => {
    child.stdout.once("data", () => resolveReady({ url: `http://127.0.0.1:${port}/`, close: () => child.kill() }));
    child.once("exit", (code) => reject(new Error(`static server for ${dir} on port ${port} exited (${code})`)));
  });
}

/// Runs `action` while recording the time between animation frames; returns the intervals
/// (the first two are dropped: they measure the wait before the action started).
export async function measureFrames(page, action) {
  await page.evaluate(() => {
    window.__frames = [];
    let last = performance.now();
    window.__stop = false;
    const tick = (t) => { window.__frames.push(t - last); last = t; if (!window.__stop) requestAnimationFrame(tick); };
    requestAnimationFrame(tick);
  });
  await action();
  return page.evaluate(() => { window.__stop = true; return window.__frames.slice(2); });
}

// ---- What index.html loads at start ----------------------------------------------------------

const attr = (tag, name) => tag.match(new RegExp(`\\s${name}\\s*=\\s*["']([^"']*)["']`, "i"))?.[1];
const isExternal = (url) => /^(https?:)?\/\//i.test(url);
// Static imports and re-exports of an ES module (`import{a}from"./x.js"`, `import "./y.js"`);
// dynamic `import(...)` is left out on purpose: that is loading on first use, not at start.
const STATIC_IMPORT = /(?:^|[;\n}])\s*(?:import|export)\s*(?:[\w$*{}\s,]+?\s*from\s*)?["']([^"']+)["']/g;
// URLs in an inline module script, such as Trunk's `import … from '/app.js'` and `'/app_bg.wasm'`.
const INLINE_URL = /["'](\.{0,2}\/[^"'\s]+\.(?:m?js|wasm|css))["']/g;

/// The files index.html in `dir` makes the browser fetch at start: stylesheets, scripts
/// (with the static imports of module scripts), modulepreload and preload links, and the URLs
/// an inline module script names. Returns paths relative to `dir`, and the external URLs
/// (other hosts: fonts, analytics), which are not counted.
export function startupAssets(dir) {
  const html = readFileSync(join(dir, "index.html"), "utf8");
  const files = new Set();
  const external = new Set();
  const modules = [];
  const add = (url, base, isModule) => {
    if (!url || url.startsWith("data:")) return;
    if (isExternal(url)) { external.add(url); return; }
    const clean = url.split(/[?#]/)[0];
    const path = clean.startsWith("/") ? join(dir, clean) : resolve(base, clean);
    const rel = relative(dir, path);
    if (files.has(rel) || !existsSync(path)) return;
    files.add(rel);
    if (isModule) modules.push(path);
  };
  for (const [, tag, body] of html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/gi)) {
    const isModule = attr(tag, "type") === "module";
    if (attr(tag, "src")) add(attr(tag, "src"), dir, isModule);
    else if (isModule) for (const m of body.matchAll(INLINE_URL)) add(m[1], dir, m[1].endsWith("js"));
  }
  for (const tag of html.match(/<link\b[^>]*>/gi) || []) {
    const rel = (attr(tag, "rel") || "").toLowerCase();
    const as = (attr(tag, "as") || "").toLowerCase();
    if (rel === "stylesheet" || rel === "modulepreload") add(attr(tag, "href"), dir, rel === "modulepreload");
    else if (rel === "preload" && ["script", "style", "fetch", "font"].includes(as)) add(attr(tag, "href"), dir, false);
  }
  while (modules.length) {
    const path = modules.pop();
    for (const m of readFileSync(path, "utf8").matchAll(STATIC_IMPORT)) add(m[1], dirname(path), true);
  }
  return { files: [...files].sort(), external: [...external] };
}

/// gzip -9 sizes of what index.html in `dir` loads at start: the total, each file (raw and
/// gzip bytes), and the external URLs left out.
export function startupDownload(dir) {
  const { files, external } = startupAssets(dir);
  const parts = files.map((file) => {
    const body = readFileSync(join(dir, file));
    return { file, bytes: body.length, gzip: gzipSync(body, { level: 9 }).length };
  });
  return { total: parts.reduce((sum, p) => sum + p.gzip, 0), parts, external };
}
