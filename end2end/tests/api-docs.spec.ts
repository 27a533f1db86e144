import { test, expect } from "@playwright/test";
import { expectAccessible } from "./helpers";

// Issue 19: the OpenAPI document for machines and its page for people, both public.
test("the API's page for people lists every operation, is keyboard-navigable and accessible", async ({ page, request }) => {
  // axe-core over every operation and schema of the document takes ~25 s on a 2-core machine
  // by itself, and the default 30 s ran out when the machine was busy.
  test.setTimeout(90_000);
  const doc = await (await request.get("/api/v1/openapi.json")).json();
  const operations = Object.values(doc.paths as Record<string, Record<string, unknown>>)
    .flatMap((item) => Object.keys(item).filter((k) => ["get", "post", "put", "patch", "delete"].includes(k))).length;
  expect(operations).toBeGreaterThan(40);
  await page.goto("/api/docs");
  await expect(page.getByRole("heading", { level: 1, name: /Tumorboard API/ })).toBeVisible();
  await expect(page.locator("span.method")).toHaveCount(operations);
  // From the contents to a section, then from an operation's body to its schema, by keyboard.
  const contents = page.getByRole("navigation", { name: "Sections" });
  await contents.getByRole("link", { name: "plans" }).focus();
  await page.keyboard.press("Enter");
  await expect(page).toHaveURL(/#tag-plans$/);
  await expect(page.getByRole("heading", { level: 3, name: /\/api\/v1\/cases\/\{id\}\/plan\/sign/ })).toBeVisible();
  await page.getByRole("link", { name: "CaseRecord" }).first().click();
  await expect(page).toHaveURL(/#schema-CaseRecord$/);
  await expect(page.getByRole("heading", { level: 3, name: "CaseRecord", exact: true })).toBeInViewport();
  await expectAccessible(page);
});
