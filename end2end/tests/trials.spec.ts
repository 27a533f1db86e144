import { test, expect, type Page } from "@playwright/test";
import { DEMO_PASSWORD, expectAccessible, expectErrorsMarked, loginAs, waitForHydration, watchConsole } from "./helpers";

/** Fills the register's add form for the demo NET board (the registry id last, so that a flow
 *  may correct it) and returns the form. */
async function fillTrial(page: Page, title: string, acronym: string, registryId: string, contact: string) {
  const form = page.getByRole("form", { name: "Add a trial" });
  await form.getByLabel("Board", { exact: true }).selectOption({ label: "NET board (demo)" });
  await form.getByLabel("Title").fill(title);
  await form.getByLabel("Short name").fill(acronym);
  await form.getByLabel("Contact").fill(contact);
  await form.getByLabel(/^Registry id/).fill(registryId);
  return form;
}

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
  const form = await fillTrial(page, "Long-acting somatostatin analogue in small-intestinal NET (synthetic, e2e)",
    "E2E-SI", "NCT123", "Trial office, ext. 4700");
  await form.getByRole("checkbox", { name: "Small intestine" }).check();
  const other = form.getByLabel(/^Other criteria/);
  await other.fill("No prior PRRT\u0007");
  await form.getByRole("button", { name: "Add the trial" }).click();
  await expect(page.locator("#t-registry-error")).toContainText("Not a registry id");
  // Refused without a word before: the other criteria had no place for their message.
  await expect(page.locator("#t-other-error")).toHaveText("The text of other criteria contains control characters.");
  await expectErrorsMarked(page);
  await other.fill("No prior PRRT");
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

  // Closing it from the keyboard: the arrow keys only choose, the row's Save saves, the
  // register says so and the focus stays on that row's status; case pages stop offering it.
  await page.goto("/trials");
  await waitForHydration(page);
  const row = page.getByTestId("trial-row").filter({ hasText: "E2E-SI" });
  const status = row.getByLabel("Status of E2E-SI", { exact: true });
  await expect(row.getByRole("button", { name: "Save the status of E2E-SI" })).toBeDisabled();
  await status.focus();
  await page.keyboard.press("ArrowDown");
  await page.keyboard.press("ArrowDown");
  await expect(status).toHaveValue("closed");
  await expect(page.getByTestId("trial-status-saved")).toHaveCount(0);
  await page.keyboard.press("Tab");
  await expect(row.getByRole("button", { name: "Save the status of E2E-SI" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("trial-status-saved")).toHaveText("E2E-SI is now closed. Case pages no longer offer it.");
  await expect(status).toHaveValue("closed");
  await expect(status).toBeFocused();
  await expectAccessible(page);
  await page.goto("/cases");
  await waitForHydration(page);
  await page.getByRole("link", { name: "Hanna Demo-Wolf" }).first().click();
  await waitForHydration(page);
  await expect(page.getByTestId("trial-match")).toHaveCount(2);
  await expect(page.getByTestId("trials")).not.toContainText("E2E-SI");
  expect(errors).toEqual([]);
});

// A register change reaches an open case page live; the plan records the trial discussed and
// offered, and the follow-up whether the patient enrolled or why not.
test("the plan offers a trial and the follow-up records why the patient did not enrol", async ({ page, browser }) => {
  const errors = watchConsole(page);
  await loginAs(page, "oncologist", "/cases");
  await page.getByRole("link", { name: "Hanna Demo-Wolf" }).first().click();
  await waitForHydration(page);
  await expect(page.getByTestId("trial-match").filter({ hasText: "DEMO-PRRT" })).toBeVisible();

  // A coordinator elsewhere adds a trial: the open case page matches it without a reload.
  const otherContext = await browser.newContext();
  const coordinator = await otherContext.newPage();
  await loginAs(coordinator, "coordinator", "/trials");
  const form = await fillTrial(coordinator, "Live register change (synthetic, e2e)", "E2E-LIVE", "2099-500010-10-00",
    "Trial office, ext. 4701");
  await form.getByRole("button", { name: "Add the trial" }).click();
  await expect(coordinator.getByTestId("trial-added")).toContainText("E2E-LIVE is on the register");
  await otherContext.close();
  await expect(page.getByTestId("trial-match").filter({ hasText: "E2E-LIVE" })).toHaveAttribute("data-match", "eligible", { timeout: 15_000 });

  // The plan: DEMO-PRRT discussed and offered, with a note.
  await page.getByRole("button", { name: "Record the board's plan" }).click();
  await page.getByRole("button", { name: /Take the proposal's first option/ }).click();
  await page.getByLabel("Rationale").fill("Board consensus; the PRRT study is offered.");
  // Decided outside a meeting (an earlier flow may have put the case on a future agenda, and a
  // follow-up cannot be dated before its meeting).
  await page.getByLabel("Meeting", { exact: true }).selectOption("");
  const choices = page.getByTestId("plan-trial-choice");
  const prrt = choices.filter({ hasText: "DEMO-PRRT" });
  await expect(prrt).toContainText("Eligible on the recorded facts");
  await prrt.getByRole("checkbox", { name: /Discussed: DEMO-PRRT/ }).check();
  await expect(page.getByLabel("Clinical trials were discussed")).toBeChecked();
  await prrt.getByRole("checkbox", { name: "Offered to the patient" }).check();
  await prrt.getByLabel(/^Note/).fill("Screening visit to be booked by the study nurse.");
  await expectAccessible(page);
  // A trial listed while "discussed" is unticked is refused at that box, and nothing is saved.
  await page.getByLabel("Clinical trials were discussed").uncheck();
  await page.getByRole("button", { name: "Save the plan" }).click();
  await expect(page.locator("#plan-trial-discussed-error")).toContainText("Trials are listed as discussed");
  await expectErrorsMarked(page);
  await expect(page.getByTestId("no-plan")).toBeVisible();
  await page.getByLabel("Clinical trials were discussed").check();
  await page.getByRole("button", { name: "Save the plan" }).click();
  const plan = page.getByTestId("plan");
  await expect(plan.getByTestId("plan-trials")).toHaveText(
    "DEMO-PRRT (2099-500001-11-00) offered: Screening visit to be booked by the study nurse.");

  // Signed, then followed up: the offered trial needs its answer.
  await page.getByLabel("Your password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign the plan" }).click();
  await expect(page.getByTestId("signature")).toBeVisible();
  const today = new Date().toISOString().slice(0, 10);
  await page.getByLabel(/^Carried out/).selectOption("yes");
  await page.getByLabel(/Day carried out/).fill(today);
  const enrolment = page.getByTestId("enrolment");
  await expect(enrolment).toContainText("Trial DEMO-PRRT (2099-500001-11-00), offered by the plan");
  await enrolment.getByLabel(/Did the patient enrol/).selectOption("no");
  await page.getByRole("button", { name: "Check the outcome" }).click();
  await expect(enrolment.locator(".field-error")).toHaveText("DEMO-PRRT: say why the patient did not enrol.");
  await expectErrorsMarked(page);
  await enrolment.getByLabel("If not, why").selectOption({ label: "Patient declined" });
  await enrolment.getByLabel("Note on DEMO-PRRT").fill("Prefers treatment closer to home.");
  await page.getByRole("button", { name: "Check the outcome" }).click();
  await expect(page.getByTestId("outcome-confirm")).toContainText(
    `The plan was carried out on ${today}. DEMO-PRRT: not enrolled (Patient declined).`);
  await expectAccessible(page);
  await page.getByRole("button", { name: "Record the outcome" }).click();
  await expect(plan.getByTestId("enrolments")).toHaveText(
    "DEMO-PRRT: not enrolled: Patient declined (Prefers treatment closer to home.)");
  expect(errors).toEqual([]);
});
