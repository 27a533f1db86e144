import { test, expect, type Page } from "@playwright/test";
import * as fs from "fs";
import * as path from "path";
import { expectAccessible, expectErrorsMarked, loginAs, openMeetingMode, waitForHydration, watchConsole } from "./helpers";

// Issue 20: a pathologist attaches a report to a case (the upload shows its progress, a file
// that is not a PDF, PNG or JPEG is refused whatever its name), corrects it and withdraws a
// wrong one; the board sees the report and the key image in meeting mode, on the presenter's
// screen and on a follower's.

const data = (name: string) => fs.readFileSync(path.join(__dirname, "..", "..", "testdata", "attachments", name));

async function openDemoCase(page: Page, user: string, name: string) {
  await loginAs(page, user, "/cases");
  await page.getByRole("link", { name }).first().click();
  await waitForHydration(page);
  await expect(page.getByRole("heading", { level: 2, name: "Documents and images" })).toBeVisible();
}

async function attach(page: Page, file: { name: string; buffer: Buffer; mimeType: string }, fields: { kind: string; title: string; date: string; corrects?: string }) {
  const form = page.getByRole("form", { name: "Attach a document or image" });
  if (!(await form.isVisible())) await page.getByText("Attach a document or image", { exact: true }).click();
  await form.getByLabel(/^File: PDF, PNG or JPEG/).setInputFiles(file);
  await form.getByLabel("Kind of document").selectOption({ label: fields.kind });
  await form.getByLabel("Date of the examination or letter").fill(fields.date);
  await form.getByLabel("Document title").fill(fields.title);
  if (fields.corrects) await form.getByLabel("Corrects (optional)").selectOption({ label: fields.corrects });
  await form.getByRole("button", { name: "Attach" }).click();
}

test("a pathologist attaches, corrects and withdraws reports on the case page", async ({ page }) => {
  const errors = watchConsole(page);
  await openDemoCase(page, "pathologist", "Ingrid Demo-Holm");
  const docs = page.locator("section.attachments");
  // The demo's report and key image: the image is shown from its copy without metadata, and it
  // decodes (a damaged copy would have no width).
  await expect(docs.getByText("EUS-FNA cytology, pancreatic body (synthetic)", { exact: true })).toBeVisible();
  const thumb = docs.getByRole("img", { name: /CT arterial phase, pancreatic body lesion/ });
  await thumb.scrollIntoViewIfNeeded(); // thumbnails load lazily, when near the view
  await expect.poll(() => thumb.evaluate((img: HTMLImageElement) => img.naturalWidth)).toBe(256);
  await expect(docs).toContainText("shown without the image's metadata");

  // An executable named like a report is refused, next to the file field; nothing is stored.
  await attach(page, { name: "report.pdf", mimeType: "application/pdf", buffer: Buffer.from("\x7fELF\x02\x01\x01\x00 not a report") },
    { kind: "Pathology report", title: "Executable", date: "2026-11-25" });
  await expect(page.getByTestId("upload-error")).toBeVisible();
  await expect(page.locator("#att-file-error")).toContainText("not a PDF, PNG or JPEG");
  await expectErrorsMarked(page);
  await expect(docs.getByText("Executable", { exact: true })).toHaveCount(0);

  // A report: uploaded with progress, then listed with its SHA-256.
  const title = `Resection specimen ${Date.now()}`;
  await attach(page, { name: "Demo-Holm_resection.pdf", mimeType: "application/pdf", buffer: data("pathology-report.pdf") },
    { kind: "Pathology report", title, date: "2026-11-25" });
  await expect(page.getByTestId("upload-done")).toHaveText("The document was attached.");
  const item = docs.getByTestId("attachment").filter({ hasText: title });
  await expect(item).toContainText("Pathology · 981 B · uploaded by Dr Petra Novak");
  await expect(item.locator("code.hash")).toHaveText(/^[0-9a-f]{64}$/);
  // Its bytes are served as a PDF, inline, named by its title (not by the uploaded name).
  const href = await item.getByTestId("open-attachment").getAttribute("href");
  const res = await page.request.get(href!);
  expect(res.headers()["content-type"]).toBe("application/pdf");
  expect(res.headers()["content-disposition"]).toBe(`inline; filename="${title} 2026-11-25.pdf"`);
  expect(res.headers()["x-content-type-options"]).toBe("nosniff");
  expect((await res.body()).equals(data("pathology-report.pdf"))).toBe(true);

  // A corrected version supersedes it; the first stays readable under "Earlier versions".
  await attach(page, { name: "corrected.pdf", mimeType: "application/pdf", buffer: Buffer.concat([data("pathology-report.pdf"), Buffer.from("% corrected\n")]) },
    { kind: "Pathology report", title: `${title}, corrected`, date: "2026-11-26", corrects: `${title} (2026-11-25)` });
  await expect(docs.getByTestId("attachment").filter({ hasText: `${title}, corrected` })).toContainText("corrected version");
  await expect(docs.locator("details.earlier")).toContainText(title);

  // Withdrawn with a reason: a tombstone, no longer opened.
  const corrected = docs.getByTestId("attachment").filter({ hasText: `${title}, corrected` });
  await corrected.getByRole("button", { name: /^Withdraw\s*:/ }).click();
  await corrected.getByLabel(/Why is it withdrawn/).fill("Filed on the wrong patient.");
  await corrected.getByRole("button", { name: "Withdraw the document" }).click();
  await expect(corrected.getByTestId("attachment-withdrawn")).toContainText("Withdrawn by Dr Petra Novak");
  await expect(corrected.getByTestId("attachment-withdrawn")).toContainText("Filed on the wrong patient.");
  // The form and its buttons are gone: the focus is on the notice, not lost to the page.
  await expect(corrected.getByTestId("attachment-withdrawn")).toBeFocused();
  await expect(corrected.getByTestId("open-attachment")).toHaveCount(0);
  await expectAccessible(page);
  expect(errors).toEqual([]);
});

test("the presenter shows a case's report and key image to the room, and followers see them", async ({ browser }) => {
  test.setTimeout(90_000);
  const chair = await (await browser.newContext({ viewport: { width: 1920, height: 1080 } })).newPage();
  const follower = await (await browser.newContext()).newPage();
  const errors = [watchConsole(chair), watchConsole(follower)];
  await openMeetingMode(chair, "coordinator");
  const takeControl = chair.getByRole("button", { name: "Take control" });
  if (await takeControl.isVisible()) await takeControl.click();
  // The first case of the agenda holds the demo's documents.
  await chair.getByRole("navigation", { name: "Agenda" }).getByRole("button", { name: /Ingrid Demo-Holm/ }).click();
  await expect(chair.getByTestId("present-case")).toContainText("Ingrid Demo-Holm");
  await expect(chair.getByTestId("presenter")).toHaveText(/You are presenting/);
  const list = chair.getByTestId("present-docs");
  await expect(list).toContainText("EUS-FNA cytology, pancreatic body (synthetic)");

  await openMeetingMode(follower, "surgeon");
  await expect(follower.getByTestId("present-case")).toContainText("Ingrid Demo-Holm");

  // The report, large on every screen.
  await list.getByRole("button", { name: /^Show to the room\s*: EUS-FNA cytology/ }).click();
  for (const page of [chair, follower]) {
    const shown = page.getByTestId("present-document");
    await expect(shown).toContainText("EUS-FNA cytology, pancreatic body (synthetic)");
    await expect(shown.locator("iframe")).toHaveAttribute("title", "EUS-FNA cytology, pancreatic body (synthetic)");
  }
  // Then the key image, from its copy without metadata, decoded (once the presenter's list
  // says the report is on screen: the list is rebuilt with each step).
  await expect(list.locator("li.shown")).toContainText("EUS-FNA cytology");
  // (What is on screen, and any refusal the presenter was shown, so that a failure says why.)
  const state = async () => {
    const refused = chair.getByTestId("present-refused");
    const why = (await refused.count()) ? await refused.textContent() : "no refusal shown";
    return `${await list.locator("li.shown").textContent()} | ${why}`;
  };
  // Chromium's PDF viewer takes the keyboard focus when the report has loaded, and from then
  // on a mouse click that Playwright gives the page does not arrive (one run in four to twelve,
  // one in two when the test waited for the report to load; no click event reached the page,
  // the document stayed the report). The presenter's button is pressed from the keyboard
  // instead, once the viewer has the focus: `press` focuses the button, which takes the focus
  // back from the viewer. No second press is allowed: 598c4ef fixed a real lost step here
  // (the button named the case from `room.current`, which the page's effects rewrite).
  await chair
    .waitForFunction(() => document.activeElement?.classList.contains("present-pdf"), null, { timeout: 5_000 })
    .catch(() => {});
  await list.getByRole("button", { name: /^Show to the room\s*: CT arterial phase/ }).press("Enter");
  await expect.poll(state, { timeout: 10_000 }).toContain("CT arterial phase");
  for (const page of [chair, follower]) {
    const img = page.getByTestId("present-document").getByRole("img", { name: /CT arterial phase/ });
    await expect(img).toBeVisible();
    await expect.poll(() => img.evaluate((i: HTMLImageElement) => i.naturalWidth)).toBe(256);
  }
  await expectAccessible(chair);
  // Closing it clears every screen.
  await chair.getByRole("button", { name: "Close the document" }).click();
  await expect(follower.getByTestId("present-document")).toHaveCount(0);
  expect(errors).toEqual([[], []]);
});
