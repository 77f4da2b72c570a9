// A new version of the app is deployed while two requests wait on the device and a third
// is half typed: the app announces it, the person applies it, the page reloads into the
// new version with the draft still on the form and the two requests still waiting; back
// in touch with the ward record each arrives exactly once.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ROOT,
  deviceRecords,
  jpegFiles,
  launchBrowser,
  logRequest,
  seriousViolations,
  signIn,
  startGate,
  startWardRecord,
  waitForOfflineReady,
  wardApi,
  wardRequests,
  waitForDraft,
} from "./harness.mjs";

// The ward record serves a copy of the built app, which the test "deploys" over.
const served = mkdtempSync(join(tmpdir(), "koe-update-dist-"));
cpSync(process.env.KOE_DIST || join(ROOT, "dist"), served, { recursive: true });
let ward;
let gate;
let browser;
after(async () => {
  await browser?.close();
  await gate?.stop();
  await ward?.stop();
  rmSync(served, { recursive: true, force: true });
});

/** The version the precache list was built with (tools/precache.sh). */
function servedVersion() {
  return readFileSync(join(served, "sw.js"), "utf8").match(/^const VERSION = "([^"]+)";$/m)[1];
}

test("a new app version while requests wait: announced, applied, nothing lost, nothing twice", async () => {
  ward = await startWardRecord({ dist: served });
  // A reverse proxy in front of it: during the deploy the API is down, the files are not.
  gate = await startGate(ward.url);
  browser = await launchBrowser();
  const context = await browser.newContext({ locale: "ja-JP" });
  const page = await context.newPage();
  await page.goto(gate.url);
  await signIn(page, "road01");
  await waitForOfflineReady(page);
  const oldVersion = servedVersion();
  assert.deepEqual(await page.evaluate(() => caches.keys()), [`koe-${oldVersion}`]);

  // Offline: two requests saved (one with a photo), a third being typed.
  await context.setOffline(true);
  await page.getByTestId("net-state").filter({ hasText: "オフライン" }).waitFor();
  const [photo] = await jpegFiles(page, 1, { label: "更新" });
  await logRequest(page, { title: "更新テスト 1", address: "高津区末長1-1", photos: [photo] });
  await logRequest(page, { category: "road-drain", title: "更新テスト 2", address: "高津区末長2-2" });
  await page.getByTestId("sync-status").filter({ hasText: "未送信 2 件" }).waitFor();
  await page.getByTestId("category").selectOption("road-sign-mirror");
  await page.getByTestId("title").fill("更新テスト 入力中");
  await page.getByTestId("description").fill("標識が傾いている。途中まで入力。");
  await waitForDraft(page, "road01", "更新テスト 入力中標識が傾いている。途中まで入力。");
  const waiting = await deviceRecords(page);
  assert.equal(waiting.requests.length, 2);

  // A deploy: the new service worker is served (its version line changes, as the build's
  // would), and the ward record's API is down while it happens.
  const newVersion = `${oldVersion}-next`;
  const sw = readFileSync(join(served, "sw.js"), "utf8");
  writeFileSync(join(served, "sw.js"), sw.replace(`const VERSION = "${oldVersion}";`, `const VERSION = "${newVersion}";`));
  // The build's compressed copies are of the old worker: a real build writes new ones.
  for (const copy of ["sw.js.br", "sw.js.gz"]) rmSync(join(served, copy), { force: true });
  assert.equal(servedVersion(), newVersion);
  gate.held = true;
  await context.setOffline(false);
  await page.getByTestId("net-state").filter({ hasText: "オンライン" }).waitFor();

  // The app hears of the new version (as it does when shown again, hourly, or on a
  // navigation) and announces it; nothing has been sent.
  assert.equal(await page.getByTestId("update-banner").count(), 0, "no banner before a new version");
  await page.evaluate(() => navigator.serviceWorker.getRegistration().then((r) => r.update()));
  const banner = page.getByTestId("update-banner");
  await banner.waitFor({ timeout: 30_000 });
  assert.match(await banner.innerText(), /新しい版があります/);
  assert.match(await banner.innerText(), /A new version is ready/);
  assert.equal(await page.getByTestId("update-apply").innerText(), "更新する");
  assert.equal(await banner.getAttribute("data-phase"), "ready");
  assert.deepEqual(await seriousViolations(page), [], "capture page with the update banner");
  await page.getByTestId("sync-status").filter({ hasText: "未送信 2 件" }).waitFor();
  // Not applied behind the person's back: the old version still runs the page.
  assert.equal(await page.getByTestId("title").inputValue(), "更新テスト 入力中");

  // 更新する: the new worker takes over and the page reloads into it.
  await Promise.all([page.waitForEvent("load"), page.getByTestId("update-apply").click()]);
  // The data key is in memory only: after the reload the inspector signs in again.
  await signIn(page, "road01");
  await page.getByTestId("title").waitFor();
  // The new worker controls the page and, once activated, leaves only its own cache.
  await page.waitForFunction(
    (cache) =>
      navigator.serviceWorker.controller?.state === "activated" &&
      caches.keys().then((keys) => keys.length === 1 && keys[0] === cache),
    `koe-${newVersion}`,
    { polling: 100, timeout: 10_000 },
  );
  assert.equal(await page.getByTestId("update-banner").count(), 0, "the banner is gone");

  // The draft is on the form, the two requests still wait.
  assert.equal(await page.getByTestId("title").inputValue(), "更新テスト 入力中");
  assert.equal(await page.getByTestId("description").inputValue(), "標識が傾いている。途中まで入力。");
  assert.equal(await page.getByTestId("category").inputValue(), "road-sign-mirror");
  await page.getByRole("status").filter({ hasText: "下書きを復元しました" }).waitFor();
  await page.getByTestId("sync-status").filter({ hasText: "未送信 2 件" }).waitFor();
  const afterUpdate = await deviceRecords(page);
  assert.deepEqual(afterUpdate, waiting, "the same requests and photos, still waiting");

  // The ward record is back: each request and its photo arrive once.
  gate.held = false;
  await page.waitForFunction(() => document.querySelector('[data-testid="sync-now"]')?.getAttribute("aria-busy") === "false");
  await page.getByTestId("sync-now").click();
  await page.getByTestId("sync-status").filter({ hasText: "未送信はありません" }).waitFor({ timeout: 60_000 });
  await page.waitForFunction(
    () =>
      new Promise((ok) => {
        const open = indexedDB.open("koe.person.road01");
        open.onsuccess = () => {
          const db = open.result;
          const get = db.transaction("photos").objectStore("photos").getAll();
          get.onsuccess = () => {
            db.close();
            ok(get.result.length === 1 && get.result[0].state === "synced");
          };
        };
      }),
    null,
    { timeout: 60_000, polling: 250 },
  );
  const office = await wardApi(ward.url, "clerk01");
  const list = await wardRequests(office);
  const ours = list.filter((r) => r.title.startsWith("更新テスト"));
  assert.deepEqual(ours.map((r) => r.title).sort(), ["更新テスト 1", "更新テスト 2"], "each once; the draft was not sent");
  assert.deepEqual(ours.map((r) => r.id).sort(), waiting.requests.map((r) => r.id).sort());
  for (const r of ours) {
    const detail = await (await office.get(`/api/requests/${r.id}`)).json();
    assert.equal(detail.history.filter((h) => h.kind === "create_request").length, 1, `${r.title}: applied once`);
  }
  const withPhoto = ours.find((r) => r.title === "更新テスト 1");
  const photos = await (await office.get(`/api/requests/${withPhoto.id}/photos`)).json();
  assert.deepEqual(
    photos.map((p) => [p.photo_id, p.sha256, p.complete]),
    waiting.photos.map((p) => [p.photo_id, p.sha256, true]),
  );
  // The draft is still there to finish.
  assert.equal(await page.getByTestId("title").inputValue(), "更新テスト 入力中");
  await office.dispose();
  await context.close();
});
