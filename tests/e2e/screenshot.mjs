// Takes the README's picture: the capture form on a phone, offline, after one sign-in.
// Run after a build: node tests/e2e/screenshot.mjs [out.png]
import { startWardRecord, launchBrowser, signIn, waitForOfflineReady, ROOT } from "./harness.mjs";
import { join } from "node:path";

const out = process.argv[2] || join(ROOT, "docs/screenshot.png");
const ward = await startWardRecord();
const browser = await launchBrowser();
try {
  const context = await browser.newContext({ locale: "ja-JP", viewport: { width: 412, height: 900 }, deviceScaleFactor: 1, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await page.goto(ward.url);
  await signIn(page, "road01");
  await waitForOfflineReady(page);
  await context.setOffline(true);
  await page.getByTestId("nav-capture").click();
  await page.getByTestId("category").selectOption("road-pothole");
  await page.getByTestId("title").fill("歩道の段差でつまずく");
  await page.getByTestId("description").fill("高齢の方が段差でつまずいたとのこと。早めの補修を希望。");
  await page.getByTestId("address").fill("高津区下作延二丁目8番 高津区役所前");
  await page.getByTestId("urgency-high").check();
  await page.screenshot({ path: out, fullPage: true });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await ward.stop();
}
