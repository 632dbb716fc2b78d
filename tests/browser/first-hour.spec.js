// The first hour of a real PM, clicked like a person: every control is reached with the mouse
// at the coordinates where it is drawn, after checking that nothing else is on top there
// (tests/browser/person.js), at 1280x720 and 1920x1080. A control that is drawn but clipped or
// covered fails here even when Playwright's own click (which scrolls first) would pass.
// Screenshots of the main screens go to target/screenshots/.
import { test, expect } from "@playwright/test";
import { AppPage, dragBetween, usePromptProvider } from "./pages.js";
import { clickLikeAPerson, reachablePoint } from "./person.js";

const SIZES = [
  { width: 1280, height: 720 },
  { width: 1920, height: 1080 },
];

/** Every element of the top bar lies inside the window and inside the bar, unclipped. */
async function expectTopBarFits(page) {
  const report = await page.evaluate(() => {
    const bar = document.querySelector("header.topbar");
    const r = bar.getBoundingClientRect();
    const out = [];
    for (const el of bar.querySelectorAll("button, input:not([type=file]), .flow-status")) {
      const b = el.getBoundingClientRect();
      if (b.width === 0 && b.height === 0) continue; // not shown (e.g. hidden on this width)
      if (b.left < r.left - 0.5 || b.right > Math.min(r.right, innerWidth) + 0.5) {
        out.push(`${el.getAttribute("aria-label") || el.textContent.trim()} at ${Math.round(b.left)}-${Math.round(b.right)}`);
      }
    }
    return { out, scroll: bar.scrollWidth, client: bar.clientWidth };
  });
  expect(report.out, "top bar controls outside the window").toEqual([]);
  expect(report.scroll, "the top bar's content is wider than the bar").toBeLessThanOrEqual(report.client + 1);
}

/** Escape closes the dialog named `name`. */
async function escCloses(page, name) {
  const dialog = page.getByRole("dialog", { name });
  await expect(dialog).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(dialog).toHaveCount(0);
}

/** Opens the More menu and clicks its item `name` like a person. */
async function more(page, name) {
  await clickLikeAPerson(page, page.getByRole("button", { name: "More actions" }), "More");
  await clickLikeAPerson(page, page.getByRole("menuitem", { name, exact: true }), name);
}

for (const size of SIZES) {
  test.describe(`at ${size.width}x${size.height}`, () => {
    test.use({ viewport: size });
    const tag = `${size.width}`;

    test("the top bar fits; every menu and dialog opens by mouse and closes with Esc", async ({ page }) => {
      const app = new AppPage(page);
      await app.open();
      await expectTopBarFits(page);
      // The title is readable, Run is the primary action, the theme button is on screen.
      const title = page.getByRole("textbox", { name: "Flow title" });
      expect((await title.boundingBox()).width).toBeGreaterThanOrEqual(140);
      await reachablePoint(page, page.getByRole("button", { name: "Run flow" }), "Run");
      await reachablePoint(page, page.getByRole("button", { name: /Switch to (dark|light) theme/ }), "theme");
      await app.screenshot(`first-screen-${tag}`);

      // The Flows menu: drawn over the canvas, reachable (it was clipped by the bar).
      await clickLikeAPerson(page, page.getByRole("button", { name: "Flows" }), "Flows");
      const menu = page.getByRole("dialog", { name: "Flows" });
      for (const name of ["New flow", "Templates…"]) await reachablePoint(page, menu.getByRole("button", { name }), name);
      for (const b of await menu.getByRole("button", { name: /^(Open|Rename|Duplicate|Delete) / }).all()) await reachablePoint(page, b, await b.getAttribute("aria-label"));
      await app.screenshot(`flows-menu-${tag}`);
      await page.keyboard.press("Escape");
      await expect(menu).toHaveCount(0);
      // A click outside closes it too.
      await clickLikeAPerson(page, page.getByRole("button", { name: "Flows" }), "Flows");
      await expect(menu).toBeVisible();
      const canvasBox = await app.canvas.boundingBox();
      await page.mouse.click(canvasBox.x + canvasBox.width - 60, canvasBox.y + canvasBox.height / 2);
      await expect(menu).toHaveCount(0);

      // Every dialog the top bar opens, by mouse; Esc closes each.
      await clickLikeAPerson(page, page.getByRole("button", { name: "Settings" }), "Settings");
      await escCloses(page, "Settings");
      await clickLikeAPerson(page, page.getByRole("button", { name: "Evaluate" }), "Evaluate");
      await escCloses(page, "Evaluate");
      await clickLikeAPerson(page, page.getByRole("button", { name: "Share" }), "Share");
      await escCloses(page, "Share");
      for (const [item, dialog] of [["Knowledge", "Knowledge"], ["Versions", "Versions"], ["Keyboard shortcuts", "Keyboard shortcuts"]]) {
        await more(page, item);
        await escCloses(page, dialog);
      }
      await clickLikeAPerson(page, page.getByRole("button", { name: "Flows" }), "Flows");
      await clickLikeAPerson(page, page.getByRole("button", { name: "Templates…" }), "Templates…");
      await escCloses(page, "Templates");
      await more(page, "Present");
      await expect(page.getByRole("dialog", { name: "Presentation" })).toBeVisible();
      await page.keyboard.press("Escape");
      await expect(page.getByRole("dialog", { name: "Presentation" })).toHaveCount(0);
      // The theme button works by mouse.
      const theme = page.getByRole("button", { name: /Switch to (dark|light) theme/ });
      const before = await page.locator("html").getAttribute("data-theme");
      await clickLikeAPerson(page, theme, "theme");
      await expect(page.locator("html")).not.toHaveAttribute("data-theme", before ?? "none");
      expect(app.consoleErrors).toEqual([]);
    });

    test("open a template from the Flows menu, run it without a key, then share it and open the link", async ({ page, browser }) => {
      const app = new AppPage(page);
      await app.open();
      await clickLikeAPerson(page, page.getByRole("button", { name: "Flows" }), "Flows");
      await clickLikeAPerson(page, page.getByRole("button", { name: "Templates…" }), "Templates…");
      const gallery = page.getByRole("dialog", { name: "Templates" });
      const use = gallery.getByRole("button", { name: "Use template Reply to a customer" });
      await clickLikeAPerson(page, use, "Use template");
      await expect(gallery).toHaveCount(0);
      await expect(page.getByRole("textbox", { name: "Flow title" })).toHaveValue("Reply to a customer");
      // Fit keeps card text readable.
      const zoom = parseInt(await page.getByLabel("Zoom level").textContent(), 10);
      expect(zoom, "zoom Fit chose").toBeGreaterThanOrEqual(70);
      await clickLikeAPerson(page, page.getByRole("button", { name: "Run flow" }), "Run");
      const outputs = app.canvas.locator('[data-kind="output"]');
      await expect(outputs.first()).toHaveAttribute("data-status", "done");
      await expect(page.locator(".run-info")).toContainText("done");
      await app.screenshot(`template-run-${tag}`);

      // Share: a link, opened in another browser.
      await clickLikeAPerson(page, page.getByRole("button", { name: "Share" }), "Share");
      const dialog = page.getByRole("dialog", { name: "Share" });
      await clickLikeAPerson(page, dialog.getByRole("button", { name: "Create link" }), "Create link");
      const link = await dialog.getByRole("textbox", { name: "Share link" }).inputValue();
      await page.keyboard.press("Escape");
      const context = await browser.newContext({ viewport: size });
      const viewer = await context.newPage();
      const them = new AppPage(viewer);
      await viewer.goto(link);
      const banner = viewer.getByRole("region", { name: "Shared playground" });
      await expect(banner).toBeVisible();
      await expect(them.blocks().first()).toBeVisible();
      // After Fit the banner covers no block.
      await clickLikeAPerson(viewer, viewer.getByRole("button", { name: "Zoom to fit" }), "Fit");
      const bannerBottom = (await banner.boundingBox()).y + (await banner.boundingBox()).height;
      for (const b of await them.blocks().all()) {
        expect((await b.boundingBox()).y, "a block under the banner").toBeGreaterThanOrEqual(bannerBottom);
      }
      // The title cannot be typed into (typing was silently dropped).
      const title = viewer.getByRole("textbox", { name: "Flow title" });
      await expect(title).toHaveAttribute("readonly", "");
      await clickLikeAPerson(viewer, title, "title");
      await viewer.keyboard.type("typed");
      await expect(title).toHaveValue("Reply to a customer");
      await them.screenshot(`shared-link-${tag}`);
      // Run from the shared view, by mouse.
      await clickLikeAPerson(viewer, viewer.getByRole("button", { name: "Run flow" }), "Run (shared)");
      await expect(them.canvas.locator('[data-kind="output"]').first()).toHaveAttribute("data-status", "done");
      await context.close();
      expect(app.consoleErrors).toEqual([]);
    });

    test("add blocks from the palette in free space, connect them, run, present", async ({ page }) => {
      const app = new AppPage(page);
      await app.open();
      const canvasBox = await app.canvas.boundingBox();
      for (const kind of ["Input", "Prompt", "Output"]) {
        await clickLikeAPerson(page, page.getByRole("button", { name: `Add ${kind} block` }), `Add ${kind}`);
      }
      await expect(app.blocks()).toHaveCount(6);
      // No two blocks overlap, and every new block is on screen, in the canvas.
      const boxes = [];
      for (const b of await app.blocks().all()) boxes.push(await b.boundingBox());
      for (let i = 0; i < boxes.length; i++) {
        for (let j = i + 1; j < boxes.length; j++) {
          const [a, b] = [boxes[i], boxes[j]];
          const overlap = a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
          expect(overlap, `blocks ${i} and ${j} overlap`).toBe(false);
        }
      }
      for (const b of boxes.slice(3)) {
        expect(b.x >= canvasBox.x && b.y >= canvasBox.y && b.x + b.width <= canvasBox.x + canvasBox.width && b.y + b.height <= canvasBox.y + canvasBox.height, "new block on screen").toBe(true);
      }
      // Block icons are SVG drawn by the app, not font glyphs.
      for (const icon of await app.canvas.locator(".block-icon").all()) {
        await expect(icon.locator("svg")).toHaveCount(1);
        expect((await icon.textContent()).trim()).toBe("");
      }
      await app.screenshot(`palette-added-${tag}`);

      // Connect the new Input to the new Prompt: drag the wire with the mouse.
      const input = app.canvas.locator('[data-block-id="input-2"]');
      const prompt = app.canvas.locator('[data-block-id="prompt-2"]');
      await clickLikeAPerson(page, prompt.locator("header"), "new Prompt");
      const user = app.inspector.getByRole("textbox", { name: "User message", exact: true });
      await user.fill("Summarise: {{text}}");
      await user.blur();
      await reachablePoint(page, input.getByRole("button", { name: /^Output / }).first(), "Input's output");
      await reachablePoint(page, prompt.getByRole("button", { name: "Input text" }), "Prompt's input");
      const before = await app.edges().count();
      await dragBetween(page, input.getByRole("button", { name: /^Output / }).first(), prompt.getByRole("button", { name: "Input text" }));
      await expect(app.edges()).toHaveCount(before + 1);
      expect(app.consoleErrors).toEqual([]);
    });
  });
}

test("Run with no key opens Settings with the no-key options in front; choosing one runs the flow", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  // New flows start on sample answers; a PM who picks OpenAI without a key is the dead end.
  await usePromptProvider(app, "openai");
  await clickLikeAPerson(page, page.getByRole("button", { name: "Run flow" }), "Run");
  const settings = page.getByRole("dialog", { name: "Settings" });
  const panel = settings.getByRole("alert", { name: "No key yet" });
  await expect(panel).toContainText("This flow needs a key for OpenAI to run.");
  // Both no-key options are drawn in front and reachable; the message is inside the dialog.
  const demo = panel.getByRole("button", { name: /^Use / }).first();
  await reachablePoint(page, demo, "no-key provider");
  await reachablePoint(page, panel.getByRole("button", { name: "Use a model in this browser" }), "in-browser model");
  await reachablePoint(page, panel, "the message");
  await app.screenshot("no-key-settings");
  await clickLikeAPerson(page, demo, "no-key provider");
  await expect(settings).toHaveCount(0);
  await expect(app.block("Output block: Reply")).toHaveAttribute("data-status", "done");
  // One undo step puts the provider back.
  await clickLikeAPerson(page, page.getByRole("button", { name: "Undo" }), "Undo");
  await app.block("Prompt block: Draft a reply").locator("header").click();
  await expect(app.inspector.getByRole("combobox", { name: "Provider" })).toHaveValue("openai");
  expect(app.consoleErrors).toEqual([]);
});

test("a renamed {{variable}} leaves a visible broken connection that can be found, deleted and re-wired", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  const prompt = app.block("Prompt block: Draft a reply");
  await clickLikeAPerson(page, prompt.locator("header"), "Prompt");
  const user = app.inspector.getByRole("textbox", { name: "User message", exact: true });
  await user.fill("Write a short reply to this ticket.\n\n{{ticket}}");
  await user.blur();
  const broken = app.canvas.locator('path[data-from="input-1.email"]');
  await expect(broken).toHaveAttribute("data-broken", "true");
  await expect(broken).toHaveAttribute("d", /^M [-\d.]+ [-\d.]+ C /);
  // The problems badge opens a list that says what to do, without "port".
  await clickLikeAPerson(page, page.getByRole("button", { name: /problems?$/ }), "problems badge");
  const panel = page.getByRole("dialog", { name: "Problems" });
  await expect(panel).toBeVisible();
  await app.screenshot("problems-panel");
  const texts = await panel.locator(".problem-go").allTextContents();
  expect(texts.length).toBeGreaterThan(0);
  for (const t of texts) expect(t).not.toMatch(/\bport\b/);
  // An item selects its block.
  await page.locator("body").click({ position: { x: 5, y: 700 } }).catch(() => {});
  await clickLikeAPerson(page, page.getByRole("button", { name: /problems?$/ }), "problems badge");
  await clickLikeAPerson(page, panel.locator(".problem-go").filter({ hasText: "ticket" }).first(), "a problem");
  await expect(app.inspector.getByRole("textbox", { name: "Title", exact: true })).toHaveValue("Draft a reply");
  // The broken connection is drawn and can be clicked: a point on its curve.
  const point = await broken.evaluate((p) => {
    const m = p.getScreenCTM();
    const q = p.getPointAtLength(p.getTotalLength() / 2);
    return { x: q.x * m.a + q.y * m.c + m.e, y: q.x * m.b + q.y * m.d + m.f };
  });
  await page.mouse.click(point.x, point.y);
  const bar = page.getByRole("status", { name: "Selected connection" });
  await expect(bar).toContainText("Broken connection");
  await clickLikeAPerson(page, bar.getByRole("button", { name: "Delete connection" }), "Delete connection");
  await expect(broken).toHaveCount(0);
  // Re-wire the Input to {{ticket}}.
  await dragBetween(page, app.block("Input block: Customer email").getByRole("button", { name: "Output email" }), prompt.getByRole("button", { name: "Input ticket" }));
  await expect(app.canvas.locator('path[data-to="prompt-1.ticket"]')).toHaveAttribute("data-broken", "false");
  expect(app.consoleErrors).toEqual([]);
});

test("an imported connection from a missing block is visible and never blocks re-wiring", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  // Export the starter flow, point the Output's connection at a block that is not there.
  const file = await page.evaluate(() => {
    const key = Object.keys(localStorage).find((k) => k.startsWith("chainboard.flow."));
    return localStorage.getItem(key);
  });
  const flow = JSON.parse(file);
  const edge = flow.edges.find((e) => e.to.block === "output-1");
  edge.from = { block: "ghost-block", port: "text" };
  await page.getByLabel("Flow file to import").setInputFiles({ name: "ghost.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(flow)) });
  const ghost = app.canvas.locator('path[data-from^="ghost-block."]');
  await expect(ghost).toHaveAttribute("data-broken", "true");
  await expect(ghost).toHaveAttribute("d", /^M [-\d.]+ [-\d.]+ C /);
  // Connecting the Prompt to the Output replaces it (it said "already connected to ghost-block").
  await dragBetween(page, app.block("Prompt block: Draft a reply").getByRole("button", { name: "Output text" }), app.block("Output block: Reply").getByRole("button", { name: "Input value" }));
  await expect(ghost).toHaveCount(0);
  await expect(app.canvas.locator('path[data-to="output-1.value"]')).toHaveAttribute("data-broken", "false");
  await expect(page.getByRole("status").filter({ hasText: "Ready" })).toBeVisible();
});

test("clicking another block while a Prompt text box has focus logs no error", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  await clickLikeAPerson(page, app.block("Prompt block: Draft a reply").locator("header"), "Prompt");
  const user = app.inspector.getByRole("textbox", { name: "User message", exact: true });
  await user.click();
  await page.keyboard.type(" Thanks.");
  await clickLikeAPerson(page, app.block("Input block: Customer email").locator("header"), "Input");
  await expect(app.inspector.getByText("Input block")).toBeVisible();
  await clickLikeAPerson(page, app.block("Prompt block: Draft a reply").locator("header"), "Prompt");
  await expect(app.inspector.getByRole("textbox", { name: "User message", exact: true })).toHaveValue(/ Thanks\./);
  expect(app.consoleErrors).toEqual([]);
});

test("a long model name does not push the inspector sideways", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  await clickLikeAPerson(page, app.block("Prompt block: Draft a reply").locator("header"), "Prompt");
  const model = app.inspector.getByRole("combobox", { name: "Model" });
  await model.fill("accounts/fireworks/models/" + "very-long-model-name-".repeat(12) + "instruct");
  await model.blur();
  const widths = await app.inspector.evaluate((el) => ({ scroll: el.scrollWidth, client: el.clientWidth }));
  expect(widths.scroll).toBeLessThanOrEqual(widths.client);
});

test("a 100,000-character unbroken value does not freeze the tab when its block is selected", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  // A flow whose Input holds 100,000 characters with no space (base64, a hash, minified code),
  // imported as a file: typing it in would measure the text box, not selecting the block.
  const flow = JSON.parse(await page.evaluate(() => {
    const key = Object.keys(localStorage).find((k) => k.startsWith("chainboard.flow."));
    return localStorage.getItem(key);
  }));
  flow.blocks.find((b) => b.kind === "input").config.values[0].value = "A".repeat(100_000);
  await page.getByLabel("Flow file to import").setInputFiles({ name: "unbroken.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify(flow)) });
  await expect(page.getByRole("alert").filter({ hasText: "Imported" })).toBeVisible();
  await page.evaluate(() => {
    window.__longTasks = [];
    new PerformanceObserver((list) => { for (const e of list.getEntries()) window.__longTasks.push(e.duration); }).observe({ type: "longtask" });
  });
  await clickLikeAPerson(page, app.block("Input block: Customer email").locator("header"), "Input");
  await expect(app.inspector.getByRole("textbox", { name: "Value 1", exact: true })).toBeVisible();
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r()))));
  const longest = Math.max(0, ...(await page.evaluate(() => window.__longTasks)));
  console.log(`FIGURE select a block holding 100,000 unbroken characters: longest task ${Math.round(longest)} ms`);
  // Measured 5.7 s here before the fix (22-31 s reported on a slower machine); about 0.1 s
  // after. The bound catches that regression, not a target.
  expect(longest).toBeLessThan(3_000);
  await expect(app.inspector.getByRole("textbox", { name: "Value 1", exact: true })).toHaveClass(/text-unbroken/);
});

test("opening your own link and making a copy never leaves two flows with one name", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  await clickLikeAPerson(page, page.getByRole("button", { name: "Share" }), "Share");
  const dialog = page.getByRole("dialog", { name: "Share" });
  await clickLikeAPerson(page, dialog.getByRole("button", { name: "Create link" }), "Create link");
  const link = await dialog.getByRole("textbox", { name: "Share link" }).inputValue();
  const title = await page.getByRole("textbox", { name: "Flow title" }).inputValue();
  await page.goto(link);
  await page.reload(); // only the #fragment changed: a person pastes the link and presses Enter
  const banner = page.getByRole("region", { name: "Shared playground" });
  await clickLikeAPerson(page, banner.getByRole("button", { name: "Make a copy" }), "Make a copy");
  await expect(banner).toHaveCount(0);
  await expect(page.getByRole("textbox", { name: "Flow title" })).toHaveValue(`${title} (copy)`);
  await clickLikeAPerson(page, page.getByRole("button", { name: "Flows" }), "Flows");
  const names = await page.getByRole("list", { name: "Saved flows" }).locator(".flow-open").allTextContents();
  expect(new Set(names).size, names.join(", ")).toBe(names.length);
});

test("Run eval with a missing key says so next to the button, in view", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  await clickLikeAPerson(page, page.getByRole("button", { name: "Evaluate" }), "Evaluate");
  const dialog = page.getByRole("dialog", { name: "Evaluate" });
  const run = dialog.getByRole("button", { name: "Run eval" });
  // A person waits for the dialog's content (it loads on first use), then scrolls down to the
  // button with the wheel.
  await expect(run).toBeAttached();
  const box = await dialog.boundingBox();
  await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
  const onTop = (el) => { const r = el.getBoundingClientRect(); const t = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2); return !!t && el.contains(t); };
  for (let i = 0; i < 40 && !(await run.evaluate(onTop)); i++) {
    await page.mouse.wheel(0, 300);
  }
  await clickLikeAPerson(page, run, "Run eval");
  const message = dialog.getByRole("alert").filter({ hasText: /Add|test case|check/ });
  await expect(message).toBeVisible();
  await reachablePoint(page, message, "the eval's message");
});

test("a first token after more than a second is shown in seconds", async ({ page }) => {
  const { configureProvider, FAULTS } = await import("./pages.js");
  const app = new AppPage(page);
  await app.open();
  await configureProvider(page, "openai-compatible", { baseUrl: `${FAULTS}/slow-first/v1` });
  await usePromptProvider(app, "openai-compatible");
  await clickLikeAPerson(page, page.getByRole("button", { name: "Run flow" }), "Run");
  await expect(app.block("Prompt block: Draft a reply")).toHaveAttribute("data-status", "done");
  await clickLikeAPerson(page, app.block("Prompt block: Draft a reply").locator("header"), "Prompt");
  const stat = app.inspector.locator(".stats div").filter({ hasText: "First token" }).locator("dd");
  await expect(stat).toHaveText(/^\d+\.\d s$/);
});

test("an eval of a template runs from the Evaluate dialog and shows its result", async ({ page }) => {
  test.setTimeout(120_000);
  const app = new AppPage(page);
  await app.open();
  await clickLikeAPerson(page, page.getByRole("button", { name: "Flows" }), "Flows");
  await clickLikeAPerson(page, page.getByRole("button", { name: "Templates…" }), "Templates…");
  const use = page.getByRole("dialog", { name: "Templates" }).getByRole("button", { name: "Use template Compare two models on 10 cases" });
  await use.scrollIntoViewIfNeeded(); // a person scrolls the gallery to it
  await clickLikeAPerson(page, use, "Use template");
  await clickLikeAPerson(page, page.getByRole("button", { name: "Evaluate" }), "Evaluate");
  const dialog = page.getByRole("dialog", { name: "Evaluate" });
  const run = dialog.getByRole("button", { name: "Run eval" });
  await run.scrollIntoViewIfNeeded(); // a person scrolls the dialog to it
  await clickLikeAPerson(page, run, "Run eval");
  const progress = dialog.getByRole("progressbar", { name: "Eval progress" });
  await expect(progress).toBeVisible();
  await expect.poll(async () => (await progress.getAttribute("aria-valuenow")) === (await progress.getAttribute("aria-valuemax")), { timeout: 90_000 }).toBe(true);
  await dialog.locator(".eval-figure").first().scrollIntoViewIfNeeded();
  await app.screenshot("eval-result");
  expect(app.consoleErrors).toEqual([]);
});
