import { test, expect } from "@playwright/test";
import { apiAs, createCase, expectAccessible, expectErrorsMarked, loginAs, waitForHydration, watchConsole } from "./helpers";

test("a coordinator schedules a meeting, builds the agenda and steps through it in meeting mode", async ({ page, browser, baseURL }) => {
  const errors = watchConsole(page);
  // A board of the coordinator's whose cases wait for other voices than the core four, for
  // this flow only (the coordinator leaves it below).
  const admin = await apiAs(baseURL, "admin");
  const thyroid = `Thyroid board e2e ${Date.now()}`;
  const made = await admin.post("/api/v1/boards", { data: { name: thyroid, expected_specialties: ["surgery", "nuclear_medicine", "endocrinology"] } });
  expect(made.status()).toBe(201);
  const thyroidId = (await made.json()).id as string;
  const cora = (await (await (await apiAs(baseURL, "coordinator")).get("/api/v1/me")).json()).id as string;
  expect((await admin.post(`/api/v1/boards/${thyroidId}/members`, { data: { user_id: cora } })).ok()).toBe(true);
  await loginAs(page, "coordinator", "/meetings");
  await waitForHydration(page);
  await expect(page.getByTestId("meetings")).toContainText("NET board (demo)");
  // A complete case of this flow's own, to put on the agenda and take off again.
  await createCase(page.request, { mrn: `AGENDA-${Date.now()}`, name: "Aldo Agenda", birth_date: "1966-02-03" },
    "Surveillance or resection?", { grade: "G1", ki67_percent: 2, tumor_size_mm: 12, t_stage: "T1" });
  await expectAccessible(page);

  // Schedule: a field error first, then a valid meeting.
  const title = `NET board e2e ${Date.now()}`;
  await page.getByLabel("Title").fill(title);
  // A pasted control character in the tumour type was refused without a word before.
  await page.getByLabel("Tumour type").fill("NET\u0007");
  await page.getByRole("button", { name: "Schedule meeting" }).click();
  await expect(page.locator("#m-starts-error")).toContainText("date and time");
  await expect(page.locator("#m-board-id-error")).toContainText("Choose the board");
  await expect(page.locator("#m-board-error")).toHaveText("The board type contains control characters.");
  await expectErrorsMarked(page);
  await page.getByLabel("Tumour type").fill("NET");
  // The specialties expected start as the chosen board's expected voices.
  const expected = page.getByRole("group", { name: "Expected specialties" });
  await page.getByLabel("Board", { exact: true }).selectOption({ label: thyroid });
  await expect(expected.getByLabel("Nuclear medicine")).toBeChecked();
  await expect(expected.getByLabel("Endocrinology")).toBeChecked();
  await expect(expected.getByLabel("Radiology")).not.toBeChecked();
  await page.getByLabel("Board", { exact: true }).selectOption({ label: "NET board (demo)" });
  await expect(expected.getByLabel("Radiology")).toBeChecked();
  await expect(expected.getByLabel("Nuclear medicine")).not.toBeChecked();
  expect((await admin.delete(`/api/v1/boards/${thyroidId}/members/${cora}`)).ok()).toBe(true);
  // Item 8: a time in the past is said before scheduling.
  // Times are typed on the hospital's clock (the browser flows' server runs on Europe/Berlin).
  await page.getByLabel("Starts (Europe/Berlin)").fill("2020-01-10T14:00");
  await expect(page.getByTestId("starts-past")).toBeVisible();
  await page.getByLabel("Starts (Europe/Berlin)").fill("2030-12-05T14:00");
  await expect(page.getByTestId("starts-past")).toHaveCount(0);
  await page.getByLabel("Room").fill("Room 4.12");
  await page.getByRole("button", { name: "Schedule meeting" }).click();
  await page.getByRole("status").getByRole("link", { name: new RegExp(title) }).click();
  await waitForHydration(page);
  await expect(page.getByTestId("meeting-title")).toHaveText(title);
  await expect(page.getByTestId("core-missing")).toContainText("Surgery");

  // An incomplete case is refused with what is missing; complete ones go on.
  const addCase = async (name: string) => {
    const option = page.locator("#add-case option", { hasText: name });
    await page.getByLabel("Case", { exact: true }).selectOption({ value: (await option.getAttribute("value"))! });
    await page.getByRole("button", { name: "Add to agenda" }).click();
  };
  await addCase("Paul Demo-Richter");
  await expect(page.getByTestId("add-error")).toContainText("the question to the board");
  await expect(page.getByTestId("add-error")).toContainText("ECOG");
  await expect(page.getByTestId("edit-refused")).toHaveAttribute("href", /^\/cases\/[0-9a-f-]{36}$/);
  await expect(page.getByTestId("agenda-row")).toHaveCount(0);
  await addCase("Lea Demo-Nilsen");
  await expect(page.getByTestId("agenda-row")).toHaveCount(1);
  await addCase("Hanna Demo-Wolf");
  await expect(page.getByTestId("agenda-row")).toHaveCount(2);
  await expect(page.getByTestId("agenda-row").first()).toContainText("Lea Demo-Nilsen");
  await expect(page.getByTestId("agenda-row").first()).toContainText("Complete");
  await expect(page.getByTestId("agenda-total")).toContainText("10 min");
  await expect(page.getByTestId("agenda-row").first()).toContainText("14:00");

  // The meeting moves to another time and room: a time left empty is refused under its field,
  // and the page sends only the fields changed.
  await page.getByRole("button", { name: "Change details" }).click();
  await expect(page.locator("#me-title")).toBeFocused();
  await expect(page.locator("#me-location")).toHaveValue("Room 4.12");
  await page.locator("#me-starts").fill("");
  await page.getByRole("button", { name: "Save details" }).click();
  await expect(page.locator("#me-starts")).toHaveAccessibleDescription(/date and time/);
  await expect(page.locator("#me-starts")).toHaveAttribute("aria-invalid", "true");
  await expectAccessible(page);
  const details = page.waitForRequest((r) => r.url().includes("/sfn/meetings/change"));
  await page.locator("#me-starts").fill("2030-12-06T09:30");
  await page.locator("#me-location").fill("Room 5.01");
  // The expected specialties go as ticks, so another coordinator's change to another is kept.
  await page.locator("#meeting-details").getByRole("group", { name: "Expected specialties" }).getByLabel("Nuclear medicine").check();
  await page.getByRole("button", { name: "Save details" }).click();
  await expect(page.locator("header .case-meta")).toContainText("Room 5.01");
  await expect(page.getByTestId("agenda-row").first()).toContainText("09:30");
  await expect(page.locator("#meeting-details")).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Change details" })).toBeFocused();
  const sentDetails = (await details).postDataJSON();
  expect(sentDetails.change).toEqual({ title: null, starts_at: "2030-12-06T09:30", location: "Room 5.01", video_link: null, board_type: null, expected_specialties: null });
  expect(sentDetails.expected).toEqual({ expect: ["nuclear_medicine"], stop: [] });
  await expect(page.locator("header").getByText(/^Expected:/)).toHaveText("Expected: Surgery, Medical oncology, Radiology, Pathology, Nuclear medicine");
  await expect(page.getByTestId("meeting-title")).toHaveText(title);

  // Reorder by keyboard: focus the button and press Enter.
  await page.getByRole("button", { name: "Move Hanna Demo-Wolf up" }).focus();
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("agenda-row").first()).toContainText("Hanna Demo-Wolf");
  // Focus stays with the moved case (its "up" is now disabled, so on its "down").
  await expect(page.getByRole("button", { name: "Move Hanna Demo-Wolf down" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("agenda-row").first()).toContainText("Lea Demo-Nilsen");
  await expect(page.getByRole("button", { name: "Move Hanna Demo-Wolf up" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("agenda-row").first()).toContainText("Hanna Demo-Wolf");
  // Issue 16, item 9: straight to a place, by the position menu or by dragging; each slot
  // shows when it starts.
  await page.getByLabel("Position of Lea Demo-Nilsen").selectOption("1");
  await expect(page.getByTestId("agenda-row").first()).toContainText("Lea Demo-Nilsen");
  await page.getByTestId("agenda-row").nth(1).dragTo(page.getByTestId("agenda-row").first());
  await expect(page.getByTestId("agenda-row").first()).toContainText("Hanna Demo-Wolf");
  await expect(page.getByTestId("agenda-row").first()).toContainText("09:30");
  await expect(page.getByTestId("agenda-row").nth(1)).toContainText("09:35");
  // Triage the second case as standard of care: only discussed cases count in the total. The
  // page sends the listing only (with the minutes it showed, it undid a change of the minutes
  // another coordinator had just made).
  const agendaChange = () => page.waitForRequest((r) => r.url().includes("/sfn/meetings/agenda/change"));
  let sent = agendaChange();
  await page.getByLabel("Listed as, Lea Demo-Nilsen").selectOption("standard_of_care");
  const listing = (await sent).postDataJSON();
  expect([listing.op, listing.mode, listing.minutes ?? null]).toEqual(["set", "standard_of_care", null]);
  await expect(page.getByTestId("agenda-total")).toContainText("1 for discussion, 1 standard of care");
  await expect(page.getByTestId("agenda-total")).toContainText("5 min");
  // Item 8: an estimate out of range says why, and the field shows what is stored again. The
  // minutes go alone too.
  sent = agendaChange();
  await page.getByLabel("Minutes for Hanna Demo-Wolf").fill("999");
  await page.getByLabel("Minutes for Hanna Demo-Wolf").press("Tab");
  const estimate = (await sent).postDataJSON();
  expect([estimate.op, estimate.mode ?? null, estimate.minutes]).toEqual(["set", null, 999]);
  await expect(page.getByTestId("agenda-error")).toContainText("Estimate between 1 and");
  await expect(page.getByLabel("Minutes for Hanna Demo-Wolf")).toHaveValue("5");
  // Remove pressed twice sends one request (the second, for a case already off the agenda, was
  // refused with "Not found."); the focus goes to the choice of a case, where it is offered again.
  await addCase("Aldo Agenda");
  await expect(page.getByTestId("agenda-row")).toHaveCount(3);
  let changes = 0;
  page.on("request", (r) => { if (r.url().includes("/sfn/meetings/agenda/change")) changes += 1; });
  await page.getByRole("button", { name: "Remove Aldo Agenda from the agenda" }).focus();
  await page.keyboard.press("Enter");
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("agenda-row")).toHaveCount(2);
  await expect(page.getByLabel("Case", { exact: true })).toBeFocused();
  expect(changes).toBe(1);
  await expect(page.locator(".agenda [role=alert]")).toHaveCount(0);
  await expect(page.locator("#add-case option", { hasText: "Aldo Agenda" })).toHaveCount(1);
  // Attendance.
  await page.getByLabel(/Dr Samir Haddad/).check();
  await expect(page.getByTestId("core-missing")).not.toContainText("Surgery");
  await expectAccessible(page);
  const meetingPath = new URL(page.url()).pathname;

  // A radiologist follows meeting mode on their own screen.
  const otherContext = await browser.newContext();
  const other = await otherContext.newPage();
  await loginAs(other, "radiologist", `${meetingPath}/present`);
  await waitForHydration(other);
  await expect(other.getByTestId("live-state")).toHaveAttribute("data-state", "live");

  // Meeting mode, stepped by keyboard.
  await page.getByRole("link", { name: "Open meeting mode" }).click();
  await waitForHydration(page);
  await expect(page.getByTestId("live-state")).toHaveAttribute("data-state", "live");
  await page.keyboard.press("ArrowRight");
  // Standard-of-care cases are recorded, not stepped to: one case to discuss.
  await expect(page.getByTestId("present-position")).toHaveText("Case 1 of 1");
  await expect(page.getByTestId("present-case")).toContainText("Hanna Demo-Wolf");
  await expect(page.getByTestId("presenter")).toHaveText(/You are presenting/);
  await expect(page.getByTestId("timer")).toBeVisible();
  await expect(page.getByTestId("proposal")).toBeVisible();
  await expect(page.getByTestId("voices-summary")).toBeVisible();
  await expect(other.getByTestId("present-case")).toContainText("Hanna Demo-Wolf");
  await expect(other.getByTestId("presenter")).toHaveText(/^Presented by Cora Lindqvist/);
  // Issue 16, item 2: the radiologist's keys do not move the room.
  await other.keyboard.press("ArrowRight");
  await other.keyboard.press("ArrowLeft");
  await expect(other.getByRole("button", { name: "Take control" })).toBeVisible();
  await expect(page.getByTestId("present-case")).toContainText("Hanna Demo-Wolf");
  // Item 3: the presenter jumps from the agenda to the standard-of-care case.
  await page.getByRole("navigation", { name: "Agenda" }).getByRole("button", { name: /Lea Demo-Nilsen/ }).click();
  await expect(page.getByTestId("present-position")).toHaveText("Standard of care");
  await expect(other.getByTestId("present-case")).toContainText("Lea Demo-Nilsen");
  await expect(page.getByText("Listed as standard of care")).toBeVisible();
  await page.keyboard.press("ArrowLeft");
  await expect(page.getByTestId("present-position")).toHaveText("Case 1 of 1");
  await expect(other.getByTestId("present-position")).toHaveText("Case 1 of 1");
  // The radiologist browses on their own, then follows again.
  await other.getByTestId("follow").uncheck();
  await other.getByRole("navigation", { name: "Agenda" }).getByRole("button", { name: /Lea Demo-Nilsen/ }).click();
  await expect(other.getByTestId("present-case")).toContainText("Lea Demo-Nilsen");
  await expect(page.getByTestId("present-case")).toContainText("Hanna Demo-Wolf");
  await other.getByTestId("follow").check();
  await expect(other.getByTestId("present-case")).toContainText("Hanna Demo-Wolf");
  await expectAccessible(page);
  await expectAccessible(other);
  // Handing over is explicit: the radiologist takes control, and everyone sees who presents.
  await other.getByRole("button", { name: "Take control" }).click();
  await expect(other.getByTestId("presenter")).toHaveText(/You are presenting/);
  await expect(page.getByTestId("presenter")).toHaveText("Presented by Dr Rui Tanaka.");
  await expect(page.getByRole("button", { name: "Take control" })).toBeVisible();
  await expectAccessible(page);
  await expectAccessible(other);
  await otherContext.close();
  expect(errors).toEqual([]);
});

test("the agenda prints without the controls", async ({ page }) => {
  await loginAs(page, "coordinator", "/meetings");
  await page.getByRole("link", { name: "NET board (demo)" }).click();
  await waitForHydration(page);
  await expect(page.getByTestId("agenda-row")).toHaveCount(6);
  await page.emulateMedia({ media: "print" });
  await expect(page.getByRole("button", { name: "Print agenda" })).toBeHidden();
  await expect(page.getByRole("heading", { name: "Add a case" })).toBeHidden();
  await expect(page.locator("nav").first()).toBeHidden();
  await expect(page.getByTestId("agenda")).toBeVisible();
});

test("a coordinator cancels a meeting, saying why, and moves its case to the next one; everyone sees why", async ({ page, browser, baseURL }) => {
  const errors = watchConsole(page);
  const cora = await apiAs(baseURL, "coordinator");
  const boards = (await (await cora.get("/api/v1/boards")).json()) as { id: string; name: string }[];
  const board = boards.find((b) => b.name.startsWith("NET board"))!.id;
  const stamp = Date.now();
  const schedule = async (title: string, starts_at: string) => {
    const made = await cora.post("/api/v1/meetings", { data: { title, starts_at, location: "Room 4.12", board_id: board } });
    expect(made.status()).toBe(201);
    return (await made.json()).id as string;
  };
  const title = `NET board called off ${stamp}`;
  const meeting = await schedule(title, "2030-12-24T14:00");
  const next = `NET board after the holiday ${stamp}`;
  const nextId = await schedule(next, "2030-12-31T14:00");
  const kase = await createCase(cora, { mrn: `OFF-${stamp}`, name: "Olga Offagenda", birth_date: "1961-04-05" },
    "Resection?", { grade: "G1", ki67_percent: 2, tumor_size_mm: 14, t_stage: "T1" });
  expect((await cora.post(`/api/v1/meetings/${meeting}/agenda`, { data: { case_id: kase, minutes: 15 } })).status()).toBe(201);

  // A radiologist has the meeting open; the coordinator cancels it.
  const otherContext = await browser.newContext();
  const other = await otherContext.newPage();
  await loginAs(other, "radiologist", `/meetings/${meeting}`);
  await waitForHydration(other);
  await expect(other.getByTestId("agenda-row")).toHaveCount(1);
  await loginAs(page, "coordinator", `/meetings/${meeting}`);
  await waitForHydration(page);
  await expect(page.getByTestId("agenda-row")).toHaveCount(1);
  await page.getByRole("button", { name: "Cancel meeting" }).click();
  await expect(page.getByLabel("Why is it cancelled?")).toBeFocused();
  await expect(page.locator("#meeting-cancel")).toContainText("Its one case moves to the meeting chosen below");
  // Without a reason: refused under the field, nothing changed.
  await page.getByRole("button", { name: "Cancel the meeting" }).click();
  await expect(page.getByLabel("Why is it cancelled?")).toHaveAccessibleDescription(/Say why the meeting is cancelled/);
  await expect(page.getByLabel("Why is it cancelled?")).toHaveAttribute("aria-invalid", "true");
  await expect(page.getByTestId("agenda-row")).toHaveCount(1);
  await expectAccessible(page);
  await page.getByLabel("Why is it cancelled?").fill("Public holiday");
  // The meetings offered are the board's others still to come, not this one.
  const moveTo = page.getByLabel("Its cases go to");
  await expect(moveTo.locator("option", { hasText: next })).toHaveCount(1);
  await expect(moveTo.locator("option", { hasText: title })).toHaveCount(0);
  await moveTo.selectOption({ label: `${next} — 2030-12-31 14:00 CET` });
  await page.getByRole("button", { name: "Cancel the meeting" }).click();
  const notice = page.getByTestId("meeting-cancelled");
  await expect(notice).toContainText("by Cora Lindqvist. Reason: Public holiday");
  await expect(notice.getByRole("link", { name: new RegExp(next) })).toHaveAttribute("href", `/meetings/${nextId}`);
  await expect(notice).toBeFocused();
  // Nothing more is scheduled on it: the controls, the agenda and the attendance are gone.
  await expect(page.getByTestId("agenda")).toHaveCount(0);
  for (const name of ["Change details", "Cancel meeting"]) {
    await expect(page.getByRole("button", { name })).toHaveCount(0);
  }
  await expect(page.getByRole("link", { name: "Open meeting mode" })).toHaveCount(0);
  await expect(page.getByRole("heading", { name: "Attendance" })).toHaveCount(0);
  await expect(page.getByRole("heading", { name: "Add a case" })).toHaveCount(0);
  await expect(page.getByRole("button", { name: "Print agenda" })).toHaveCount(0);
  await expectAccessible(page);
  // The radiologist's page says so without a reload.
  await expect(other.getByTestId("meeting-cancelled")).toContainText("Public holiday");
  await expect(other.getByTestId("agenda")).toHaveCount(0);
  await otherContext.close();
  // The case is on the next meeting's agenda, timed as before; the list marks the meeting cancelled.
  await notice.getByRole("link", { name: new RegExp(next) }).click();
  await expect(page.getByTestId("meeting-title")).toHaveText(next);
  await expect(page.getByTestId("agenda-row")).toHaveCount(1);
  await expect(page.getByTestId("agenda-row")).toContainText("Olga Offagenda");
  await expect(page.getByLabel("Minutes for Olga Offagenda")).toHaveValue("15");
  expect((await (await cora.get(`/api/v1/cases/${kase}`)).json()).status).toBe("on_agenda");
  await page.goto("/meetings");
  await expect(page.getByTestId("meetings").getByRole("row", { name: new RegExp(title) })).toContainText("Cancelled");
  await expectAccessible(page);
  expect(errors).toEqual([]);
});

test("a coordinator schedules a board's weekly meetings at once", async ({ page }) => {
  const errors = watchConsole(page);
  await loginAs(page, "coordinator", "/meetings");
  await waitForHydration(page);
  const title = `NET weekly e2e ${Date.now()}`;
  // The form is below the list; the page's head leads to it.
  await page.getByRole("link", { name: "Schedule a meeting" }).click();
  await expect(page).toHaveURL(/#new-meeting-heading$/);
  await expect(page.getByRole("heading", { name: "Schedule a meeting" })).toBeInViewport();
  const board = page.getByLabel("Board", { exact: true });
  if (await board.count()) await board.selectOption({ label: "NET board (demo)" });
  await page.getByLabel("Title").fill(title);
  // 13:00 in Berlin, three Tuesdays running: the clocks go forward on 30 March 2031.
  await page.getByLabel("Starts (Europe/Berlin)").fill("2031-03-18T13:00");
  await page.getByLabel("Room").fill("Room 4.12");
  // More than a year of weeks at once is refused under the field; nothing is scheduled.
  const weeks = page.getByLabel("Meetings to schedule");
  await expect(weeks).toHaveAccessibleDescription(/One a week at the same time \(Europe\/Berlin\)/);
  await weeks.fill("60");
  await page.getByRole("button", { name: "Schedule 60 meetings" }).click();
  await expect(weeks).toHaveAccessibleDescription(/Schedule 1 to 52 meetings at once/);
  await expect(weeks).toHaveAttribute("aria-invalid", "true");
  await expectErrorsMarked(page);
  const rows = page.getByTestId("meetings").getByRole("row", { name: new RegExp(title) });
  await expect(rows).toHaveCount(0);
  // Three weeks: three meetings alike, seven days apart, the notice linking the first and the last.
  await weeks.fill("3");
  await page.getByRole("button", { name: "Schedule 3 meetings" }).click();
  const done = page.getByRole("status").filter({ hasText: "Scheduled 3 meetings" });
  await expect(done).toContainText("one a week: the first");
  await expect(done.getByRole("link")).toHaveCount(2);
  await expect(done.getByRole("link").first()).toContainText("2031-03-18 13:00 CET");
  await expect(done.getByRole("link").last()).toContainText("2031-04-01 13:00 CEST");
  await expect(weeks).not.toHaveAttribute("aria-invalid", "true");
  // The count is back at one: pressing again would not schedule the weeks twice.
  await expect(weeks).toHaveValue("1");
  await expect(page.getByRole("button", { name: "Schedule meeting", exact: true })).toBeVisible();
  await expect(rows).toHaveCount(3);
  // The same hour through summer time, as the browser draws the list after scheduling.
  for (const day of ["2031-03-18 13:00 CET", "2031-03-25 13:00 CET", "2031-04-01 13:00 CEST"]) {
    await expect(rows.filter({ hasText: day })).toHaveCount(1);
  }
  await expectAccessible(page);
  // Each is a meeting of its own, with its own agenda.
  await done.getByRole("link").last().click();
  await waitForHydration(page);
  await expect(page.getByTestId("meeting-title")).toHaveText(title);
  await expect(page.getByTestId("agenda-row")).toHaveCount(0);
  await expect(page.getByRole("main")).toContainText("2031-04-01 13:00 CEST");
  // Its details form holds the start on the same clock.
  await page.getByRole("button", { name: "Change details" }).click();
  await expect(page.getByLabel("Starts (Europe/Berlin)")).toHaveValue("2031-04-01T13:00");
  expect(errors).toEqual([]);
});
