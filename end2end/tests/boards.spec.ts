import { test, expect } from "@playwright/test";
import { expectAccessible, loginAs, waitForHydration, watchConsole } from "./helpers";

// AC-3: a case is read by its board's members (and reviewers); anyone else sees that it exists
// only by its address, and opens it read-only with a reason that reviewers see.
test("a clinician off a case's board breaks the glass with a reason, reads it read-only, and the reviewer sees the access", async ({ page, browser }) => {
  const errors = watchConsole(page);

  // The coordinator is on both demo boards: a board filter and column, and the second board's case.
  const coordinator = await browser.newPage();
  await loginAs(coordinator, "coordinator", "/cases");
  const table = coordinator.getByTestId("case-table");
  await expect(table).toContainText("Ines Demo-Carvalho");
  await expect(table).toContainText("Liver and pancreas board (demo)");
  await coordinator.getByLabel("Board", { exact: true }).selectOption({ label: "NET board (demo)" });
  await expect(table).not.toContainText("Ines Demo-Carvalho");
  await expect(table).toContainText("Lea Demo-Nilsen");
  await coordinator.getByLabel("Board", { exact: true }).selectOption({ label: "All my boards" });
  const href = await coordinator.getByRole("link", { name: "Ines Demo-Carvalho" }).getAttribute("href");
  expect(href).toMatch(/^\/cases\/[0-9a-f-]{36}$/);
  await coordinator.close();

  // The oncologist is on the NET board only: the case is not in their list …
  await loginAs(page, "oncologist", "/cases");
  await expect(page.getByTestId("case-table")).toContainText("Lea Demo-Nilsen");
  await expect(page.getByTestId("case-table")).not.toContainText("Demo-Carvalho");
  await expect(page.getByLabel("Board", { exact: true })).toHaveCount(0);

  // … and its page is closed, naming the board and offering emergency access.
  await page.goto(href!);
  await waitForHydration(page);
  const panel = page.getByTestId("break-glass");
  await expect(panel).toContainText("Liver and pancreas board (demo)");
  await expect(page.getByText("Ines Demo-Carvalho")).toHaveCount(0);
  await expectAccessible(page);
  await page.getByRole("button", { name: "Open with emergency access" }).click();
  await expect(page.locator("#glass-reason-error")).toContainText("at least 10 characters");
  await expect(page.getByLabel("Why do you need this case now?")).toHaveAttribute("aria-invalid", "true");
  await page.getByLabel("Why do you need this case now?").fill("On call: patient admitted with hypoglycaemia overnight");
  await page.getByRole("button", { name: "Open with emergency access" }).click();

  const banner = page.getByTestId("break-glass-banner");
  await expect(banner).toContainText("Emergency access");
  await expect(banner).toContainText("not change it");
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Ines Demo-Carvalho");
  await expect(page.getByTestId("case-board")).toHaveText("Liver and pancreas board (demo)");
  await expect(page.getByRole("button", { name: "Edit case" })).toHaveCount(0);
  await expectAccessible(page);
  expect(errors).toEqual([]);

  // The reviewer sees who opened it, why, and that it was read.
  const reviewerContext = await browser.newContext();
  const reviewer = await reviewerContext.newPage();
  await loginAs(reviewer, "reviewer", "/review");
  const glass = reviewer.getByTestId("glass-table");
  await expect(glass).toContainText("Dr Olivia Brandt");
  await expect(glass).toContainText("hypoglycaemia overnight");
  await expect(glass).toContainText("Liver and pancreas board (demo)");
  await expectAccessible(reviewer);
  await reviewerContext.close();
});

test("an administrator creates a board, meets a field error, adds and removes a member", async ({ page }) => {
  const errors = watchConsole(page);
  await loginAs(page, "admin", "/admin/boards");
  await expect(page.locator('[data-board="NET board (demo)"]')).toContainText("Dr Olivia Brandt");
  await expectAccessible(page);

  await page.getByRole("button", { name: "Create board" }).click();
  await expect(page.locator("#nb-name-error")).toContainText("Name the board");
  const name = `Endocrine board e2e ${Date.now()}`;
  await page.getByLabel("Name", { exact: true }).last().fill(name);
  await page.getByRole("button", { name: "Create board" }).click();
  await expect(page.getByRole("status")).toContainText(`Created ${name}`);

  const panel = page.locator(`[data-board="${name}"]`);
  await expect(panel).toContainText("No members yet.");

  // A rename the server refuses is said under the field, in that board's panel only.
  await panel.getByText("Rename or describe").click();
  const rename = panel.getByLabel("Name", { exact: true });
  await rename.fill("NET board (demo)");
  await panel.getByRole("button", { name: "Save", exact: true }).click();
  await expect(rename).toHaveAttribute("aria-invalid", "true");
  await expect(rename).toHaveAccessibleDescription("A board with this name exists already.");
  await expect(panel.getByRole("button", { name: "Save", exact: true })).toBeFocused();
  await rename.fill(" ");
  await panel.getByRole("button", { name: "Save", exact: true }).click();
  await expect(rename).toHaveAccessibleDescription(/^Name the board/);
  await expect(page.locator('[data-board="NET board (demo)"]').locator(".field-error:not(:empty)")).toHaveCount(0);
  await expect(panel.getByRole("heading", { level: 2 })).toHaveText(name);
  // "Add" with no one chosen is stopped by the browser, which says what is missing.
  await panel.getByRole("button", { name: "Add", exact: true }).click();
  expect(await panel.getByLabel("Add a member").evaluate((e: HTMLSelectElement) => e.validationMessage)).toMatch(/select/i);
  await expect(panel).toContainText("No members yet.");
  await panel.getByLabel("Add a member").selectOption({ label: "Dr Nadia Okafor (nuclear)" });
  await panel.getByRole("button", { name: "Add", exact: true }).click();
  await expect(panel.locator(".members")).toContainText("Dr Nadia Okafor");
  // The panel is drawn anew: the focus goes to its "Add a member", not to the page.
  await expect(panel.getByLabel("Add a member")).toBeFocused();
  await expectAccessible(page);
  // Remove pressed twice sends one request (the second, for someone already removed, was
  // refused with "Not found.").
  let removals = 0;
  page.on("request", (r) => { if (r.url().includes("/sfn/boards/member")) removals += 1; });
  await panel.getByRole("button", { name: `Remove Dr Nadia Okafor from ${name}` }).focus();
  await page.keyboard.press("Enter");
  await page.keyboard.press("Enter");
  await expect(panel).toContainText("No members yet.");
  await expect(panel.getByLabel("Add a member")).toBeFocused();
  expect(removals).toBe(1);
  await expect(page.getByRole("alert")).toHaveCount(0);

  // A rename sends the form's fields only: the expected specialties, changed elsewhere since
  // the page was drawn (here through the API), are kept (the page sent back the ones it showed).
  await expect(panel).toContainText("Expected voices: Surgery, Medical oncology, Radiology, Pathology");
  const boards = (await (await page.request.get("/api/v1/boards")).json()) as { id: string; name: string }[];
  const id = boards.find((b) => b.name === name)!.id;
  const changed = await page.request.patch(`/api/v1/boards/${id}`, { data: { expected_specialties: ["surgery", "radiology"] } });
  expect(changed.status()).toBe(200);
  await rename.fill(`${name} renamed`);
  await panel.getByRole("button", { name: "Save", exact: true }).click();
  const renamed = page.locator(`[data-board="${name} renamed"]`);
  await expect(renamed).toContainText("Expected voices: Surgery, Radiology");

  // The voices the board's cases wait for, chosen on the page. Nothing left ticked is refused
  // (an empty list would mean the core four), under the choices.
  await renamed.getByText("Expected voices: Surgery, Radiology").click();
  const voices = renamed.getByRole("group", { name: "Expected voices" });
  await expect(voices.getByLabel("Surgery")).toBeChecked();
  await expect(voices.getByLabel("Nuclear medicine")).not.toBeChecked();
  await voices.getByLabel("Surgery").uncheck();
  await voices.getByLabel("Radiology").uncheck();
  await renamed.getByRole("button", { name: "Save expected voices" }).click();
  await expect(voices).toHaveAttribute("aria-invalid", "true");
  await expect(voices).toHaveAccessibleDescription(/at least one voice/);
  await expect(renamed.getByRole("button", { name: "Save expected voices" })).toBeFocused();
  await expect(renamed).toContainText("Expected voices: Surgery, Radiology");
  await expectAccessible(page);
  // Only what was ticked and unticked changes: endocrinology, added through the API since the
  // page was drawn, is kept.
  const api = await page.request.patch(`/api/v1/boards/${id}`, { data: { expected_specialties: ["surgery", "radiology", "endocrinology"] } });
  expect(api.status()).toBe(200);
  await voices.getByLabel("Surgery").check();
  await voices.getByLabel("Nuclear medicine").check();
  await renamed.getByRole("button", { name: "Save expected voices" }).click();
  // Drawn anew with the form closed: the focus is on its summary, which names them.
  const summary = renamed.locator("summary", { hasText: "Expected voices:" });
  await expect(summary).toHaveText("Expected voices: Surgery, Endocrinology, Nuclear medicine");
  await expect(summary).toBeFocused();
  await expect(page.getByRole("alert")).toHaveCount(0);

  // An administrator manages boards but reads no case.
  await page.goto("/cases");
  await waitForHydration(page);
  await expect(page.getByRole("heading", { name: "Not available for your role" })).toBeVisible();
  await expect(page.getByTestId("case-table")).toHaveCount(0);
  expect(errors).toEqual([]);
});
