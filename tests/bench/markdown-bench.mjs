// Markdown agreement: our parser (src/domain/markdown.rs) against pulldown-cmark 0.13 (a
// dev-dependency, host only) on the CommonMark spec examples, per spec section. The examples
// come from the npm package commonmark-spec (fetched once with `npm pack` into
// target/bench-peers/, split by the package's own index.js); tests/markdown_bench.rs does the
// comparison and writes target/markdown-bench.json. Writes the "Markdown beside pulldown-cmark"
// section of docs/benchmarks.md.
// Usage: node tests/bench/markdown-bench.mjs   (make bench runs it; needs cargo and npm)
import { writeSection, machine, today } from "./report.mjs";
import { spawnSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { resolve } from "node:path";

const SPEC = "commonmark-spec@0.31.2";
const CACHE = "target/bench-peers";
const DIR = `${CACHE}/commonmark-spec`;

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { encoding: "utf8", ...opts });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(" ")} failed:\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

if (!existsSync(`${DIR}/package/index.js`)) {
  mkdirSync(DIR, { recursive: true });
  const tgz = run("npm", ["pack", SPEC, "--silent"], { cwd: DIR }).trim().split("\n").pop();
  run("tar", ["xzf", tgz], { cwd: DIR });
}
const spec = createRequire(import.meta.url)(resolve(`${DIR}/package/index.js`));
const version = JSON.parse(readFileSync(`${DIR}/package/package.json`, "utf8")).version;
// The spec shows tabs as → in its examples (its own test runners replace them the same way).
const examples = spec.tests.map((t) => ({
  markdown: t.markdown.replace(/→/g, "\t"),
  section: t.section,
  number: t.number,
}));
const examplesPath = resolve("target/commonmark-examples.json");
writeFileSync(examplesPath, JSON.stringify(examples));

const COMMAND = ["cargo", ["test", "--test", "markdown_bench", "--", "--ignored", "--nocapture"]];
run(...COMMAND, { env: { ...process.env, MARKDOWN_SPEC_JSON: examplesPath } });
const report = JSON.parse(readFileSync("target/markdown-bench.json", "utf8"));

const pct = (a, b) => (b ? `${((100 * a) / b).toFixed(1)}%` : "–");
let total = { examples: 0, out: 0, agree: 0, agreeOut: 0 };
const rows = report.sections.map((s) => {
  const inScope = s.examples - s.out_of_scope;
  total.examples += s.examples;
  total.out += s.out_of_scope;
  total.agree += s.agree;
  total.agreeOut += s.agree_out_of_scope;
  return `| ${s.section} | ${s.examples} | ${s.out_of_scope || ""} | ${s.agree} of ${inScope} | ${pct(s.agree, inScope)} |`;
});
const inScope = total.examples - total.out;
const worst = report.sections
  .filter((s) => s.examples - s.out_of_scope - s.agree > 0)
  .sort((a, b) => (b.examples - b.out_of_scope - b.agree) - (a.examples - a.out_of_scope - a.agree))
  .slice(0, 6)
  .map((s) => `${s.section} (${s.examples - s.out_of_scope - s.agree})`);

const text = `## Markdown beside pulldown-cmark (documents issue)

Measured ${today()} on ${machine()}. Command: \`node tests/bench/markdown-bench.mjs\` (part of \`make bench\`), which runs
\`${COMMAND.flat().join(" ")}\` with the examples of the CommonMark spec ${version} (npm package
\`commonmark-spec\`, fetched once with \`npm pack\` into \`${DIR}/\`; tabs shown as → in the spec are tabs).
The reference is pulldown-cmark ${report.pulldown_cmark} (crates.io, a dev-dependency used only by this test, never in the wasm build),
with no extensions (plain CommonMark). Per-example results: \`target/markdown-bench.json\`.

What is compared: both parsers' trees written in one normalised HTML-like form: block tags (p, h1–h6, ul, ol with
its start number, li, pre with the first word of the fence's info string, blockquote, hr, tables) and inline tags
(em, strong, del, code, a with its target, images as alt text and target, br), text HTML-escaped with runs of white
space collapsed to one space (code keeps its text). Normalised away on both sides: paragraphs directly inside list
items (our tree has no tight/loose distinction), link titles (we drop them), and link targets our renderer would
not make clickable (only http, https and mailto survive, on both sides). Our citations \`[n]\` count as text.

Out of scope by design, and counted apart: examples where pulldown-cmark produces raw HTML (we show HTML as text,
never as markup) or an indented code block (we read indented lines as paragraph text). In scope, our GFM
extensions (bare URLs and e-mail addresses as links, \`~~strike~~\`, tables) count against us where the spec
example happens to contain them.

| Spec section | Examples | Out of scope | Agree (in scope) | Agreement |
|---|---|---|---|---|
${rows.join("\n")}
| **All** | **${total.examples}** | **${total.out}** | **${total.agree} of ${inScope}** | **${pct(total.agree, inScope)}** |

Agreement on the examples in scope: **${pct(total.agree, inScope)}** (${total.agree} of ${inScope}; ${total.out} of ${total.examples} examples out of scope,
of which ${total.agreeOut} agree anyway; on all ${total.examples}: ${pct(total.agree + total.agreeOut, total.examples)}).
Disagreements in scope, by section: ${worst.join(", ") || "none"}.
${report.disagreements.length ? "They are:\n\n" + report.disagreements.map((d) => `- Example ${d.number} (${d.section}): \`${JSON.stringify(d.markdown)}\` → pulldown-cmark \`${d.pulldown_cmark.replace(/\n/g, "\\n")}\`, ours \`${d.ours.replace(/\n/g, "\\n")}\``).slice(0, 12).join("\n") + "\n" : ""}`;
writeSection("## Markdown beside pulldown-cmark", text);
