// Share-link length of every gallery template: runs the ignored host test that encodes each
// template with the app's own codec (src/domain/share.rs) and writes target/share-lengths.json,
// then turns that into the "Share link length per template" section of docs/benchmarks.md,
// against the link-length thresholds the share dialog advises with.
// Usage: node tests/bench/share-bench.mjs   (make bench runs it; needs cargo)
import { writeSection, machine, today } from "./report.mjs";
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";

const COMMAND = ["cargo", ["test", "--release", "--test", "share", "--", "--ignored", "template_link_lengths"]];
const r = spawnSync(...COMMAND, { stdio: ["ignore", "inherit", "inherit"] });
if (r.status !== 0) throw new Error(`${COMMAND.flat().join(" ")} failed (${r.status ?? r.error})`);
const { base, warn_link_chars: warn, max_link_chars: max, templates } = JSON.parse(readFileSync("target/share-lengths.json", "utf8"));

const n = (x) => x.toLocaleString("en");
// The share dialog's three bands (`link_advice`): fine, may be cut off, offer the file instead.
const band = (len) => (len > max ? "too long: file instead" : len > warn ? `over ${n(warn)}: may be cut off` : "fits everywhere");
const cell = (len, none = "–") => (typeof len === "number" ? `${n(len)} (${band(len)})` : typeof len === "string" ? `not offered: ${len}` : none);
const longest = Math.max(...templates.flatMap((t) => [t.link_length, t.link_length_with_tests, t.link_length_with_documents].filter((x) => typeof x === "number")));
const rows = templates.map((t) =>
  `| ${t.title} | ${n(t.flow_json_bytes)} B | ${cell(t.link_length)} | ${cell(t.link_length_with_tests, "same (no test cases)")} | ${cell(t.link_length_with_documents)} |`);

const report = `## Share link length per template (share issue)

Measured ${today()} on ${machine()}, host release build. Command: \`node tests/bench/share-bench.mjs\` (part of \`make bench\`),
which runs \`${COMMAND.flat().join(" ")}\` (writes target/share-lengths.json).

Each template of the gallery (src/domain/templates.rs) as built on the Demo provider, encoded by the share codec
(src/domain/share.rs: compact JSON, zlib level 9, base64url). Lengths are of the whole link, \`${base}#v1.…\`
(${base.length} characters before the \`#\`; a longer origin adds its difference). Thresholds from the share dialog:
up to ${n(warn)} characters fits every chat tool, mail client and browser; over ${n(max)} the dialog offers the file
instead. The flow file is the pretty-printed JSON a file export writes.

| Template | Flow file | Link, flow only | Link as shared by default (with its test cases) | Link with its documents ticked |
|---|---|---|---|---|
${rows.join("\n")}

Goal: every template's link fits everywhere (≤ ${n(warn)} characters): ${longest <= warn ? `**met**, the longest is ${n(longest)}` : `**not met**, the longest is ${n(longest)}`}.
`;
writeSection("## Share link length per template", report);
