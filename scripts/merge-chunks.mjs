// Merges wasm-split-cli's small shared pieces into one module, so opening a feature fetches a
// few files, not thirty (called by scripts/post-build.sh, in the split directory).
//
// wasm-split-cli puts code that several feature groups share into one `chunk_<n>.wasm` per
// combination of groups: with eight groups that is some fifty pieces, most under 1 kB, and a
// feature fetches every piece it touches. Pieces that more than half of the features load join
// the merged module at any size. A piece is a module that imports only the main
// module's memory, function table and stack pointer (from "__wasm_split"), places its data at
// fixed addresses and its functions at fixed table slots, and exports nothing: so pieces can be
// joined into one module that does all of that at once. Every piece under SMALL_BYTES (gzip)
// goes into `shared.wasm`; the loader (`__wasm_split.js`) then loads that one file, once, for
// any of them (loading a piece twice would reset its data, so each file keeps one loader).
//
// binaryen's wasm-merge joins modules but keeps each one's imports apart (and one module may
// have one memory), so each piece's imports are first repointed (in its binary) at a small hub
// module that imports the three values once and exports them; wasm-merge links the pieces to
// the hub by name.
//
// Usage: node merge-chunks.mjs <split dir> <wasm feature flags…>. Anything unexpected stops the
// build with the reason.

import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const SMALL_BYTES = 8 * 1024;
const MERGED = "shared.wasm";

const [dir, ...features] = process.argv.slice(2);
if (!dir) die("usage: merge-chunks.mjs <split dir> [wasm feature flags]");

function die(why) {
  console.error(`merge-chunks: ${why}`);
  process.exit(1);
}

const run = (tool, args) => execFileSync(tool, args, { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] });

const loaderPath = join(dir, "__wasm_split.js");
let loader = readFileSync(loaderPath, "utf8");

// `const __chunk_9 = makeLoad(() => { … "./chunk_9.wasm" … }\n, []);` — pieces depend on nothing.
const pieceLoader = /(?:\/\*[^*]*\*\/\n)?const (__chunk_\d+) = makeLoad\(\(\) => \{\n[^]*?"\.\/(chunk_\d+\.wasm)"[^]*?\n\}\n, \[\]\);\n/g;
const pieces = [...loader.matchAll(pieceLoader)].map((m) => ({ text: m[0], name: m[1], file: m[2] }));
const onDisk = readdirSync(dir).filter((f) => /^chunk_\d+\.wasm$/.test(f));
if (pieces.length !== onDisk.length) {
  die(`the loader names ${pieces.length} pieces but ${onDisk.length} are in ${dir}: its format changed?`);
}
// Which features load each piece: `export const __wasm_split_load_<group> = … [__chunk_1, …]));`.
const featureDeps = [...loader.matchAll(/export const __wasm_split_load_\w+ = [^]*?\n, \[([^\]]*)\]\)\);/g)]
  .map((m) => new Set(m[1].split(",").map((d) => d.trim()).filter(Boolean)));
if (featureDeps.length === 0) die("the loader names no feature modules: its format changed?");
const usedBy = (piece) => featureDeps.filter((deps) => deps.has(piece.name)).length;
// A piece joins shared.wasm when it is small, or when most features load it anyway (then a
// separate file is only one more fetch for them).
const joining = pieces.filter(
  (p) => gzipSync(readFileSync(join(dir, p.file)), { level: 9 }).length < SMALL_BYTES || 2 * usedBy(p) > featureDeps.length,
);
if (joining.length < 2) {
  console.log(`merge-chunks: ${joining.length} piece(s) to join, nothing to merge`);
  process.exit(0);
}

const work = mkdtempSync(join(tmpdir(), "merge-chunks-"));
try {
  const imports = new Map(); // name -> { kind, type }: what the hub imports and exports
  const args = [];
  for (const p of joining) {
    const wasm = join(work, p.file);
    writeFileSync(wasm, repoint(readFileSync(join(dir, p.file)), p.file, imports));
    args.push(wasm, p.name);
  }
  const hub = [
    "(module",
    ...[...imports].map(([name, { kind, type }], i) => ` (import "__wasm_split" "${name}" (${kind} $i${i} ${type}))`),
    ...[...imports].map(([name, { kind }], i) => ` (export "${name}" (${kind} $i${i}))`),
    ")",
  ].join("\n");
  writeFileSync(join(work, "hub.wat"), hub);
  run("wasm-as", [...features, join(work, "hub.wat"), "-o", join(work, "hub.wasm")]);
  run("wasm-merge", [...features, join(work, "hub.wasm"), "hub", ...args, "-o", join(dir, MERGED)]);
} finally {
  rmSync(work, { recursive: true, force: true });
}

/** The piece with its imports taken from "hub" instead of "__wasm_split" (the binary's import
 *  section rewritten; nothing else changes), recording each import's type in `seen`. */
function repoint(bytes, file, seen) {
  let p = 8;
  const uleb = () => {
    let r = 0, shift = 0, b;
    do { b = bytes[p++]; r += (b & 0x7f) * 2 ** shift; shift += 7; } while (b & 0x80);
    return r;
  };
  const leb = (n) => { const out = []; do { let b = n & 0x7f; n = Math.floor(n / 128); if (n) b |= 0x80; out.push(b); } while (n); return out; };
  const name = () => { const n = uleb(); const s = Buffer.from(bytes.subarray(p, p + n)).toString(); p += n; return s; };
  const limits = (what) => {
    const flags = bytes[p++];
    if (flags !== 0) die(`${file}: its ${what} import has limits flags ${flags}; only a minimum was ever seen`);
    return uleb();
  };
  const out = [Buffer.from(bytes.subarray(0, 8))];
  let found = false;
  while (p < bytes.length) {
    const id = bytes[p++];
    const size = uleb();
    const end = p + size;
    if (id === 7) die(`${file}: it has exports, which pieces never had`);
    if (id !== 2) {
      out.push(Buffer.from([id, ...leb(size)]), Buffer.from(bytes.subarray(p, end)));
      p = end;
      continue;
    }
    found = true;
    const count = uleb();
    const body = [Buffer.from(leb(count))];
    for (let i = 0; i < count; i++) {
      const module = name();
      const field = name();
      if (module !== "__wasm_split") die(`${file} imports from "${module}", not the main module`);
      const descStart = p;
      const kind = bytes[p++];
      let type, kindName;
      if (kind === 2) { kindName = "memory"; type = String(limits("memory")); }
      else if (kind === 1) {
        if (bytes[p++] !== 0x70) die(`${file}: a table import that is not of functions`);
        kindName = "table"; type = `${limits("table")} funcref`;
      } else if (kind === 3) {
        const valtype = { 0x7f: "i32", 0x7e: "i64", 0x7d: "f32", 0x7c: "f64" }[bytes[p++]];
        const mutable = bytes[p++] === 1;
        if (!valtype) die(`${file}: a global import of a type pieces never had`);
        kindName = "global"; type = mutable ? `(mut ${valtype})` : valtype;
      } else die(`${file}: it imports a function (kind ${kind}); pieces only ever imported memory, table and globals`);
      const before = seen.get(field);
      if (before && (before.kind !== kindName || before.type !== type)) {
        die(`"${field}" is ${kindName} ${type} in ${file} but ${before.kind} ${before.type} in another piece`);
      }
      seen.set(field, { kind: kindName, type });
      const hub = Buffer.from("hub");
      const fieldBytes = Buffer.from(field);
      body.push(Buffer.from(leb(hub.length)), hub, Buffer.from(leb(fieldBytes.length)), fieldBytes);
      body.push(Buffer.from(bytes.subarray(descStart, p)));
    }
    if (p !== end) die(`${file}: its import section did not read to its end`);
    const section = Buffer.concat(body);
    out.push(Buffer.from([2, ...leb(section.length)]), section);
  }
  if (!found) die(`${file} has no imports: not a piece of the main module`);
  return Buffer.concat(out);
}

// One loader for the merged file, in place of the first joined piece's; the others become names
// for it (the loader remembers a load, so the file is fetched and instantiated once).
const names = joining.map((p) => p.name).join(", ");
const shared = joining[0].text
  .replace(/^\/\*[^*]*\*\/\n/, `/* pieces shared by several features, merged by scripts/merge-chunks.mjs: ${names} */\n`)
  .replace(`const ${joining[0].name} = `, "const __shared = ")
  .replace(`"./${joining[0].file}"`, `"./${MERGED}"`);
loader = loader.replace(joining[0].text, `${shared}const ${joining[0].name} = __shared;\n`);
for (const p of joining.slice(1)) loader = loader.replace(p.text, `const ${p.name} = __shared;\n`);
writeFileSync(loaderPath, loader);
for (const p of joining) rmSync(join(dir, p.file));
const kept = pieces.length - joining.length;
console.log(`merge-chunks: ${joining.length} pieces merged into ${MERGED}; ${kept} piece(s) kept apart (larger, and loaded by few features)`);
