// Builds the React Flow benchmark page (index.html, main.js, main.css) into `outDir` with
// esbuild: a minified production bundle, as a real React Flow app would ship.
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));

export async function buildReactFlowPage(outDir) {
  mkdirSync(outDir, { recursive: true });
  await build({
    entryPoints: [join(here, "main.jsx")],
    outdir: outDir,
    bundle: true,
    minify: true,
    format: "esm",
    jsx: "automatic",
    define: { "process.env.NODE_ENV": '"production"' },
    logLevel: "warning",
  });
  copyFileSync(join(here, "index.html"), join(outDir, "index.html"));
}
