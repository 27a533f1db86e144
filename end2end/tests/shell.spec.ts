import { test, expect } from "@playwright/test";
import { expectAccessible, loginAs, sidewaysOverflow, waitForHydration, watchConsole } from "./helpers";

test("home page loads, hydrates and is accessible", async ({ page }) => {
  const errors = watchConsole(page);
  await page.goto("/");
  await expect(page.getByRole("heading", { level: 1, name: "Tumorboard" })).toBeVisible();
  await waitForHydration(page);
  // An interactive control works only after hydration.
  const toggle = page.getByRole("button", { name: "Meeting-room display" });
  await expect(toggle).toHaveAttribute("aria-pressed", "false");
  await toggle.click();
  await expect(toggle).toHaveAttribute("aria-pressed", "true");
  await expect(page.locator(".app")).toHaveClass(/large-display/);
  // The preference survives a reload.
  await page.reload();
  await waitForHydration(page);
  await expect(page.getByRole("button", { name: "Meeting-room display" })).toHaveAttribute("aria-pressed", "true");
  await page.getByRole("button", { name: "Meeting-room display" }).click();
  // The instance's state is for logged-in users only (deny by default).
  await expect(page.getByText("Log in to see the state of this instance.")).toBeVisible();
  await expectAccessible(page);
  await loginAs(page, "reviewer", "/");
  await expect(page.getByTestId("db-status")).toContainText("answering");
  expect(errors).toEqual([]);
});

test("navigation moves between sections without errors", async ({ page }) => {
  const errors = watchConsole(page);
  await loginAs(page, "reviewer");
  const nav = page.getByRole("navigation", { name: "Main" });
  for (const [name, heading, path] of [
    ["Cases", "Cases", "/cases"],
    ["Meetings", "Meetings", "/meetings"],
    ["Pipeline", "Case pipeline", "/pipeline"],
    ["Decisions", "Decisions", "/decisions"],
    ["Figures", "Board figures", "/dashboard"],
    ["Audit", "Audit", "/audit"],
  ]) {
    await nav.getByRole("link", { name, exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`${path}$`));
    await expect(page.getByRole("heading", { level: 1, name: heading })).toBeVisible();
    await expect(nav.getByRole("link", { name, exact: true })).toHaveAttribute("aria-current", "page");
    await expectAccessible(page);
  }
  expect(errors).toEqual([]);
});

test("keyboard users can skip to the content", async ({ page }) => {
  await page.goto("/");
  await waitForHydration(page);
  await page.keyboard.press("Tab");
  const skip = page.getByRole("link", { name: "Skip to content" });
  await expect(skip).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/#main$/);
});

test("an unknown path shows the 404 page with status 404", async ({ page }) => {
  const errors = watchConsole(page);
  const res = await page.goto("/there/is/nothing/here");
  expect(res?.status()).toBe(404);
  await expect(page.getByRole("heading", { level: 1, name: "Page not found" })).toBeVisible();
  await waitForHydration(page);
  await expectAccessible(page);
  expect(errors).toEqual([]);
});

test("the browser bundle arrives compressed and is cached by its hashed name (issue 17)", async ({ page }) => {
  const assets = new Map<string, { encoding?: string; cache?: string; bytes: number }>();
  page.on("response", async (res) => {
    const url = new URL(res.url());
    if (!url.pathname.startsWith("/pkg/")) return;
    const h = await res.allHeaders();
    assets.set(url.pathname, { encoding: h["content-encoding"], cache: h["cache-control"], bytes: Number(h["content-length"] ?? 0) });
  });
  await loginAs(page, "coordinator", "/cases");
  await waitForHydration(page);
  const wasm = [...assets.entries()].find(([p]) => p.endsWith(".wasm"));
  expect(wasm, "the page loaded its wasm").toBeTruthy();
  const [path, info] = wasm!;
  // The name carries the content's hash: tumorboard.<hash>.wasm.
  expect(path).toMatch(/^\/pkg\/tumorboard\.[A-Za-z0-9_-]{16,}\.wasm$/);
  expect(info.encoding).toBe("br");
  expect(info.cache).toBe("public, max-age=31536000, immutable");
  for (const [p, a] of assets) {
    if (p.endsWith(".js") || p.endsWith(".css")) expect(a.encoding, p).toBe("br");
  }
});

// On the wall screen (1920x1080), with and without the meeting-room display's larger type, the
// case list and the coordinator's agenda show every column without scrolling sideways: the
// agenda's position menu once took its cell's whole width and pushed "Remove" out of view, and
// with the larger type the page kept its laptop width and cut off the list's last column.
test("at 1920x1080 the case list and the agenda fit the screen, with and without the meeting-room display", async ({ page }) => {
  await page.setViewportSize({ width: 1920, height: 1080 });
  const errors = watchConsole(page);
  await loginAs(page, "coordinator", "/meetings");
  await page.getByTestId("meetings").getByRole("link", { name: /NET board \(demo\)/ }).first().click();
  await waitForHydration(page);
  const meeting = page.url();
  for (const large of [false, true]) {
    const display = page.getByRole("button", { name: "Meeting-room display" });
    if ((await display.getAttribute("aria-pressed")) !== String(large)) await display.click();
    await expect(display).toHaveAttribute("aria-pressed", String(large));
    await page.goto(meeting);
    await waitForHydration(page);
    const remove = page.getByRole("button", { name: /^Remove .* from the agenda$/ }).first();
    await expect(remove).toBeVisible();
    expect(await sidewaysOverflow(page.locator("section.agenda")), `the agenda scrolls sideways (large: ${large})`).toBeLessThanOrEqual(1);
    await expect(remove).toBeInViewport();
    await page.goto("/cases");
    await waitForHydration(page);
    await expect(page.getByRole("columnheader", { name: "Updated" })).toBeVisible();
    expect(await sidewaysOverflow(page.locator(".table-wrap")), `the case list scrolls sideways (large: ${large})`).toBeLessThanOrEqual(1);
    await expectAccessible(page);
  }
  await page.getByRole("button", { name: "Meeting-room display" }).click();
  expect(errors).toEqual([]);
});
