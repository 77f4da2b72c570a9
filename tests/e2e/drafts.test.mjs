// A road inspector in the rain: what is typed survives a reload, the category used last
// comes first, and a saved request opens in a detail view from My requests.
import { test } from "node:test";
import assert from "node:assert/strict";
import { seriousViolations, signIn, wardAndBrowser, signInAgain, waitForDraft } from "./harness.mjs";

const world = wardAndBrowser();

test("a draft survives a reload, recent categories come first, a request opens in detail", async () => {
  const context = await world.browser.newContext({ locale: "ja-JP" });
  const page = await context.newPage();
  await page.goto(world.ward.url);
  await signIn(page, "road01");

  // Typing is kept as it goes.
  await page.getByTestId("title").fill("側溝の蓋が外れている");
  await page.getByTestId("description").fill("雨で水があふれている。");
  await page.getByTestId("address").fill("高津区溝口一丁目 郵便局前");
  await waitForDraft(page, "road01", "側溝の蓋が外れている雨で水があふれている。高津区溝口一丁目 郵便局前");

  // A reload (or a crash, or a closed tab) brings it back, and says so.
  await page.reload();
  await signInAgain(page, "road01");
  await page.getByTestId("title").waitFor();
  const status = page.getByRole("status").filter({ hasText: "下書きを復元しました" });
  await status.waitFor();
  assert.equal(await page.getByTestId("title").inputValue(), "側溝の蓋が外れている");
  assert.equal(await page.getByTestId("description").inputValue(), "雨で水があふれている。");
  assert.equal(await page.getByTestId("address").inputValue(), "高津区溝口一丁目 郵便局前");
  await page.getByTestId("discard-draft").waitFor();
  assert.deepEqual(await seriousViolations(page), [], "capture page with a restored draft");

  // Saving clears the draft: after a reload the form is empty and nothing is restored.
  await page.getByTestId("category").selectOption("road-drain");
  await page.getByTestId("save").click();
  const saved = page.getByTestId("form-message").filter({ hasText: "保存しました" });
  await saved.waitFor({ timeout: 10_000 }).catch(async (e) => {
    throw new Error(`not saved: ${await page.getByTestId("form-message").innerText()}`, { cause: e });
  });
  assert.equal(await page.getByTestId("discard-draft").count(), 0);
  await page.reload();
  await signInAgain(page, "road01");
  await page.getByTestId("title").waitFor();
  assert.equal(await page.getByTestId("title").inputValue(), "");
  assert.equal(await page.getByTestId("description").inputValue(), "");
  assert.equal(await page.getByTestId("discard-draft").count(), 0);
  const statusBox = await page.getByTestId("draft-status").boundingBox();
  assert.ok(statusBox.height < 1, "no empty restored-draft box");

  // The category just used is listed first, in the Recent group before the departments.
  const firstGroup = page.locator('[data-testid="category"] optgroup').first();
  assert.equal(await firstGroup.getAttribute("label"), "最近使った分類");
  assert.equal(await firstGroup.locator("option").first().getAttribute("value"), "road-drain");

  // Discard drops a restored draft.
  await page.getByTestId("title").fill("捨てる下書き");
  await waitForDraft(page, "road01", "捨てる下書き");
  await page.reload();
  await signInAgain(page, "road01");
  await page.getByTestId("discard-draft").click();
  assert.equal(await page.getByTestId("title").inputValue(), "");
  await page.waitForFunction(() => localStorage.getItem("koe.draft.road01") === null);

  // My requests: tapping the row opens its detail; back returns to the list.
  await page.getByTestId("nav-mine").click();
  const row = page.getByTestId("my-request").filter({ hasText: "側溝の蓋が外れている" });
  await page.locator('[data-testid="my-request"][data-sync="synced"]').waitFor({ timeout: 30_000 });
  await row.click();
  const detail = page.getByTestId("request-detail");
  await detail.waitFor();
  assert.equal(await page.getByTestId("detail-title").innerText(), "側溝の蓋が外れている");
  assert.match(await detail.innerText(), /雨で水があふれている。/);
  // Online: notes and history come from the ward record once it has the request.
  await page.getByTestId("detail-history").filter({ hasText: "受付" }).waitFor();
  assert.deepEqual(await seriousViolations(page), [], "request detail");
  await page.getByTestId("detail-back").click();
  await page.getByTestId("my-request").first().waitFor();
  assert.equal(await detail.count(), 0);

  // Offline the detail still opens from the device; notes and history wait for a signal.
  await context.setOffline(true);
  await page.getByTestId("net-state").filter({ hasText: "オフライン" }).waitFor();
  await row.click();
  await page.getByTestId("shown-when-online").filter({ hasText: "オンライン時に表示" }).waitFor();
  assert.equal(await page.getByTestId("detail-title").innerText(), "側溝の蓋が外れている");
  await page.getByTestId("detail-back").click();
  await context.setOffline(false);
  await page.getByTestId("net-state").filter({ hasText: "オンライン" }).waitFor();

  // Signing out keeps the draft for its author, sealed: the next person sees nothing of it.
  await page.getByTestId("nav-capture").click();
  await page.getByTestId("title").fill("個人の下書き");
  await waitForDraft(page, "road01", "個人の下書き");
  await page.getByTestId("sign-out").click();
  await page.getByTestId("sign-out-warning").filter({ hasText: "下書き 1 件" }).waitFor();
  await page.getByTestId("sign-out-anyway").click();
  await page.getByTestId("staff-id").waitFor();
  const kept = await page.evaluate(() => localStorage.getItem("koe.draft.road01"));
  assert.ok(kept && !kept.includes("個人"), "kept, sealed");
  await signIn(page, "park01");
  assert.equal(await page.getByTestId("title").inputValue(), "", "park01 sees no one's draft");
  await page.getByTestId("sign-out").click();
  await page.getByTestId("staff-id").waitFor();
  await signIn(page, "road01");
  assert.equal(await page.getByTestId("title").inputValue(), "個人の下書き", "road01's own, back");
  await context.close();
});
