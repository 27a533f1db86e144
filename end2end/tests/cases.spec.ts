import { test, expect, Page } from "@playwright/test";
import { expectAccessible, expectErrorsMarked, loginAs, openHistory, waitForHydration, watchConsole } from "./helpers";

async function fillNewCase(page: Page, mrn: string) {
  // The coordinator is on both demo boards, so chooses one; nothing is preselected.
  await page.getByLabel("Board", { exact: true }).selectOption({ label: "NET board (demo)" });
  await page.locator("#f-patient-mrn").fill(mrn);
  await page.locator("#f-patient-name").fill("Testa Browserova");
  await page.getByLabel("Birth date").fill("1970-02-03");
  await page.getByLabel("Sex").selectOption("female");
  await page.getByLabel("Question to the board").fill("Resection or surveillance?");
  await page.getByLabel("Primary site").selectOption("pancreas");
  await page.getByLabel("Differentiation").selectOption("well");
  await page.getByLabel("Ki-67 (%)").fill("6");
  await page.getByLabel("Largest diameter (mm)").fill("35");
  await page.getByLabel("T", { exact: true }).selectOption("T2");
  await page.getByLabel("N", { exact: true }).selectOption("N0");
  await page.getByLabel("M", { exact: true }).selectOption("M0");
  await page.getByLabel("Functional status").selectOption("none");
  await page.getByLabel("SSTR imaging (PET or scintigraphy)").selectOption("positive");
  await page.getByLabel("ECOG performance status").selectOption("0");
}

test("a coordinator creates a case, meets a field error, fixes it, saves, edits and reads the history", async ({ page }) => {
  const errors = watchConsole(page);
  await loginAs(page, "coordinator", "/cases");
  await expect(page.getByTestId("case-table")).toContainText("Demo-Holm");
  await expectAccessible(page);
  await page.getByRole("link", { name: "New case" }).click();
  await expect(page.getByRole("heading", { level: 1, name: "New case" })).toBeVisible();
  await waitForHydration(page);
  await expectAccessible(page);
  // Issue 16, item 8: an empty form never reads as complete; required fields are marked.
  await expect(page.getByTestId("form-unchecked")).toBeVisible();
  await expect(page.getByTestId("form-complete")).toHaveCount(0);
  await expect(page.locator("label[for=f-patient-mrn] abbr[title=required]")).toHaveText("*");

  const started = Date.now();
  await fillNewCase(page, "E2E-1001");
  // A contradiction: grade G1 with Ki-67 6 % (WHO 2019) shows next to the field while typing.
  await page.getByLabel("Grade (WHO 2019)").selectOption("G1");
  const gradeError = page.locator("#f-tumor-grade-error");
  await expect(gradeError).toContainText("below 3 %");
  await expect(page.getByLabel("Grade (WHO 2019)")).toHaveAttribute("aria-invalid", "true");
  await page.getByRole("button", { name: "Create case (draft)" }).click();
  await expect(page.getByTestId("form-invalid")).toBeVisible();
  await expect(page).toHaveURL(/\/cases\/new$/);
  // The summary at the top takes the focus and links to the field.
  const summary = page.getByTestId("error-summary");
  await expect(summary).toBeFocused();
  await expect(summary).toContainText("1 field needs attention");
  await expect(summary.getByRole("link", { name: /^Grade: .*below 3 %/ })).toHaveAttribute("href", "#f-tumor-grade");
  // Fix it.
  await page.getByLabel("Grade (WHO 2019)").selectOption("G2");
  await expect(gradeError).toBeEmpty();
  await expect(page.getByTestId("form-complete")).toBeVisible();
  await page.getByRole("button", { name: "Create case (draft)" }).click();
  await expect(page).toHaveURL(/\/cases\/[0-9a-f-]{36}$/);
  console.log(`new case filled and saved in ${((Date.now() - started) / 1000).toFixed(1)} s of scripted typing`);
  await expect(page.getByTestId("case-summary")).toHaveText("pNET G2 (Ki-67 6 %), T2 N0 M0, non-functioning, SSTR+, ECOG 0");
  await expect(page.getByTestId("case-complete")).toBeVisible();
  await waitForHydration(page);
  await expectAccessible(page);
  expect(page.url()).not.toContain("E2E-1001");

  // Edit: change Ki-67 and the ECOG, with a reason.
  await page.getByRole("button", { name: "Edit case" }).click();
  // A refused save says so at the top of the editor, with a link to the field, and beside its
  // button (the field may be a screen away from both); nothing is sent.
  await page.getByLabel("Ki-67 (%)").fill("250");
  await page.getByRole("button", { name: /Save as version/ }).click();
  const editSummary = page.getByTestId("error-summary");
  await expect(editSummary).toBeFocused();
  await expect(editSummary).toContainText("1 field needs attention");
  await expect(editSummary.getByRole("link", { name: /^Ki-67 %: / })).toHaveAttribute("href", "#f-tumor-ki67_percent");
  await expect(page.getByTestId("form-invalid")).toBeVisible();
  await expectErrorsMarked(page);
  await page.getByLabel("Ki-67 (%)").fill("12");
  await expect(editSummary).toBeHidden();
  await page.getByLabel("ECOG performance status").selectOption("1");
  await page.getByLabel("Reason for the change (optional)").fill("Revised pathology");
  await page.getByRole("button", { name: "Save as version 2" }).click();
  await expect(page.getByTestId("case-summary")).toHaveText("pNET G2 (Ki-67 12 %), T2 N0 M0, non-functioning, SSTR+, ECOG 1");
  await expect(page.getByTestId("case-version")).toHaveText("2");
  // The editor and its Save button are gone: the focus is back on "Edit case", not on the page.
  await expect(page.getByRole("button", { name: "Edit case" })).toBeFocused();
  // The history is folded and read when opened.
  await expect(page.getByTestId("versions")).toHaveCount(0);
  const history = await openHistory(page);
  await expect(history).toBeVisible();
  await expect(history).toContainText("Version 2");
  await expect(history).toContainText("Revised pathology");
  await expect(history.locator("table.changes").first()).toContainText("Ki-67 %");
  await expect(history).toContainText("Case created.");
  await expectAccessible(page);

  // Ready for the board, pressed twice in a row: one request (a second would carry the version
  // the first changed and be refused as "changed by someone else").
  let statusRequests = 0;
  page.on("request", (r) => { if (r.url().includes("/sfn/cases/status")) statusRequests += 1; });
  await page.getByRole("button", { name: "Mark ready for the board" }).focus();
  await page.keyboard.press("Enter");
  await page.keyboard.press("Enter");
  await expect(page.locator(".case-meta .badge")).toHaveText("Ready for the board");
  // The button pressed is replaced by "Back to draft", which has the focus.
  await expect(page.getByRole("button", { name: "Back to draft" })).toBeFocused();
  expect(statusRequests).toBe(1);
  await expect(page.locator(".readiness [role=alert]")).toHaveCount(0);
  expect(errors).toEqual([]);
});

test("an incomplete case cannot be marked ready and says what is missing", async ({ page }) => {
  await loginAs(page, "coordinator", "/cases/new");
  await page.locator("#f-patient-mrn").fill("E2E-2002");
  await page.locator("#f-patient-name").fill("Draft Person");
  await page.getByLabel("Birth date").fill("1960-01-01");
  await page.getByLabel("Sex").selectOption("male");
  // Without a board chosen the server names the field, and nothing is created.
  await page.getByRole("button", { name: "Create case (draft)" }).click();
  await expect(page.locator("#case-board-error")).toContainText("Choose the board");
  await expectErrorsMarked(page);
  // The summary names it as the form does and links to it (it said "board_id", linking nowhere).
  const summary = page.getByTestId("error-summary");
  await expect(summary.getByRole("link", { name: /^Board: Choose the board/ })).toHaveAttribute("href", "#case-board");
  await expect(page).toHaveURL(/\/cases\/new$/);
  await page.getByLabel("Board", { exact: true }).selectOption({ label: "NET board (demo)" });
  await expect(summary).toBeHidden();
  await expect(page.getByTestId("form-missing")).toContainText("the primary site");
  await page.getByRole("button", { name: "Create case (draft)" }).click();
  await expect(page).toHaveURL(/\/cases\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId("case-missing")).toContainText("the ECOG performance status");
  await waitForHydration(page);
  await page.getByRole("button", { name: "Mark ready for the board" }).click();
  await expect(page.getByRole("alert")).toContainText("record the question to the board");
});

test("a stale save shows what changed meanwhile instead of overwriting it", async ({ page, browser }) => {
  await loginAs(page, "coordinator", "/cases");
  await page.getByRole("link", { name: "Ruth Demo-Meyer" }).click();
  await waitForHydration(page);
  const url = page.url();
  await page.getByRole("button", { name: "Edit case" }).click();
  await page.getByLabel("Largest diameter (mm)").fill("8");

  // Meanwhile a surgeon saves another change.
  const other = await browser.newPage();
  await loginAs(other, "surgeon", new URL(url).pathname);
  await other.getByRole("button", { name: "Edit case" }).click();
  await other.getByLabel("Question to the board").fill("Endoscopic resection: EMR or ESD?");
  await other.getByRole("button", { name: /Save as version/ }).click();
  await expect(await openHistory(other)).toContainText("Dr Samir Haddad");
  await other.close();

  await page.getByRole("button", { name: /Save as version/ }).click();
  const conflict = page.getByTestId("conflict");
  await expect(conflict).toContainText("Someone saved this case while you were editing");
  await expect(conflict).toContainText("Endoscopic resection: EMR or ESD?");
  await expectAccessible(page);
  await page.getByRole("button", { name: /Keep my edits on top of version/ }).click();
  // The other change must be kept too: bring it into the form before saving again.
  await page.getByLabel("Question to the board").fill("Endoscopic resection: EMR or ESD?");
  await page.getByRole("button", { name: /Save as version/ }).click();
  await expect(page.getByTestId("case-summary")).toContainText("rectal NET G1 (Ki-67 1 %)");
  await expect(await openHistory(page)).toContainText("Size (mm)");
});

test("search by name travels in the body, and filters narrow the list", async ({ page }) => {
  const requests: string[] = [];
  page.on("request", (r) => requests.push(r.url()));
  await loginAs(page, "oncologist", "/cases");
  await page.getByLabel("Name or MRN", { exact: true }).fill("Demo-Wolf");
  await page.getByRole("button", { name: "Search" }).click();
  const table = page.getByTestId("case-table");
  await expect(table.locator("tbody tr")).toHaveCount(1);
  await expect(table).toContainText("Hanna Demo-Wolf");
  // Item 12: a patient's name stays on one line in the table on a laptop screen.
  await page.setViewportSize({ width: 1280, height: 800 });
  const nameBox = (await table.getByRole("link", { name: "Hanna Demo-Wolf" }).boundingBox())!;
  expect(nameBox.height).toBeLessThan(30);
  expect(requests.filter((u) => u.includes("Demo-Wolf"))).toEqual([]);
  // Issue 16, item 10: part of an MRN, in any case, finds the patient.
  await page.getByLabel("Name or MRN", { exact: true }).fill("demo-0009");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(table.locator("tbody tr")).toHaveCount(1);
  await expect(table).toContainText("Hanna Demo-Wolf");
  await page.getByLabel("Name or MRN", { exact: true }).fill("0010");
  await page.getByRole("button", { name: "Search" }).click();
  await expect(table.locator("tbody tr")).toHaveCount(1);
  await expect(table).toContainText("Viktor Demo-Kron");
  // The header's search box finds a patient from any page, and the text stays out of URLs.
  await page.goto("/meetings");
  await waitForHydration(page);
  await page.getByLabel("Find a patient by name or MRN").fill("demo-holm");
  await page.getByRole("button", { name: "Find" }).click();
  await expect(page).toHaveURL(/\/cases$/);
  await expect(table.locator("tbody tr")).toHaveCount(1);
  await expect(table).toContainText("Ingrid Demo-Holm");
  // The list names the meeting the case is on.
  await expect(table.getByRole("link", { name: "NET board (demo)" })).toBeVisible();
  expect(requests.filter((u) => u.toLowerCase().includes("demo-holm"))).toEqual([]);
  await page.getByLabel("Name or MRN", { exact: true }).fill("");
  await page.getByRole("button", { name: "Search" }).click();
  await page.getByLabel("Stage").selectOption("metastatic");
  await expect(table).toContainText("Demo-Kron");
  await expect(table).not.toContainText("Demo-Holm");
  // A clinician may not create cases? They may: the button is there.
  await expect(page.getByRole("link", { name: "New case" })).toBeVisible();
});

test("the case page shows the proposed options as options, and the editor previews them live", async ({ page }) => {
  const errors = watchConsole(page);
  await loginAs(page, "oncologist", "/cases");
  await page.getByRole("link", { name: "Ingrid Demo-Holm" }).click();
  // Issue 16, item 11: the details read as words in clinical order, never codes.
  const details = page.locator("section[aria-labelledby=details-heading] dl");
  await expect(details).toContainText("Pancreas");
  await expect(details).toContainText("No liver metastases");
  const terms = await details.locator("dt").allTextContents();
  expect(terms.indexOf("T")).toBeLessThan(terms.indexOf("N"));
  expect(terms.indexOf("N")).toBeLessThan(terms.indexOf("M"));
  expect(terms.indexOf("Primary site")).toBeLessThan(terms.indexOf("T"));
  const values = await details.locator("dd").allTextContents();
  for (const code of ["pancreas", "none", "true", "false", "well"]) expect(values).not.toContain(code);
  const panel = page.getByTestId("proposal");
  await expect(panel.getByRole("heading", { name: "Options for the board to consider" })).toBeVisible();
  await expect(panel).toContainText("These are options, not a decision: the board decides.");
  await expect(panel.locator("li.option").first()).toHaveAttribute("data-code", "surgery_curative");
  await expect(panel.locator("li.option").first()).toContainText("ENETS-NF-pNET-23");
  await waitForHydration(page);
  await expectAccessible(page);

  // While editing, the options follow the fields: metastatic disease with Ki-67 15 % in the
  // pancreas puts chemotherapy first (C7), before anything is saved.
  const version = Number(await page.getByTestId("case-version").textContent());
  await page.getByRole("button", { name: "Edit case" }).click();
  const preview = page.getByTestId("proposal");
  await expect(preview).toContainText("Live preview");
  await page.getByLabel("M", { exact: true }).selectOption("M1");
  await page.getByLabel("Liver", { exact: true }).check();
  await page.getByLabel("Liver burden").selectOption("unresectable");
  await page.getByLabel("Ki-67 (%)").fill("15");
  await expect(preview.locator("li.option").first()).toHaveAttribute("data-code", "chemotherapy");
  await expect(preview).not.toContainText("Curative surgery");
  await page.getByRole("button", { name: /Save as version/ }).click();
  const stored = page.getByTestId("proposal");
  await expect(stored).toContainText(`Computed for version ${version + 1}`);
  await expect(stored.locator("li.option").first()).toHaveAttribute("data-code", "chemotherapy");
  expect(errors).toEqual([]);
});
