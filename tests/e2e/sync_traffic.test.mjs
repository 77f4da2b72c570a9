// What crosses the wire when a field phone syncs, as the phone's own network sees it: a
// morning's requests logged offline go up in one push whose answer brings them back as
// the ward record keeps them; the pull after it does not download them again; the office's
// answer to one of them is the only request the next pull brings; every sync answer is
// compressed; and the catalogue, asked again, comes back 304 with no body.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import {
  deviceRecords,
  goOffline,
  launchBrowser,
  logRequest,
  signIn,
  signedInDevice,
  startWardRecord,
  wardApi,
  wardRequests,
} from "./harness.mjs";

const REQUESTS = 12;
let ward;
let browser;
after(async () => {
  await browser?.close();
  await ward?.stop();
});

test("a push's answer brings the requests back; the pull does not download them again", async () => {
  ward = await startWardRecord();
  browser = await launchBrowser();
  const { context, page } = await signedInDevice(browser, ward.url, "road01");

  // Every sync answer the phone receives, with what it carried.
  const seen = [];
  page.on("response", async (res) => {
    const path = new URL(res.url()).pathname;
    if (!path.startsWith("/api/sync/") && path !== "/api/catalogue") return;
    const entry = { path, status: res.status(), encoding: res.headers()["content-encoding"] ?? null };
    seen.push(entry);
    if (res.status() === 200 && path !== "/api/sync/news") {
      try {
        const body = await res.json();
        entry.requests = body.requests?.length;
        entry.records = body.records?.length;
        entry.ids = (body.requests ?? body.records ?? []).map((r) => r.id);
      } catch {
        entry.unread = true;
      }
    }
  });

  await goOffline(context, page);
  await page.getByTestId("nav-capture").click();
  for (let i = 0; i < REQUESTS; i++) {
    await logRequest(page, {
      category: i % 2 ? "road-drain" : "road-pothole",
      title: `朝の巡回 ${i + 1}`,
      address: `高津区二子${(i % 4) + 1}丁目${i + 1}番`,
    });
  }
  await page.getByTestId("sync-status").filter({ hasText: `未送信 ${REQUESTS} 件` }).waitFor();
  seen.length = 0;

  // Back in signal: the phone syncs by itself.
  await context.setOffline(false);
  await page.getByTestId("sync-status").filter({ hasText: "未送信はありません" }).waitFor({ timeout: 60_000 });
  const office = await wardApi(ward.url, "head01");
  const stored = (await wardRequests(office)).filter((r) => r.title?.startsWith("朝の巡回"));
  assert.equal(stored.length, REQUESTS, "each request reached the ward record once");
  // Let the pull that follows the push land.
  for (let i = 0; i < 50 && !seen.some((e) => e.path === "/api/sync/pull" && e.requests !== undefined); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }

  const pushes = seen.filter((e) => e.path === "/api/sync/push");
  const pulls = seen.filter((e) => e.path === "/api/sync/pull" && e.requests !== undefined);
  assert.equal(pushes.length, 1, `one push for ${REQUESTS} requests: ${JSON.stringify(pushes)}`);
  assert.equal(pushes[0].records, REQUESTS, "the push's answer carried every request back");
  assert.ok(pulls.length >= 1, "a pull followed");
  const mine = new Set(stored.map((r) => r.id));
  const downloadedAgain = pulls.flatMap((p) => p.ids).filter((id) => mine.has(id));
  assert.deepEqual(downloadedAgain, [], "the pull did not download the phone's own requests again");
  for (const e of [...pushes, ...pulls]) {
    assert.equal(e.encoding, "br", `${e.path} is compressed`);
  }
  const onDevice = await deviceRecords(page);
  assert.equal(onDevice.requests.length, REQUESTS);
  assert.equal(onDevice.outbox, 0);

  // The office answers one: that one, and only that one, comes down.
  const target = stored[0];
  seen.length = 0;
  const edits = [{ field: "response", value: "本日補修します", base_version: target.version }];
  const res = await office.post("/api/sync/push", {
    data: { client_id: crypto.randomUUID(), mutations: [{ id: 1, author: "head01", type: "set_fields", request_id: target.id, edits }] },
  });
  assert.equal((await res.json()).outcomes[0].outcome, "applied");
  await page.getByTestId("nav-mine").click();
  await page.locator(`[data-testid="my-request"][data-id="${target.id}"][data-answered="true"]`).waitFor({ timeout: 15_000 });
  const after = seen.filter((e) => e.path === "/api/sync/pull" && e.ids);
  assert.deepEqual(after.flatMap((p) => p.ids), [target.id], "only the office's change was pulled");

  // The catalogue asked again (a reload signs in again and starts the app): 304, no body.
  seen.length = 0;
  await page.reload();
  await page.getByTestId("password").waitFor();
  await signIn(page, "road01");
  for (let i = 0; i < 50 && !seen.some((e) => e.path === "/api/catalogue"); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  const catalogues = seen.filter((e) => e.path === "/api/catalogue");
  assert.ok(catalogues.length >= 1, "the catalogue was asked for");
  assert.ok(catalogues.every((e) => e.status === 304), `kept catalogue revalidated: ${JSON.stringify(catalogues)}`);
  await office.dispose();
  await context.close();
});
