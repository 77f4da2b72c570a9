// Edit after logging, and a conflict: road01 logs and syncs a request; the office clerk
// retitles it on the ward record; road01, offline, edits the title too. Back online the
// edit loses: the request detail shows both values side by side, road01 keeps one, and
// that is what the ward record holds, with no conflict left on the device or the record.
import { test } from "node:test";
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import {
  goOffline,
  jpegFiles,
  logRequest,
  myRequestId,
  seriousViolations,
  signedInDevice,
  wardAndBrowser,
  wardApi,
  wardRequestWhen, signInAgain,
} from "./harness.mjs";

const world = wardAndBrowser();

/** The office changes the title on the ward record, as the clerk's device would push it. */
async function officeRetitles(clerk, id, title) {
  const detail = await clerk.get(`/api/requests/${id}`);
  assert.equal(detail.status(), 200, await detail.text());
  const { request } = await detail.json();
  const res = await clerk.post("/api/sync/push", {
    data: {
      client_id: randomUUID(),
      mutations: [
        {
          id: 1,
          type: "set_fields",
          request_id: id,
          edits: [{ field: "title", value: title, base_version: request.version }],
        },
      ],
    },
  });
  assert.equal(res.status(), 200, await res.text());
  const { outcomes } = await res.json();
  assert.equal(outcomes[0].outcome, "applied", JSON.stringify(outcomes));
}

/** Logs and syncs a request as road01; returns its id, with the device offline after. */
async function loggedAndSynced(page, field, title) {
  await page.getByTestId("nav-capture").click();
  await logRequest(page, { title, description: "段差が5cmほど", address: "高津区下作延2-8" });
  const id = await myRequestId(page, title);
  await page.locator(`[data-testid="my-request"][data-id="${id}"][data-sync="synced"]`).waitFor({ timeout: 30_000 });
  await goOffline(field, page, /オフライン|Offline/);
  return id;
}

async function openDetail(page, id) {
  await page.getByTestId("nav-mine").click();
  await page.locator(`[data-testid="my-request"][data-id="${id}"] [data-testid="open-detail"]`).click();
  await page.getByTestId("request-detail").waitFor();
}

async function editTitleOffline(page, title) {
  await page.getByTestId("edit-open").click();
  await page.getByTestId("edit-title").fill(title);
  await page.getByTestId("edit-save").click();
  await page.getByTestId("detail-feedback").filter({ hasText: "修正を保存しました" }).waitFor();
  await page.getByTestId("detail-title").filter({ hasText: title }).waitFor();
  await page.getByTestId("edit-state").waitFor();
}

test("an offline edit that loses to the office shows both values and keeps the one chosen", async () => {
  const { context: field, page } = await signedInDevice(world.browser, world.ward.url, "road01");
  const clerk = await wardApi(world.ward.url, "clerk01");

  const id = await loggedAndSynced(page, field, "歩道の段差");
  await officeRetitles(clerk, id, "区道の段差（補修対象）");

  await openDetail(page, id);
  await editTitleOffline(page, "車道側の段差");
  // Shown at once, waiting to be sent.
  assert.equal(await page.getByTestId("edit-state").getAttribute("data-sync"), "waiting");

  await field.setOffline(false);
  const conflict = page.getByTestId("conflict-title");
  await conflict.waitFor({ timeout: 30_000 });
  // Both values side by side, once the device has pulled the ward record's.
  await conflict.getByTestId("conflict-theirs").filter({ hasText: "区道の段差（補修対象）" }).waitFor({ timeout: 30_000 });
  assert.match(await conflict.getByTestId("conflict-mine").innerText(), /車道側の段差/);
  assert.match(await conflict.getByTestId("conflict-theirs").innerText(), /区の記録の値/);
  assert.match(await conflict.getByTestId("conflict-mine").innerText(), /自分の値/);
  // The ward record keeps the device's value for review meanwhile.
  let record = (await (await clerk.get(`/api/requests/${id}`)).json()).request;
  assert.equal(record.title, "区道の段差（補修対象）");
  assert.equal(record.conflicts.length, 1);
  assert.equal(record.conflicts[0].device_value, "車道側の段差");

  assert.deepEqual(await seriousViolations(page), [], "the conflict view passes axe");

  await conflict.getByTestId("keep-mine").click();
  await page.getByTestId("conflicts").waitFor({ state: "detached" });
  await page.getByTestId("detail-title").filter({ hasText: "車道側の段差" }).waitFor();
  // Sent and settled: nothing waits, the title is the ward record's.
  await page.getByTestId("edit-state").waitFor({ state: "detached", timeout: 30_000 });
  record = await wardRequestWhen(clerk, id, (r) => r.title === "車道側の段差");
  assert.equal(record.title, "車道側の段差");
  assert.deepEqual(record.conflicts, [], "the choice withdrew the conflict entry");
  assert.equal(record.needs_review, true, "whether it still needs review is the office's call");
  // The device shows no conflict after a reload either.
  await page.reload();
  await signInAgain(page, "road01");
  await openDetail(page, id);
  await page.getByTestId("detail-title").filter({ hasText: "車道側の段差" }).waitFor();
  assert.equal(await page.getByTestId("conflicts").count(), 0);

  await clerk.dispose();
  await field.close();
});

test("keeping the ward record's value drops the device's and leaves no conflict", async () => {
  const { context: field, page } = await signedInDevice(world.browser, world.ward.url, "road01", { locale: "en-US" });
  const clerk = await wardApi(world.ward.url, "clerk01");

  const id = await loggedAndSynced(page, field, "公園前の穴");
  await officeRetitles(clerk, id, "公園前の陥没");
  await openDetail(page, id);
  await page.getByTestId("edit-open").click();
  await page.getByTestId("edit-title").fill("公園入口の穴");
  await page.getByTestId("edit-save").click();
  await page.getByTestId("detail-title").filter({ hasText: "公園入口の穴" }).waitFor();

  await field.setOffline(false);
  const conflict = page.getByTestId("conflict-title");
  await conflict.getByTestId("conflict-theirs").filter({ hasText: "公園前の陥没" }).waitFor({ timeout: 30_000 });
  assert.match(await conflict.getByTestId("conflict-theirs").innerText(), /Ward record's value/);
  await conflict.getByTestId("keep-theirs").click();
  await page.getByTestId("conflicts").waitFor({ state: "detached" });
  await page.getByTestId("detail-title").filter({ hasText: "公園前の陥没" }).waitFor();
  const record = await wardRequestWhen(clerk, id, (r) => r.conflicts.length === 0);
  assert.equal(record.title, "公園前の陥没");
  assert.deepEqual(record.conflicts, []);

  await clerk.dispose();
  await field.close();
});

test("an edit of a request not sent yet changes it before it is sent, once", async () => {
  const { context: field, page } = await signedInDevice(world.browser, world.ward.url, "road01");
  const clerk = await wardApi(world.ward.url, "clerk01");
  await goOffline(field, page);
  await page.getByTestId("nav-capture").click();
  await logRequest(page, { title: "街路灯が消えている", address: "高津区溝口1-1" });
  const id = await myRequestId(page, "街路灯が消えている");
  await openDetail(page, id);
  await page.getByTestId("edit-open").click();
  // Core's rules, before anything is queued.
  await page.getByTestId("edit-title").fill("   ");
  await page.getByTestId("edit-save").click();
  await page.getByTestId("edit-message").filter({ hasText: "件名" }).waitFor();
  await page.getByTestId("edit-title").fill("街路灯が2本消えている");
  await page.getByTestId("edit-save").click();
  await page.getByTestId("detail-feedback").filter({ hasText: "未送信の受付を修正しました" }).waitFor();

  await field.setOffline(false);
  await page.getByTestId("nav-mine").click();
  await page.locator(`[data-testid="my-request"][data-id="${id}"][data-sync="synced"]`).waitFor({ timeout: 30_000 });
  const detail = await (await clerk.get(`/api/requests/${id}`)).json();
  assert.equal(detail.request.title, "街路灯が2本消えている");
  assert.deepEqual(
    detail.history.map((h) => h.kind),
    ["create_request"],
    "the ward record got it once, already changed",
  );
  await clerk.dispose();
  await field.close();
});

test("the detail shows each photo with where its upload stands", async () => {
  const { context: field, page } = await signedInDevice(world.browser, world.ward.url, "road01");
  await goOffline(field, page);
  await page.getByTestId("nav-capture").click();
  const photos = await jpegFiles(page, 2);
  await logRequest(page, { title: "ベンチの破損", address: "緑ヶ丘霊園前", photos });
  const id = await myRequestId(page, "ベンチの破損");
  await openDetail(page, id);
  const items = page.getByTestId("detail-photo");
  await items.nth(1).waitFor();
  assert.deepEqual(await items.evaluateAll((li) => li.map((l) => l.dataset.photoState)), ["waiting", "waiting"]);
  // Each shows its thumbnail, from the device.
  const loaded = await page.locator('[data-testid="detail-photo"] img').evaluateAll((imgs) => imgs.map((i) => i.complete && i.naturalWidth > 0));
  assert.deepEqual(loaded, [true, true]);
  assert.match(await items.first().innerText(), /未送信/);
  assert.deepEqual(await seriousViolations(page), [], "the photo list passes axe");

  await field.setOffline(false);
  await page.locator('[data-testid="detail-photo"][data-photo-state="synced"]').nth(1).waitFor({ timeout: 30_000 });
  assert.match(await items.first().innerText(), /送信済/);
  await field.close();
});
