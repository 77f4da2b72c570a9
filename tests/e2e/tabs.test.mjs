// Two tabs of Koe on one device: when the network comes back both want to sync, but only
// the one holding the Web Lock "koe-sync" pushes; the other skips, and still shows the
// result (the tabs tell each other over the "koe-changes" broadcast channel).
import { test } from "node:test";
import assert from "node:assert/strict";
import { logRequest, signIn, wardAndBrowser } from "./harness.mjs";

const world = wardAndBrowser();

test("only one of two tabs pushes, and both show the request synced", async () => {
  const context = await world.browser.newContext({ locale: "ja-JP" });
  const first = await context.newPage();
  await first.goto(world.ward.url);
  await signIn(first, "road01");
  // The first sync after signing in has nothing to push; let it finish.
  await first.getByTestId("nav-mine").click();
  await first.getByTestId("mine-search").waitFor();

  const second = await context.newPage();
  await second.goto(world.ward.url);
  // A new tab opens locked: the key lives in each tab's memory only.
  await signIn(second, "road01");
  await second.getByTestId("nav-mine").click();
  await second.getByTestId("mine-search").waitFor();

  await context.setOffline(true);
  await first.getByTestId("net-state").filter({ hasText: "オフライン" }).waitFor();
  await first.getByTestId("nav-capture").click();
  await logRequest(first, { title: "二つのタブで一度だけ送る", address: "高津区溝口1-1" });

  // The other tab learns of the new request without reloading.
  const secondRow = second.locator('[data-testid="my-request"]').filter({ hasText: "二つのタブで一度だけ送る" });
  await secondRow.waitFor({ timeout: 10_000 });
  assert.equal(await secondRow.getAttribute("data-sync"), "waiting");

  // Each push is held up a while, so two tabs syncing at once would both send it.
  const pushes = { first: [], second: [] };
  first.on("request", (r) => r.url().includes("/api/sync/push") && pushes.first.push(r.postDataJSON()));
  second.on("request", (r) => r.url().includes("/api/sync/push") && pushes.second.push(r.postDataJSON()));
  await context.route("**/api/sync/push", async (route) => {
    await new Promise((ok) => setTimeout(ok, 1500));
    await route.continue();
  });

  // Both tabs get `online` and start a sync.
  await context.setOffline(false);
  await secondRow.and(second.locator('[data-sync="synced"]')).waitFor({ timeout: 30_000 });
  await first.getByTestId("nav-mine").click();
  const firstRow = first.locator('[data-testid="my-request"]').filter({ hasText: "二つのタブで一度だけ送る" });
  await firstRow.and(first.locator('[data-sync="synced"]')).waitFor({ timeout: 30_000 });

  // 今すぐ同期 in both tabs at once: still one push at a time, and nothing is sent twice.
  await Promise.all([first.getByTestId("sync-now").click(), second.getByTestId("sync-now").click()]);
  await new Promise((ok) => setTimeout(ok, 2500));

  const all = [...pushes.first, ...pushes.second];
  const sent = all.flatMap((p) => p.mutations.map((m) => m.id));
  assert.equal(all.length, 1, `one push in all (first tab ${pushes.first.length}, second ${pushes.second.length})`);
  assert.deepEqual(sent, [1], "the mutation was sent once");

  // The ward record has it once.
  const list = await first.evaluate(async () => (await fetch("/api/requests")).json());
  const items = Array.isArray(list) ? list : list.items ?? list.requests ?? [];
  assert.equal(items.filter((r) => r.title === "二つのタブで一度だけ送る").length, 1);
  await context.close();
});

test("without Web Locks each tab syncs by itself, and the ward record still has the request once", async () => {
  const context = await world.browser.newContext({ locale: "ja-JP" });
  await context.addInitScript(() => {
    delete Navigator.prototype.locks;
  });
  const first = await context.newPage();
  await first.goto(world.ward.url);
  await signIn(first, "road01");
  assert.equal(await first.evaluate(() => "locks" in navigator), false);
  const second = await context.newPage();
  await second.goto(world.ward.url);
  // A new tab opens locked: the key lives in each tab's memory only.
  await signIn(second, "road01");
  await second.getByTestId("nav-mine").click();
  await second.getByTestId("mine-search").waitFor();

  await context.setOffline(true);
  await first.getByTestId("net-state").filter({ hasText: "オフライン" }).waitFor();
  await logRequest(first, { title: "ロックなしのブラウザ", address: "高津区末長1-1" });
  const pushed = [];
  context.on("request", (r) => r.url().includes("/api/sync/push") && pushed.push(r.postDataJSON()));
  await context.route("**/api/sync/push", async (route) => {
    await new Promise((ok) => setTimeout(ok, 1500));
    await route.continue();
  });
  await context.setOffline(false);
  const row = second.locator('[data-testid="my-request"]').filter({ hasText: "ロックなしのブラウザ" });
  await row.and(second.locator('[data-sync="synced"]')).waitFor({ timeout: 30_000 });
  await new Promise((ok) => setTimeout(ok, 2500));
  // Both tabs pushed it (what the lock prevents); the ward record applied it once.
  assert.ok(pushed.length >= 2, `both tabs pushed (${pushed.length})`);
  const list = await first.evaluate(async () => (await fetch("/api/requests")).json());
  const items = Array.isArray(list) ? list : list.items ?? list.requests ?? [];
  assert.equal(items.filter((r) => r.title === "ロックなしのブラウザ").length, 1);
  await context.close();
});
