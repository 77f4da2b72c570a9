// The screens a field worker uses pass axe-core with no serious or critical violation,
// and the pages say which language they are in.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { startWardRecord, launchBrowser, signIn } from "./harness.mjs";

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

let ward;
let browser;
before(async () => {
  ward = await startWardRecord();
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await ward?.stop();
});

async function seriousViolations(page) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}

test("sign-in, capture and my requests have no serious accessibility violations", async () => {
  const context = await browser.newContext({ locale: "ja-JP" });
  const page = await context.newPage();
  await page.goto(ward.url);
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
  const context = await browser.newContext({ locale: "en-US" });
  const page = await context.newPage();
  await page.goto(ward.url);
  await page.getByTestId("staff-id").waitFor();
  assert.equal(await page.getAttribute("html", "lang"), "en");
  await page.getByTestId("lang-switch").click();
  await page.waitForFunction(() => document.documentElement.lang === "ja");
  await context.close();
});
