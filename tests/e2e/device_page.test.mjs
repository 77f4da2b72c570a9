// 端末: what is stored on the device, and clearing old synced requests. A request logged
// 200 days ago (the device's clock set back) and synced with its photo is cleared with its
// photo; an equally old one still waiting, and a recent one, stay. Also: the list's search
// and filters, and no serious axe-core violations on either page.
import { test } from "node:test";
import assert from "node:assert/strict";
import { jpegFiles, logRequest, seriousViolations, signIn, wardAndBrowser, signInAgain } from "./harness.mjs";

const world = wardAndBrowser();
const DAY = 86_400_000;

async function counts(page) {
  const table = page.getByTestId("device-counts");
  await table.waitFor();
  const read = async (id) => Number(await table.getByTestId(id).innerText());
  return {
    requestsWaiting: await read("requests-waiting"),
    requestsSynced: await read("requests-synced"),
    photosWaiting: await read("photos-waiting"),
    photosSynced: await read("photos-synced"),
  };
}

test("old synced requests are cleared from the device, never waiting ones", async () => {
  const context = await world.browser.newContext({ locale: "ja-JP" });
  const page = await context.newPage();
  await page.goto(world.ward.url);
  await signIn(page, "road01");
  const now = Date.now();

  // 200 days ago, online: logged with a photo and synced.
  await page.clock.setFixedTime(new Date(now - 200 * DAY));
  const photos = await jpegFiles(page, 1, { label: "古い" });
  await page.getByTestId("nav-capture").click();
  await logRequest(page, { title: "古い送信済の受付", address: "高津区溝口1-1", photos });
  await page.getByTestId("nav-mine").click();
  const old = page.locator('[data-testid="my-request"]').filter({ hasText: "古い送信済の受付" });
  await old.locator('[data-testid="photo-state"][data-photos-synced="1/1"]').waitFor({ timeout: 60_000 });
  assert.equal(await old.getAttribute("data-sync"), "synced");

  // Still 200 days ago, offline: one that waits.
  await context.setOffline(true);
  await page.getByTestId("nav-capture").click();
  await logRequest(page, { title: "古いが未送信の受付", address: "高津区久本3-1" });
  // Today, offline.
  await page.clock.setFixedTime(new Date(now));
  await logRequest(page, { title: "今日の受付", address: "高津区二子1-1" });

  // The list: search (full-width letters and spaces), state and date filters.
  await page.getByTestId("nav-mine").click();
  await page.getByTestId("mine-count").waitFor();
  assert.equal(await page.getByTestId("mine-count").getAttribute("data-count"), "3");
  await page.getByTestId("mine-search").fill("古い");
  await page.locator('[data-testid="mine-count"][data-count="2"]').waitFor();
  // Words separated by a full-width space must all occur.
  await page.getByTestId("mine-search").fill("古い\u3000未送信");
  await page.locator('[data-testid="mine-count"][data-count="1"]').waitFor();
  assert.equal(await page.getByTestId("my-request").count(), 1);
  // Full-width digits find the half-width ones of the address.
  await page.getByTestId("mine-search").fill("古い");
  await page.locator('[data-testid="mine-count"][data-count="2"]').waitFor();
  await page.getByTestId("mine-search").fill("溝口１－１");
  await page.locator('[data-testid="mine-count"][data-count="1"]').waitFor();
  assert.deepEqual(await page.getByTestId("my-request").locator(".title").allInnerTexts(), ["古い送信済の受付"]);
  await page.getByTestId("mine-clear-filters").click();
  await page.locator('[data-testid="mine-count"][data-count="3"]').waitFor();
  // The office's status as pulled, and the device's sync state.
  await page.getByTestId("mine-state").selectOption("office:new");
  await page.locator('[data-testid="mine-count"][data-count="1"]').waitFor();
  await page.getByTestId("mine-state").selectOption("device:waiting");
  await page.locator('[data-testid="mine-count"][data-count="2"]').waitFor();
  const today = new Date(now);
  const iso = `${today.getFullYear()}-${String(today.getMonth() + 1).padStart(2, "0")}-${String(today.getDate()).padStart(2, "0")}`;
  await page.getByTestId("mine-from").fill(iso);
  await page.locator('[data-testid="mine-count"][data-count="1"]').waitFor();
  assert.deepEqual(await page.getByTestId("my-request").locator(".title").allInnerTexts(), ["今日の受付"]);
  assert.deepEqual(await seriousViolations(page), [], "My requests with filters");
  await page.getByTestId("mine-clear-filters").click();
  await page.locator('[data-testid="mine-count"][data-count="3"]').waitFor();

  // The device page.
  await page.getByTestId("nav-device").click();
  await page.getByRole("heading", { name: "端末の保存データ" }).waitFor();
  assert.deepEqual(await counts(page), { requestsWaiting: 2, requestsSynced: 1, photosWaiting: 0, photosSynced: 1 });
  const usage = page.getByTestId("device-usage");
  await usage.waitFor();
  assert.ok(Number(await usage.getAttribute("data-used")) > 0, "space used is shown");
  assert.ok(Number(await usage.getAttribute("data-quota")) > 0, "the quota is shown");
  assert.notEqual((await page.getByTestId("device-persisted").innerText()).trim(), "");
  assert.deepEqual(await seriousViolations(page), [], "the device page");

  // Older than 180 days; asked first, and nothing goes when the person says no.
  await page.getByTestId("clear-after").selectOption("180");
  await page.getByTestId("clear-old").click();
  const confirm = page.getByTestId("clear-confirm");
  await confirm.waitFor();
  assert.match(await confirm.innerText(), /受付 1 件と写真 1 枚/);
  assert.deepEqual(await seriousViolations(page), [], "the device page asking to confirm");
  await page.getByTestId("clear-no").click();
  await confirm.waitFor({ state: "detached" });
  assert.equal((await counts(page)).requestsSynced, 1);

  await page.getByTestId("clear-old").click();
  await page.getByTestId("clear-yes").click();
  await page.getByTestId("clear-message").filter({ hasText: "受付 1 件と写真 1 枚をこの端末から消しました" }).waitFor();
  await page.locator('[data-testid="requests-synced"]', { hasText: "0" }).waitFor();
  assert.deepEqual(await counts(page), { requestsWaiting: 2, requestsSynced: 0, photosWaiting: 0, photosSynced: 0 });

  // Nothing more: the waiting ones are never cleared, whatever their age.
  await page.getByTestId("clear-after").selectOption("30");
  await page.getByTestId("clear-old").click();
  await page.getByTestId("clear-message").filter({ hasText: "消せる受付はありません" }).waitFor();

  // The setting is kept on the device (reloaded online: the two waiting ones are sent).
  await context.setOffline(false);
  await page.reload();
  await signInAgain(page, "road01");
  await page.getByTestId("nav-device").click();
  await page.locator('[data-testid="clear-after"]').waitFor();
  await page.waitForFunction(() => document.querySelector('[data-testid="clear-after"]').value === "30");

  await page.getByTestId("nav-mine").click();
  await page.locator('[data-testid="mine-count"][data-count="2"]').waitFor();
  const titles = await page.getByTestId("my-request").locator(".title").allInnerTexts();
  assert.deepEqual(titles.sort(), ["今日の受付", "古いが未送信の受付"].sort());
  await context.close();
});
