// The PDF reader's word recall against pdftotext (poppler-utils, Debian), per producer, with the
// time per file, beside pdf.js (pdfjs-dist from npm, run in Node) on the same files.
// Corpus: the test PDFs shipped in the sdists of pypdf and ocrmypdf (PyPI, fetched with pip) and
// the PDF manuals of two Debian -doc packages (apt-get download), in target/pdf-corpus/ (never
// committed; never files made by the reader under test).
// Our reader runs natively (release build of examples/pdf_text.rs; the wasm build runs the
// same code). Writes the "PDF text" section of docs/benchmarks.md.
// Usage: node tests/bench/pdf-bench.mjs   (make bench runs it)
// Optionally PDF_BASELINE=<a build of examples/pdf_text.rs from another commit> and
// PDF_BASELINE_LABEL=<what it is> add that reader's recall as a column (before/after a change).
import { writeSection, machine, load, today, median } from "./report.mjs";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative, resolve } from "node:path";

const CORPUS = "target/pdf-corpus";
const SDISTS = [
  ["pypdf", "5.1.0"],
  ["ocrmypdf", "16.5.0"],
];
// Debian packages with PDF manuals (fetched with apt-get download, unpacked with dpkg-deb).
const DEBS = ["auto-multiple-choice-doc-pdf", "camlidl-doc"];
const PDFJS = "4.10.38";
const MIN_WORDS = 20; // files where pdftotext finds fewer words have no text layer to compare

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: "utf8", maxBuffer: 1 << 30, ...opts });
  if (r.error) throw r.error;
  return r;
}

function fetchCorpus() {
  mkdirSync(CORPUS, { recursive: true });
  for (const [name, version] of SDISTS) {
    const dir = join(CORPUS, `${name}-${version}`);
    if (existsSync(dir)) continue;
    console.log(`fetching the ${name} ${version} sdist from PyPI`);
    const r = run("pip", ["download", "--no-binary", ":all:", "--no-deps", "--no-build-isolation", `${name}==${version}`, "-d", CORPUS]);
    if (r.status !== 0) throw new Error(r.stderr);
    const tarball = readdirSync(CORPUS).find((f) => f.startsWith(`${name.replace(".", "_")}-${version}`) || f.startsWith(`${name}-${version}`));
    run("tar", ["xzf", join(CORPUS, tarball), "-C", CORPUS]);
  }
  for (const name of DEBS) {
    const dir = join(CORPUS, "debian", name);
    if (existsSync(dir)) continue;
    console.log(`fetching ${name} from Debian`);
    mkdirSync(dir, { recursive: true });
    const r = run("apt-get", ["download", name], { cwd: dir });
    const deb = readdirSync(dir).find((f) => f.endsWith(".deb"));
    if (!deb) throw new Error(`apt-get download ${name} failed: ${r.stderr}`);
    run("dpkg-deb", ["-x", deb, "."], { cwd: dir });
  }
  const pdfjs = join(CORPUS, "pdfjs");
  if (!existsSync(join(pdfjs, "node_modules/pdfjs-dist"))) {
    console.log(`installing pdfjs-dist ${PDFJS} from npm`);
    mkdirSync(pdfjs, { recursive: true });
    const r = run("npm", ["install", "--prefix", pdfjs, "--no-audit", "--no-fund", "--loglevel=error", `pdfjs-dist@${PDFJS}`]);
    if (r.status !== 0) throw new Error(r.stderr);
  }
}

function pdfFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir)) {
    const p = join(dir, entry);
    const s = statSync(p);
    if (s.isDirectory()) out.push(...pdfFiles(p));
    else if (/\.pdf$/i.test(entry) && s.size < 20 * 1024 * 1024) out.push(p);
  }
  return out.sort();
}

const words = (text) => (text.toLowerCase().normalize("NFKC").match(/[\p{L}\p{N}]+/gu) || []);

/// Share of pdftotext's words (with multiplicity) that the other text has.
function recall(reference, text) {
  const have = new Map();
  for (const w of words(text)) have.set(w, (have.get(w) || 0) + 1);
  let hit = 0;
  const ref = words(reference);
  for (const w of ref) {
    const n = have.get(w) || 0;
    if (n > 0) {
      hit++;
      have.set(w, n - 1);
    }
  }
  return ref.length ? hit / ref.length : 1;
}

function producer(file) {
  const r = run("pdfinfo", [file], { timeout: 20000 });
  const line = (r.stdout || "").split("\n").find((l) => l.startsWith("Producer:")) || "";
  const p = line.replace("Producer:", "").trim();
  const families = [
    ["pdfTeX", /pdftex|latex/i], ["LibreOffice/OpenOffice", /libreoffice|openoffice/i], ["Microsoft Office", /microsoft/i],
    ["Acrobat/Distiller", /acrobat|distiller|adobe pdf/i], ["Ghostscript", /ghostscript|gpl/i], ["ReportLab", /reportlab/i],
    ["Skia/Chromium", /skia|chrom/i], ["macOS Quartz", /quartz|mac os/i], ["Cairo", /cairo/i], ["iText", /itext/i],
    ["PDFlib", /pdflib/i], ["pypdf/PyPDF2", /pypdf/i], ["FPDF/TCPDF", /fpdf|tcpdf/i], ["ImageMagick", /imagemagick/i],
  ];
  for (const [name, re] of families) if (re.test(p)) return name;
  return p ? "other" : "none given";
}

async function pdfjsText(lib, file) {
  const data = new Uint8Array(readFileSync(file));
  const start = performance.now();
  try {
    const doc = await lib.getDocument({ data, password: "", verbosity: 0, useSystemFonts: false, isEvalSupported: false }).promise;
    let text = "";
    for (let i = 1; i <= doc.numPages; i++) {
      const page = await doc.getPage(i);
      const content = await page.getTextContent();
      for (const item of content.items) text += (item.str || "") + (item.hasEOL ? "\n" : " ");
      text += "\n\n";
      page.cleanup();
    }
    await doc.destroy();
    return { text, ms: performance.now() - start };
  } catch (e) {
    return { text: "", ms: performance.now() - start, error: String(e.message || e) };
  }
}

async function main() {
  fetchCorpus();
  const files = [...SDISTS.map(([n, v]) => join(CORPUS, `${n}-${v}`)), join(CORPUS, "debian")].flatMap(pdfFiles);
  console.log(`${files.length} PDF files`);
  // pdftotext: the reference (files it cannot open are left out: encrypted with a password,
  // or not PDFs at all).
  const refs = new Map();
  for (const f of files) {
    const start = performance.now();
    const r = run("pdftotext", ["-q", "-enc", "UTF-8", f, "-"], { timeout: 60000 });
    const ms = performance.now() - start;
    if (r.status === 0 && words(r.stdout).length >= MIN_WORDS) refs.set(f, { text: r.stdout, ms });
  }
  const texts = [...refs.keys()];
  // Ours: one release process for all files (its own clock per file).
  const build = run("cargo", ["build", "--release", "--example", "pdf_text"], { stdio: "inherit" });
  if (build.status !== 0) throw new Error("cargo build failed");
  const readWith = (binary) => {
    const out = new Map();
    for (const f of texts) {
      const r = run(binary, ["--json", f], { timeout: 60000 });
      const line = (r.stdout || "").trim();
      out.set(f, line ? JSON.parse(line) : { text: "", ms: NaN, error: r.signal ? `killed (${r.signal})` : "crashed" });
    }
    return out;
  };
  const ours = readWith("target/release/examples/pdf_text");
  const baseline = process.env.PDF_BASELINE ? readWith(process.env.PDF_BASELINE) : null;
  const lib = await import(resolve(CORPUS, "pdfjs/node_modules/pdfjs-dist/legacy/build/pdf.mjs"));
  const pdfjs = new Map();
  for (const f of texts) pdfjs.set(f, await pdfjsText(lib, f));

  const rows = texts.map((f) => ({
    file: relative(CORPUS, f),
    producer: producer(f),
    ours: recall(refs.get(f).text, ours.get(f).text),
    oursErr: ours.get(f).error,
    oursMs: ours.get(f).ms,
    pdfjs: recall(refs.get(f).text, pdfjs.get(f).text),
    baseline: baseline ? recall(refs.get(f).text, baseline.get(f).text) : NaN,
    pdfjsMs: pdfjs.get(f).ms,
    popplerMs: refs.get(f).ms,
    words: words(refs.get(f).text).length,
  }));
  const pct = (x) => `${(100 * x).toFixed(0)}%`;
  const ms = (x) => (x < 10 ? x.toFixed(1) : x.toFixed(0));
  const mean = (xs) => xs.reduce((a, b) => a + b, 0) / Math.max(1, xs.length);
  const groups = new Map();
  for (const r of rows) groups.set(r.producer, [...(groups.get(r.producer) || []), r]);
  const both = (rs, key) => `${pct(median(rs.map((r) => r[key])))} / ${pct(mean(rs.map((r) => r[key])))}`;
  const line = (name, rs) =>
    `| ${name} | ${rs.length} | ${both(rs, "ours")} | ${baseline ? `${both(rs, "baseline")} | ` : ""}` +
    `${pct(median(rs.map((r) => r.pdfjs)))} / ${pct(mean(rs.map((r) => r.pdfjs)))} | ` +
    `${ms(median(rs.map((r) => r.oursMs)))} | ${ms(median(rs.map((r) => r.pdfjsMs)))} | ${ms(median(rs.map((r) => r.popplerMs)))} |`;
  const table = [...groups.entries()].sort((a, b) => b[1].length - a[1].length).map(([n, rs]) => line(n, rs));
  const low = rows.filter((r) => r.ours < 0.9).sort((a, b) => a.ours - b.ours);
  const label = process.env.PDF_BASELINE_LABEL || "Baseline recall";
  const version = (n) => SDISTS.find(([m]) => m === n)[1];
  const text = `## PDF text (word recall against pdftotext, beside pdf.js)

Measured ${today()} on ${machine()} (${load()}). Command: \`node tests/bench/pdf-bench.mjs\` (part of \`make bench\`)${baseline ? `; the "${label}" column from \`PDF_BASELINE=<that commit's examples/pdf_text build>\`` : ""}.
Corpus: the test PDFs in the sdists of pypdf ${version("pypdf")} and ocrmypdf ${version("ocrmypdf")} (PyPI, fetched
with \`pip download --no-binary :all:\`) and the PDF manuals of the Debian packages ${DEBS.join(", ")}
(\`apt-get download\`), all into \`${CORPUS}/\`: ${files.length} files, of which ${rows.length} have a text layer
(pdftotext opens them and finds at least ${MIN_WORDS} words). Recall: the share of pdftotext's words (letter/digit runs,
case-folded, NFKC, counted with multiplicity) that the reader's text also has. Producer from \`pdfinfo\`.
Times per file (median): Chainboard's reader natively (\`examples/pdf_text.rs\`, release build, its own clock),
pdf.js ${PDFJS} (\`pdfjs-dist\` legacy build in Node ${process.version}, \`getTextContent\` on every page), and the
pdftotext process (start-up included).

| Producer | Files | Chainboard recall (median / mean) | ${baseline ? `${label} (median / mean) | ` : ""}pdf.js recall (median / mean) | Chainboard ms | pdf.js ms | pdftotext ms |
|---|---|---|---|${baseline ? "---|" : ""}---|---|---|
${line("All", rows)}
${table.join("\n")}

- Recall counts words as pdftotext writes them: where it spaces a word's letters apart (text drawn with
  character spacing, e.g. \`C o m p a n i a\`) and the reader writes the word, the reader is scored down.
- Why the files below 90% are there (checked by hand on 2026-12-02): \`toy.pdf\` and \`indirect-rotation.pdf\`
  are the letter-spacing case above; \`cmyk.pdf\` has a damaged ToUnicode map (byte-swapped: pdftotext and the reader
  both get CJK characters, joined differently); \`FormTestFromOo.pdf\` keeps part of its text in form-field appearance
  streams, which the reader does not read (pdf.js scores the same 79% with \`getTextContent\`).
- Encrypted files in the corpus (checked by hand): 19; the reader opens the same 11 as pdftotext (empty user or owner password,
  revisions 2 to 6) and refuses the 8 that need a password.
- Files under 90% recall for Chainboard: ${low.length ? low.map((r) => `${r.file} (${pct(r.ours)}; pdf.js ${pct(r.pdfjs)}${r.oursErr ? `; "${r.oursErr}"` : ""})`).join(", ") : "none"}.
`;
  writeSection("## PDF text", text);
}

await main();
