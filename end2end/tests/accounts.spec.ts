import { test, expect } from "@playwright/test";
import { DEMO_PASSWORD, expectAccessible, loginAs, waitForHydration, watchConsole } from "./helpers";

test("a clinician logs in, sees name and role, logs out and is refused a page", async ({ page }) => {
  const errors = watchConsole(page);
  // A page with patient data sends an anonymous visitor to the login page…
  await page.goto("/cases");
  await expect(page).toHaveURL(/\/login\?next=\/cases$/);
  await expect(page.getByTestId("login-message")).toContainText("Log in to see this page");
  await waitForHydration(page);
  await expectAccessible(page);
  // …and back to it after logging in.
  await page.getByLabel("Username").fill("surgeon");
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/cases$/);
  await expect(page.getByTestId("user-name")).toHaveText("Dr Samir Haddad");
  await expect(page.getByTestId("user-role")).toHaveText("Clinician · Surgery");
  await expect(page.getByRole("heading", { level: 1, name: "Cases" })).toBeVisible();
  await waitForHydration(page);
  await expectAccessible(page);

  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login\?logged_out=1$/);
  await expect(page.getByTestId("login-message")).toHaveText("You are logged out.");
  await page.goto("/cases");
  await expect(page).toHaveURL(/\/login\?next=\/cases$/);
  expect(errors).toEqual([]);
});

test("a wrong password gets one message, the same as an unknown user", async ({ page }) => {
  await page.goto("/login");
  await waitForHydration(page);
  await page.getByLabel("Username").fill("surgeon");
  await page.getByLabel("Password").fill("not the password at all");
  await page.getByRole("button", { name: "Log in" }).click();
  const msg = page.getByTestId("login-message");
  await expect(msg).toHaveText("The username or password is not correct.");
  await page.getByLabel("Username").fill("nobody-here");
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(msg).toHaveText("The username or password is not correct.");
  await expect(page).toHaveURL(/\/login/);
});

test("the login form works without JavaScript", async ({ browser }) => {
  const context = await browser.newContext({ javaScriptEnabled: false });
  const page = await context.newPage();
  await page.goto("/login?next=/meetings");
  await page.getByLabel("Username").fill("coordinator");
  await page.getByLabel("Password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Log in" }).click();
  await expect(page).toHaveURL(/\/meetings$/);
  await expect(page.getByRole("heading", { level: 1, name: "Meetings" })).toBeVisible();
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/\/login\?logged_out=1$/);
  await context.close();
});

test("an admin creates a user, meets a field error, fixes it, and the user can log in", async ({ page, browser }) => {
  const errors = watchConsole(page);
  await loginAs(page, "admin", "/admin/users");
  await expect(page.getByRole("heading", { level: 1, name: "Users" })).toBeVisible();
  await expectAccessible(page);
  const form = page.locator("form", { has: page.getByRole("button", { name: "Create user" }) });
  await form.getByLabel("Username").fill("gastro");
  await form.getByLabel("Display name").fill("Dr Greta Sol");
  await form.getByLabel("Role").selectOption("clinician");
  await form.getByLabel("Initial password").fill("short");
  await form.getByRole("button", { name: "Create user" }).click();
  await expect(page.locator("#nu-password-error")).toContainText("at least 12 characters");
  await expect(page.locator("#nu-specialty-error")).toContainText("needs a specialty");
  await expect(form.getByLabel("Initial password")).toHaveAttribute("aria-invalid", "true");
  await form.getByLabel("Specialty (clinicians)").selectOption("gastroenterology");
  await form.getByLabel("Initial password").fill("endoscopy at dawn daily");
  await form.getByRole("button", { name: "Create user" }).click();
  await expect(page.getByRole("status")).toContainText("Created gastro");
  await expect(page.getByTestId("users-table")).toContainText("Dr Greta Sol");

  // A change the server refuses is said in that user's row, under the field, and changes
  // nothing (she still logs in as a gastroenterologist below).
  const row = page.locator('tr[data-username="gastro"]');
  const role = row.getByLabel("Role of gastro");
  await role.selectOption("coordinator");
  await row.getByRole("button", { name: "Save" }).click();
  await expect(row.getByLabel("Specialty of gastro")).toHaveAttribute("aria-invalid", "true");
  await expect(row.getByLabel("Specialty of gastro")).toHaveAccessibleDescription("Only clinicians have a specialty.");
  await expect(row.getByRole("button", { name: "Save" })).toBeFocused();
  await expect(page.locator('tr[data-username="admin"]')).not.toContainText("Only clinicians");
  // Saved changes draw the table anew; the focus stays on the button that was pressed.
  await role.selectOption("clinician");
  await row.getByRole("button", { name: "Save" }).click();
  await expect(row.getByLabel("Specialty of gastro")).toHaveAttribute("aria-invalid", "false");
  await expect(row.getByRole("button", { name: "Save" })).toBeFocused();
  await row.getByRole("button", { name: "Disable" }).click();
  await expect(row).toContainText("Disabled");
  await expect(row.getByRole("button", { name: "Enable" })).toBeFocused();
  await row.getByRole("button", { name: "Enable" }).click();
  await expect(row).toContainText("Active");
  await expect(row.getByRole("button", { name: "Disable" })).toBeFocused();
  await expectAccessible(page);
  expect(errors).toEqual([]);

  const other = await browser.newPage();
  await other.goto("/login");
  await waitForHydration(other);
  await other.getByLabel("Username").fill("gastro");
  await other.getByLabel("Password").fill("endoscopy at dawn daily");
  await other.getByRole("button", { name: "Log in" }).click();
  await expect(other.getByTestId("user-role")).toHaveText("Clinician · Gastroenterology");
  await other.close();
});

test("a reviewer reads the audit trail; a clinician may not", async ({ page }) => {
  await loginAs(page, "reviewer", "/audit");
  await expect(page.getByTestId("audit-table")).toContainText("auth.login");
  await expectAccessible(page);
  await page.getByRole("button", { name: "Log out" }).click();
  await expect(page).toHaveURL(/logged_out/);
  await loginAs(page, "oncologist", "/audit");
  await expect(page.getByRole("heading", { name: "Not available for your role" })).toBeVisible();
});

test("a user changes their own password with the current one", async ({ page }) => {
  // The nuclear medicine physician: no later flow logs in as them (the pathologist attaches a
  // report in attachments.spec.ts).
  await loginAs(page, "nuclear", "/account");
  await expectAccessible(page);
  await page.getByLabel("Current password").fill("definitely wrong password");
  await page.getByLabel("New password").fill("slides and stains forever");
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.locator("#current_password-error")).toContainText("not correct");
  await page.getByLabel("Current password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Change password" }).click();
  await expect(page.getByRole("status")).toContainText("Your password was changed");
});

test("the idle warning appears before the timeout, 'Stay logged in' keeps the session, and time-out leads to login", async ({ page }) => {
  await page.clock.install();
  await loginAs(page, "radiologist", "/cases");
  await expect(page.getByRole("alertdialog")).toHaveCount(0);
  // 14 minutes without activity: the 15-minute idle timeout is 1 minute away.
  await page.clock.fastForward("14:00");
  const warning = page.getByRole("alertdialog");
  await expect(warning).toContainText("you will be logged out in");
  await expectAccessible(page);
  await warning.getByRole("button", { name: "Stay logged in" }).click();
  await expect(page.getByRole("alertdialog")).toHaveCount(0);
  // Idle again past the timeout: the page goes to the login page, which brings the user back.
  await page.clock.fastForward("16:00");
  await expect(page).toHaveURL(/\/login\?expired=1&next=\/cases$/);
  await expect(page.getByTestId("login-message")).toContainText("logged out after a period of inactivity");
});
