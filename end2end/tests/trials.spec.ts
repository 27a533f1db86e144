import { test, expect } from "@playwright/test";
import { expectAccessible, loginAs, waitForHydration, watchConsole } from "./helpers";

// Issue 21: the case page shows the board's open trials matched to the case, eligible first,
// with the reasons, the criteria to check by a person and whom to ask; a closed trial is not
// offered. (The demo's trials are synthetic.)
test("a clinician sees which of the centre's open trials the case may enter, and why", async ({ page }) => {
  const errors = watchConsole(page);
  await loginAs(page, "oncologist", "/cases");
  await page.getByRole("link", { name: "Hanna Demo-Wolf" }).first().click();
  await waitForHydration(page);
  const panel = page.getByTestId("trials");
  await expect(panel.getByRole("heading", { name: "Clinical trials at this centre" })).toBeVisible();
  const matches = panel.getByTestId("trial-match");
  await expect(matches).toHaveCount(2);
  const prrt = matches.filter({ hasText: "DEMO-PRRT" });
  await expect(prrt).toHaveAttribute("data-match", "eligible");
  await expect(prrt).toContainText("Eligible on the recorded facts");
  await expect(prrt).toContainText("Ki-67 6 % is within 3–20 %.");
  await expect(prrt).toContainText("To check: Adequate renal function");
  await expect(prrt).toContainText("Contact: Study nurse Lena Berg");
  const panther = matches.filter({ hasText: "DEMO-PANTHER" });
  await expect(panther).toHaveAttribute("data-match", "not_eligible");
  await expect(panther).toContainText("Primary site: Small intestine; the trial takes only: Pancreas.");
  await expect(panel).not.toContainText("DEMO-WATCH");
  await expect(panel).toContainText("the board decides");
  // The proposer's trial option names the eligible one.
  await expect(page.getByTestId("option-trials")).toHaveText(
    "At this centre, eligible on the recorded facts: DEMO-PRRT (2099-500001-11-00).");
  await expectAccessible(page);
  // The same match through the API.
  const id = page.url().split("/cases/")[1];
  const res = await page.request.get(`/api/v1/cases/${id}/trials`);
  const body = await res.json();
  expect(body.map((m: { acronym: string; match: string }) => `${m.acronym}:${m.match}`)).toEqual(["DEMO-PRRT:eligible", "DEMO-PANTHER:not_eligible"]);
  expect(errors).toEqual([]);
});

// A coordinator keeps the register: a registry id that is not one is refused at its field;
// the trial added is matched on the case pages at once.
test("a coordinator adds a trial to the register and the case page matches it", async ({ page }) => {
  const errors = watchConsole(page);
  await loginAs(page, "coordinator", "/trials");
  await expect(page.getByTestId("trials-register")).toContainText("DEMO-PRRT");
  const form = page.getByRole("form", { name: "Add a trial" });
  await form.getByLabel("Board", { exact: true }).selectOption({ label: "NET board (demo)" });
  await form.getByLabel("Title").fill("Long-acting somatostatin analogue in small-intestinal NET (synthetic, e2e)");
  await form.getByLabel("Short name").fill("E2E-SI");
  await form.getByLabel(/^Registry id/).fill("NCT123");
  await form.getByLabel("Contact").fill("Trial office, ext. 4700");
  await form.getByRole("checkbox", { name: "Small intestine" }).check();
  await form.getByRole("button", { name: "Add the trial" }).click();
  await expect(page.locator("#t-registry-error")).toContainText("Not a registry id");
  await form.getByLabel(/^Registry id/).fill("2099-500009-99-00");
  await form.getByRole("button", { name: "Add the trial" }).click();
  await expect(page.getByTestId("trial-added")).toContainText("E2E-SI is on the register");
  await expect(page.getByTestId("trials-register")).toContainText("E2E-SI");
  await expectAccessible(page);
  // Hanna Demo-Wolf's small-intestinal NET is eligible for it on the recorded facts.
  await page.goto("/cases");
  await waitForHydration(page);
  await page.getByRole("link", { name: "Hanna Demo-Wolf" }).first().click();
  await waitForHydration(page);
  const si = page.getByTestId("trial-match").filter({ hasText: "E2E-SI" });
  await expect(si).toHaveAttribute("data-match", "eligible");
  await expect(si).toContainText("Primary site: Small intestine (the trial takes: Small intestine).");
  expect(errors).toEqual([]);
});
