// Startup: from navigation to the example flow drawn and interactive, over fresh loads of the
// release build from 127.0.0.1 (a new browser context each time, so nothing is cached: no HTTP
// cache, no compiled wasm, no saved flow). Times come from the page's own clock, whose zero is
// the navigation start. Writes the "Startup" section of docs/benchmarks.md.
// Usage: node tests/bench/startup-bench.mjs [distDir]   (make bench runs it)
import { writeSection, launchChromium, serveStatic, percentile, median, machine, load, today, startupDownload, kB } from "./report.mjs";

const dist = process.argv[2] || "dist";
const PORT = 4184;
const LOADS = 10; // fewer than 20, so the p95 (nearest rank) is the slowest load
const STARTER_BLOCKS = 3; // the example flow: Customer email → Draft a reply → Reply

// Runs in the page before any of its scripts. Records, on the navigation clock, when the example
// flow is in the DOM with its Run button, and the first frame after that (a rAF callback runs
// before paint; a task queued from it runs after).
function markStartup(blocks) {
  const t = (window.__startup = {});
  const ready = () => {
    const run = document.querySelector('button[aria-label="Run flow"]');
    return document.querySelectorAll("[data-block-id][data-kind]").length >= blocks && run && !run.disabled;
  };
  const observer = new MutationObserver(() => {
    if (t.inDom || !ready()) return;
    t.inDom = performance.now();
    observer.disconnect();
    requestAnimationFrame(() => setTimeout(() => { t.nextFrame = performance.now(); }));
  });
  observer.observe(document, { childList: true, subtree: true, attributes: true });
}

/// One fresh load: the marks, plus the navigation and resource timings they are split into.
async function freshLoad(browser, url) {
  const context = await browser.newContext({ viewport: { width: 1280, height: 720 } });
  try {
    const page = await context.newPage();
    await page.addInitScript(markStartup, STARTER_BLOCKS);
    await page.goto(url);
    await page.waitForFunction(() => window.__startup.nextFrame !== undefined
      && performance.getEntriesByName("first-contentful-paint").length > 0, null, { timeout: 60_000 });
    // Interactive, checked for real: clicking a block selects it.
    const block = page.getByRole("group", { name: "Prompt block: Draft a reply" });
    await block.locator("header").click();
    await block.and(page.locator(".selected")).waitFor({ timeout: 5_000 });
    return await page.evaluate(() => {
      const nav = performance.getEntriesByType("navigation")[0];
      const wasm = performance.getEntriesByType("resource").find((r) => r.name.endsWith(".wasm"));
      const fcp = performance.getEntriesByName("first-contentful-paint")[0];
      // Drawn: the later of the frame after the flow reached the DOM and the first contentful
      // paint, which Chromium stamps when the frame is presented (the body is empty until the
      // app mounts, so the first content painted is the app with its flow).
      const drawn = Math.max(window.__startup.nextFrame, fcp.startTime);
      return { ...window.__startup, html: nav.responseEnd, wasmFetched: wasm?.responseEnd, fcp: fcp.startTime, drawn };
    });
  } finally {
    await context.close();
  }
}

const server = await serveStatic(dist, PORT);
const browser = await launchChromium();
const loads = [];
try {
  await freshLoad(browser, server.url); // warm-up: the first launch of Chromium pays for its own start
  for (let i = 0; i < LOADS; i++) loads.push(await freshLoad(browser, server.url));
} finally {
  await browser.close();
  server.close();
}

const row = (name, key) => {
  const xs = loads.map((l) => l[key]).filter((x) => x !== undefined);
  return `| ${name} | ${median(xs).toFixed(0)} ms | ${percentile(xs, 95).toFixed(0)} ms |`;
};
const drawn = median(loads.map((l) => l.drawn));
const rawBytes = startupDownload(dist).parts.reduce((sum, p) => sum + p.bytes, 0);
const report = `## Startup (benchmarks issue)

Measured ${today()} on ${machine()} (${load()}), Debian chromium headless (\`--disable-gpu\`), viewport 1280×720, release build
served from 127.0.0.1 by tests/browser/static-server.mjs (uncompressed: ${kB(rawBytes)}, but local).
Command: \`node tests/bench/startup-bench.mjs dist\` (part of \`make bench\`). ${LOADS} fresh loads, each in a new browser
context (empty HTTP cache, no compiled wasm, no saved flow), after one warm-up load that is not counted.

Times are from navigation start on the page's clock (\`performance.now()\`). "Drawn and interactive": the example
flow's ${STARTER_BLOCKS} blocks are in the DOM with the Run flow button enabled, and painted: the later of the next frame and
Chromium's first contentful paint (the body is empty until the app mounts, so its first content is the app). Each load
then clicks the Prompt block and waits for it to be selected, so its handlers were live. Of ${LOADS} loads, the p95 is
the slowest.

| From navigation start to | Median | p95 |
|---|---|---|
${row("index.html received", "html")}
${row("wasm received", "wasmFetched")}
${row("Example flow in the DOM, Run enabled", "inDom")}
${row("**Example flow drawn and interactive**", "drawn")}

Median time to an interactive example flow: **${(drawn / 1000).toFixed(2)} s**. Over a network, add the transfer of the
initial download (see "Initial download beside peers"); the wasm is compiled while it streams.
`;
writeSection("## Startup", report);
