// Browser tests run in Debian's chromium (never a downloaded browser) against the
// release build in dist/, served on 127.0.0.1.
import { defineConfig } from "@playwright/test";

// CB_PORT_BASE shifts every port, so a second checkout can run its tests beside this one.
const SHIFT = Number(process.env.CB_PORT_BASE || 0);
const APP_PORT = 4173 + SHIFT;
export const MOCK_PORT = 4010 + SHIFT;
const TOOL_PORT = 4011 + SHIFT;
const MODEL_PORT = 4012 + SHIFT;
const FAULT_PORT = 4013 + SHIFT;
// The mock provider the exported programs run against (tests/export/run-exports.mjs).
export const EXPORT_MOCK_PORT = 4014 + SHIFT;

export default defineConfig({
  testDir: "tests/browser",
  outputDir: "target/playwright",
  fullyParallel: false,
  workers: 1,
  retries: 0,
  timeout: 60_000,
  expect: { timeout: 10_000 },
  reporter: [["list"]],
  use: {
    baseURL: `http://127.0.0.1:${APP_PORT}`,
    viewport: { width: 1280, height: 720 },
    launchOptions: {
      executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
      args: [
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
      ],
    },
  },
  webServer: [
    {
      command: `node tests/browser/mock-provider.mjs ${MOCK_PORT}`,
      url: `http://127.0.0.1:${MOCK_PORT}/v1/models`,
      reuseExistingServer: false,
      timeout: 20_000,
    },
    {
      command: `node tests/browser/tool-server.mjs ${TOOL_PORT}`,
      url: `http://127.0.0.1:${TOOL_PORT}/__log`,
      reuseExistingServer: false,
      timeout: 20_000,
    },
    {
      command: `node tests/browser/model-server.mjs ${MODEL_PORT}`,
      url: `http://127.0.0.1:${MODEL_PORT}/__log`,
      reuseExistingServer: false,
      timeout: 20_000,
    },
    {
      command: `node tests/browser/fault-provider.mjs ${FAULT_PORT}`,
      url: `http://127.0.0.1:${FAULT_PORT}/__log`,
      reuseExistingServer: false,
      timeout: 20_000,
    },
    {
      command: `node tests/browser/static-server.mjs dist ${APP_PORT}`,
      url: `http://127.0.0.1:${APP_PORT}/`,
      reuseExistingServer: false,
      timeout: 20_000,
    },
  ],
});
