import { test, expect } from "@playwright/test";
import { apiAs, createCase, DEMO_PASSWORD, expectAccessible, loginAs, sidewaysOverflow, waitForHydration, watchConsole } from "./helpers";

// Issue 18: before and after the meeting.

test("a clinician finds the case awaiting their voice from home and gives it", async ({ page }) => {
  const errors = watchConsole(page);
  // (The radiologist: any clinician of the board would do.)
  await loginAs(page, "radiologist", "/");
  await expect(page.getByRole("heading", { name: "My work", level: 1 })).toBeVisible();
  const awaiting = page.getByTestId("awaiting-voice");
  const items = awaiting.locator("li");
  const before = await items.count();
  expect(before).toBeGreaterThan(0);
  await expect(awaiting).toContainText("No radiology voice yet");
  // The navigation says how much waits.
  await expect(page.getByTestId("work-count")).toHaveText(/^[1-9]\d*$/);
  await expectAccessible(page);

  const first = items.first().getByRole("link").first();
  const name = (await first.textContent())!.trim();
  await first.click();
  await waitForHydration(page);
  const radiology = page.getByTestId("voice-states").locator('[data-specialty="radiology"]');
  await expect(radiology).toContainText(/missing|awaited/);
  await page.getByLabel("Kind", { exact: true }).selectOption("no_comment");
  await page.getByRole("button", { name: "Post as radiology" }).click();
  await expect(radiology).toContainText("no comment");
  await expectAccessible(page);

  await page.getByRole("link", { name: /^My work/ }).click();
  await expect(page.getByRole("heading", { name: "My work", level: 1 })).toBeVisible();
  await expect(awaiting.locator("li")).toHaveCount(before - 1);
  await expect(awaiting.getByRole("link", { name, exact: true })).toHaveCount(0);
  expect(errors).toEqual([]);
});

test("a coordinator scans the pipeline, marks a complete draft ready and asks a specialty for its view", async ({ page, baseURL }) => {
  const errors = watchConsole(page);
  // A complete draft to move on from the pipeline.
  const cora = await apiAs(baseURL, "coordinator");
  const caseId = await createCase(cora, { mrn: `PIPE-${Date.now()}`, name: "Pia Pipeline", birth_date: "1970-03-04" },
    "Surveillance or resection?", { grade: "G1", ki67_percent: 2, tumor_size_mm: 15, t_stage: "T1" });
  await cora.dispose();
  await loginAs(page, "coordinator", "/");
  await expect(page.getByTestId("next-meetings")).toContainText("still awaiting a voice");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Pipeline" }).click();
  await expect(page.getByRole("heading", { name: "Case pipeline" })).toBeVisible();
  await waitForHydration(page);
  const onAgenda = page.locator('[data-status="on_agenda"]');
  await expect(onAgenda.getByRole("heading")).toContainText("On an agenda");
  await expect(onAgenda.getByTestId("pipeline-card").first()).toContainText("Waits for: ");
  await expect(page.locator('[data-status="draft"]').getByTestId("pipeline-card").filter({ hasNotText: "Pia Pipeline" }).first()).toContainText("Complete data");
  await expectAccessible(page);
  // A column's width in rem: the columns with cards share the row (13 rem at least), an empty
  // one takes 11 rem, so that a busy column's cards are not tall and narrow on a laptop.
  const remsOf = (status: string) =>
    page.locator(`[data-status="${status}"]`).evaluate(
      (e) => e.getBoundingClientRect().width / parseFloat(getComputedStyle(document.documentElement).fontSize),
    );
  expect(await remsOf("on_agenda")).toBeGreaterThanOrEqual(13);
  // Filtering by a site keeps only that site's cards (the demo has no thymus NET).
  await page.getByLabel("Primary site").selectOption("thymus");
  await expect(page.getByTestId("pipeline-card")).toHaveCount(0);
  expect(await remsOf("on_agenda")).toBeCloseTo(11, 1);
  await page.getByLabel("Primary site").selectOption("");
  await expect(page.getByTestId("pipeline-card").first()).toBeVisible();
  expect(await remsOf("on_agenda")).toBeGreaterThanOrEqual(13);

  // Marked ready from the keyboard: the card moves to the next column, and the focus follows
  // it there, on its link, instead of falling to the page with the pressed button.
  const card = page.locator(`#card-${caseId}`);
  await expect(card).toHaveAttribute("data-testid", "pipeline-card");
  await expect(page.locator('[data-status="draft"]').locator(`#card-${caseId}`)).toContainText("Pia Pipeline");
  await card.getByRole("button", { name: "Mark ready" }).focus();
  await page.keyboard.press("Enter");
  await expect(page.locator('[data-status="ready"]').locator(`#card-${caseId}`)).toContainText("Pia Pipeline");
  await expect(card.getByRole("link", { name: "Pia Pipeline" })).toBeFocused();
  await expect(card.getByRole("button", { name: "Mark ready" })).toHaveCount(0);

  // Open a case on the agenda and ask nuclear medicine for its view, by keyboard.
  await onAgenda.getByTestId("pipeline-card").first().getByRole("link").first().click();
  await waitForHydration(page);
  await page.getByLabel("Ask a specialty", { exact: true }).selectOption("nuclear_medicine");
  await page.getByLabel("What the board needs (optional)").fill("Is PRRT an option?");
  await page.getByLabel("What the board needs (optional)").press("Enter");
  const nuclear = page.getByTestId("voice-states").locator('[data-specialty="nuclear_medicine"]');
  await expect(nuclear).toContainText("asked by Cora Lindqvist");
  await expect(nuclear).toContainText("Is PRRT an option?");
  await expectAccessible(page);
  expect(errors).toEqual([]);
});

test("a reviewer finds a signed decision, opens its report, the figures and the CSV", async ({ page, baseURL }) => {
  const errors = watchConsole(page);
  // A decision to find: a new case, its plan recorded by the coordinator and signed by the surgeon.
  const cora = await apiAs(baseURL, "coordinator");
  const caseId = await createCase(cora, { mrn: `DEC-${Date.now()}`, name: "Decima Reviewed", birth_date: "1961-05-02" },
    "Resection?", { grade: "G2", ki67_percent: 6, tumor_size_mm: 35, t_stage: "T2" });
  const proposal = await (await cora.get(`/api/v1/cases/${caseId}/proposal`)).json();
  const first = proposal.options[0].code as string;
  const saved = await cora.put(`/api/v1/cases/${caseId}/plan`, { data: { options: [first], rationale: "As proposed." } });
  expect(saved.status()).toBe(201);
  const surgeon = await apiAs(baseURL, "surgeon");
  const signed = await surgeon.post(`/api/v1/cases/${caseId}/plan/sign`, {
    data: { password: DEMO_PASSWORD },
    headers: { "If-Match": '"1"' },
  });
  expect(signed.status()).toBe(200);

  await loginAs(page, "reviewer", "/");
  await expect(page.getByTestId("decisions-to-audit")).toContainText("Decima Reviewed");
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Decisions" }).click();
  await expect(page.getByRole("heading", { name: "Decisions", level: 1 })).toBeVisible();
  await waitForHydration(page);
  const table = page.getByTestId("decision-table");
  await expect(table).toContainText("Decima Reviewed");
  await page.getByLabel("Follow-up").selectOption("pending");
  await page.getByLabel("Chosen option").selectOption(first);
  const row = table.getByRole("row", { name: /Decima Reviewed/ });
  await expect(row).toContainText("First proposed option taken");
  await expect(row).toContainText("Dr Samir Haddad");
  await page.getByLabel("Follow-up").selectOption("implemented");
  await expect(table.getByRole("row", { name: /Decima Reviewed/ })).toHaveCount(0);
  await page.getByLabel("Follow-up").selectOption("pending");
  await expectAccessible(page);
  await table.getByRole("link", { name: "Decima Reviewed" }).click();
  await expect(page.getByTestId("report")).toContainText("As proposed.");
  await expect(page.getByTestId("report")).toContainText("Dr Samir Haddad");

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Figures" }).click();
  await expect(page.getByRole("heading", { name: "Board figures" })).toBeVisible();
  await waitForHydration(page);
  const plans = Number(await page.getByTestId("plans-signed").textContent());
  expect(plans).toBeGreaterThanOrEqual(1);
  await expect(page.getByTestId("chart-concordance")).toBeVisible();
  await expect(page.getByText("Days from the case's creation (referral)")).toBeVisible();
  await expectAccessible(page);
  const [download] = await Promise.all([page.waitForEvent("download"), page.getByTestId("csv").click()]);
  expect(download.suggestedFilename()).toBe("board-figures.csv");
  const csv = await (await download.createReadStream()).toArray();
  const text = Buffer.concat(csv).toString("utf8");
  expect(text.split("\r\n")[0]).toBe("figure,value,definition");
  expect(text).toContain(`plans_signed,${plans},`);

  // The audit viewer says whether the chain verifies.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "Audit" }).click();
  await expect(page.getByTestId("chain-state")).toContainText("The audit chain verifies");
  await page.getByLabel("Action").fill("plan.sign");
  await page.getByLabel("Action").press("Tab");
  await expect(page.getByTestId("audit-table")).toContainText("plan.sign");
  // A signature's SHA-256 (64 characters without a break) wraps in its cell: on a small laptop's
  // or a tablet's screen the trail does not scroll sideways.
  await page.setViewportSize({ width: 1024, height: 768 });
  await expect(page.getByTestId("audit-table")).toContainText(/sha256 [0-9a-f]{64}/);
  const trail = page.locator(".table-wrap").filter({ has: page.getByTestId("audit-table") });
  await expect(trail).toHaveCount(1);
  expect(await sidewaysOverflow(trail)).toBeLessThanOrEqual(1);
  await expectAccessible(page);
  expect(errors).toEqual([]);
});
