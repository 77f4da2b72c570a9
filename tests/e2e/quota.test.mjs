// A full device: saving a request with a photo fails with a clear message saying what to
// do; the requests saved before are untouched, the form keeps what was typed (and the
// photo), and once there is room again the same form saves. Nothing is lost or sent twice.
//
// The device is made genuinely full: the browser's profile lives on a small filesystem
// (a 48 MiB tmpfs, so Chromium's quota for the origin is about 29 MiB) and the rest of
// the origin's quota is taken by a filler: a blob in another IndexedDB database. (CDP's
// `Storage.overrideQuotaForOrigin` reports the override as active in Chromium 156, but
// IndexedDB does not enforce it: a 2 MB photo saved under a 1-byte quota.) Mounting needs
// root; without it the test is skipped and says why.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  deviceRecords,
  jpegFiles,
  launchPersistent,
  logRequest,
  seriousViolations,
  signIn,
  startWardRecord,
  waitForOfflineReady,
  wardApi,
  wardRequests,
} from "./harness.mjs";

const disk = mkdtempSync(join(tmpdir(), "koe-small-disk-"));
const mounted = spawnSync("mount", ["-t", "tmpfs", "-o", "size=48m", "tmpfs", disk]).status === 0;
const world = {};
before(async () => {
  if (!mounted) return;
  world.ward = await startWardRecord();
  world.browser = await launchPersistent(join(disk, "profile"));
});
after(async () => {
  await world.browser?.close();
  await world.ward?.stop();
  if (mounted) spawnSync("umount", [disk]);
  rmSync(disk, { recursive: true, force: true });
});

test("a full quota says what to do, loses nothing saved and keeps the draft", { skip: !mounted && "needs root to mount a small tmpfs for the browser profile" }, async () => {
  const context = world.browser;
  const page = context.pages()[0] ?? (await context.newPage());
  await page.goto(world.ward.url);
  await signIn(page, "road01");
  await waitForOfflineReady(page);
  await context.setOffline(true);
  await page.getByTestId("net-state").filter({ hasText: "オフライン" }).waitFor();

  // Three requests are saved while there is room.
  const small = await jpegFiles(page, 3, { width: 800, height: 600, label: "保存済" });
  for (let i = 0; i < 3; i++) {
    await logRequest(page, { title: `容量テスト 保存済 ${i + 1}`, address: "高津区久本1-1", photos: [small[i]] });
  }
  await page.getByTestId("sync-status").filter({ hasText: "未送信 3 件" }).waitFor();
  const saved = await deviceRecords(page);
  assert.equal(saved.requests.length, 3);
  assert.equal(saved.photos.length, 3);

  // The device fills up (other apps, other sites' data): the origin has barely 200 KB left.
  const cdp = await context.newCDPSession(page);
  const origin = new URL(world.ward.url).origin;
  const room = async () => {
    const { usage, quota } = await cdp.send("Storage.getUsageAndQuota", { origin });
    return quota - usage;
  };
  const filler = Math.floor((await room()) - 200 * 1024);
  await page.evaluate(
    (size) =>
      new Promise((ok, fail) => {
        const open = indexedDB.open("filler");
        open.onupgradeneeded = () => open.result.createObjectStore("filler");
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction("filler", "readwrite");
          tx.objectStore("filler").put(new Blob([new Uint8Array(size)]), "filler");
          tx.oncomplete = () => (db.close(), ok());
          tx.onabort = () => fail(tx.error);
        };
      }),
    filler,
  );
  assert.ok((await room()) < 400 * 1024, `nearly full: ${await room()} bytes left`);

  // A request with a large photo does not fit.
  const [big] = await jpegFiles(page, 1, { width: 2000, height: 1500, label: "満杯", noise: true });
  await page.getByTestId("category").selectOption("road-pothole");
  await page.getByTestId("title").fill("容量テスト 満杯のとき");
  await page.getByTestId("description").fill("ガードレールが曲がっている。");
  await page.getByTestId("address").fill("高津区二子1-2");
  await page.getByTestId("photo-input").setInputFiles([big]);
  await page.getByTestId("photo-thumb").waitFor();
  await page.getByTestId("save").click();
  const alert = page.locator('[data-testid="form-message"] [role="alert"]');
  await alert.waitFor({ timeout: 15_000 });
  const text = await alert.innerText();
  assert.match(text, /保存領域がいっぱい/, text);
  assert.match(text, /「端末」画面/, "says where to free space");
  assert.match(text, /入力内容と保存済みの受付はそのまま残っています/, "says nothing was lost");
  assert.match(text, /storage is full/, "and in English");
  assert.deepEqual(await seriousViolations(page), [], "capture page with the full-storage message");

  // What was typed and picked is still on the form, and kept as a draft.
  assert.equal(await page.getByTestId("title").inputValue(), "容量テスト 満杯のとき");
  assert.equal(await page.getByTestId("description").inputValue(), "ガードレールが曲がっている。");
  assert.equal(await page.getByTestId("address").inputValue(), "高津区二子1-2");
  assert.equal(await page.getByTestId("photo-thumb").count(), 1);
  const draft = await page.evaluate(() => localStorage.getItem("koe.draft.road01"));
  assert.ok(draft, "the draft is kept");
  assert.doesNotMatch(draft, /容量テスト/, "sealed: not readable in storage");

  // Nothing saved before was touched, and nothing half-saved was left behind.
  const during = await deviceRecords(page);
  assert.deepEqual(during, saved);
  await page.getByTestId("sync-status").filter({ hasText: "未送信 3 件" }).waitFor();

  // Room again (the person freed space on the device): the same form saves.
  await page.evaluate(
    () =>
      new Promise((ok, fail) => {
        const del = indexedDB.deleteDatabase("filler");
        del.onsuccess = ok;
        del.onerror = () => fail(del.error);
      }),
  );
  await page.getByTestId("save").click();
  await page.waitForFunction(() => document.querySelector('[data-testid="title"]')?.value === "");
  await page.getByTestId("form-message").filter({ hasText: "保存しました" }).waitFor();
  await page.getByTestId("sync-status").filter({ hasText: "未送信 4 件" }).waitFor();
  const after = await deviceRecords(page);
  assert.equal(after.requests.length, 4);
  assert.equal(after.photos.length, 4);

  // Online: all four and their photos arrive, once each.
  await context.setOffline(false);
  await page.getByTestId("nav-mine").click();
  await page.waitForFunction(
    () =>
      document.querySelectorAll('[data-testid="my-request"][data-sync="synced"]').length === 4 &&
      [...document.querySelectorAll('[data-testid="photo-state"]')].every(
        (e) => e.getAttribute("data-photos-synced") === "1/1",
      ),
    null,
    { timeout: 60_000 },
  );
  const office = await wardApi(world.ward.url, "clerk01");
  const list = await wardRequests(office);
  const ours = list.filter((r) => r.title.startsWith("容量テスト"));
  assert.deepEqual(ours.map((r) => r.id).sort(), after.requests.map((r) => r.id).sort());
  for (const r of ours) {
    const photos = await (await office.get(`/api/requests/${r.id}/photos`)).json();
    assert.equal(photos.length, 1, r.title);
    assert.equal(photos[0].complete, true);
  }
  await office.dispose();
});
