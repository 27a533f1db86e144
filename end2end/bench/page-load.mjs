// What the browser bundle costs a person who opens a case page, in Debian's Chromium: when the
// server's page is on the screen (first contentful paint) and when the page answers clicks
// and typing (the wasm has hydrated it), first with an empty cache (the first visit after a
// release) and then with the bundle cached (every later visit: it is sent with a one-year
// immutable cache header), on a few networks and a slower computer. Run by
// scripts/bench-page-load against a release server; the results go in BENCHMARKS.md.
// A benchmark, not a test: nothing here is asserted against a time.
import { chromium } from "@playwright/test";
import { launchOptions } from "../chromium.cjs";

const base = process.env.TB_BASE_URL;
const password = process.env.TUMORBOARD_DEMO_PASSWORD;
const runs = Number(process.env.TB_PAGE_LOAD_RUNS ?? 5);
if (!base || !password) throw new Error("TB_BASE_URL and TUMORBOARD_DEMO_PASSWORD are needed");

// Chromium's own emulation (DevTools protocol): throughput in bytes a second, latency added to
// every request in ms; `cpu` slows the page's main thread by that factor.
const mbit = (n) => (n * 1_000_000) / 8;
const profiles = [
  { name: "loopback, no limits", latency: 0, down: -1, up: -1, cpu: 1 },
  // The same page with the bundle's requests refused (its .js and .wasm): what the bundle adds
  // to the first paint, if anything. (With JavaScript off the browser still fetches the wasm:
  // the page preloads it.)
  { name: "loopback, the bundle refused", latency: 0, down: -1, up: -1, cpu: 1, noBundle: true },
  { name: "100 Mbit/s, 5 ms (a hospital network)", latency: 5, down: mbit(100), up: mbit(50), cpu: 1 },
  { name: "10 Mbit/s, 40 ms (a remote site over a VPN)", latency: 40, down: mbit(10), up: mbit(5), cpu: 1 },
  { name: "3 Mbit/s, 80 ms (a congested link)", latency: 80, down: mbit(3), up: mbit(1), cpu: 1 },
  { name: "10 Mbit/s, 40 ms, a computer 4 times slower", latency: 40, down: mbit(10), up: mbit(5), cpu: 4 },
];

// Records when the app marks itself hydrated (lib.rs sets window.__TB_HYDRATED once).
const markHydration = () => {
  Object.defineProperty(window, "__TB_HYDRATED", {
    configurable: true,
    get() { return undefined; },
    set(v) {
      window.__tbHydratedAt = performance.now();
      Object.defineProperty(window, "__TB_HYDRATED", { value: v, writable: true, configurable: true });
    },
  });
};

const browser = await chromium.launch(launchOptions);

// One login; every measured context gets its session cookie, so no run measures the login.
const login = await browser.newContext({ baseURL: base });
const answer = await login.request.post("/api/v1/login", { data: { username: "coordinator", password } });
if (!answer.ok()) throw new Error(`login refused: ${answer.status()}`);
const cases = await (await login.request.get("/api/v1/cases")).json();
const caseUrl = `/cases/${cases[0].id}`;
const cookies = await login.cookies();
await login.close();

async function load(page, hydrates) {
  await page.goto(caseUrl, { waitUntil: "load" });
  if (hydrates) await page.waitForFunction(() => window.__tbHydratedAt !== undefined, null, { timeout: 120_000 });
  else await page.waitForTimeout(300); // no hydration to wait for; let the first paint be recorded
  return page.evaluate(() => {
    const nav = performance.getEntriesByType("navigation")[0];
    const fcp = performance.getEntriesByName("first-contentful-paint")[0];
    const resources = performance.getEntriesByType("resource");
    const wasm = resources.find((r) => r.name.endsWith(".wasm"));
    const bytes = [nav, ...resources].reduce((sum, r) => sum + r.transferSize, 0);
    return {
      html: nav.responseEnd,
      fcp: fcp ? fcp.startTime : NaN,
      hydrated: window.__tbHydratedAt ?? NaN,
      bytes,
      wasmFromCache: wasm ? wasm.transferSize === 0 : false,
    };
  });
}

async function measure(profile, warm) {
  const context = await browser.newContext({ baseURL: base });
  await context.addCookies(cookies);
  await context.addInitScript(markHydration);
  const page = await context.newPage();
  if (profile.noBundle) await page.route(/\/pkg\/.*\.(js|wasm)$/, (route) => route.abort());
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", {
    offline: false, latency: profile.latency, downloadThroughput: profile.down, uploadThroughput: profile.up,
  });
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: profile.cpu });
  if (warm) await load(page, !profile.noBundle); // the first visit fills the cache; the second is measured
  const result = await load(page, !profile.noBundle);
  await context.close();
  return result;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const ms = (x) => `${Math.round(x).toLocaleString("en")} ms`;

console.log(`the case page, ${runs} loads each, medians (min–max) · Chromium ${browser.version()}`);
console.log("| network and computer | cache | page's HTML | first paint | hydrated | bytes over the network |");
console.log("|---|---|---|---|---|---|");
for (const profile of profiles) {
  for (const warm of profile.noBundle ? [false] : [false, true]) {
    const results = [];
    for (let i = 0; i < runs; i++) results.push(await measure(profile, warm));
    if (warm && !profile.noBundle && !results.every((r) => r.wasmFromCache)) throw new Error("the bundle was not taken from the cache");
    const col = (key) => {
      const xs = results.map((r) => r[key]);
      if (xs.some(Number.isNaN)) return "—";
      return `${ms(median(xs))} (${Math.round(Math.min(...xs))}–${Math.round(Math.max(...xs))})`;
    };
    const bytes = median(results.map((r) => r.bytes));
    console.log(`| ${profile.name} | ${warm ? "bundle cached" : "empty"} | ${col("html")} | ${col("fcp")} | ${col("hydrated")} | ${Math.round(bytes).toLocaleString("en")} B |`);
  }
}
await browser.close();
