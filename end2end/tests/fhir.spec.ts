import { test, expect } from "@playwright/test";
import { expectAccessible, loginAs, watchConsole } from "./helpers";

// Issue 19: a coordinator makes a draft case from a referral's FHIR file on the new-case page,
// sees what could not be read, opens the case, and the case exports as FHIR again.
test("a referral's FHIR file becomes a draft case, with what was not read listed", async ({ page }) => {
  const errors = watchConsole(page);
  await loginAs(page, "coordinator", "/cases/new");
  await expect(page.getByRole("heading", { level: 2, name: "Import a referral from a FHIR file" })).toBeVisible();
  const mrn = `FHIR-${Date.now()}`;
  const bundle = {
    resourceType: "Bundle",
    type: "collection",
    entry: [
      { resource: { resourceType: "Patient", identifier: [{ type: { coding: [{ code: "MR" }] }, value: mrn }],
        name: [{ given: ["Greta"], family: "Referral" }], gender: "female", birthDate: "1961-04-02" } },
      { resource: { resourceType: "Condition",
        bodySite: [{ coding: [{ system: "http://snomed.info/sct", code: "15776009" }] }] } },
      { resource: { resourceType: "Observation", status: "final",
        code: { coding: [{ system: "http://loinc.org", code: "89247-1" }] }, valueInteger: 1 } },
      { resource: { resourceType: "Observation", status: "final",
        code: { coding: [{ system: "http://loinc.org", code: "718-7", display: "Hemoglobin" }] },
        valueQuantity: { value: 12.9, unit: "g/dL" } } },
    ],
  };
  // Two boards for the coordinator: the import goes to the one chosen above it.
  await page.getByLabel("Board", { exact: true }).selectOption({ label: "NET board (demo)" });
  // A file that is not FHIR says what is wrong, and nothing is saved.
  await page.getByLabel("FHIR file (.json)").setInputFiles({
    name: "letter.json", mimeType: "application/json", buffer: Buffer.from(JSON.stringify({ resourceType: "Patient" })),
  });
  await expect(page.getByTestId("fhir-errors")).toContainText("resourceType");
  await expect(page.getByTestId("fhir-errors")).toContainText("nothing was saved");
  await page.getByLabel("FHIR file (.json)").setInputFiles({
    name: "referral.json", mimeType: "application/fhir+json", buffer: Buffer.from(JSON.stringify(bundle)),
  });
  const done = page.getByTestId("fhir-imported");
  await expect(done).toContainText("Draft case made for Greta Referral.");
  await expect(page.getByTestId("fhir-unread")).toContainText("Observation “Hemoglobin”: not a field of a NET case");
  await expectAccessible(page);
  // The case made opens with what the file held.
  await page.getByRole("link", { name: "Open the new case" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toContainText("Greta Referral");
  await expect(page.getByText(mrn).first()).toBeVisible();
  // And it exports as FHIR, with the ECOG the file gave.
  const id = page.url().split("/cases/")[1];
  const res = await page.request.get(`/api/v1/cases/${id}/fhir`);
  expect(res.headers()["content-type"]).toBe("application/fhir+json");
  const exported = await res.json();
  const ecog = exported.entry.map((e: { resource: Record<string, unknown> }) => e.resource)
    .find((r: Record<string, unknown>) => (r.id as string)?.endsWith("-ecog"));
  expect(ecog.valueInteger).toBe(1);
  expect(errors).toEqual([]);
});
