// A pooled tablet (公用端末), one browser profile, three people. road01 logs two requests
// (one with a photo) with no signal and signs out; welfare01 signs in, logs a consultation
// and syncs: the ward record has welfare01's alone, logged by welfare01, while road01's
// stay on the tablet, sealed; the browser's storage, read as devtools would, shows no text
// of either person's requests while the other is signed in. road01 signs in offline, then
// the tablet is online: both requests arrive once, logged by road01, the photo once;
// welfare01's next edit still applies. And: the sign-out warning, a wrong password
// offline, and the tablet retired by an administrator.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  DEMO_PASSWORD,
  deviceRecords,
  everythingStored,
  jpegFiles,
  launchPersistent,
  logRequest,
  signIn,
  startWardRecord,
  waitForOfflineReady,
  wardApi,
  wardRequests,
} from "./harness.mjs";

const profile = mkdtempSync(join(tmpdir(), "koe-pooled-"));
let ward;
let browser;
after(async () => {
  await browser?.close();
  await ward?.stop();
  rmSync(profile, { recursive: true, force: true });
});

const ROAD = ["歩道の陥没 溝口三丁目", "カーブミラーの破損 久本一丁目"];
const ROAD_DETAIL = "段差10センチ";
const WELFARE = "独居高齢者の見守り相談";
const WELFARE_DETAIL = "82歳、介護保険の申請を希望";

async function signOutAnyway(page) {
  await page.getByTestId("sign-out").click();
  const warning = page.getByTestId("sign-out-warning");
  await warning.waitFor();
  return warning;
}

test("three people on one tablet: each one's work stays theirs, sealed, and arrives once", async () => {
  ward = await startWardRecord();
  browser = await launchPersistent(profile);
  const page = browser.pages()[0] ?? (await browser.newPage());
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto(ward.url);

  // road01 at the office, once online; then in the field with no signal.
  await signIn(page, "road01");
  await waitForOfflineReady(page);
  await browser.setOffline(true);
  await page.getByTestId("net-state").filter({ hasText: "オフライン" }).waitFor();
  const [photo] = await jpegFiles(page, 1, { label: "陥没" });
  await logRequest(page, { title: ROAD[0], description: ROAD_DETAIL, address: "高津区溝口3-1", photos: [photo] });
  await logRequest(page, { title: ROAD[1], address: "高津区久本1-2" });
  await page.getByTestId("title").fill("書きかけの受付");
  await page.getByTestId("sync-status").filter({ hasText: "未送信 2 件" }).waitFor();

  // Signing out says what stays; the person may stay.
  const warning = await signOutAnyway(page);
  assert.match(await warning.innerText(), /未送信 2 件・下書き 1 件があります/);
  await page.screenshot({ path: join(tmpdir(), "koe-sign-out-warning.png") });
  // Escape, or 「このまま続ける」 (it has the focus), keeps road01 signed in.
  await page.keyboard.press("Escape");
  await page.getByTestId("sign-out-warning").waitFor({ state: "detached" });
  await signOutAnyway(page);
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), "stay-signed-in");
  await page.getByTestId("stay-signed-in").click();
  await page.getByTestId("nav-capture").waitFor();
  await (await signOutAnyway(page)).getByTestId("sign-out-anyway").click();
  await page.getByTestId("password").waitFor();
  const road = await deviceRecords(page, "road01");
  assert.equal(road.outbox, 2);
  assert.equal(road.photos.length, 1);

  // Back at the office: welfare01 signs in on the same tablet, logs a consultation, syncs.
  await browser.setOffline(false);
  await signIn(page, "welfare01");
  await page.getByTestId("sync-status").filter({ hasText: "未送信はありません" }).waitFor();
  await logRequest(page, {
    category: "welfare-elderly",
    title: WELFARE,
    description: WELFARE_DETAIL,
    address: "高津区下作延5-5",
  });
  await page.getByTestId("sync-status").filter({ hasText: "未送信はありません" }).waitFor({ timeout: 30_000 });

  const admin = await wardApi(ward.url, "admin01");
  let onRecord = await wardRequests(admin);
  assert.deepEqual(
    onRecord.filter((r) => [WELFARE, ...ROAD].includes(r.title)).map((r) => [r.title, r.logged_by]),
    [[WELFARE, "welfare01"]],
    "only welfare01's request, logged by welfare01",
  );
  assert.equal((await deviceRecords(page, "road01")).outbox, 2, "road01's two still wait, untouched");
  // welfare01 does not see road01's requests.
  await page.getByTestId("nav-mine").click();
  // (a consultation's title is withheld from lists: 要配慮)
  await page.getByTestId("my-request").filter({ hasText: "高齢者の見守り" }).waitFor();
  assert.equal(await page.getByTestId("my-request").count(), 1, "welfare01 sees only their own");

  // What devtools shows, with welfare01 signed in: no text of road01's, nor welfare01's.
  let stored = await everythingStored(page);
  for (const text of [...ROAD, ROAD_DETAIL, "書きかけ", WELFARE, WELFARE_DETAIL, "介護保険の申請", "溝口3-1", "下作延5-5"]) {
    assert.ok(!stored.includes(text), `the browser's storage shows "${text}"`);
  }

  // The administrator sees the tablet: who used it, what waits there.
  const devices = await (await admin.get("/api/admin/devices")).json();
  assert.equal(devices.length, 1);
  const people = Object.fromEntries(devices[0].people.map((p) => [p.staff_id, p]));
  assert.deepEqual(Object.keys(people).sort(), ["road01", "welfare01"]);
  assert.equal(people.road01.waiting_mutations, 2);
  assert.equal(people.road01.waiting_photos, 1);

  // welfare01 signs out (nothing waits: no question); road01 signs in with no signal.
  await page.getByTestId("sign-out").click();
  await page.getByTestId("password").waitFor();
  await browser.setOffline(true);
  await page.getByTestId("staff-id").fill("road01");
  await page.getByTestId("password").fill("not-the-password");
  await page.getByTestId("sign-in").click();
  await page.getByTestId("sign-in-message").filter({ hasText: "パスワードが違います" }).waitFor();
  await signIn(page, "road01");
  await page.getByTestId("notice").filter({ hasText: "オフラインでサインインしました" }).waitFor();
  await page.getByTestId("sync-status").filter({ hasText: "未送信 2 件" }).waitFor();
  // The draft came back for its author.
  assert.equal(await page.getByTestId("title").inputValue(), "書きかけの受付");
  stored = await everythingStored(page);
  assert.ok(!stored.includes(WELFARE_DETAIL), "welfare01's consultation stays sealed");

  // Online: the sign-in is confirmed, and road01's two arrive once, logged by road01.
  await browser.setOffline(false);
  await page.getByTestId("sync-status").filter({ hasText: "未送信はありません" }).waitFor({ timeout: 60_000 });
  await page.waitForFunction(
    async () => {
      const photos = await new Promise((ok) => {
        const open = indexedDB.open("koe.person.road01");
        open.onsuccess = () => {
          const get = open.result.transaction("photos").objectStore("photos").getAll();
          get.onsuccess = () => {
            open.result.close();
            ok(get.result);
          };
        };
      });
      return photos.length === 1 && photos[0].state === "synced";
    },
    null,
    { timeout: 60_000, polling: 500 },
  );
  onRecord = await wardRequests(admin);
  for (const title of ROAD) {
    const found = onRecord.filter((r) => r.title === title);
    assert.equal(found.length, 1, `${title}: once`);
    assert.equal(found[0].logged_by, "road01", `${title}: logged by road01`);
  }
  const withPhoto = onRecord.find((r) => r.title === ROAD[0]);
  const photos = await (await admin.get(`/api/requests/${withPhoto.id}/photos`)).json();
  assert.equal(photos.length, 1, "the photo once");
  assert.equal(photos[0].complete, true);

  // welfare01 again: an edit of the consultation still applies (no "duplicate" loss).
  await page.getByTestId("title").fill("");
  await page.getByTestId("sign-out").click();
  await page.getByTestId("password").waitFor();
  await signIn(page, "welfare01");
  await page.getByTestId("nav-mine").click();
  await page.getByTestId("my-request").first().getByTestId("open-detail").click();
  await page.getByTestId("request-detail").waitFor();
  await page.getByTestId("edit-open").click();
  await page.getByTestId("edit-title").fill(`${WELFARE}（再訪）`);
  await page.getByTestId("edit-save").click();
  await page.getByTestId("detail-feedback").filter({ hasText: "修正" }).waitFor();
  let edited = [];
  for (let i = 0; i < 100 && edited.length === 0; i++) {
    await new Promise((r) => setTimeout(r, 300));
    edited = (await wardRequests(admin)).filter((r) => r.title === `${WELFARE}（再訪）`);
  }
  assert.equal(edited.length, 1, "the edit applied");
  assert.equal(edited[0].logged_by, "welfare01");

  // road01 signs in offline, and meanwhile an administrator disables the account: at the
  // next connection road01 is signed out, and nothing of theirs opens offline any more.
  await page.getByTestId("sign-out").click();
  await page.getByTestId("password").waitFor();
  await browser.setOffline(true);
  await signIn(page, "road01");
  assert.equal((await admin.post("/api/admin/staff/road01/disable")).status(), 200);
  await browser.setOffline(false);
  await page.getByTestId("sign-in-message").filter({ hasText: "サインインを認めませんでした" }).waitFor({ timeout: 30_000 });
  await browser.setOffline(true);
  await page.getByTestId("staff-id").fill("road01");
  await page.getByTestId("password").fill(DEMO_PASSWORD);
  await page.getByTestId("sign-in").click();
  await page.getByTestId("sign-in-message").filter({ hasText: "前回の接続で" }).waitFor();
  await browser.setOffline(false);
  assert.equal((await admin.post("/api/admin/staff/road01/enable")).status(), 200);
  // Enabled again: an online sign-in opens road01's records again (through the ward key).
  await signIn(page, "road01");
  await page.getByTestId("nav-mine").click();
  await page.getByTestId("my-request").filter({ hasText: ROAD[1] }).waitFor();
  await page.getByTestId("sign-out").click();
  await page.getByTestId("password").waitFor();
  await signIn(page, "welfare01");

  // The tablet is lost: the administrator retires it; its session ends at once.
  const id = devices[0].client_id;
  assert.equal((await admin.post(`/api/admin/devices/${id}/retire`)).status(), 200);
  const me = await page.evaluate(() => fetch("/api/session").then((r) => r.status));
  assert.equal(me, 401, "the tablet's session ended");
  await page.getByTestId("sign-out").click();
  await page.getByTestId("password").waitFor();
  await page.getByTestId("staff-id").fill("road01");
  await page.getByTestId("password").fill(DEMO_PASSWORD);
  await page.getByTestId("sign-in").click();
  await page.getByTestId("sign-in-message").filter({ hasText: "使用停止" }).waitFor();
  await admin.dispose();
});
