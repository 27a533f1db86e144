import { defineConfig } from "@playwright/test";
import { launchOptions } from "./chromium.cjs";

// The server under test is started by scripts/test-all (a fresh database, its own port);
// global-setup.ts waits until it answers /healthz.
const baseURL = process.env.TB_BASE_URL ?? "http://127.0.0.1:3900";

export default defineConfig({
  testDir: "./tests",
  globalSetup: "./global-setup.ts",
  timeout: 30_000,
  expect: { timeout: 10_000 },
  fullyParallel: false,
  workers: 1,
  retries: 0,
  // scripts/test-all reads the JSON report for its summary line.
  reporter: [["list"], ["json", { outputFile: process.env.TB_E2E_JSON ?? "test-results/results.json" }]],
  use: {
    baseURL,
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions,
  },
});
