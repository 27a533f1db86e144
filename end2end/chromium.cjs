// How every browser of the browser flows (playwright.config.ts) and of the page-load benchmark
// (bench/page-load.mjs) starts: Debian's Chromium, never one Playwright downloads.
module.exports.launchOptions = {
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
};
