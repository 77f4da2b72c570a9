// The screens a field worker uses pass axe-core with no serious or critical violation,
// and the pages say which language they are in.
import { test } from "node:test";
import assert from "node:assert/strict";
import { seriousViolations, signIn, wardAndBrowser } from "./harness.mjs";

const world = wardAndBrowser();

test("sign-in, capture and my requests have no serious accessibility violations", async () => {
  const context = await world.browser.newContext({ locale: "ja-JP" });
  const page = await context.newPage();
  await page.goto(world.ward.url);
  await page.getByTestId("staff-id").waitFor();
  assert.equal(await page.getAttribute("html", "lang"), "ja");
  assert.deepEqual(await seriousViolations(page), [], "sign-in page");

  await signIn(page, "road01");
  await page.getByTestId("nav-capture").click();
  await page.getByTestId("title").waitFor();
  assert.deepEqual(await seriousViolations(page), [], "capture page");

  await page.getByTestId("nav-mine").click();
  assert.deepEqual(await seriousViolations(page), [], "my requests page");
  await context.close();
});

test("an English-language device gets the English UI, and lang follows", async () => {
  const context = await world.browser.newContext({ locale: "en-US" });
  const page = await context.newPage();
  await page.goto(world.ward.url);
  await page.getByTestId("staff-id").waitFor();
  assert.equal(await page.getAttribute("html", "lang"), "en");
  await page.getByTestId("lang-switch").click();
  await page.waitForFunction(() => document.documentElement.lang === "ja");
  await context.close();
});
