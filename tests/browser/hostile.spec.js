// Hostile content: every place untrusted text reaches the page gets the XSS payloads of
// hostile-payloads.js, and must show them as text. A surface fails on a dialog, the
// window.__pwned sentinel, a polluted Object.prototype, a request that leaves 127.0.0.1, or
// active markup in the DOM (handlers, frames, remote loads, hostile URL schemes).
//
// The surfaces run with the page's CSP switched off (bypassCSP): the CSP would block most
// payloads anyway and hide a rendering bug, so these tests check the rendering itself. The
// CSP is tested on its own at the end of the file, switched on.
import { test, expect } from "@playwright/test";
import { readFileSync } from "node:fs";
import { createHash } from "node:crypto";
import { AppPage, PORT_SHIFT, configureProvider, dropFile, setInputText, usePromptProvider, useTemplate, moreItem } from "./pages.js";
import { PAYLOADS, PROBE, chunks } from "./hostile-payloads.js";

const TOOL_SERVER = `http://127.0.0.1:${4011 + PORT_SHIFT}`;
const LOCAL = /^http:\/\/127\.0\.0\.1:/;
const INERT = /^(data|blob|file|about):/;
/** Payloads that are not valid {{variable}} templates; the rest can go into a template that runs. */
const TEMPLATE_SAFE = PAYLOADS.filter((p) => !p.includes("{{"));

/** Runs in the page: the sentinel, prototype pollution, and any active markup that got in. */
function auditPage() {
  const bad = [];
  const show = (el) => el.outerHTML.slice(0, 160);
  // Attributes that load something by themselves, and attributes that navigate when used.
  const loads = new Set(["src", "srcset", "srcdoc", "poster", "background", "data", "style"]);
  const navigates = new Set(["href", "xlink:href", "action", "formaction"]);
  const loadsHostile = /evil\.example|javascript:|vbscript:|data:text\/html|expression\(|__pwned/i;
  const navigatesHostile = /^\s*(javascript|vbscript|data):|__pwned/i;
  const frames = ["iframe", "frame", "frameset", "object", "embed", "applet", "portal", "base", "math", "marquee", "template"];
  for (const el of document.querySelectorAll("*")) {
    for (const a of el.attributes) {
      const name = a.name.toLowerCase();
      // Leptos attaches listeners with addEventListener: an on* attribute is always injected.
      if (name.startsWith("on")) bad.push(`${name} handler: ${show(el)}`);
      else if (loads.has(name) && loadsHostile.test(a.value)) bad.push(`${name}: ${show(el)}`);
      else if (navigates.has(name) && navigatesHostile.test(a.value)) bad.push(`${name}: ${show(el)}`);
    }
    const tag = el.localName;
    if (frames.includes(tag)) bad.push(`<${tag}>: ${show(el)}`);
    if ((tag === "script" || tag === "style") && loadsHostile.test(`${el.textContent} ${el.getAttribute("src") || ""}`)) bad.push(`<${tag}>: ${show(el)}`);
    if (tag === "link" && el.href && new URL(el.href).origin !== location.origin) bad.push(`<link>: ${show(el)}`);
    if (tag === "meta" && el.httpEquiv && el.httpEquiv.toLowerCase() !== "content-security-policy") bad.push(`<meta>: ${show(el)}`);
    if (tag === "form" && el.hasAttribute("action")) bad.push(`<form action>: ${show(el)}`);
  }
  return { pwned: window.__pwned, polluted: Object.prototype.polluted ?? {}.constructor.prototype.polluted, injected: bad };
}

/** Fails the test on any dialog, popup, outside request or sign of execution in `page`. */
function guard(page) {
  const outside = [];
  page.on("dialog", async (d) => { outside.push(`dialog: ${d.message()}`); await d.dismiss(); });
  page.on("popup", (p) => outside.push(`popup: ${p.url()}`));
  page.on("request", (r) => { if (!LOCAL.test(r.url()) && !INERT.test(r.url())) outside.push(r.url()); });
  // Recorded above; aborted here so a test never waits on a real network.
  page.route((url) => !LOCAL.test(url.href) && !INERT.test(url.href), (route) => route.abort());
  return {
    async check() {
      // Let any payload that did get in fire: every image has loaded or failed (so an onerror
      // has been queued), then two frames for queued events and handlers to run.
      await page.waitForFunction(() => [...document.images].every((i) => i.complete));
      await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
      const state = await page.evaluate(auditPage);
      expect(state.pwned, "window.__pwned was set").toBeUndefined();
      expect(state.polluted, "Object.prototype was polluted").toBeUndefined();
      expect(state.injected, "active markup in the DOM").toEqual([]);
      expect(outside, "dialogs, popups and requests outside 127.0.0.1").toEqual([]);
    },
  };
}

/** Twelve blocks that carry every payload in titles, notes, values, templates and settings. */
function hostileFlow({ withUnknownKind = false } = {}) {
  const groups = chunks(12);
  const all = PAYLOADS.join("\n");
  const pos = (i) => ({ x: (i % 4) * 320, y: Math.floor(i / 4) * 260 });
  const block = (i, kind, config) => ({ id: `${kind}-${i}`, kind, title: groups[i].join(" "), note: groups[(i + 6) % 12].join("\n"), position: pos(i), config });
  const blocks = [
    block(0, "input", { values: [{ name: "email", value: all }] }),
    block(1, "prompt", { provider: "demo", model: "demo", system: TEMPLATE_SAFE.join("\n"), user: `${TEMPLATE_SAFE.join("\n")}\n{{email}}` }),
    block(2, "output", {}),
    block(3, "tool", { name: "lookup_order", description: all, params: [{ name: "order_id", type: "string", required: true, description: all }], action: { type: "mock", response: TEMPLATE_SAFE.join("\n") } }),
    ...Array.from({ length: 7 }, (_, k) => block(4 + k, "note", { text: all })),
    withUnknownKind
      ? block(11, "<img src=x onerror=window.__pwned=1>", { api_key: PROBE, html: all })
      : block(11, "note", { text: all }),
  ];
  const edges = [
    { id: "e-1", from: { block: "input-0", port: "email" }, to: { block: "prompt-1", port: "email" } },
    { id: "e-2", from: { block: "prompt-1", port: "text" }, to: { block: "output-2", port: "value" } },
  ];
  return { format: "chainboard.flow", version: 2, title: PAYLOADS[0], description: all, blocks, edges };
}

async function importFlow(page, flow, name = "hostile.json") {
  await page.getByLabel("Flow file to import").setInputFiles({ name, mimeType: "application/json", buffer: Buffer.from(JSON.stringify(flow)) });
  await expect(page.getByRole("alert").filter({ hasText: "Imported" })).toBeVisible();
}

/** Selects every block, so each one's inspector (and result panel) renders its text. With the
 * keyboard (Tab to a block, Enter): Fit keeps card text readable, so in a big flow some blocks
 * are off screen or under the minimap, where a mouse click would first need a pan. */
async function inspectEveryBlock(app) {
  for (const b of await app.blocks().all()) {
    await b.locator("header").focus();
    await app.page.keyboard.press("Enter");
    await expect(b).toHaveClass(/selected/);
  }
}

/** One CSV cell, quoted (payloads hold commas, quotes and newlines). */
const cell = (s) => `"${s.replaceAll('"', '""')}"`;

async function runAndSelectPrompt(page, app, message) {
  await configureProvider(page, "openai");
  await setInputText(app, message);
  await page.getByRole("button", { name: "Run flow" }).click();
  const prompt = app.block("Prompt block: Draft a reply");
  await expect(prompt).toHaveAttribute("data-status", /done|error/);
  await prompt.locator("header").click();
  return app.inspector.getByRole("region", { name: "Result" });
}

/** Links the app rendered from untrusted text may only be http(s) or mailto. */
async function expectOnlySafeLinks(region) {
  const hrefs = await region.locator("a").evaluateAll((as) => as.map((a) => a.getAttribute("href")));
  for (const h of hrefs) expect(h).toMatch(/^(https?:|mailto:)/);
}

// Each surface feeds the payloads in through the UI and says where they must show as text.
const SURFACES = [
  {
    name: "model output in the markdown view, the blocks, the trace and Present",
    async feed({ page, app }) {
      const result = await runAndSelectPrompt(page, app, "Hostile output please");
      await expect(result.locator(".markdown")).toContainText(PROBE);
      await expectOnlySafeLinks(result);
      await expect(app.block("Output block: Reply").locator(".block-body")).toContainText(PROBE);
      await result.getByText("Trace").click();
      await expect(result.locator(".trace-pre").last()).toContainText("__pwned");
      await (await moreItem(page, "Present")).click();
      await page.keyboard.press("ArrowRight");
      await page.keyboard.press("ArrowRight");
      await page.keyboard.press("Escape");
    },
  },
  {
    name: "model output in the JSON view (payloads as keys and values, __proto__ keys)",
    async feed({ page, app }) {
      const result = await runAndSelectPrompt(page, app, "Hostile JSON please");
      const json = result.getByLabel("JSON output");
      await expect(json).toBeVisible();
      await expect(json).toContainText(PROBE);
      await expect(json).toContainText("__proto__");
      // Open every level, so nested payloads render too.
      await json.locator("details:not([open])").evaluateAll((ds) => ds.forEach((d) => (d.open = true)));
      await expect(json.locator(".json-string").filter({ hasText: PAYLOADS[PAYLOADS.length - 1] }).first()).toBeVisible();
      await expect(app.block("Output block: Reply").locator(".block-body")).toContainText(PROBE);
    },
  },
  {
    name: "block titles, notes, Prompt templates, Input values and the flow title typed in the inspector",
    async feed({ page, app }) {
      await usePromptProvider(app, "demo");
      await page.getByRole("button", { name: "Add Note block" }).click();
      await app.inspector.getByRole("textbox", { name: "Text", exact: true }).fill(PAYLOADS.join("\n"));
      await page.getByRole("textbox", { name: "Flow title" }).fill(PAYLOADS.join(" "));
      await page.getByRole("textbox", { name: "Flow title" }).blur();
      await setInputText(app, PAYLOADS.join("\n"));
      const groups = chunks(4);
      const blocks = await app.blocks().all();
      expect(blocks).toHaveLength(4);
      for (const [i, b] of blocks.entries()) {
        await b.locator("header").click();
        if ((await b.getAttribute("data-kind")) === "prompt") {
          await app.inspector.getByRole("textbox", { name: "System", exact: true }).fill(TEMPLATE_SAFE.join("\n"));
          await app.inspector.getByRole("textbox", { name: "User message", exact: true }).fill(`${TEMPLATE_SAFE.join("\n")}\n{{email}}`);
        }
        await app.inspector.getByRole("textbox", { name: "Title", exact: true }).fill(groups[i].join(" "));
        await app.inspector.getByRole("textbox", { name: "Note", exact: true }).fill(groups[(i + 1) % 4].join("\n"));
        await app.inspector.getByRole("textbox", { name: "Note", exact: true }).blur();
      }
      await expect(app.blocks().first().locator("header")).toContainText(PROBE);
      // A valid template runs on sample answers, which quote the hostile input back.
      await page.getByRole("button", { name: "Run flow" }).click();
      await expect(app.canvas.locator('[data-block-id][data-kind="output"]')).toHaveAttribute("data-status", "done");
      // Every payload in both templates: invalid {{…}} become problems, shown as text.
      const prompt = app.canvas.locator('[data-block-id][data-kind="prompt"]');
      await prompt.locator("header").click();
      await app.inspector.getByRole("textbox", { name: "System", exact: true }).fill(PAYLOADS.join("\n"));
      await app.inspector.getByRole("textbox", { name: "User message", exact: true }).fill(PAYLOADS.join("\n"));
      await app.inspector.getByRole("textbox", { name: "User message", exact: true }).blur();
      await expect(app.inspector.getByRole("list", { name: "Problems" })).toBeVisible();
      await page.getByRole("button", { name: "Run flow" }).click();
      await expect(page.getByRole("alert").filter({ hasText: "cannot run yet" })).toBeVisible();
      await page.getByRole("button", { name: /Flows/ }).click();
    },
  },
  {
    name: "a flow file imported with the Import button (hostile file name, unknown block kind)",
    async feed({ page, app }) {
      await importFlow(page, hostileFlow({ withUnknownKind: true }), `${PAYLOADS[1]}.json`);
      await expect(page.getByRole("alert").filter({ hasText: "Imported" })).toContainText(PAYLOADS[1]);
      await expect(page.getByRole("textbox", { name: "Flow title" })).toHaveValue(PROBE);
      await expect(app.blocks()).toHaveCount(12);
      await inspectEveryBlock(app);
      await expect(app.inspector).toContainText("kind \u201c<img src=x onerror=window.__pwned=1>\u201d");
      await page.getByRole("button", { name: "Run flow" }).click();
      await page.getByRole("button", { name: /Flows/ }).click();
      await expect(page.getByText(PROBE).first()).toBeVisible();
    },
  },
  {
    name: "a share link (flow, outputs and test cases) opened in a fresh browser",
    async feed({ page, app, browser }) {
      await importFlow(page, hostileFlow());
      await page.getByRole("button", { name: "Run flow" }).click();
      await expect(app.canvas.locator('[data-block-id][data-kind="output"]')).toHaveAttribute("data-status", "done");
      await page.getByRole("button", { name: "Evaluate" }).click();
      const evals = page.getByRole("dialog", { name: "Evaluate" });
      await evals.getByRole("button", { name: "Paste rows…" }).click();
      await evals.getByRole("textbox", { name: "Paste rows" }).fill(`email\n${chunks(4).map((c) => cell(c.join("\n"))).join("\n")}`);
      await evals.getByRole("button", { name: "Add these rows" }).click();
      await evals.getByRole("button", { name: "Close evaluate" }).click();
      await page.getByRole("button", { name: "Share" }).click();
      const share = page.getByRole("dialog", { name: "Share" });
      await share.getByRole("checkbox", { name: "Include the latest outputs" }).check();
      await share.getByRole("button", { name: "Create link" }).click();
      const link = await share.getByRole("textbox", { name: "Share link" }).inputValue();

      const context = await browser.newContext({ bypassCSP: true });
      const viewer = await context.newPage();
      const g = guard(viewer);
      const them = new AppPage(viewer);
      await viewer.goto(link);
      await expect(viewer.getByRole("region", { name: "Shared playground" })).toBeVisible();
      await expect(them.canvas.locator('[data-block-id][data-kind="output"] .block-body')).toContainText("__pwned");
      await inspectEveryBlock(them);
      await viewer.getByRole("button", { name: "Evaluate" }).click();
      await expect(viewer.getByRole("dialog", { name: "Evaluate" }).getByRole("textbox", { name: "Case 1 email" })).toHaveValue(chunks(4)[0].join("\n"));
      await g.check();
      await context.close();
    },
  },
  {
    name: "documents in Knowledge (pasted, dropped .md and .html), their passages, a search and a Retrieve block",
    async feed({ page, app }) {
      // A small flow: question → Retrieve → passages into an Output (JSON view), context into a demo Prompt.
      await importFlow(page, {
        format: "chainboard.flow", version: 2, title: "Hostile documents",
        blocks: [
          { id: "input-1", kind: "input", title: "Question", position: { x: 0, y: 0 }, config: { values: [{ name: "question", value: "window pwned script onerror evil example" }] } },
          { id: "retrieve-1", kind: "retrieve", title: "Find passages", position: { x: 320, y: 0 }, config: { query: "{{question}}", mode: "keyword", top_k: 8, min_score: 0 } },
          { id: "output-1", kind: "output", title: "Passages", position: { x: 640, y: 0 }, config: {} },
          { id: "prompt-1", kind: "prompt", title: "Answer", position: { x: 640, y: 260 }, config: { provider: "demo", model: "demo", user: "{{context}}" } },
        ],
        edges: [
          { id: "e-1", from: { block: "input-1", port: "question" }, to: { block: "retrieve-1", port: "question" } },
          { id: "e-2", from: { block: "retrieve-1", port: "passages" }, to: { block: "output-1", port: "value" } },
          { id: "e-3", from: { block: "retrieve-1", port: "context" }, to: { block: "prompt-1", port: "context" } },
        ],
      });
      await (await moreItem(page, "Knowledge")).click();
      const dialog = page.getByRole("dialog", { name: "Knowledge" });
      const status = dialog.getByRole("status", { name: "What happened" });
      await dialog.getByText("Paste text instead").click();
      await dialog.getByRole("textbox", { name: "Name", exact: true }).fill(PAYLOADS[2]);
      await dialog.getByRole("textbox", { name: "Text", exact: true }).fill(PAYLOADS.join("\n\n"));
      await dialog.getByRole("button", { name: "Add text" }).click();
      await expect(status).toContainText(PAYLOADS[2]);
      const mdName = "<svg onload=window.__pwned=1>.md";
      await dropFile(dialog.locator(".drop-zone"), mdName, "text/markdown", PAYLOADS.map((p) => `# ${p}\n\n${p}`).join("\n\n"));
      await expect(status).toContainText(`Added \u201c${mdName}\u201d.`);
      const htmlName = "<img src=x onerror=alert(1)>.html";
      await dropFile(dialog.locator(".drop-zone"), htmlName, "text/html",
        `<html><head><title>${PROBE}</title><script>window.__pwned=1</script></head><body>${PAYLOADS.join("<br>")}<p>${PAYLOADS.map((p) => p.replaceAll("<", "&lt;")).join("</p><p>")}</p></body></html>`);
      await expect(status).toContainText(`Added \u201c${htmlName}\u201d.`);
      const table = dialog.getByRole("table", { name: "Documents" });
      await expect(table.locator("tbody tr")).toHaveCount(3);
      for (const name of [PAYLOADS[2], mdName, htmlName]) {
        await dialog.getByRole("button", { name: `Preview ${name}` }).click();
        await expect(dialog.getByRole("region", { name: `Passages of ${name}` })).toContainText("__pwned");
      }
      await expect(dialog.getByRole("region", { name: `Passages of ${htmlName}` })).toContainText(PROBE);
      await dialog.getByRole("searchbox", { name: "Try a question (keyword search)" }).fill("script pwned onerror");
      await expect(dialog.getByRole("list", { name: "Retrieved passages" })).toContainText("__pwned");
      await dialog.getByRole("button", { name: "Close knowledge" }).click();

      await page.getByRole("button", { name: "Run flow" }).click();
      await expect(app.block("Output block: Passages")).toHaveAttribute("data-status", "done");
      await app.block("Retrieve block: Find passages").locator("header").click();
      await expect(app.inspector.getByRole("list", { name: "Retrieved passages" })).toContainText("__pwned");
      await app.block("Output block: Passages").locator("header").click();
      await expect(app.inspector.getByLabel("JSON output")).toContainText("__pwned");
      await app.block("Prompt block: Answer").locator("header").click();
    },
  },
  {
    name: "CSV test cases in Evaluate, the results table and the downloaded HTML report",
    async feed({ page, app, context }) {
      // Sample answers quote the user message back: make that the hostile case.
      await usePromptProvider(app, "demo");
      await app.inspector.getByRole("textbox", { name: "User message", exact: true }).fill("{{email}}");
      await app.inspector.getByRole("textbox", { name: "User message", exact: true }).blur();
      await page.getByRole("button", { name: "Evaluate" }).click();
      const dialog = page.getByRole("dialog", { name: "Evaluate" });
      const groups = chunks(8);
      await dialog.getByRole("button", { name: "Paste rows…" }).click();
      await dialog.getByRole("textbox", { name: "Paste rows" }).fill(`email,expected,note\n${groups.map((g) => [g.join("\n"), g[0], g[1]].map(cell).join(",")).join("\n")}`);
      await dialog.getByRole("button", { name: "Add these rows" }).click();
      await expect(dialog.getByRole("status")).toContainText(`Added ${groups.length} cases.`);
      await expect(dialog.getByRole("textbox", { name: "Case 1 email" })).toHaveValue(groups[0].join("\n"));
      await dialog.getByRole("button", { name: "+ Add check" }).click();
      await dialog.getByRole("textbox", { name: "Name of check 1" }).fill(PAYLOADS[1]);
      await dialog.getByRole("button", { name: "+ Add variant" }).click();
      await dialog.getByRole("textbox", { name: "Name of variant 2" }).fill(PAYLOADS[5]);
      await dialog.getByRole("textbox", { name: "Name of variant 2" }).press("Tab");
      await dialog.getByRole("spinbutton", { name: "Repetitions" }).fill("1");
      await dialog.getByRole("spinbutton", { name: "Repetitions" }).press("Tab");
      await dialog.getByRole("button", { name: "Run eval" }).click();
      await expect(dialog.getByText(`${groups.length * 2} of ${groups.length * 2} runs`)).toBeVisible({ timeout: 30_000 });
      const outputs = dialog.getByRole("table", { name: "Every output" });
      await expect(outputs).toContainText("__pwned");
      await expect(dialog.getByRole("group", { name: `Variant ${PAYLOADS[5]}` })).toBeVisible();

      const [download] = await Promise.all([page.waitForEvent("download"), dialog.getByRole("button", { name: "Download HTML report" }).click()]);
      const path = test.info().outputPath("hostile-report.html");
      await download.saveAs(path);
      const html = readFileSync(path, "utf8");
      // Every payload with markup was escaped on the way in.
      for (const p of PAYLOADS.filter((p) => p.includes("<"))) expect(html).not.toContain(p);
      const report = await context.newPage();
      const g = guard(report);
      await report.goto(`file://${path}`);
      await expect(report.getByRole("heading", { name: "Eval report" })).toBeVisible();
      await expect(report.locator("body")).toContainText(PROBE);
      await g.check();
      await report.close();
    },
  },
  {
    name: "a mock tool's result, in the agent timeline and the answer that quotes it",
    async feed({ page, app }) {
      await openAgent(page, app);
      await app.block("Tool block: Order lookup").locator("header").click();
      await expect(app.inspector.getByRole("textbox", { name: "Mock response" })).toBeVisible();
      // The template answers A123 with a specific row: remove the rows, so the response is ours.
      while (await app.inspector.getByRole("button", { name: "Remove answer 1" }).count()) {
        await app.inspector.getByRole("button", { name: "Remove answer 1" }).click();
      }
      await app.inspector.getByRole("textbox", { name: "Mock response" }).fill(TEMPLATE_SAFE.join("\n"));
      await app.inspector.getByRole("textbox", { name: "Mock response" }).blur();
      await expectToolResult(page, app);
    },
  },
  {
    name: "an HTTP tool's result (from the local API), after the host is approved",
    async feed({ page, app }) {
      await openAgent(page, app);
      await app.block("Tool block: Order lookup").locator("header").click();
      await app.inspector.getByRole("combobox", { name: "When the model calls it" }).selectOption("http");
      await app.inspector.getByRole("textbox", { name: "URL", exact: true }).fill(`${TOOL_SERVER}/hostile`);
      await app.inspector.getByRole("textbox", { name: "Part of the response to return (optional)" }).fill("data");
      await app.inspector.getByRole("textbox", { name: "Part of the response to return (optional)" }).blur();
      await expectToolResult(page, app, { approve: true });
    },
  },
  {
    name: "a provider's error message (HTTP 400 whose message and code are payloads)",
    async feed({ page, app }) {
      const result = await runAndSelectPrompt(page, app, "Hostile error please");
      await expect(app.block("Prompt block: Draft a reply")).toHaveAttribute("data-status", "error");
      await expect(app.block("Prompt block: Draft a reply").locator(".block-body")).toContainText("__pwned");
      await expect(result.getByRole("alert")).toContainText("__pwned");
      await result.getByText("Trace").click();
      await expect(result.locator(".trace-pre").last()).toContainText(PROBE);
    },
  },
];

async function openAgent(page, app) {
  await useTemplate(page, "Agent that checks an order");
  await configureProvider(page, "openai");
  await app.block("Prompt block: Support agent").locator("header").click();
  await app.inspector.getByRole("combobox", { name: "Provider" }).selectOption("openai");
  await app.inspector.getByRole("combobox", { name: "Model" }).fill("gpt-4o-mini");
  await app.inspector.getByRole("combobox", { name: "Model" }).blur();
  await app.block("Input block: Customer message").locator("header").click();
  await app.inspector.getByRole("textbox", { name: "Value 1", exact: true }).fill("Check my order A123, please.");
  await app.inspector.getByRole("textbox", { name: "Value 1", exact: true }).blur();
}

/** Runs the agent; the tool's payload text must show in the timeline and the quoted answer. */
async function expectToolResult(page, app, { approve = false } = {}) {
  await page.getByRole("button", { name: "Run flow" }).click();
  if (approve) await page.getByRole("dialog", { name: "Allow tool hosts" }).getByRole("button", { name: "Allow and run" }).click();
  const reply = app.block("Output block: Reply");
  await expect(reply).toHaveAttribute("data-status", "done");
  await expect(reply.locator(".block-body")).toContainText("The tool said:");
  await expect(reply.locator(".block-body")).toContainText("__pwned");
  await app.block("Prompt block: Support agent").locator("header").click();
  const call = app.inspector.getByRole("list", { name: "Agent steps" }).locator('[data-tool="lookup_order"]');
  await expect(call.getByLabel("Result of lookup_order")).toContainText(PROBE);
  const result = app.inspector.getByRole("region", { name: "Result" });
  await expect(result.locator(".markdown")).toContainText(PROBE);
  await expectOnlySafeLinks(result);
}

test.describe("hostile content stays text", () => {
  test.use({ bypassCSP: true });

  test(`the payload list has at least 100 distinct payloads (${PAYLOADS.length})`, () => {
    expect(PAYLOADS.length).toBeGreaterThanOrEqual(100);
    expect(new Set(PAYLOADS).size).toBe(PAYLOADS.length);
  });

  test("with the CSP bypassed, an injected payload does run (so these tests can see one)", async ({ page }) => {
    await new AppPage(page).open();
    await page.evaluate(() => {
      const s = document.createElement("script");
      s.textContent = "window.__pwned = 1";
      document.body.append(s);
    });
    expect(await page.evaluate(() => window.__pwned)).toBe(1);
  });

  for (const surface of SURFACES) {
    test(surface.name, async ({ page, browser, context }) => {
      const app = new AppPage(page);
      const g = guard(page);
      await app.open();
      await surface.feed({ page, app, browser, context });
      await g.check();
    });
  }
});

/** The CSP meta tag's directives, as { name: [sources] }. */
function directives(policy) {
  return Object.fromEntries(policy.split(";").map((d) => d.trim().split(/\s+/)).filter((d) => d[0]).map(([n, ...v]) => [n, v]));
}

test.describe("Content-Security-Policy", () => {
  test("the CSP meta tag allows only what the app needs", async ({ page }) => {
    await new AppPage(page).open();
    const policy = await page.locator('meta[http-equiv="Content-Security-Policy"]').getAttribute("content");
    const d = directives(policy);
    expect(d["default-src"]).toEqual(["'self'"]);
    expect(d["script-src"]).toContain("'self'");
    // wasm needs 'wasm-unsafe-eval'; nothing may allow eval() or inline script.
    for (const banned of ["'unsafe-eval'", "'unsafe-inline'", "data:", "blob:", "https:", "*"]) expect(d["script-src"]).not.toContain(banned);
    // The only inline script allowed is Trunk's loader, by its hash.
    const hashes = d["script-src"].filter((s) => s.startsWith("'sha256-"));
    const inline = await page.evaluate(() => [...document.querySelectorAll("script:not([src])")].map((s) => s.textContent));
    expect(hashes.sort()).toEqual(inline.map((t) => `'sha256-${createHash("sha256").update(t, "utf8").digest("base64")}'`).sort());
    expect(d["object-src"]).toEqual(["'none'"]);
    expect(d["base-uri"]).toEqual(["'none'"]);
    expect(d["form-action"]).toEqual(["'none'"]);
    // Images and media only from the app, data: and blob: (previews of the user's own files).
    expect(d["img-src"]).toEqual(["'self'", "data:", "blob:"]);
    expect(d["media-src"]).toEqual(["'self'", "blob:"]);
    expect(d["worker-src"]).toEqual(["'self'", "blob:"]);
    // Requests: providers on any https host (custom base URLs), local servers over http.
    expect(d["connect-src"]).toEqual(["'self'", "https:", "http://localhost:*", "http://127.0.0.1:*"]);
    for (const [name, sources] of Object.entries(d)) expect(sources, name).not.toContain("*");
    // The source index.html holds the same policy (the build only adds the loader's hash).
    const source = readFileSync("index.html", "utf8").match(/http-equiv="Content-Security-Policy" content="([^"]+)"/)[1];
    expect({ ...directives(source), "script-src": null }).toEqual({ ...d, "script-src": null });
  });

  test("an inline script, an inline handler and a remote image injected into the page are blocked and reported", async ({ page }) => {
    await new AppPage(page).open();
    const violations = await page.evaluate(async () => {
      const seen = [];
      document.addEventListener("securitypolicyviolation", (e) => seen.push(`${e.effectiveDirective} ${e.blockedURI}`));
      const s = document.createElement("script");
      s.textContent = "window.__pwned = 1";
      document.body.append(s);
      const box = document.createElement("div");
      box.innerHTML = '<img src="/missing.png" onerror="window.__pwned = 2"><img src="http://evil.example/pixel.png">';
      document.body.append(box);
      await new Promise((r) => setTimeout(r, 500));
      return seen;
    });
    expect(await page.evaluate(() => window.__pwned)).toBeUndefined();
    expect(violations).toContain("script-src-elem inline");
    expect(violations).toContain("script-src-attr inline");
    expect(violations).toContain("img-src http://evil.example/pixel.png");
  });
});
