// Control flow in the browser: a Router picks a branch over real HTTP (aimock), the other
// branches show as skipped; an Approval block holds the run until a person clicks.
import { test, expect } from "@playwright/test";
import { AppPage, configureProvider, moreItem, shareLinkFor, useTemplate } from "./pages.js";
import { clickLikeAPerson } from "./person.js";

const ROUTER = "Router block: Route by topic";
const REPLY = "Output block: Reply";

async function setValue(app, block, text) {
  await app.block(block).locator("header").click();
  const value = app.inspector.getByRole("textbox", { name: "Value 1", exact: true });
  await value.fill(text);
  await value.blur();
}

test("a router sends the request down the branch the model picked; the others are skipped", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  await configureProvider(page, "openai");
  await useTemplate(page, "Triage support requests");
  await expect(app.block(ROUTER)).toBeVisible();
  await setValue(app, "Input block: Request", "Route test: the app crashes every time I export a report.");
  await page.getByRole("button", { name: "Run flow" }).click();

  await expect(app.block(REPLY)).toHaveAttribute("data-status", "done");
  await expect(app.block(REPLY).locator(".block-body")).toContainText("Bug branch: which app version are you on?");
  await expect(app.block(ROUTER)).toHaveAttribute("data-status", "done");
  await expect(app.block(ROUTER).locator(".block-body")).toContainText("\u2192 bug");
  await expect(app.block("Prompt block: Bug reply")).toHaveAttribute("data-status", "done");
  for (const skipped of ["Prompt block: Billing reply", "Prompt block: Other reply"]) {
    await expect(app.block(skipped)).toHaveAttribute("data-status", "skipped");
    await expect(app.block(skipped).locator(".block-body")).toContainText("sent the input to \u201cbug\u201d");
  }
  // The router's reason is kept: the inspector says where the input went and why.
  await clickLikeAPerson(page, app.block(ROUTER).locator("header"), "the router's header");
  await expect(app.inspector.getByRole("status").filter({ hasText: "Last run went to" })).toContainText(
    "Reason: The app crashing on export is a defect.",
  );
  await app.screenshot("control-flow-router");
  await page.evaluate(() => document.documentElement.setAttribute("data-theme", "dark"));
  await app.screenshot("control-flow-router-dark");
  expect(app.consoleErrors).toEqual([]);
});

const APPROVAL = "Approval block: Approve before sending";
const EMAIL = "Output block: Email to send";

async function runApprovalFlow(app, page) {
  await app.open();
  await useTemplate(page, "Draft an email, approve before sending");
  await expect(app.block(APPROVAL)).toBeVisible();
  await clickLikeAPerson(page, page.getByRole("button", { name: "Run flow" }), "Run flow");
  await expect(app.block(APPROVAL)).toHaveAttribute("data-status", "waiting");
  await expect(app.block(APPROVAL).locator(".block-body")).toContainText("Waiting for approval");
  // Nothing after the approval has run yet.
  await expect(app.block(EMAIL)).toHaveAttribute("data-status", "queued");
}

test("an approval holds the run; a person edits the draft on the way and approves it", async ({ page }) => {
  const app = new AppPage(page);
  await runApprovalFlow(app, page);
  await app.screenshot("control-flow-approval-waiting");
  const card = app.block(APPROVAL);
  await clickLikeAPerson(page, card.getByRole("button", { name: "Edit", exact: true }), "Edit on the approval card");
  const box = app.inspector.getByRole("textbox", { name: "Text to approve" });
  await expect(box).toHaveValue(/Dear Ana Ruiz/);
  await box.fill("Dear Ana,\n\nYour order ships on Monday. Express shipping on your next order is on us.\n\nThe Support Team");
  await app.screenshot("control-flow-approval-editing");
  await clickLikeAPerson(page, app.inspector.getByRole("button", { name: "Approve edited text" }), "Approve edited text");

  await expect(app.block(EMAIL)).toHaveAttribute("data-status", "done");
  await expect(app.block(EMAIL).locator(".block-body")).toContainText("Express shipping on your next order is on us.");
  await expect(card).toHaveAttribute("data-status", "done");
  await expect(card.locator(".block-body")).toContainText("Edited, then approved");
  await expect(card.getByRole("button", { name: "Approve", exact: true })).toHaveCount(0);
  expect(app.consoleErrors).toEqual([]);
});

test("approving on the card sends the draft on; rejecting skips what comes after", async ({ page }) => {
  const app = new AppPage(page);
  await runApprovalFlow(app, page);
  await clickLikeAPerson(page, app.block(APPROVAL).getByRole("button", { name: "Approve", exact: true }), "Approve on the card");
  await expect(app.block(EMAIL)).toHaveAttribute("data-status", "done");
  await expect(app.block(EMAIL).locator(".block-body")).toContainText("Dear Ana Ruiz");

  await clickLikeAPerson(page, page.getByRole("button", { name: "Run flow" }), "Run flow again");
  await expect(app.block(APPROVAL)).toHaveAttribute("data-status", "waiting");
  await clickLikeAPerson(page, app.block(APPROVAL).getByRole("button", { name: "Reject", exact: true }), "Reject on the card");
  await expect(app.block(EMAIL)).toHaveAttribute("data-status", "skipped");
  await expect(app.block(EMAIL).locator(".block-body")).toContainText("rejected by the reviewer");
  await expect(app.block(APPROVAL).locator(".block-body")).toContainText("Rejected");
  expect(app.consoleErrors).toEqual([]);
});

test("in present mode the approval step shows the draft with Approve, Edit and Reject", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  await useTemplate(page, "Draft an email, approve before sending");
  await expect(app.block(APPROVAL)).toBeVisible();
  await (await moreItem(page, "Present")).click();
  const show = page.getByRole("dialog", { name: "Presentation" });
  await clickLikeAPerson(page, show.getByRole("button", { name: "Step 3: Approve before sending" }), "the approval step");
  const step = show.getByRole("region", { name: "Approval: Approve before sending" });
  await clickLikeAPerson(page, show.getByRole("button", { name: "Run live" }), "Run live");
  await expect(step.getByText("waiting", { exact: true })).toBeVisible();
  await expect(step).toContainText("Dear Ana Ruiz");
  await app.screenshot("control-flow-approval-present");
  await clickLikeAPerson(page, step.getByRole("button", { name: "Edit", exact: true }), "Edit in present mode");
  await step.getByRole("textbox", { name: "Text to approve" }).fill("Dear Ana, see you Monday.");
  await clickLikeAPerson(page, step.getByRole("button", { name: "Approve edited text" }), "Approve edited text in present mode");
  await clickLikeAPerson(page, show.getByRole("button", { name: "Step 4: Email to send" }), "the output step");
  await expect(show.getByRole("region", { name: "Output: Email to send" })).toContainText("Dear Ana, see you Monday.");
  expect(app.consoleErrors).toEqual([]);
});

test("rejecting in the inspector with a reason: the reason shows on the approval and in what was skipped", async ({ page }) => {
  const app = new AppPage(page);
  await runApprovalFlow(app, page);
  await clickLikeAPerson(page, app.block(APPROVAL).locator("header"), "the approval block");
  const why = app.inspector.getByRole("textbox", { name: "Reason for rejecting" });
  await clickLikeAPerson(page, why, "the reason box");
  await page.keyboard.type("Too formal for a regular customer");
  await clickLikeAPerson(page, app.inspector.getByRole("button", { name: "Reject", exact: true }), "Reject in the inspector");
  await expect(app.block(EMAIL)).toHaveAttribute("data-status", "skipped");
  await expect(app.block(EMAIL).locator(".block-body")).toContainText("(Too formal for a regular customer)");
  await expect(app.inspector).toContainText("Reason: Too formal for a regular customer");
  expect(app.consoleErrors).toEqual([]);
});

test("rules route without a model; a transform shows its result on the last run's value", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  const flow = {
    format: "chainboard.flow", version: 2, title: "Rules and a transform",
    blocks: [
      { id: "input-1", kind: "input", title: "Order", position: { x: 0, y: 0 },
        config: { values: [{ name: "order", value: '{"customer": {"name": "Ana", "plan": "pro"}, "total": 120}' }] } },
      { id: "router-1", kind: "router", title: "By plan", position: { x: 320, y: 0 },
        config: { mode: "rules", routes: ["pro", "free"], rules: [
          { route: "free", test: "json_field_equals", path: "customer.plan", value: "free" },
          { route: "pro", test: "json_field_equals", path: "customer.plan", value: "PRO" },
        ] } },
      { id: "transform-1", kind: "transform", title: "Name", position: { x: 640, y: 0 }, config: { op: "pick", path: "customer.name" } },
      { id: "transform-2", kind: "transform", title: "Shout", position: { x: 640, y: 220 }, config: { op: "uppercase" } },
      { id: "output-1", kind: "output", title: "Result", position: { x: 960, y: 0 }, config: {} },
    ],
    edges: [
      { id: "e-1", from: { block: "input-1", port: "order" }, to: { block: "router-1", port: "value" } },
      { id: "e-2", from: { block: "router-1", port: "pro" }, to: { block: "transform-1", port: "value" } },
      { id: "e-3", from: { block: "router-1", port: "free" }, to: { block: "transform-2", port: "value" } },
      { id: "e-4", from: { block: "transform-1", port: "result" }, to: { block: "output-1", port: "value" } },
      { id: "e-5", from: { block: "transform-2", port: "result" }, to: { block: "output-1", port: "value" } },
    ],
  };
  const requests = [];
  page.on("request", (r) => { if (!r.url().startsWith("http://127.0.0.1:" + new URL(page.url()).port)) requests.push(r.url()); });
  await page.goto(await shareLinkFor({ flow }));
  await page.reload();
  await expect(app.block("Router block: By plan")).toBeVisible();
  await clickLikeAPerson(page, page.getByRole("button", { name: "Run flow" }), "Run flow");
  await expect(app.block("Output block: Result")).toHaveAttribute("data-status", "done");
  await expect(app.block("Output block: Result").locator(".block-body")).toContainText("Ana");
  await expect(app.block("Router block: By plan").locator(".block-body")).toContainText("\u2192 pro");
  await expect(app.block("Transform block: Shout")).toHaveAttribute("data-status", "skipped");
  await clickLikeAPerson(page, app.block("Transform block: Name").locator("header"), "the transform's header");
  const preview = app.inspector.getByRole("region", { name: "Preview" });
  await expect(preview).toContainText('"plan": "pro"');
  await expect(preview.locator("pre").last()).toHaveText("Ana");
  await app.screenshot("control-flow-transform-preview");
  expect(requests, "rules and transforms call no model").toEqual([]);
  expect(app.consoleErrors).toEqual([]);
});
