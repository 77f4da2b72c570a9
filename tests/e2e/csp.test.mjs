// The app under its own Content-Security-Policy (the other tests bypass it, for
// Playwright's and axe-core's scripts): signing in, logging a request offline and
// syncing it run with no violation reported by the browser.
import { test } from "node:test";
import assert from "node:assert/strict";
import { signIn, wardAndBrowser, wardApi, wardRequests } from "./harness.mjs";

/** Polls with plain `evaluate` (Playwright's `waitForFunction` is a script the CSP refuses). */
async function until(page, fn) {
  for (let i = 0; i < 200; i++) {
    if (await page.evaluate(fn)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`never: ${fn}`);
}

const world = wardAndBrowser();

test("the app works under its CSP, and the browser reports no violation", async () => {
  const context = await world.browser.newContext({ locale: "ja-JP", bypassCSP: false });
  const page = await context.newPage();
  const violations = [];
  page.on("console", (m) => /Content Security Policy/i.test(m.text()) && violations.push(m.text()));
  const answer = await page.goto(world.ward.url);
  const csp = answer.headers()["content-security-policy"] ?? "";
  assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
  assert.match(csp, /frame-ancestors 'none'/);
  assert.doesNotMatch(csp, /script-src[^;]*'unsafe-inline'/);
  await signIn(page, "road01");
  await until(page, () => navigator.serviceWorker?.controller != null);
  await context.setOffline(true);
  await page.getByTestId("net-state").filter({ hasText: "オフライン" }).waitFor();
  await page.getByTestId("category").selectOption("road-pothole");
  await page.getByTestId("title").fill("CSPの下で受付");
  await page.getByTestId("address").fill("高津区溝口1-1");
  await page.getByTestId("save").click();
  await page.getByTestId("form-message").filter({ hasText: "保存しました" }).waitFor();
  await context.setOffline(false);
  await page.getByTestId("sync-status").filter({ hasText: "未送信はありません" }).waitFor({ timeout: 30_000 });
  const clerk = await wardApi(world.ward.url, "clerk01");
  assert.equal((await wardRequests(clerk)).filter((r) => r.title === "CSPの下で受付").length, 1);
  await clerk.dispose();
  assert.deepEqual(violations, [], "no CSP violation");
  await context.close();
});
