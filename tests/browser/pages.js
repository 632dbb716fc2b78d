// Page objects: tests speak in what a user sees (roles and names), not CSS paths.
import { expect } from "@playwright/test";

export class AppPage {
  constructor(page) {
    this.page = page;
    this.consoleErrors = [];
    page.on("console", (msg) => {
      if (msg.type() === "error") this.consoleErrors.push(msg.text());
    });
    page.on("pageerror", (err) => this.consoleErrors.push(String(err)));
    this.canvas = page.getByRole("region", { name: "Flow canvas" });
    this.inspector = page.getByRole("complementary", { name: "Inspector" });
  }

  async open() {
    await this.page.goto("/");
    await expect(this.canvas).toBeVisible();
    await expect(this.blocks().first()).toBeVisible();
  }

  blocks() {
    return this.canvas.locator("[data-block-id][data-kind]");
  }

  block(name) {
    return this.canvas.getByRole("group", { name });
  }

  edges() {
    return this.canvas.locator("path[data-edge-id]");
  }

  async screenshot(name) {
    await this.page.screenshot({ path: `target/screenshots/${name}.png` });
  }
}
