import { test, expect, type Page } from "@playwright/test";
import { DEMO_PASSWORD, expectAccessible, loginAs, openMeetingMode, waitForHydration, watchConsole } from "./helpers";

/** Presses `key` once and waits until the step has landed: the position has changed. */
async function stepOnce(page: Page, key: "ArrowLeft" | "ArrowRight") {
  const position = page.getByTestId("present-position");
  const before = await position.textContent();
  await page.keyboard.press(key);
  await expect(position).not.toHaveText(before!);
}

/** Steps back with ← until meeting mode shows the first case to discuss. */
async function backToFirst(page: Page) {
  const position = page.getByTestId("present-position");
  await expect(position).toHaveText(/^Case \d+ of \d+$/);
  for (let i = 0; i < 10 && !/^Case 1 of/.test((await position.textContent()) ?? ""); i++) {
    await stepOnce(page, "ArrowLeft");
  }
  await expect(position).toHaveText(/^Case 1 of \d+$/);
}

/** Makes this page the presenter, whoever presented before (someone else, this user, or no one
 * yet), and goes back to the first case to discuss. */
async function present(page: Page) {
  const position = page.getByTestId("present-position");
  // Loaded: a case shown, or the agenda's count while no one presents.
  await expect(position).toHaveText(/^(Case \d+ of \d+|\d+ cases? on the agenda)$/);
  const start = (await position.textContent())!;
  const takeControl = page.getByRole("button", { name: "Take control" });
  if (await takeControl.isVisible()) {
    await takeControl.click();
    await expect(page.getByTestId("presenter")).toHaveText(/You are presenting/);
  } else {
    // The first key takes control and steps on; wait for that step to land before stepping
    // back, or it can land after the check for the first case (seen in CI on 2026-12-03).
    await page.keyboard.press("ArrowRight");
    await expect(page.getByTestId("presenter")).toHaveText(/You are presenting/);
    if (!/^Case (\d+) of \1$/.test(start)) await expect(position).not.toHaveText(start);
  }
  await backToFirst(page);
}

/** On a 1920x1080 wall screen: meeting mode as `user`, presenting from the first case. */
async function presentOnTheWall(page: Page, user: string) {
  await page.setViewportSize({ width: 1920, height: 1080 });
  await openMeetingMode(page, user);
  await present(page);
}

// Issue 16, item 0: pressing "Next" again as soon as the position changed crashed the
// presenter's page ("Tried to access a reactive value that has already been disposed").
// Ten presses without waiting, both ways, three times over: no page error, and the page still
// answers and lands where the presses say.
// The cause: views built inside a Suspend's future owned their signals through it, and the
// Suspend was disposed on each reload while <Transition> kept the old view (and its timer)
// alive; meeting mode now builds its views synchronously from the resource.
test("the presenter steps through meeting mode as fast as keys can be pressed without breaking the page", async ({ page }) => {
  test.setTimeout(120_000);
  const errors = watchConsole(page);
  await openMeetingMode(page, "coordinator");
  const position = page.getByTestId("present-position");
  // Start from the first case (an earlier run may have left the meeting elsewhere).
  await present(page);
  const total = Number((await position.textContent())!.match(/of (\d+)/)![1]);
  expect(total).toBeGreaterThanOrEqual(4);

  for (let round = 0; round < 3; round++) {
    for (let i = 0; i < 10; i++) await page.keyboard.press("ArrowRight");
    await expect(position).toHaveText(`Case ${total} of ${total}`, { timeout: 15_000 });
    for (let i = 0; i < 10; i++) await page.getByRole("button", { name: "← Previous" }).click({ timeout: 1_000 }).catch(() => {});
    await expect(position).toHaveText("Case 1 of " + total, { timeout: 15_000 });
  }
  // Still alive: one more step is shown.
  await page.keyboard.press("ArrowRight");
  await expect(position).toHaveText(`Case 2 of ${total}`);
  // Away from the ends, presses a little apart let answers and views arrive between them: the
  // position returns to case 2 each time (a view read before a step once moved it back and the
  // next press stepped from there; the orders of arrival are covered in `domain::stepping`).
  for (let round = 0; round < 5; round++) {
    for (const key of ["ArrowRight", "ArrowRight", "ArrowLeft", "ArrowLeft"]) {
      await page.keyboard.press(key);
      await page.waitForTimeout(15 * round);
    }
    await expect(position).toHaveText(`Case 2 of ${total}`, { timeout: 15_000 });
    await page.waitForTimeout(300);
    await expect(position).toHaveText(`Case 2 of ${total}`);
  }
  expect(errors).toEqual([]);
});

// On the wall screen with the meeting-room display's larger type, nothing in meeting mode is cut
// off at a column's edge: the key facts once lost their second pair of columns (grade, T, M,
// function, age) to the case column's hidden overflow, and the agenda's numbers were clipped.
test("the meeting-room display at 1920x1080 shows every key fact and agenda number inside its column", async ({ page }) => {
  test.setTimeout(90_000);
  const errors = watchConsole(page);
  await presentOnTheWall(page, "coordinator");
  const display = page.getByRole("button", { name: "Meeting-room display" });
  await display.click();
  await expect(display).toHaveAttribute("aria-pressed", "true");
  await expect(page.getByTestId("present-case")).toBeVisible();

  const facts = page.locator(".present-facts dd");
  expect(await facts.count()).toBeGreaterThanOrEqual(8);
  await expect(page.locator(".present-facts dt", { hasText: /^Grade$/ })).toHaveCount(1);
  // Every column: no sideways overflow, so nothing hides behind a scrollbar.
  const columns = await page.locator(".present-grid > *").evaluateAll((cols) =>
    cols.map((c) => ({ name: c.className, client: c.clientWidth, scroll: c.scrollWidth })),
  );
  expect(columns.length).toBeGreaterThanOrEqual(4);
  for (const c of columns) expect(c.scroll, `${c.name} overflows sideways`).toBeLessThanOrEqual(c.client + 1);
  // Every fact's value lies inside the case column.
  const outside = await page.locator(".present-case").evaluate((col) => {
    const edge = col.getBoundingClientRect().right;
    return [...col.querySelectorAll(".present-facts dd")]
      .filter((d) => d.getBoundingClientRect().right > edge + 1)
      .map((d) => d.textContent);
  });
  expect(outside).toEqual([]);
  // The agenda's numbers have room inside the column at the larger type.
  const room = await page.locator(".present-agenda ol").first().evaluate((ol) => {
    const s = getComputedStyle(ol);
    return parseFloat(s.paddingLeft) / parseFloat(s.fontSize);
  });
  expect(room).toBeGreaterThanOrEqual(1.5);
  await expectAccessible(page);
  await display.click();
  await expect(display).toHaveAttribute("aria-pressed", "false");
  expect(errors).toEqual([]);
});

// Issue 16, item 1, for every case: the voices, the first option and the plan in view at
// 1920x1080. Found on 2026-12-05: the plan was below the fold for a case with four options, and
// for three cases of five with the meeting-room display on (the whole proposal stood above it,
// and the columns ended below the screen's edge). Now each option after the first is a folded
// line, the page is the screen's height, and each column scrolls on its own.
test("on the wall screen every case shows its voices, first option and plan, at either type", async ({ page }) => {
  test.setTimeout(120_000);
  const errors = watchConsole(page);
  await presentOnTheWall(page, "coordinator");
  const position = page.getByTestId("present-position");
  const total = Number((await position.textContent())!.match(/of (\d+)/)![1]);
  expect(total).toBeGreaterThanOrEqual(4);
  const display = page.getByRole("button", { name: "Meeting-room display" });
  const proposal = page.getByTestId("proposal");
  let folded = 0;
  for (const large of [false, true]) {
    if ((await display.getAttribute("aria-pressed")) !== String(large)) await display.click();
    await expect(display).toHaveAttribute("aria-pressed", String(large));
    for (let k = 1; k <= total; k++) {
      if (k > 1) await page.keyboard.press("ArrowRight");
      await expect(position).toHaveText(`Case ${k} of ${total}`);
      const name = (await page.locator(".present-agenda li.current .agenda-name").textContent())!;
      await expect(page.getByTestId("present-case")).toContainText(name);
      const where = `case ${k} (${name}), ${large ? "meeting-room display" : "laptop type"}`;
      // Wholly in view (ratio 1: not cut by the screen's edge nor by its column's).
      await expect(page.locator("#present-voices"), where).toBeInViewport({ ratio: 1 });
      await expect(page.getByTestId("voices-summary"), where).toBeInViewport();
      await expect(proposal.locator("li.option").first(), where).toBeInViewport({ ratio: 1 });
      await expect(page.locator("#plan-heading"), where).toBeInViewport({ ratio: 1 });
      // And, unless the plan is signed, the way to record (or edit) it, on the heading's line.
      const signed = (await page.locator(".present-decision").getByTestId("signature").count()) > 0;
      const record = page.locator(".present-decision .panel-head").getByRole("button", { name: /^(Record the board's plan|Edit the plan)$/ });
      if (signed) await expect(record, where).toHaveCount(0);
      else await expect(record, where).toBeInViewport({ ratio: 1 });
      // The page itself does not scroll: everything is in the columns.
      await expect.poll(() => page.evaluate(() => document.documentElement.scrollHeight), { message: where }).toBeLessThanOrEqual(1080);
      // The other options are there, each its heading line, folded.
      const options = await proposal.locator("li.option").count();
      await expect(proposal.locator("li.option.folded"), where).toHaveCount(Math.max(0, options - 1));
      folded += options - 1;
    }
    await backToFirst(page);
  }
  expect(folded).toBeGreaterThanOrEqual(2);

  // A folded option opens from the keyboard and shows its reasons and sources.
  for (let i = 0; i < total && (await proposal.locator("li.option.folded").count()) === 0; i++) {
    await stepOnce(page, "ArrowRight");
  }
  const second = proposal.locator("li.option.folded").first();
  const why = second.locator(".option-why");
  await expect(why).toBeHidden();
  await second.locator("summary").focus();
  await page.keyboard.press("Enter");
  await expect(why).toBeVisible();
  await expect(second.locator(".option-sources")).toContainText("Sources: ");
  await expectAccessible(page);
  await page.keyboard.press("Enter");
  await expect(why).toBeHidden();
  await display.click();
  await expect(display).toHaveAttribute("aria-pressed", "false");
  await backToFirst(page);
  expect(errors).toEqual([]);
});

// Issue 16, items 0 and 1: on the wall screen the voices, the first option and the plan are in
// view without scrolling, and the plan is recorded and signed right there, quickly, with the
// presenter stepping on at once: no page error, and the signed plan is there on return.
test("the room screen shows the whole case and the board records and signs its plan there", async ({ page }) => {
  test.setTimeout(120_000);
  const errors = watchConsole(page);
  // Go to the first case and on until one has no plan yet.
  await presentOnTheWall(page, "surgeon");
  const position = page.getByTestId("present-position");
  const record = page.getByRole("button", { name: "Record the board's plan" });
  for (let i = 0; i < 8 && !(await record.isVisible()); i++) {
    await stepOnce(page, "ArrowRight");
  }
  await expect(record).toBeVisible();
  const caseName = (await page.getByTestId("present-case").textContent())!.split(" · ")[0];

  // Everything the board needs is above the fold.
  await expect(page.getByTestId("voices-summary")).toBeInViewport();
  await expect(page.getByTestId("proposal").getByRole("listitem").first()).toBeInViewport();
  await expect(page.locator("#plan-heading")).toBeInViewport();
  await expect(page.getByTestId("present-case")).toBeInViewport();
  await expectAccessible(page);

  // Record and sign without waiting between the steps, then step on at once.
  await record.click();
  await page.getByRole("button", { name: /Take the proposal's first option/ }).click();
  await page.getByLabel("Rationale").fill("Agreed in the meeting room.");
  await page.getByRole("button", { name: "Save the plan" }).click();
  await page.getByLabel("Your password").fill(DEMO_PASSWORD);
  await page.getByRole("button", { name: "Sign the plan" }).click();
  await expect(page.getByTestId("signature")).toContainText("Signed by Dr Samir Haddad");
  // Item 6: the plan names the meeting it was recorded in.
  await expect(page.getByTestId("plan-meeting")).toContainText("NET board (demo)");
  const at = (await position.textContent())!;
  // Up to three cases away and back without waiting, never past an end of the agenda (a press
  // there does nothing, and the way back would then be longer than the way out).
  const [k, n] = at.match(/^Case (\d+) of (\d+)$/)!.slice(1).map(Number);
  const away = Math.min(3, n - k) || -Math.min(3, k - 1);
  const [out, back] = away > 0 ? ["ArrowRight", "ArrowLeft"] : ["ArrowLeft", "ArrowRight"];
  for (let i = 0; i < Math.abs(away); i++) await page.keyboard.press(out);
  for (let i = 0; i < Math.abs(away); i++) await page.keyboard.press(back);
  await expect(position).toHaveText(at, { timeout: 15_000 });
  await expect(page.getByTestId("present-case")).toContainText(caseName);
  await expect(page.getByTestId("plan")).toContainText("Agreed in the meeting room.");
  await expect(page.getByTestId("signature")).toContainText("Signed by Dr Samir Haddad");
  expect(errors).toEqual([]);
});
