import { test, expect } from "@playwright/test";
import { DEMO_PASSWORD, expectAccessible, loginAs, openHistory, waitForHydration, watchConsole } from "./helpers";

test("a login whose next= points at another site ends on this one (IN-4)", async ({ page }) => {
  const base = new URL(process.env.TB_BASE_URL ?? "http://127.0.0.1:3900");
  // The no-JavaScript form post and the hydrated page both refuse it.
  await page.goto("/login?next=/%09/evil.example");
  await waitForHydration(page);
  await page.getByLabel("Username").fill("reviewer");
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await page.waitForURL((url) => url.pathname === "/");
  const landed = new URL(page.url());
  expect(landed.host).toBe(base.host);
  expect(landed.pathname).toBe("/");
});

test("a coordinator corrects a patient's name on the patient's record, with a reason (ID-1)", async ({ page }) => {
  const errors = watchConsole(page);
  await loginAs(page, "coordinator", "/cases");
  await page.getByRole("link", { name: "Greta Demo-Alm" }).click();
  await waitForHydration(page);
  const record = page.getByTestId("patient-record");
  await expect(record).toContainText("patient record version 1");
  await record.getByRole("button", { name: "Correct patient details" }).click();
  await record.getByLabel("Name").fill("Greta Demo-Almgren");
  await record.getByRole("button", { name: "Save the correction" }).click();
  // A correction needs a reason; the message sits next to its field.
  await expect(record.locator("#patient-reason-error")).toContainText("Say why");
  await expectAccessible(page);
  await record.getByLabel("Why the correction (required)").fill("Surname misspelt at referral");
  await record.getByRole("button", { name: "Save the correction" }).click();
  await expect(page.getByTestId("case-title")).toContainText("Greta Demo-Almgren");
  await expect(record).toContainText("patient record version 2");
  // The form is gone: the focus is back on the button that opened it.
  await expect(record.getByRole("button", { name: "Correct patient details" })).toBeFocused();
  await expect(await openHistory(page)).toContainText("patient details corrected: Surname misspelt at referral");
  // The list shows the corrected name too.
  await page.goto("/cases");
  await expect(page.getByTestId("case-table")).toContainText("Greta Demo-Almgren");
  expect(errors).toEqual([]);
});
