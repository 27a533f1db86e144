import { test, expect } from "@playwright/test";
import { expectAccessible, expectErrorsMarked, loginAs, waitForHydration, watchConsole } from "./helpers";

test("a surgeon and a radiologist annotate one case in their own voices", async ({ page, browser }) => {
  const errors = watchConsole(page);
  await loginAs(page, "surgeon", "/cases");
  await page.getByRole("link", { name: "Otto Demo-Fischer" }).click();
  await waitForHydration(page);
  const voices = page.getByTestId("voices");
  await expect(voices.locator('[data-specialty="pathology"]')).toContainText("No pathology voice yet");

  // Item 8: the note counts its characters while typing and refuses a too long one before
  // anything is sent.
  await page.getByLabel("Annotation").fill("x".repeat(10_050));
  await expect(page.getByTestId("note-count")).toHaveText("10050 / 10000 characters");
  await page.getByRole("button", { name: "Post as surgery" }).click();
  await expect(page.locator("#note-body-error")).toHaveText("At most 10000 characters: shorten it by 50.");
  await expectErrorsMarked(page);
  // Markup typed into a note stays text.
  await page.getByLabel("Annotation").fill('Resectable. <img src=x onerror="window.__pwned=1">');
  await page.getByRole("button", { name: "Post as surgery" }).click();
  const surgery = voices.locator('[data-specialty="surgery"]');
  await expect(surgery.getByTestId("note")).toContainText('Resectable. <img src=x onerror="window.__pwned=1">');
  expect(await page.evaluate(() => (window as any).__pwned)).toBeUndefined();
  await expect(surgery.locator("img")).toHaveCount(0);
  await expectAccessible(page);
  const url = page.url();

  // The surgeon's page follows the case live.
  await expect(page.getByTestId("live-state")).toHaveAttribute("data-state", "live");
  // Item 4: a question for pathology shows as open in the pathology column.
  await page.getByLabel("Kind", { exact: true }).selectOption("question");
  await page.getByLabel("Question for").selectOption("pathology");
  await page.getByLabel("Annotation").fill("Is the Ki-67 from the resection specimen?");
  await page.getByRole("button", { name: "Post as surgery" }).click();
  await expect(voices.locator('[data-specialty="pathology"]').getByTestId("open-question"))
    .toContainText("Open question from Dr Samir Haddad: Is the Ki-67 from the resection specimen?");
  await page.getByLabel("Kind", { exact: true }).selectOption("assessment");
  // A draft the surgeon is typing must survive other people's changes arriving.
  await page.getByLabel("Annotation").fill("Draft still being typed");

  // The radiologist, in another browser context, sees the surgeon's voice and replies with
  // structured findings.
  const otherContext = await browser.newContext();
  const other = await otherContext.newPage();
  await loginAs(other, "radiologist", new URL(url).pathname);
  await expect(other.getByTestId("voices").locator('[data-specialty="surgery"]')).toContainText("Resectable.");
  await expect(other.getByTestId("live-state")).toHaveAttribute("data-state", "live");
  await other.getByRole("button", { name: "Reply to Dr Samir Haddad" }).first().click();
  // The reply is written in the panel's form: the focus goes there, and comes back to it when
  // the reply is cancelled and chosen again.
  await expect(other.getByLabel("Annotation")).toBeFocused();
  await other.getByRole("button", { name: "Cancel reply" }).click();
  await expect(other.getByText("Replying to")).toHaveCount(0);
  await expect(other.getByLabel("Annotation")).toBeFocused();
  await other.getByRole("button", { name: "Reply to Dr Samir Haddad" }).first().click();
  await expect(other.getByLabel("Annotation")).toBeFocused();
  await other.getByLabel("Annotation").fill("Agree: no vascular involvement on CT.");
  await other.getByLabel("Lesion sizes (mm, comma-separated)").fill("12, eight");
  await other.getByRole("button", { name: "Post as radiology" }).click();
  await expect(other.locator("#note-lesions-error")).toContainText("not a size in mm");
  await expectErrorsMarked(other);
  await other.getByLabel("Lesion sizes (mm, comma-separated)").fill("12, 8");
  await other.getByLabel("SSTR uptake").selectOption("positive");
  await other.getByRole("button", { name: "Post as radiology" }).click();
  // Issue 16, item 4: the reply sits under the note it answers, not in the replier's column.
  const otherThread = other.getByTestId("voices").locator('[data-specialty="surgery"] .replies');
  await expect(otherThread).toContainText("Agree: no vascular involvement");
  await expect(otherThread).toContainText("12, 8 mm");
  await expect(otherThread).toContainText("↪ to Dr Samir Haddad");
  await expect(other.getByTestId("voices").locator('[data-specialty="radiology"]')).toContainText("No radiology voice yet");

  // Without reloading, the surgeon sees the reply appear, and their draft is untouched.
  const thread = page.getByTestId("voices").locator('[data-specialty="surgery"] .replies');
  await expect(thread).toContainText("Agree: no vascular involvement");
  await expect(thread).toContainText("↪ to Dr Samir Haddad");
  await expect(thread).toContainText("SSTR uptake");
  await expect(page.getByLabel("Annotation")).toHaveValue("Draft still being typed");
  await page.getByLabel("Annotation").fill("");

  // The surgeon amends their note: the earlier version stays readable, and the radiologist
  // sees the amendment arrive.
  await page.getByRole("button", { name: "Amend or withdraw" }).first().click();
  await page.getByLabel("Amended text").fill("Resectable: segmental resection with mesenteric lymphadenectomy.");
  await page.getByRole("button", { name: "Save amendment" }).click();
  const note = page.getByTestId("voices").locator('[data-specialty="surgery"]').getByTestId("note").first();
  await expect(note).toContainText("segmental resection");
  await expect(note).toContainText("amended");
  // The form is gone: the focus is on the note's own button, not on the page.
  await expect(note.getByRole("button", { name: "Amend or withdraw" })).toBeFocused();
  await expect(note.locator("summary")).toHaveText("Earlier versions (1)");
  await expect(other.getByTestId("voices").locator('[data-specialty="surgery"]')).toContainText("segmental resection");

  // An empty amendment or reason is refused under its own field and changes nothing; the
  // withdrawal then leaves a tombstone with its reason, the focus on it, and the radiologist
  // sees it arrive.
  await note.getByRole("button", { name: "Amend or withdraw" }).click();
  const amended = page.getByLabel("Amended text");
  await amended.fill("   ");
  await page.getByRole("button", { name: "Save amendment" }).click();
  await expect(amended).toHaveAttribute("aria-invalid", "true");
  await expect(amended).toHaveAccessibleDescription("Write the annotation.");
  // The button, disabled while the request ran, has the focus again: not lost to the page.
  await expect(page.getByRole("button", { name: "Save amendment" })).toBeFocused();
  const reason = page.getByLabel("Reason for withdrawing");
  await page.getByRole("button", { name: "Withdraw", exact: true }).click();
  await expect(reason).toHaveAttribute("aria-invalid", "true");
  await expect(reason).toHaveAccessibleDescription(/^Say why the annotation is withdrawn/);
  await expect(page.getByRole("button", { name: "Withdraw", exact: true })).toBeFocused();
  await expect(note).toContainText("segmental resection");
  await expect(note).not.toContainText("Withdrawn");
  await reason.fill("Written on the wrong case.");
  await page.getByRole("button", { name: "Withdraw", exact: true }).click();
  await expect(note).toContainText("Withdrawn: Written on the wrong case.");
  await expect(note.getByRole("button")).toHaveCount(0);
  await expect(note.getByText("Withdrawn: Written on the wrong case.")).toBeFocused();
  await expect(other.getByTestId("voices").locator('[data-specialty="surgery"]')).toContainText(
    "Withdrawn: Written on the wrong case.",
  );
  await otherContext.close();

  // A reviewer reads the voices but has no Reply buttons that would do nothing (item 11).
  const reviewerContext = await browser.newContext();
  const reviewer = await reviewerContext.newPage();
  await loginAs(reviewer, "reviewer", new URL(url).pathname);
  await waitForHydration(reviewer);
  await expect(reviewer.getByTestId("voices")).toContainText("segmental resection");
  await expect(reviewer.getByRole("button", { name: /^Reply to/ })).toHaveCount(0);
  await reviewerContext.close();
  expect(errors).toEqual([]);
});
