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
  await expectAccessible(page);
  // The same match through the API.
  const id = page.url().split("/cases/")[1];
  const res = await page.request.get(`/api/v1/cases/${id}/trials`);
  const body = await res.json();
  expect(body.map((m: { acronym: string; match: string }) => `${m.acronym}:${m.match}`)).toEqual(["DEMO-PRRT:eligible", "DEMO-PANTHER:not_eligible"]);
  expect(errors).toEqual([]);
});
