// A field inspector's day on a phone (390×844), on a ward with 500 requests behind it:
// road01 goes out of signal, logs three requests with photos (one with the resident's
// contact and a landmark), comes back and syncs. The office (head01, through the API)
// answers one of them; the phone shows 回答あり on it within seconds, with nobody pressing
// 同期 (the app's short poll of /api/sync/news hears it), kept on the device until road01
// opens the request. The contact and landmark reached the ward record.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  goOffline,
  jpegFiles,
  logRequest,
  seriousViolations,
  signIn,
  signInAgain,
  waitForOfflineReady,
  wardAndBrowser,
  wardApi,
  shot as takeShot,
} from "./harness.mjs";
import { seedWard } from "./ward_seed.mjs";

const PHONE = { width: 390, height: 844 };
const TITLES = ["朝の巡回 歩道の穴", "朝の巡回 側溝のふた", "朝の巡回 倒れた標識"];
const ANSWER = "本日、補修業者を手配しました。来週中に直します。";

const world = wardAndBrowser();

const shot = (page, name, options) => takeShot(page, `field-${name}`, options);

/** The row of 自分の受付 with `title`. */
const rowOf = (page, title) => page.getByTestId("my-request").filter({ hasText: title });

test("the office's answer reaches the phone within seconds as 回答あり, until it is opened", async () => {
  const { ward, browser } = world;
  await seedWard(ward.url, { count: 500 });

  const context = await browser.newContext({ locale: "ja-JP", viewport: PHONE, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  await page.goto(ward.url);
  await signIn(page, "road01");
  await waitForOfflineReady(page);
  // The first sync brings road01's part of the ward; answers already given before are not
  // news on a device that never had those requests.
  await page.getByTestId("nav-mine").click();
  await page.getByTestId("my-request").first().waitFor({ timeout: 60_000 });
  await page.getByTestId("sync-status").filter({ hasText: "未送信はありません" }).waitFor({ timeout: 60_000 });
  assert.equal(await page.locator('[data-testid="my-request"][data-answered="true"]').count(), 0, "no old answer is marked");

  // Out of signal: three requests with photos, the first with the resident's contact and a landmark.
  await goOffline(context, page);
  await page.getByTestId("nav-capture").click();
  const files = await jpegFiles(page, 4, { width: 1200, height: 900, label: "現場" });
  await page.getByTestId("landmark").fill("電柱番号 高津12-3 の前");
  await page.getByTestId("contact-name").fill("川崎 花子");
  await page.getByTestId("contact-phone").fill("044-861-3111");
  await page.getByTestId("contact-email").fill("hanako@example.jp");
  await page.getByTestId("contact-consent").check();
  // The form on the phone, top to bottom, with the new fields filled.
  await page.getByTestId("category").selectOption("road-pothole");
  await page.getByTestId("title").fill(TITLES[0]);
  await page.getByTestId("photo-input").setInputFiles(files.slice(0, 2));
  await page.getByTestId("photo-thumb").nth(1).waitFor();
  await shot(page, "capture-phone-full", { fullPage: true });
  const height = await page.evaluate(() => document.documentElement.scrollHeight);
  for (let y = 0, n = 1; y < height; y += PHONE.height - 100, n++) {
    await page.evaluate((top) => window.scrollTo(0, top), y);
    await shot(page, `capture-phone-${n}`);
  }
  await page.evaluate(() => window.scrollTo(0, 0));
  // Large boxes of the right kind, every one labelled, none wider than the phone.
  for (const id of ["landmark", "contact-name", "contact-phone", "contact-email"]) {
    const box = await page.getByTestId(id).boundingBox();
    assert.ok(box.height >= 44, `${id} is ${box.height} px tall`);
    assert.ok(box.width >= PHONE.width - 100 && box.x + box.width <= PHONE.width, `${id} spans the phone: ${JSON.stringify(box)}`);
    assert.equal(await page.getByTestId(id).getAttribute("autocomplete"), "off", `${id}: resident data is not remembered by the browser`);
    assert.equal(await page.locator(`label[for="${id}"]`).count(), 1, `${id} has a label`);
  }
  assert.equal(await page.getByTestId("contact-phone").getAttribute("type"), "tel");
  assert.equal(await page.getByTestId("contact-email").getAttribute("type"), "email");
  assert.deepEqual(await seriousViolations(page), [], "capture form: no serious accessibility problems");
  await logRequest(page, { category: "road-pothole", title: TITLES[0], address: "高津区溝口1-2" });
  // Saved: the contact and landmark left the form with the request.
  assert.equal(await page.getByTestId("landmark").inputValue(), "");
  assert.equal(await page.getByTestId("contact-phone").inputValue(), "");
  assert.equal(await page.getByTestId("contact-consent").isChecked(), false);
  await logRequest(page, { category: "road-drain", title: TITLES[1], address: "高津区久本2-8", photos: files.slice(2, 3) });
  await logRequest(page, { category: "road-sign-mirror", title: TITLES[2], address: "高津区二子3-1", photos: files.slice(3, 4) });
  await page.getByTestId("sync-status").filter({ hasText: "未送信 3 件" }).waitFor();

  // Back in signal: everything goes by itself.
  await context.setOffline(false);
  await page.getByTestId("net-state").filter({ hasText: "オンライン" }).waitFor();
  await page.getByTestId("nav-mine").click();
  for (const title of TITLES) {
    await page.locator('[data-testid="my-request"][data-sync="synced"]').filter({ hasText: title }).waitFor({ timeout: 60_000 });
  }
  await page.getByTestId("sync-status").filter({ hasText: "未送信はありません" }).waitFor({ timeout: 60_000 });
  const id = await rowOf(page, TITLES[0]).getAttribute("data-id");

  // The office answers the first (response and status), through the API.
  const head = await wardApi(ward.url, "head01");
  const { request } = await (await head.get(`/api/requests/${id}`)).json();
  assert.equal(request.place.landmark, "電柱番号 高津12-3 の前", "the landmark reached the ward record");
  assert.deepEqual(
    request.contact,
    { name: "川崎 花子", phone: "044-861-3111", email: "hanako@example.jp", consent_to_contact: true },
    "the resident's contact reached the ward record",
  );
  const edits = [
    ["assignee", "road01"],
    ["status", "in_progress"],
    ["response", ANSWER],
  ].map(([field, value]) => ({ field, value, base_version: request.version }));
  const res = await head.post("/api/sync/push", {
    data: { client_id: crypto.randomUUID(), mutations: [{ id: 1, author: "head01", type: "set_fields", request_id: id, edits }] },
  });
  assert.equal(res.status(), 200, await res.text());
  assert.equal((await res.json()).outcomes[0].outcome, "applied");
  await head.dispose();

  // The phone hears it by itself (nobody presses 同期): 回答あり on that request only.
  const answered = page.locator(`[data-testid="my-request"][data-id="${id}"][data-answered="true"]`);
  await answered.waitFor({ timeout: 10_000 });
  assert.equal(await answered.getByTestId("answered-badge").innerText(), "回答あり");
  assert.equal(await page.locator('[data-testid="my-request"][data-answered="true"]').count(), 1, "only the answered request is marked");
  const news = page.getByTestId("answers-news");
  assert.equal(await news.getAttribute("aria-live"), "polite");
  assert.match(await news.innerText(), /新しい回答が 1 件/);
  await page.evaluate(() => window.scrollTo(0, 0));
  await shot(page, "mine-answered-phone");
  assert.deepEqual(await seriousViolations(page), [], "自分の受付 with 回答あり: no serious accessibility problems");

  // Kept on the device (sealed with the person's data): still there after a reload.
  await page.reload();
  await signInAgain(page, "road01");
  await page.getByTestId("nav-mine").click();
  await answered.waitFor();

  // Opening it shows the answer; back in the list, the mark is gone, and stays gone.
  await answered.click();
  await page.getByTestId("request-detail").filter({ hasText: ANSWER }).waitFor();
  // Its edit form's phone and email boxes are as large as the capture form's.
  await page.getByTestId("edit-open").click();
  for (const id of ["edit-phone", "edit-email", "edit-name", "edit-landmark"]) {
    const box = await page.getByTestId(id).boundingBox();
    assert.ok(box.height >= 44 && box.width >= PHONE.width - 100, `${id} is ${box.width}×${box.height} px`);
  }
  assert.equal(await page.getByTestId("edit-phone").inputValue(), "044-861-3111");
  assert.equal(await page.getByTestId("edit-landmark").inputValue(), "電柱番号 高津12-3 の前");
  await page.getByTestId("edit-cancel").click();
  await page.getByTestId("detail-back").click();
  await page.locator(`[data-testid="my-request"][data-id="${id}"][data-answered="false"]`).waitFor();
  assert.equal(await page.locator('[data-testid="my-request"][data-answered="true"]').count(), 0);
  assert.equal((await news.innerText()).trim(), "");
  await page.reload();
  await signInAgain(page, "road01");
  await page.getByTestId("nav-mine").click();
  await page.locator(`[data-testid="my-request"][data-id="${id}"][data-answered="false"]`).waitFor();
  await context.close();
});
