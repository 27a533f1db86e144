import { expect, Locator, Page, ConsoleMessage, request as playwrightRequest, type APIRequestContext } from "@playwright/test";
import AxeBuilder from "@axe-core/playwright";

/** Collects console errors and page errors so a test can assert there were none. The browser
 *  logs every 4xx answer as "Failed to load resource"; those are expected answers (a field
 *  error, a refused page) that the tests check themselves, so only 5xx ones are kept. */
export function watchConsole(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (msg: ConsoleMessage) => {
    const text = msg.text();
    if (msg.type() === "error" && !/Failed to load resource: the server responded with a status of 4\d\d/.test(text)) {
      errors.push(text);
    }
  });
  page.on("pageerror", (err) => errors.push(String(err)));
  return errors;
}

/** Waits until the wasm has hydrated the page: the display toggle then reacts to a click. */
export async function waitForHydration(page: Page) {
  await page.waitForFunction(() => (window as any).__TB_HYDRATED === true, null, { timeout: 20_000 });
}

/** Every field error the page shows is tied to its control: the message has an id, a control
 *  (or the group of controls it is about) names it in `aria-describedby` and says
 *  `aria-invalid="true"`; and no control says `aria-invalid="true"` without a message shown. */
export async function expectErrorsMarked(page: Page) {
  const problems = await page.evaluate(() => {
    const out: string[] = [];
    const shown = (e: Element) => (e.textContent ?? "").trim() !== "";
    for (const m of Array.from(document.querySelectorAll(".field-error"))) {
      if (!m.id) {
        out.push(`a field error without an id: "${(m.textContent ?? "").trim()}"`);
        continue;
      }
      if (!shown(m)) continue;
      const tied = Array.from(document.querySelectorAll("[aria-describedby]")).filter((c) =>
        (c.getAttribute("aria-describedby") ?? "").split(/\s+/).includes(m.id),
      );
      if (!tied.some((c) => c.getAttribute("aria-invalid") === "true")) {
        out.push(`#${m.id} shows "${(m.textContent ?? "").trim()}" but no control it describes is aria-invalid`);
      }
    }
    for (const c of Array.from(document.querySelectorAll('[aria-invalid="true"]'))) {
      const ids = (c.getAttribute("aria-describedby") ?? "").split(/\s+/).filter((x) => x);
      if (!ids.some((id) => { const e = document.getElementById(id); return e !== null && shown(e); })) {
        out.push(`${c.tagName.toLowerCase()}#${c.id} is aria-invalid with no message shown`);
      }
    }
    return out;
  });
  expect(problems).toEqual([]);
}

/** Runs axe-core on the current page; fails on serious or critical violations. Any field errors
 *  shown must be tied to their controls (`expectErrorsMarked`). */
export async function expectAccessible(page: Page) {
  await expectErrorsMarked(page);
  const results = await new AxeBuilder({ page }).analyze();
  const bad = results.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  expect(
    bad.map((v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`),
  ).toEqual([]);
}

/** How far the first element `locator` matches scrolls sideways, in pixels (0: everything fits
 *  its width; a table inside a `.table-wrap` scrolls there, not in the page). */
export async function sidewaysOverflow(locator: Locator): Promise<number> {
  return locator.first().evaluate((e) => e.scrollWidth - e.clientWidth);
}

/** The demo users' password for this run (set by scripts/test-all). */
export const DEMO_PASSWORD = process.env.TUMORBOARD_DEMO_PASSWORD ?? "";

/** Logs in through the login page as one of the demo users. */
export async function loginAs(page: Page, username: string, next = "/") {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await waitForHydration(page);
  await page.getByLabel("Username").fill(username);
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL((url) => url.pathname === next);
  await waitForHydration(page);
}

/**
 * Opens the case page's folded history (if it is not open already) and returns its list of
 * versions: the page reads the versions only when the fold is opened.
 */
export async function openHistory(page: Page) {
  const fold = page.locator("details.history-fold");
  if (!(await fold.evaluate((d) => (d as HTMLDetailsElement).open))) {
    await fold.getByText("Every version and what changed").click();
  }
  return page.getByTestId("versions");
}

/** Logs `user` in and opens the demo meeting's meeting mode, live. */
export async function openMeetingMode(page: Page, user: string) {
  await loginAs(page, user, "/meetings");
  await page.getByTestId("meetings").getByRole("link", { name: /NET board \(demo\)/ }).first().click();
  await waitForHydration(page);
  await page.getByRole("link", { name: "Open meeting mode" }).click();
  await waitForHydration(page);
  await expect(page.getByTestId("live-state")).toHaveAttribute("data-state", "live");
}

/** A request context logged in as a demo user. */
export async function apiAs(baseURL: string | undefined, user: string): Promise<APIRequestContext> {
  const ctx = await playwrightRequest.newContext({ baseURL });
  const res = await ctx.post("/api/v1/login", { data: { username: user, password: DEMO_PASSWORD } });
  expect(res.status()).toBe(200);
  return ctx;
}

/** A complete draft case of a well-differentiated pancreatic NET, N0 M0, on the demo NET board,
 *  created through the API; `tumor` sets what differs. Returns its id. */
export async function createCase(
  ctx: APIRequestContext,
  patient: { mrn: string; name: string; birth_date: string },
  question: string,
  tumor: { grade: string; ki67_percent: number; tumor_size_mm: number; t_stage: string },
): Promise<string> {
  const boards = (await (await ctx.get("/api/v1/boards")).json()) as { id: string; name: string }[];
  const created = await ctx.post("/api/v1/cases", {
    data: {
      board_id: boards.find((b) => b.name.startsWith("NET board"))!.id,
      patient: { ...patient, sex: "female" },
      question,
      tumor: {
        primary_site: "pancreas", differentiation: "well", n_stage: "N0", m_stage: "M0", liver_burden: "none",
        functional_syndrome: "none", sstr_imaging: "positive", ecog: 0, ...tumor,
      },
    },
  });
  expect(created.status()).toBe(201);
  return (await created.json()).id as string;
}
