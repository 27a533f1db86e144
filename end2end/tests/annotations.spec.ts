import { test, expect } from "@playwright/test";
import { expectAccessible, loginAs, waitForHydration, watchConsole } from "./helpers";

test("a surgeon and a radiologist annotate one case in their own voices", async ({ page, browser }) => {
  const errors = watchConsole(page);
  await loginAs(page, "surgeon", "/cases");
  await page.getByRole("link", { name: "Otto Demo-Fischer" }).click();
  await waitForHydration(page);
  const voices = page.getByTestId("voices");
  await expect(voices.locator('[data-specialty="pathology"]')).toContainText("No pathology voice yet");

  // Markup typed into a note stays text.
  await page.getByLabel("Annotation").fill('Resectable. <img src=x onerror="window.__pwned=1">');
  await page.getByRole("button", { name: "Post as surgery" }).click();
  const surgery = voices.locator('[data-specialty="surgery"]');
  await expect(surgery.getByTestId("note")).toContainText('Resectable. <img src=x onerror="window.__pwned=1">');
  expect(await page.evaluate(() => (window as any).__pwned)).toBeUndefined();
  await expect(surgery.locator("img")).toHaveCount(0);
  await expectAccessible(page);
  const url = page.url();

  // The radiologist, in another browser, sees the surgeon's voice and replies.
  const other = await browser.newPage();
  await loginAs(other, "radiologist", new URL(url).pathname);
  await expect(other.getByTestId("voices").locator('[data-specialty="surgery"]')).toContainText("Resectable.");
  await other.getByRole("button", { name: "Reply to Dr Samir Haddad" }).click();
  await other.getByLabel("Annotation").fill("Agree: no vascular involvement on CT.");
  await other.getByRole("button", { name: "Post as radiology" }).click();
  await expect(other.getByTestId("voices").locator('[data-specialty="radiology"]')).toContainText("Agree: no vascular involvement");
  await other.close();

  // The surgeon amends their note: the earlier version stays readable.
  await page.reload();
  await waitForHydration(page);
  await expect(page.getByTestId("voices").locator('[data-specialty="radiology"]')).toContainText("reply");
  await page.getByRole("button", { name: "Amend or withdraw" }).click();
  await page.getByLabel("Amended text").fill("Resectable: segmental resection with mesenteric lymphadenectomy.");
  await page.getByRole("button", { name: "Save amendment" }).click();
  const note = page.getByTestId("voices").locator('[data-specialty="surgery"]').getByTestId("note");
  await expect(note).toContainText("segmental resection");
  await expect(note).toContainText("amended");
  await expect(note.locator("summary")).toHaveText("Earlier versions (1)");
  expect(errors).toEqual([]);
});
