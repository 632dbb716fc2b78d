// What the main module is made of: the gzip bytes of the wasm the app needs at start, by the
// crate or Chainboard folder that defines each function, plus its static text. It says how far
// trimming can go: the part no Chainboard change removes (Leptos, wasm-bindgen, Rust's standard
// library, serde) against the 300 kB goal of the redesign issue. Writes the "What the main
// module is made of" section.
//
// It rebuilds the shipped main module with names kept: scripts/post-build.sh leaves the split
// main module (before wasm-bindgen, names intact) in target/wasm-split/release/main.wasm; this
// runs the same wasm-bindgen and `wasm-opt -Oz` on it with `-g`, which keeps the name section
// and changes nothing else. Each group's function bodies are compressed together (gzip -9), so
// the groups add up to a little less than the module compressed whole (shared context).
//
// Names say where code is defined, not who asked for it: a Leptos signal of a Chainboard type is
// counted as Leptos, a `Vec<Block>` method as the standard library.
// Usage: node tests/bench/main-module-bench.mjs [distDir]   (make bench runs it after the build)
import { writeSection, kB, machine, today } from "./report.mjs";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const dist = process.argv[2] || "dist";
const SPLIT_MAIN = "target/wasm-split/release/main.wasm";
const FEATURES = ["--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext",
  "--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue"];

if (!existsSync(SPLIT_MAIN)) {
  console.error(`${SPLIT_MAIN} is missing: run \`trunk build --release\` first (its post-build step writes it).`);
  process.exit(1);
}
const shipped = readdirSync(dist).find((f) => /^chainboard-[0-9a-f]+_bg\.wasm$/.test(f));
if (!shipped) {
  console.error(`no chainboard-*_bg.wasm in ${dist}: run \`trunk build --release\` first.`);
  process.exit(1);
}
const shippedGzip = gzipSync(readFileSync(join(dist, shipped)), { level: 9 }).length;

function run(command, args) {
  const r = spawnSync(command, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${command}: ${(r.stderr || r.error || "").toString().trim()}`);
}
const work = mkdtempSync(join(tmpdir(), "main-module-"));
let module;
try {
  run("wasm-bindgen", ["--target=web", "--keep-lld-exports", "--no-demangle", "--no-typescript",
    "--out-dir", work, "--out-name", "m", SPLIT_MAIN]);
  run("wasm-opt", ["-Oz", "-g", ...FEATURES, join(work, "m_bg.wasm"), "-o", join(work, "named.wasm")]);
  module = readFileSync(join(work, "named.wasm"));
} finally {
  rmSync(work, { recursive: true, force: true });
}

/// Function bodies (with their names) and the data section of a wasm module.
function parse(buf) {
  let p = 8;
  const leb = () => { let r = 0, s = 0, b; do { b = buf[p++]; r |= (b & 0x7f) << s; s += 7; } while (b & 0x80); return r >>> 0; };
  let imports = 0;
  const bodies = [];
  const names = new Map();
  let data = Buffer.alloc(0);
  while (p < buf.length) {
    const id = buf[p++];
    const len = leb();
    const end = p + len;
    if (id === 2) {
      const n = leb();
      for (let i = 0; i < n; i++) {
        // Module and field names (read the length first: `p += leb()` would add to the old `p`).
        for (let part = 0; part < 2; part++) { const l = leb(); p += l; }
        const kind = buf[p++];
        if (kind === 0) { leb(); imports++; }
        else if (kind === 1) { p++; const f = leb(); leb(); if (f & 1) leb(); }
        else if (kind === 2) { const f = leb(); leb(); if (f & 1) leb(); }
        else if (kind === 3) { p += 2; }
        else if (kind === 4) { p++; leb(); }
      }
    } else if (id === 10) {
      const n = leb();
      for (let i = 0; i < n; i++) { const l = leb(); bodies.push(buf.subarray(p, p + l)); p += l; }
    } else if (id === 11) {
      data = buf.subarray(p, end);
    } else if (id === 0) {
      const nl = leb();
      const name = buf.subarray(p, p + nl).toString();
      p += nl;
      if (name === "name") {
        while (p < end) {
          const sub = buf[p++];
          const sl = leb();
          const se = p + sl;
          if (sub === 1) {
            const n = leb();
            for (let i = 0; i < n; i++) { const idx = leb(); const l = leb(); names.set(idx, buf.subarray(p, p + l).toString()); p += l; }
          }
          p = se;
        }
      }
    }
    p = end;
  }
  return { bodies: bodies.map((b, i) => ({ body: b, name: names.get(i + imports) ?? "" })), data };
}

// Order matters: serde's impls for Chainboard types count as serde (the derive's cost), a
// Chainboard closure passed to Leptos counts as Chainboard.
const NAMES = {
  "serde-derived": "serde's derived (de)serialisers of Chainboard's types",
};
const FLOOR = {
  framework: "Leptos and wasm-bindgen (reactive_graph, tachys, leptos, js-sys, web-sys, …)",
  serde: "serde and serde_json (the libraries, with their generic code for Chainboard's types)",
  std: "Rust's standard library (core, alloc, hashbrown, the allocator)",
};
function owner(name) {
  if (/serde/.test(name) && /chainboard/.test(name)) return "serde-derived";
  if (/serde|zmij|itoa|ryu/.test(name)) return "serde";
  const ours = name.match(/chainboard(?:\.\.|[0-9]+)(ui|domain)(?:\.\.|[0-9]+)([a-z_]+)/);
  if (ours) return `${ours[1]}/${ours[2]}`;
  // `main` mounts the app; the compiler inlined much of the shell's view code into it.
  if (/chainboard(?:\.\.|[0-9]+)main\b|chainboard4main/.test(name)) return "ui/main (start-up, with the view code inlined into it)";
  if (/chainboard/.test(name)) return "chainboard (other)";
  if (/tachys|reactive_graph|leptos|any_spawner|wasm_bindgen|js_sys|web_sys|send_wrapper|or_poisoned|throw_error|slotmap|futures|gloo|wasm_split/.test(name)) return "framework";
  if (/regex/.test(name)) return "regex-lite";
  if (/miniz/.test(name)) return "miniz_oxide";
  if (/^_ZN[0-9]+(core|alloc|std|hashbrown|dlmalloc|indexmap)|^_R.*(core|alloc|std|dlmalloc|compiler_builtins)/.test(name)) return "std";
  return "unnamed or generic (closures, iterator adapters)";
}

const { bodies, data } = parse(module);
const groups = new Map();
for (const { body, name } of bodies) {
  const g = owner(name);
  if (!groups.has(g)) groups.set(g, []);
  groups.get(g).push(body);
}
const gz = (b) => gzipSync(b, { level: 9 }).length;
const rows = [...groups].map(([group, parts]) => ({ group, gzip: gz(Buffer.concat(parts)) }));
rows.push({ group: "static text and tables (the data section)", gzip: gz(data) });
const sum = rows.reduce((a, r) => a + r.gzip, 0);
rows.sort((a, b) => b.gzip - a.gzip);
const floor = rows.filter((r) => FLOOR[r.group]);
const floorBytes = floor.reduce((a, r) => a + r.gzip, 0);
const dataRow = rows.find((r) => r.group.startsWith("static text"));
const ui = rows.filter((r) => r.group.startsWith("ui/")).reduce((a, r) => a + r.gzip, 0);
const domain = rows.filter((r) => r.group.startsWith("domain/")).reduce((a, r) => a + r.gzip, 0);
const pct = (b) => `${((100 * b) / sum).toFixed(1)} %`;

const shown = rows.filter((r) => r.gzip >= 4 * 1024);
const small = rows.filter((r) => r.gzip < 4 * 1024);
const table = shown.map((r) => `| ${FLOOR[r.group] ?? NAMES[r.group] ?? r.group} | ${kB(r.gzip)} | ${pct(r.gzip)} |`).join("\n");
const GOAL = 300 * 1024;

writeSection("## What the main module is made of", `## What the main module is made of (redesign issue)

Measured ${today()} on ${machine()}. Command: \`node tests/bench/main-module-bench.mjs dist\` (part of
\`make bench\`): the shipped main module rebuilt with its function names kept (same wasm-bindgen and
\`wasm-opt -Oz\`, plus \`-g\`), each group's code compressed with gzip -9. Groups are by where code is
defined: a Leptos signal of a Chainboard type counts as Leptos, serde's derived code for a Chainboard type
as serde. Compressed apart, the groups add up to ${kB(sum)}; the shipped module compresses to ${kB(shippedGzip)}.

| Part | gzip -9 | Share |
|---|---|---|
${table}
| ${small.length} smaller groups (each under 4 kB) | ${kB(small.reduce((a, r) => a + r.gzip, 0))} | ${pct(small.reduce((a, r) => a + r.gzip, 0))} |

- **Code defined in the libraries** (the framework, serde and the standard library) comes to **${kB(floorBytes)}**
  (${pct(floorBytes)}); the static text (messages, labels, the example flows) adds ${kB(dataRow.gzip)}. Part of the
  library code is instantiated for Chainboard's types and shrinks only with the editor itself. The redesign
  issue's goal for the whole initial download (wasm, JavaScript and CSS) is ${kB(GOAL)}.
- Chainboard's own code in the main module: the UI ${kB(ui)}, the domain ${kB(domain)}.
- So an initial download of 300 kB or less cannot hold today's interactive editor: it needs a first screen
  drawn without it (a read-only canvas, the editor fetched on the first click or key), which is a change
  of behaviour the issue rules out ("Behaviour stays the same").
`);
