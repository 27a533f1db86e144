import { test, expect } from "@playwright/test";
import { loginAs, watchConsole } from "./helpers";

// Regression: a resource created inside another resource's Suspend once resolved after the
// server had sent the page, and the browser panicked while hydrating (2-4 of 13 case pages).
// Every page, loaded directly (server-rendered, then hydrated), must become interactive.
test("every page and every demo case hydrates when loaded directly", async ({ page }) => {
  // About 25 pages one after the other: 25 s on a slower machine of this kind, over the
  // default 30 s once in a fresh-clone CI run (2026-12-03).
  test.setTimeout(90_000);
  const errors = watchConsole(page);
  // The reviewer reads every board's cases and meetings (admins read no clinical data).
  await loginAs(page, "reviewer", "/cases");
  await page.waitForSelector("table.cases a");
  const cases = await page.$$eval("table.cases a", (as) => as.map((a) => a.getAttribute("href")!));
  expect(cases.length).toBeGreaterThanOrEqual(14);
  await page.goto("/meetings");
  await page.waitForSelector('[data-testid="meetings"] a');
  const meetings = await page.$$eval('[data-testid="meetings"] a', (as) => as.map((a) => a.getAttribute("href")!));
  const meetingPages = meetings.flatMap((m) => [m, `${m}/present`]);
  for (const path of ["/", "/cases", "/meetings", "/pipeline", "/decisions", "/dashboard", "/audit", "/review", "/account", "/admin/users", "/admin/boards", ...meetingPages, ...cases, ...cases.map((c) => `${c}/report`)]) {
    await page.goto(path);
    await page.waitForFunction(() => (window as any).__TB_HYDRATED === true, null, { timeout: 10_000 });
  }
  expect(errors).toEqual([]);
});
