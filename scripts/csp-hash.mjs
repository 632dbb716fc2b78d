// The end of every build (called by scripts/post-build.sh, Trunk's post_build hook), on
// $TRUNK_STAGING_DIR/index.html (falls back to dist/index.html):
// 1. Subresource integrity: post-build.sh replaced the main module, its JS and snippets after
//    Trunk hashed them, so every `integrity` is recomputed from the file its `href` names.
// 2. A modulepreload for the split loader (split-<hash>/__wasm_split.js), which the main JS
//    imports: fetched alongside it instead of one round trip later.
// 3. The Content-Security-Policy allows exactly Trunk's inline loader script, by hash.
import { createHash } from "node:crypto";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.env.TRUNK_STAGING_DIR || "dist";
const publicUrl = process.env.TRUNK_PUBLIC_URL || "/";
const file = join(dir, "index.html");
let html = readFileSync(file, "utf8");
const fail = (why) => {
  console.error(`csp-hash: ${why}`);
  process.exit(1);
};
const sri = (path) => `sha384-${createHash("sha384").update(readFileSync(path)).digest("base64")}`;

if (process.env.SPLIT) {
  const loader = `${process.env.SPLIT}/__wasm_split.js`;
  if (!existsSync(join(dir, loader))) fail(`${loader} is not staged`);
  const mainJs = `<link rel="modulepreload" href="${publicUrl}${process.env.STEM}.js"`;
  const at = html.indexOf(mainJs);
  if (at < 0) fail("index.html has no modulepreload of the main JS to put the loader's beside");
  const link = `<link rel="modulepreload" href="${publicUrl}${loader}" crossorigin="anonymous" integrity="">\n`;
  html = html.slice(0, at) + link + html.slice(at);
}

let fixed = 0;
html = html.replace(/<link\b[^>]*>/g, (tag) => {
  const href = tag.match(/\bhref="([^"]+)"/)?.[1];
  if (!href || !/\bintegrity="/.test(tag) || !href.startsWith(publicUrl)) return tag;
  const path = join(dir, decodeURIComponent(href.slice(publicUrl.length)));
  if (!existsSync(path)) fail(`${href} has an integrity attribute but is not staged`);
  fixed += 1;
  return tag.replace(/\bintegrity="[^"]*"/, `integrity="${sri(path)}"`);
});

const hashes = [];
for (const m of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)) {
  hashes.push(`'sha256-${createHash("sha256").update(m[1], "utf8").digest("base64")}'`);
}
if (!html.includes("script-src 'self'")) fail("index.html has no \"script-src 'self'\" to extend");
html = html.replace("script-src 'self'", `script-src 'self' ${hashes.join(" ")}`);
writeFileSync(file, html);
console.log(`csp-hash: integrity of ${fixed} file(s) checked, ${hashes.length} inline script(s) allowed by hash`);
