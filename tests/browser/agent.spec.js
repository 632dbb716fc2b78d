import { test, expect } from "@playwright/test";
import { AppPage, PORT_SHIFT, PROVIDERS, configureProvider, dragBetween, dragBy, useTemplate } from "./pages.js";

const AGENT = "Prompt block: Support agent";
const REPLY = "Output block: Reply";
const TOOL = "Tool block: Order lookup";
const TOOL_HOST = `127.0.0.1:${4011 + PORT_SHIFT}`;
const TOOL_SERVER = `http://${TOOL_HOST}`;

/** Opens the order-agent template (on sample answers). */
async function openOrderAgent(app, page) {
  await useTemplate(page, "Agent that checks an order");
  await expect(app.block(AGENT)).toBeVisible();
}

async function setMessage(app, text) {
  await app.block("Input block: Customer message").locator("header").click();
  const value = app.inspector.getByRole("textbox", { name: "Value 1", exact: true });
  await value.fill(text);
  await value.blur();
}

async function useProvider(app, id) {
  await app.block(AGENT).locator("header").click();
  await app.inspector.getByRole("combobox", { name: "Provider" }).selectOption(id);
  const model = app.inspector.getByRole("combobox", { name: "Model" });
  await model.fill(PROVIDERS[id].model);
  await model.blur();
}

for (const id of ["openai", "anthropic", "gemini", "ollama"]) {
  test(`an agent calls a mock tool and answers with its result (${PROVIDERS[id].label})`, async ({ page }) => {
    const app = new AppPage(page);
    await app.open();
    await openOrderAgent(app, page);
    await configureProvider(page, id);
    await useProvider(app, id);
    await setMessage(app, "Check my order A123, please.");
    await page.getByRole("button", { name: "Run flow" }).click();

    await expect(app.block(REPLY)).toHaveAttribute("data-status", "done");
    // The mock tool's row for A123 went back to the model, which quoted it.
    await expect(app.block(REPLY).locator(".block-body")).toContainText("The tool said:");
    await expect(app.block(REPLY).locator(".block-body")).toContainText("Thursday");
    // The timeline shows the call, its arguments and the result.
    await app.block(AGENT).locator("header").click();
    const steps = app.inspector.getByRole("list", { name: "Agent steps" });
    await expect(steps.locator("[data-step]")).toHaveCount(2);
    const call = steps.locator('[data-tool="lookup_order"]');
    await expect(call).toHaveAttribute("data-status", "ok");
    await expect(call.getByLabel("Arguments of lookup_order")).toContainText('"order_id": "A123"');
    await expect(call.getByLabel("Result of lookup_order")).toContainText("shipped");
    // Both requests are in the trace, keys hidden.
    const result = app.inspector.getByRole("region", { name: "Result" });
    await result.getByText("Trace").click();
    await expect(result.getByText("Request 2 of 2 (key hidden)")).toBeVisible();
    await expect(result).not.toContainText(PROVIDERS[id].key || "no-key-to-leak");
    if (id === "anthropic") await app.screenshot("agent-timeline");
    expect(app.consoleErrors).toEqual([]);
  });
}

test("an HTTP tool calls a local endpoint only after the host is approved", async ({ page, request }) => {
  await request.get(`${TOOL_SERVER}/__reset`);
  const app = new AppPage(page);
  await app.open();
  await openOrderAgent(app, page);
  await configureProvider(page, "openai");
  await useProvider(app, "openai");
  await setMessage(app, "Check my order A123, please.");
  // Turn the mock tool into an HTTP request to the local API.
  await app.block(TOOL).locator("header").click();
  await app.inspector.getByRole("combobox", { name: "When the model calls it" }).selectOption("http");
  await app.inspector.getByRole("textbox", { name: "URL" }).fill(`${TOOL_SERVER}/orders/{{order_id}}`);
  await app.inspector.getByRole("textbox", { name: "URL" }).blur();
  await app.inspector.getByRole("textbox", { name: "Part of the response to return (optional)" }).fill("data");
  await app.inspector.getByRole("textbox", { name: "Part of the response to return (optional)" }).blur();
  await expect(app.block(TOOL).locator(".block-body")).toContainText(`GET ${TOOL_HOST}`);

  await page.getByRole("button", { name: "Run flow" }).click();
  const dialog = page.getByRole("dialog", { name: "Allow tool hosts" });
  await expect(dialog.getByRole("list", { name: "Hosts" })).toHaveText(TOOL_HOST);
  await app.screenshot("agent-approve-hosts");
  // Nothing was sent to the host (or the model) while the dialog waits.
  expect(await (await request.get(`${TOOL_SERVER}/__log`)).json()).toEqual([]);
  await expect(app.block(AGENT)).not.toHaveAttribute("data-status", "running");
  await dialog.getByRole("button", { name: "Allow and run" }).click();

  await expect(app.block(REPLY)).toHaveAttribute("data-status", "done");
  await expect(app.block(REPLY).locator(".block-body")).toContainText('"delivery":"Thursday"');
  expect(await (await request.get(`${TOOL_SERVER}/__log`)).json()).toEqual([{ method: "GET", path: "/orders/A123" }]);

  // The answer is remembered for this flow: the next run asks nothing.
  await page.getByRole("button", { name: "Run flow" }).click();
  await expect(app.block(REPLY)).toHaveAttribute("data-status", "done");
  await expect(dialog).toHaveCount(0);
  expect((await (await request.get(`${TOOL_SERVER}/__log`)).json()).length).toBe(2);
  expect(app.consoleErrors).toEqual([]);
});

test("a runaway agent is stopped by the step limit with a clear message", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  await openOrderAgent(app, page);
  await configureProvider(page, "openai");
  await useProvider(app, "openai");
  const limit = app.inspector.getByRole("spinbutton", { name: "Step limit" });
  await expect(limit).toHaveValue("8");
  await limit.fill("3");
  await limit.blur();
  await setMessage(app, "Keep calling tools until you are stopped.");
  await page.getByRole("button", { name: "Run flow" }).click();

  await expect(app.block(AGENT)).toHaveAttribute("data-status", "error");
  await expect(app.block(REPLY)).toHaveAttribute("data-status", "skipped");
  await app.block(AGENT).locator("header").click();
  const result = app.inspector.getByRole("region", { name: "Result" });
  await expect(result.getByRole("alert")).toContainText("Stopped after 3 model calls: the model was still calling tools.");
  await expect(result.getByRole("list", { name: "Agent steps" }).locator("[data-step]")).toHaveCount(3);
  expect(app.consoleErrors).toEqual([]);
});

test("a Tool from the palette wires to a Prompt's tools port and turns it into an agent", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  await page.getByRole("button", { name: "Add Tool block" }).click();
  const tool = app.block("Tool block: Tool");
  await expect(tool).toHaveAttribute("data-kind", "tool");
  // The new tool's form: name, description, one argument, a mock response.
  await expect(app.inspector.getByRole("textbox", { name: "Tool name" })).toHaveValue("lookup_order");
  await app.inspector.getByRole("textbox", { name: "Tool name" }).fill("look up");
  await expect(app.inspector.getByRole("list", { name: "Problems" })).toContainText("is not allowed: use letters, digits, _ and -");
  await app.inspector.getByRole("textbox", { name: "Tool name" }).fill("lookup_order");
  await expect(app.inspector.getByRole("list", { name: "Problems" })).toHaveCount(0);
  await app.inspector.getByRole("button", { name: "+ Add argument" }).click();
  await app.inspector.getByRole("combobox", { name: "Type of argument 2" }).selectOption("integer");
  await app.inspector.getByText("JSON Schema the model sees").click();
  await expect(app.inspector.locator(".schema-preview pre")).toContainText('"arg_2": {');
  await expect(app.inspector.locator(".schema-preview pre")).toContainText('"type": "integer"');
  await app.screenshot("tool-settings");

  await dragBy(page, tool.locator("header"), 0, 260);
  await dragBetween(page, tool.getByRole("button", { name: "Output tool" }), app.block("Prompt block: Draft a reply").getByRole("button", { name: "Input tools" }));
  await expect(app.canvas.locator('path[data-from="tool-1.tool"][data-to="prompt-1.tools"]')).toHaveCount(1);
  // A tool cannot feed a text input.
  await dragBetween(page, tool.getByRole("button", { name: "Output tool" }), app.block("Output block: Reply").getByRole("button", { name: "Input value" }));
  await expect(app.canvas.locator('path[data-from="tool-1.tool"]')).toHaveCount(1);

  await app.block("Prompt block: Draft a reply").locator("header").click();
  await expect(app.inspector.getByRole("group", { name: "Agent" })).toContainText("Agent: 1 tool connected");
  await expect(app.inspector.getByRole("combobox", { name: "Tool choice" })).toHaveValue("auto");
  await app.inspector.getByRole("combobox", { name: "Tool choice" }).selectOption("tool:lookup_order");
  await app.screenshot("agent-settings");
  expect(app.consoleErrors).toEqual([]);
});

test("a sub-flow tool runs another saved flow with the model's arguments (sample answers)", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  // The flow to call: the ticket summariser, saved in the workspace.
  await useTemplate(page, "Summarise a support ticket");
  await expect(app.block("Input block: Ticket")).toBeVisible();
  await openOrderAgent(app, page);
  await setMessage(app, "Summarise ticket T42 for me");

  await app.block(TOOL).locator("header").click();
  await app.inspector.getByRole("combobox", { name: "When the model calls it" }).selectOption("flow");
  await app.inspector.getByRole("combobox", { name: "Flow to run" }).selectOption({ label: "Summarise a support ticket" });
  await app.inspector.getByRole("button", { name: "Use the flow's inputs as arguments" }).click();
  await expect(app.inspector.getByRole("textbox", { name: "Name of argument 1" })).toHaveValue("ticket");
  await expect(app.block(TOOL).locator(".block-body")).toContainText("runs another flow");

  await page.getByRole("button", { name: "Run flow" }).click();
  await expect(app.block(REPLY)).toHaveAttribute("data-status", "done");
  // The sample agent called the tool with "T42"; the sub-flow's prompt (on sample answers) answered.
  await expect(app.block(REPLY).locator(".block-body")).toContainText("I checked for you:");
  await expect(app.block(REPLY).locator(".sample-badge")).toHaveText("Sample answer");
  await app.block(AGENT).locator("header").click();
  const call = app.inspector.getByRole("list", { name: "Agent steps" }).locator('[data-tool="lookup_order"]');
  await expect(call.getByLabel("Arguments of lookup_order")).toContainText('"ticket": "T42"');
  await expect(call.getByLabel("Result of lookup_order")).toContainText(/T42/i);
  expect(app.consoleErrors).toEqual([]);
});
