// A field worker logs a request with no signal, the app survives a reload offline, and
// once online the request reaches the ward record, where the office clerk sees it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { goOffline, signIn, signedInDevice, wardAndBrowser, signInAgain } from "./harness.mjs";

const world = wardAndBrowser();

test("log a request offline, reload offline, sync online, office clerk sees it", async () => {
  const { context: field, page } = await signedInDevice(world.browser, world.ward.url, "road01");

  await goOffline(field, page);
  const reachable = await page.evaluate(() => fetch("/api/session").then(() => true, () => false));
  assert.equal(reachable, false, "the ward record must be out of reach while offline");

  await page.getByTestId("nav-capture").click();
  await page.getByTestId("category").selectOption("road-pothole");
  await page.getByTestId("title").fill("歩道の段差でつまずく");
  await page.getByTestId("description").fill("高齢の方が段差でつまずいたとのこと。");
  await page.getByTestId("address").fill("高津区下作延二丁目8番 高津区役所前");
  await page.getByTestId("urgency-high").check();
  await page.getByTestId("save").click();
  await page.getByTestId("form-message").filter({ hasText: "保存しました" }).waitFor();

  await page.getByTestId("nav-mine").click();
  const row = page.getByTestId("my-request");
  await row.first().waitFor();
  assert.equal(await row.count(), 1);
  assert.equal(await row.first().getAttribute("data-sync"), "waiting");
  const id = await row.first().getAttribute("data-id");
  assert.match(id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/, "a UUIDv7 made on the device");

  // Reload with no network: the service worker serves the app, IndexedDB still has the request.
  const reloaded = await page.reload();
  await signInAgain(page, "road01");
  assert.ok(reloaded.fromServiceWorker(), "the app shell comes from the service worker");
  await page.getByTestId("nav-mine").click();
  const again = page.locator(`[data-testid="my-request"][data-id="${id}"]`);
  await again.waitFor();
  assert.equal(await again.getAttribute("data-sync"), "waiting");

  // Back online: the `online` event pushes the outbox.
  await field.setOffline(false);
  await page.locator(`[data-testid="my-request"][data-id="${id}"][data-sync="synced"]`).waitFor({ timeout: 30_000 });

  // The office clerk, on another browser, sees it in the ward's list.
  const office = await world.browser.newContext({ locale: "ja-JP" });
  const desk = await office.newPage();
  await desk.goto(world.ward.url);
  await signIn(desk, "clerk01");
  await desk.getByTestId("nav-office").click();
  const listed = desk.locator(`[data-testid="office-request"][data-id="${id}"]`);
  await listed.waitFor();
  assert.match(await listed.innerText(), /歩道の段差でつまずく/);

  await office.close();
  await field.close();
});
