import { test, expect } from "@playwright/test";
import { DEMO_PASSWORD, expectAccessible, expectErrorsMarked, loginAs, waitForHydration, watchConsole } from "./helpers";

test("from proposal to signed plan to addendum, and the decision report", async ({ page }) => {
  const errors = watchConsole(page);
  await loginAs(page, "surgeon", "/cases");
  await page.getByRole("link", { name: "Viktor Demo-Kron" }).click();
  await waitForHydration(page);
  await expect(page.getByTestId("no-plan")).toBeVisible();
  // Issue 16, item 5: the plan comes before the details and the (folded) history, and the
  // section menu stays in view.
  const y = async (sel: string) => (await page.locator(sel).boundingBox())!.y;
  expect(await y("#plan-heading")).toBeLessThan(await y("#details-heading"));
  expect(await y("#details-heading")).toBeLessThan(await y("#history-heading"));
  const sections = page.getByRole("navigation", { name: "Sections of this case" });
  await sections.getByRole("link", { name: "History" }).click();
  await expect(page.locator("#history-heading")).toBeInViewport();
  await expect(sections).toBeInViewport();
  await sections.getByRole("link", { name: "Plan" }).click();
  await expect(page.locator("#plan-heading")).toBeInViewport();
  // From the keyboard: the button hides as the form opens, and the focus goes into the form
  // (not to the page); Cancel gives it back to the button.
  const record = page.getByRole("button", { name: "Record the board's plan" });
  const takeFirst = page.getByRole("button", { name: /Take the proposal's first option/ });
  await record.focus();
  await page.keyboard.press("Enter");
  await expect(takeFirst).toBeFocused();
  await page.locator(".plan-form").getByRole("button", { name: "Cancel" }).focus();
  await page.keyboard.press("Enter");
  await expect(page.locator(".plan-form")).toHaveCount(0);
  await expect(record).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(takeFirst).toBeFocused();

  // Choosing something else than the first proposed option asks why.
  await page.getByLabel("Add an option not proposed").selectOption("surveillance");
  await page.getByLabel("Rationale").fill("Board consensus after discussion.");
  await expect(page.getByLabel(/departs from the proposer's first option/)).toBeVisible();
  await page.getByRole("button", { name: "Save the plan" }).click();
  await expect(page.locator("#plan-deviation-error")).toContainText("say why");
  await expectErrorsMarked(page);

  // An option added by mistake comes out on its own (item 8).
  await page.getByLabel("Add an option not proposed").selectOption("endoscopic_resection");
  await expect(page.getByTestId("plan-chosen")).toContainText("Endoscopic resection");
  await page.getByRole("button", { name: /^Remove Endoscopic resection from the plan/ }).click();
  await expect(page.getByTestId("plan-chosen")).not.toContainText("Endoscopic resection");
  await expect(page.getByTestId("plan-chosen")).toContainText("Surveillance");
  // One click takes the proposal's first option; the deviation question goes away.
  await page.getByRole("button", { name: /Take the proposal's first option/ }).click();
  await expect(page.getByLabel(/departs from the proposer's first option/)).toHaveCount(0);
  await page.getByLabel("Clinical trials were discussed").check();
  await page.getByRole("button", { name: "Save the plan" }).click();
  const plan = page.getByTestId("plan");
  await expect(plan).toContainText("Board consensus after discussion.");
  // The form (and its Save button) are gone: the focus is on the saved plan's Edit button.
  await expect(page.getByRole("button", { name: "Edit the plan" })).toBeFocused();
  await expect(plan).toContainText("Not signed yet");
  await expect(page.locator(".case-meta .badge")).toHaveText("Discussed");
  await expectAccessible(page);

  // Signing needs the password again.
  await page.getByLabel("Your password").fill("this is not the password");
  await page.getByRole("button", { name: "Sign the plan" }).click();
  await expect(page.locator("#sign-error")).toContainText("not correct");
  await page.getByLabel("Your password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign the plan" }).click();
  await expect(page.getByTestId("signature")).toContainText("Signed by Dr Samir Haddad");
  await expect(page.getByTestId("signature").locator("code")).toHaveText(/^[0-9a-f]{64}$/);
  await expect(page.locator(".case-meta .badge")).toHaveText("Plan signed");
  await expect(page.getByRole("button", { name: "Edit the plan" })).toHaveCount(0);
  // The signing form is gone: with no Edit button left, the focus is on the plan's heading.
  await expect(page.locator("#plan-heading")).toBeFocused();

  // Corrections are addenda.
  await page.getByLabel("Addendum (corrections or new information)").fill("Chromogranin A result added: 3x ULN.");
  // Pressed twice in a row: it is added once (an addendum is never removed), the button
  // waiting while the first request runs.
  await page.getByRole("button", { name: "Add addendum" }).focus();
  await page.keyboard.press("Enter");
  await page.keyboard.press("Enter");
  await expect(plan).toContainText("Chromogranin A result added");
  await expect(plan.getByText("Chromogranin A result added: 3x ULN.")).toHaveCount(1);
  await expect(page.locator("#plan-heading")).toBeFocused();
  await expect(page.getByTestId("plan-meeting")).toContainText("not decided at a board meeting");
  await expectAccessible(page);

  // Issue 16, item 7: "carried out" needs its day, and is confirmed before it is recorded.
  await page.getByLabel(/^Carried out/).selectOption("yes");
  await page.getByRole("button", { name: "Check the outcome" }).click();
  await expect(page.locator("#outcome-date-error")).toContainText("Give the day the plan was carried out.");
  await expectErrorsMarked(page);
  await expect(page.getByTestId("outcome")).toHaveCount(0);
  const today = new Date().toISOString().slice(0, 10);
  await page.getByLabel(/Day carried out/).fill(today);
  await page.getByRole("button", { name: "Check the outcome" }).click();
  await expect(page.getByTestId("outcome-confirm")).toContainText(`The plan was carried out on ${today}.`);
  await page.getByRole("button", { name: "Record the outcome" }).click();
  await expect(page.getByTestId("outcome")).toContainText(`Carried out (${today})`);
  await expect(page.getByRole("button", { name: "Check the outcome" })).toHaveCount(0);

  // After the meeting, a revised Ki-67 is recorded on the case.
  const decidedOn = await page.getByTestId("decided-on").textContent();
  await page.getByRole("button", { name: "Edit case" }).click();
  const ki67 = page.getByLabel("Ki-67 (%)");
  const before = await ki67.inputValue();
  await ki67.fill(String(Number(before) + 1));
  await page.getByLabel("Reason for the change (optional)").fill("Pathology review");
  await page.getByRole("button", { name: /Save as version/ }).click();
  await expect(page.getByTestId("changed-since-decision")).toContainText("Ki-67 %");

  // The decision report shows the case as the board decided on it, and marks the change.
  await page.getByRole("link", { name: "Decision report" }).click();
  await waitForHydration(page);
  const report = page.getByTestId("report");
  await expect(report.getByTestId("report-as-of")).toContainText(`decided on it: version ${decidedOn}`);
  await expect(report.getByTestId("report-summary")).toContainText(`Ki-67 ${before} %`);
  await expect(report.getByTestId("changed-since-decision")).toContainText(String(Number(before) + 1));
  await expect(report).toContainText("Viktor Demo-Kron");
  await expect(report).toContainText("Board consensus after discussion.");
  await expect(report).toContainText("Signed by Dr Samir Haddad");
  await expect(report).toContainText("Chromogranin A result added");
  await expect(report.getByTestId("proposal")).toBeVisible();
  await expectAccessible(page);
  expect(errors).toEqual([]);
});
