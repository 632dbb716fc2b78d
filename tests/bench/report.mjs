// Writes one section of docs/benchmarks.md: replaces the section that starts with `heading`,
// or adds it before "What is not met yet" (or at the end). Every bench script reports here.
import { readFileSync, writeFileSync } from "node:fs";

const PATH = "docs/benchmarks.md";
const HEADER = "# Benchmarks\n\nEvery figure here was produced by `make bench` on the machine named in its section.\n\n";

export function writeSection(heading, report) {
  let doc;
  try { doc = readFileSync(PATH, "utf8"); } catch { doc = HEADER; }
  const start = doc.indexOf(heading);
  if (start >= 0) {
    const next = doc.indexOf("\n## ", start + 5);
    doc = doc.slice(0, start) + report + (next >= 0 ? doc.slice(next + 1) : "");
  } else {
    const before = doc.indexOf("## What is not met yet");
    doc = before >= 0 ? doc.slice(0, before) + report + "\n" + doc.slice(before) : doc + "\n" + report;
  }
  writeFileSync(PATH, doc);
  console.log(report);
}
