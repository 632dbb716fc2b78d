// Trunk post_build hook: allow exactly Trunk's inline loader script in the CSP by hash.
// Runs on $TRUNK_STAGING_DIR/index.html (falls back to dist/index.html).
import { createHash } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.env.TRUNK_STAGING_DIR || "dist";
const file = join(dir, "index.html");
let html = readFileSync(file, "utf8");
const hashes = [];
for (const m of html.matchAll(/<script(?![^>]*\bsrc=)[^>]*>([\s\S]*?)<\/script>/g)) {
  hashes.push(`'sha256-${createHash("sha256").update(m[1], "utf8").digest("base64")}'`);
}
if (!html.includes("script-src 'self'")) {
  console.error("csp-hash: index.html has no \"script-src 'self'\" to extend");
  process.exit(1);
}
html = html.replace("script-src 'self'", `script-src 'self' ${hashes.join(" ")}`);
writeFileSync(file, html);
console.log(`csp-hash: allowed ${hashes.length} inline script(s) by hash`);
