// Initial download beside peers: the gzip -9 size of what index.html loads at start, for
// Chainboard's release build and for the production front-end bundles of ChainForge (its PyPI
// wheel ships react-server/build/) and Flowise (the npm package flowise-ui ships build/).
// The peers are fetched with their registries' own clients into target/bench-peers/ (once;
// later runs reuse them). Writes the "Initial download beside peers" section.
// Usage: node tests/bench/download-bench.mjs [distDir]   (make bench runs it)
import { writeSection, startupDownload, kB, machine, today } from "./report.mjs";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";

const dist = process.argv[2] || "dist";
const CACHE = "target/bench-peers";

// Pinned so that reruns compare the same peers; a newer release is a deliberate change here.
const PEERS = [
  { name: "ChainForge", version: "0.3.7.7", registry: "PyPI `chainforge`", build: "chainforge/react-server/build",
    archive: (v) => `chainforge-${v}-py3-none-any.whl`,
    fetch: (v) => ["python3", ["-m", "pip", "download", "--quiet", "--no-deps", "--dest", CACHE, `chainforge==${v}`]],
    // A wheel is a zip; only the front-end build is needed.
    unpack: (archive, to) => ["python3", ["-c",
      "import sys, zipfile; z = zipfile.ZipFile(sys.argv[1]); " +
      "z.extractall(sys.argv[2], [n for n in z.namelist() if n.startswith('chainforge/react-server/build/')])",
      archive, to]] },
  { name: "Flowise", version: "3.1.4", registry: "npm `flowise-ui`", build: "package/build",
    archive: (v) => `flowise-ui-${v}.tgz`,
    fetch: (v) => ["npm", ["pack", "--silent", "--pack-destination", CACHE, `flowise-ui@${v}`]],
    unpack: (archive, to) => ["tar", ["-xzf", archive, "-C", to]] },
];

function run([command, args]) {
  const r = spawnSync(command, args, { encoding: "utf8" });
  if (r.status !== 0) throw new Error(`${command} ${args.join(" ")}: ${(r.stderr || r.error || "").toString().trim()}`);
}

/// The peer's front-end build directory, downloading and unpacking it the first time.
function peerBuild(peer) {
  const archive = join(CACHE, peer.archive(peer.version));
  const root = join(CACHE, `${peer.name.toLowerCase()}-${peer.version}`);
  const build = join(root, peer.build);
  if (existsSync(join(build, "index.html"))) return build;
  mkdirSync(root, { recursive: true });
  if (!existsSync(archive)) run(peer.fetch(peer.version));
  run(peer.unpack(archive, root));
  return build;
}

// Short names for the table: content hashes say nothing to a reader.
const short = (file) => file.split("/").pop().replace(/[-.][0-9a-zA-Z_]{8,16}(?=[._])/, "");
const partList = (d) => d.parts.map((p) => `${short(p.file)} ${kB(p.gzip)}`).join(", ");

mkdirSync(CACHE, { recursive: true });
const ours = startupDownload(dist);
const rows = [];
const missing = [];
for (const peer of PEERS) {
  try {
    rows.push({ peer, download: startupDownload(peerBuild(peer)) });
  } catch (e) {
    // No invented numbers: the section says what could not be fetched and why.
    missing.push(`${peer.name} (${peer.registry} ${peer.version}): ${e.message.split("\n")[0]}`);
  }
}

/// What opening each feature fetches later: its module and the shared pieces it needs, as the
/// split loader (split-<hash>/__wasm_split.js) lists them.
function featureFetches(distDir) {
  const dir = readdirSync(distDir).find((f) => /^split-[0-9a-f]+$/.test(f));
  if (!dir) return [];
  const at = join(distDir, dir);
  const loader = readFileSync(join(at, "__wasm_split.js"), "utf8");
  const loaders = new Map();
  const alias = /const (__\w+) = (__\w+);/g;
  const def = /const (__\w+) = (?:wrapAsyncCb\()?makeLoad\(\(\) => \{\s*const src = fetch\(new URL\("\.\/([\w.]+)"[^]*?\n, \[([^\]]*)\]\)\)?;/g;
  for (const m of loader.matchAll(def)) {
    loaders.set(m[1], { file: m[2], deps: m[3].split(",").map((d) => d.trim()).filter(Boolean) });
  }
  for (const m of loader.matchAll(alias)) loaders.set(m[1], loaders.get(m[2]));
  const gz = (f) => gzipSync(readFileSync(join(at, f)), { level: 9 }).length;
  return [...loaders.values()]
    .filter((l) => l && l.file.startsWith("split_"))
    .filter((l, i, all) => all.findIndex((o) => o.file === l.file) === i)
    .map((l) => {
      const files = [...new Set([l.file, ...l.deps.map((d) => loaders.get(d)?.file ?? d)])];
      return { group: l.file.replace(/^split_|\.wasm$/g, ""), files, bytes: files.reduce((a, f) => a + gz(f), 0) };
    })
    .sort((a, b) => a.group.localeCompare(b.group));
}
const features = featureFetches(dist);
const WHAT = {
  block_settings: "the settings of a Tool, Retrieve, Transcribe, Router, Transform or Loop block",
  dialogs: "Settings, Share, Templates, Versions, Knowledge, Data sent, Import feedback",
  documents: "the document reader (first file added to Knowledge), or opening a flow that has documents",
  evals: "Evaluate",
  export_code: "Export as code",
  files: "Import flow or Export flow (a flow file written or read)",
  inspector: "a block's settings (first block selected)",
  modes: "present mode, the chat panel, the app view, opening a shared link",
  run: "the first run",
};
for (const f of features) if (!WHAT[f.group]) throw new Error(`download-bench: say what opens the '${f.group}' module (WHAT)`);
const featureTable = features.map((f) =>
  `| ${f.group} | ${WHAT[f.group]} | ${f.files.length} | ${kB(f.bytes)} |`).join("\n");

const GOAL = 400 * 1024;
const REDESIGN_GOAL = 300 * 1024;
const table = rows.map(({ peer, download }) =>
  `| ${peer.name} ${peer.version} (${peer.registry}) | ${kB(download.total)} | ${(download.total / ours.total).toFixed(1)}× | ${partList(download)} |`);
const external = rows.filter((r) => r.download.external.length)
  .map((r) => `${r.peer.name}'s index.html also loads ${r.download.external.length} file(s) from other hosts (${r.download.external.map((u) => new URL(u, "https://x").host).join(", ")}), not counted.`);
const report = `## Initial download beside peers (benchmarks issue)

Measured ${today()} on ${machine()}. Command: \`node tests/bench/download-bench.mjs dist\` (part of \`make bench\`;
the peers are fetched once into \`${CACHE}/\` with \`pip download --no-deps\` and \`npm pack\`).

What counts: every file index.html makes the browser fetch at start (stylesheets, scripts and the static
imports of module scripts, modulepreload and preload links, the wasm the start-up script names), each
compressed with gzip -9 (zlib level 9); chunks loaded later (dynamic \`import()\`, lazy routes) are left out.

| Front end | Initial download (gzip -9) | Peer / Chainboard | Files |
|---|---|---|---|
| **Chainboard** (this build) | **${kB(ours.total)}** | 1.0× | ${partList(ours)} |
${table.join("\n")}

Goals: under 400 kB gzip (benchmarks issue), ${ours.total <= GOAL ? "met" : `**not met** (${kB(ours.total - GOAL)} over)`};
at most 300 kB (redesign issue), ${ours.total <= REDESIGN_GOAL ? "met" : `**not met** (${kB(ours.total - REDESIGN_GOAL)} over)`}.
${[...external, ...missing.map((m) => `Not measured: ${m}.`)].join("\n")}

Features loaded on first use (not in the initial download): what opening each one fetches the first
time, its module and the pieces of code it shares with other features (pieces under 8 kB are merged
into one shared.wasm by scripts/merge-chunks.mjs; a file already fetched for another feature is not
fetched again).

| Module | Opened by | Files | gzip -9 |
|---|---|---|---|
${featureTable}
`;
writeSection("## Initial download beside peers", report);
