import { expect, Page, ConsoleMessage } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";

/** Collects console errors and page errors so a test can assert there were none. */
export function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (msg: ConsoleMessage) => {
    if (msg.type() === "error") errors.push(msg.text());
  });
  page.on("pageerror", (err) => errors.push(String(err)));
  return errors;
}

/** Waits until the wasm has hydrated the page: the display toggle then reacts to a click. */
export async function waitForHydration(page: Page) {
  await page.waitForFunction(() => (window as any).__TB_HYDRATED === true, null, { timeout: 20_000 });
}

/** Runs axe-core on the current page; fails on serious or critical violations. */
export async function expectAccessible(page: Page) {
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(
    bad.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
  ).toEqual([]);
}
