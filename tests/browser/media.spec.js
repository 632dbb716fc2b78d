// Images and audio end to end, against the mock provider on 127.0.0.1: a photo dropped on
// an Input reaches the model as an image part, a recording is uploaded for transcription and
// its transcript flows on, a model that cannot take the media is flagged before the run,
// and a microphone recording (Chromium's fake device) becomes a WAV value.
import { test, expect } from "@playwright/test";
import { readFileSync } from "node:fs";
import { AppPage, configureProvider, dropFile, useTemplate } from "./pages.js";

// A 1×1 PNG, and the same bytes as base64 (what the request must carry).
const PNG_B64 = "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGMAAQAABQABDQottAAAAABJRU5ErkJggg==";
const PNG = Buffer.from(PNG_B64, "base64");
const WAV = readFileSync("public/samples/support-call.wav");

const PHOTO_INPUT = "Input block: Product photo";
const CLASSIFY = "Prompt block: Classify";

async function openWithOpenAi(page, template) {
  const app = new AppPage(page);
  await app.open();
  await configureProvider(page, "openai");
  await useTemplate(page, template);
  return app;
}

test("a photo dropped on an Input reaches the model as an image part", async ({ page }) => {
  const app = await openWithOpenAi(page, "Classify a product photo");
  // The template's sample photo is already there, shown on the block and in the inspector.
  await expect(app.block(PHOTO_INPUT).locator("img.block-thumb")).toBeVisible();
  await app.block(PHOTO_INPUT).locator("header").click();
  await expect(app.inspector.getByRole("img", { name: "product-photo.jpg" })).toBeVisible();

  // Drop our own photo on the value: it replaces the sample.
  await dropFile(app.inspector.locator(".input-value-body"), "parcel.png", "image/png", PNG);
  await expect(app.inspector.getByRole("img", { name: "parcel.png" })).toBeVisible();
  await expect(app.inspector.locator("figcaption")).toContainText("parcel.png · 67 B");

  const sent = page.waitForRequest((r) => r.url().endsWith("/v1/chat/completions"));
  await page.getByRole("button", { name: "Run flow" }).click();
  const body = (await sent).postDataJSON();
  const parts = body.messages.find((m) => m.role === "user").content;
  expect(parts[0]).toEqual({ type: "image_url", image_url: { url: `data:image/png;base64,${PNG_B64}` } });
  expect(parts[1].type).toBe("text");
  expect(parts[1].text).toContain("Which category is this product in");
  await expect(app.block(CLASSIFY)).toHaveAttribute("data-status", "done");
  await expect(app.block("Output block: Category")).toContainText("Kitchen");

  // After a reload the photo is still there (IndexedDB), not only its name.
  await page.reload();
  await expect(app.block(PHOTO_INPUT).locator("img.block-thumb")).toBeVisible();
  expect(app.consoleErrors).toEqual([]);
});

test("a recording is uploaded for transcription and the transcript flows on", async ({ page }) => {
  const app = await openWithOpenAi(page, "Transcribe a call and summarise the complaint");
  await app.block("Input block: Call recording").locator("header").click();
  await expect(app.inspector.locator("audio")).toHaveCount(1);

  const upload = page.waitForRequest((r) => r.url().endsWith("/v1/audio/transcriptions"));
  await page.getByRole("button", { name: "Run flow" }).click();
  const req = await upload;
  expect(req.headers()["content-type"]).toMatch(/^multipart\/form-data; boundary=/);
  const sentBytes = req.postDataBuffer();
  const text = sentBytes.toString("latin1");
  expect(text).toContain('name="model"\r\n\r\ngpt-4o-mini-transcribe');
  expect(text).toContain('filename="support-call.wav"');
  // The exact recording went out.
  expect(sentBytes.includes(WAV)).toBe(true);

  const transcribe = app.block("Transcribe block: Transcribe the call");
  await expect(transcribe).toHaveAttribute("data-status", "done");
  await expect(transcribe).toContainText("cracked jug");
  await expect(app.block("Output block: Summary")).toContainText("They want a replacement");
});

test("a model that cannot take the media is flagged before the run", async ({ page }) => {
  const app = await openWithOpenAi(page, "Classify a product photo");
  await app.block(PHOTO_INPUT).locator("header").click();
  // Audio into a chat model that only sees images.
  await dropFile(app.inspector.locator(".input-value-body"), "call.wav", "audio/wav", WAV);
  await expect(app.inspector.getByRole("figure", { name: /call.wav/ })).toBeVisible();
  const flag = app.block(CLASSIFY).getByRole("img", { name: /does not take audio in a chat message/ });
  await expect(flag).toBeVisible();
  let sent = 0;
  page.on("request", (r) => { if (r.url().includes("/chat/completions")) sent++; });
  await page.getByRole("button", { name: "Run flow" }).click();
  await expect(page.getByRole("alert").filter({ hasText: "does not take audio" }).first()).toBeVisible();
  expect(sent).toBe(0);
  // Not an image or audio file: refused with a reason, the value is unchanged.
  await dropFile(app.inspector.locator(".input-value-body"), "notes.pdf", "application/pdf", "%PDF-1.7 not media");
  await expect(app.inspector.getByRole("status").filter({ hasText: "is not an image or audio file" })).toBeVisible();
  await expect(app.inspector.getByRole("figure", { name: /call.wav/ })).toBeVisible();
});

/** Draws a noisy image in the page and drops it on `selector` (no bytes cross the wire). */
async function dropNoisyPng(page, selector, side) {
  await page.evaluate(async ([sel, n]) => {
    const canvas = new OffscreenCanvas(n, n);
    const g = canvas.getContext("2d");
    const img = g.createImageData(n, n);
    for (let i = 0; i < img.data.length; i++) img.data[i] = (i * 2654435761) >>> 24;
    g.putImageData(img, 0, 0);
    const blob = await canvas.convertToBlob({ type: "image/png" });
    const dt = new DataTransfer();
    dt.items.add(new File([blob], "big-photo.png", { type: "image/png" }));
    const el = document.querySelector(sel);
    el.dispatchEvent(new DragEvent("dragover", { dataTransfer: dt, bubbles: true, cancelable: true }));
    el.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, [selector, side]);
}

test("an image over Anthropic's limit is flagged, and Make smaller fixes it", async ({ page }) => {
  const app = await openWithOpenAi(page, "Classify a product photo");
  await app.block(CLASSIFY).locator("header").click();
  await app.inspector.getByRole("combobox", { name: "Provider" }).selectOption("anthropic");
  await app.block(PHOTO_INPUT).locator("header").click();
  await dropNoisyPng(page, ".input-value-body", 2200);
  await expect(app.inspector.getByRole("img", { name: "big-photo.png" })).toBeVisible();
  const flag = app.block(CLASSIFY).getByRole("img", { name: /Anthropic takes images up to 5.0 MB/ });
  await expect(flag).toBeVisible();
  await app.inspector.getByRole("button", { name: "Make smaller" }).click();
  await expect(app.inspector.getByRole("img", { name: "big-photo (smaller).jpg" })).toBeVisible();
  await expect(app.inspector.getByRole("status").filter({ hasText: "Made smaller" })).toBeVisible();
  await expect(flag).toHaveCount(0);
});

test("a folder of photos dropped on the test cases becomes one case per photo", async ({ page }) => {
  const app = await openWithOpenAi(page, "Classify a product photo");
  await expect(app.block(PHOTO_INPUT).locator("img.block-thumb")).toBeVisible();
  await page.getByRole("button", { name: "Evaluate" }).click();
  const cases = page.getByRole("region", { name: "Test cases" });
  await cases.evaluate((el, b64) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const dt = new DataTransfer();
    for (const name of ["lamp.png", "mug.png", "notes.txt"]) {
      // Each photo differs by one trailing byte, so each is its own file (same content = one file).
      const body = name.endsWith(".png") ? new Uint8Array([...bytes, name.length]) : new TextEncoder().encode("hello");
      dt.items.add(new File([body], name, { type: name.endsWith(".png") ? "image/png" : "text/plain" }));
    }
    el.dispatchEvent(new DragEvent("drop", { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, PNG_B64);
  await expect(cases.getByRole("status")).toContainText("Added 2 cases, one per file, as \u201cphoto\u201d. Skipped 1:");
  await expect(cases.getByRole("heading", { name: "Test cases (2)" })).toBeVisible();
  await expect(cases.locator(".media-chip")).toHaveCount(2);
  await expect(cases.locator(".media-chip").first()).toContainText("image lamp.png");
});

test("a photo dropped on the canvas becomes an Input that holds it", async ({ page }) => {
  const app = new AppPage(page);
  await app.open();
  const before = await app.blocks().count();
  const box = await app.canvas.boundingBox();
  await dropFile(app.canvas, "parcel.png", "image/png", PNG, { clientX: box.x + box.width / 2, clientY: box.y + 120 });
  const block = app.block("Input block: parcel");
  await expect(block).toBeVisible();
  await expect(block.locator("img.block-thumb")).toBeVisible();
  expect(await app.blocks().count()).toBe(before + 1);
  await expect(app.inspector.getByRole("img", { name: "parcel.png" })).toBeVisible();
});
