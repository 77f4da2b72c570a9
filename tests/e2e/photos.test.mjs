// A field worker adds two photos to a request with no signal; they survive a reload
// offline, and once online they are uploaded after the request, each arriving once,
// complete and downscaled on the device.
import { test } from "node:test";
import assert from "node:assert/strict";
import { signIn, waitForOfflineReady, wardAndBrowser, signInAgain } from "./harness.mjs";

const world = wardAndBrowser();

/** Two real JPEGs of 2400×1800 (larger than the device keeps), drawn in the page. */
function drawPhotos(page) {
  return page.evaluate(() =>
    [
      ["#c33", "#3c3"],
      ["#36c", "#fc0"],
    ].map(([from, to], i) => {
      const canvas = document.createElement("canvas");
      canvas.width = 2400;
      canvas.height = 1800;
      const g = canvas.getContext("2d");
      const fill = g.createLinearGradient(0, 0, 2400, 1800);
      fill.addColorStop(0, from);
      fill.addColorStop(1, to);
      g.fillStyle = fill;
      g.fillRect(0, 0, 2400, 1800);
      g.fillStyle = "#fff";
      g.font = "200px sans-serif";
      g.fillText(`段差 ${i + 1}`, 300, 900);
      return canvas.toDataURL("image/jpeg", 0.92).split(",")[1];
    }),
  );
}

test("photos added offline survive a reload and reach the ward record once each", async () => {
  const field = await world.browser.newContext({ locale: "ja-JP" });
  const page = await field.newPage();
  await page.goto(world.ward.url);
  await signIn(page, "road01");
  await waitForOfflineReady(page);
  const images = await drawPhotos(page);

  await field.setOffline(true);
  await page.getByTestId("net-state").filter({ hasText: "オフライン" }).waitFor();

  await page.getByTestId("nav-capture").click();
  await page.getByTestId("category").selectOption("road-pothole");
  await page.getByTestId("title").fill("歩道の段差（写真あり）");
  await page.getByTestId("address").fill("高津区下作延二丁目8番");
  await page.getByTestId("photo-input").setInputFiles(
    images.map((b64, i) => ({ name: `photo${i + 1}.jpg`, mimeType: "image/jpeg", buffer: Buffer.from(b64, "base64") })),
  );
  const thumbs = page.getByTestId("photo-thumb");
  await thumbs.nth(1).waitFor();
  assert.equal(await thumbs.count(), 2);
  await page.getByTestId("save").click();
  await page.getByTestId("form-message").filter({ hasText: "保存しました" }).waitFor();
  assert.equal(await thumbs.count(), 0, "the form starts empty again");

  await page.getByTestId("nav-mine").click();
  const row = page.getByTestId("my-request").first();
  await row.waitFor();
  const id = await row.getAttribute("data-id");
  const photoState = page.locator(`[data-testid="my-request"][data-id="${id}"] [data-testid="photo-state"]`);
  await photoState.waitFor();
  assert.equal(await photoState.getAttribute("data-photos-synced"), "0/2");

  // Reload with no network: the photos are still on the device.
  const reloaded = await page.reload();
  await signInAgain(page, "road01");
  assert.ok(reloaded.fromServiceWorker(), "the app shell comes from the service worker");
  await page.getByTestId("nav-mine").click();
  await photoState.waitFor();
  assert.equal(await photoState.getAttribute("data-photos-synced"), "0/2");

  // Back online: the request goes first, then its photos.
  await field.setOffline(false);
  await page
    .locator(`[data-testid="my-request"][data-id="${id}"] [data-testid="photo-state"][data-photos-synced="2/2"]`)
    .waitFor({ timeout: 60_000 });
  assert.equal(
    await page.locator(`[data-testid="my-request"][data-id="${id}"]`).getAttribute("data-sync"),
    "synced",
  );

  // The ward record has both, complete, once each, downscaled to 1600 px.
  const arrived = await page.evaluate(async (id) => {
    const res = await fetch(`/api/requests/${id}/photos`);
    const list = await res.json();
    const sizes = [];
    for (const p of Array.isArray(list) ? list : []) {
      const bytes = await fetch(`/api/photos/${p.photo_id}`).then((r) => r.blob());
      const bitmap = await createImageBitmap(bytes);
      sizes.push([bitmap.width, bitmap.height, bytes.size]);
    }
    return { status: res.status, list, sizes };
  }, id);
  assert.equal(arrived.status, 200);
  assert.equal(arrived.list.length, 2, "two photos, each once");
  assert.equal(new Set(arrived.list.map((p) => p.photo_id)).size, 2);
  assert.equal(new Set(arrived.list.map((p) => p.sha256)).size, 2);
  for (const p of arrived.list) {
    assert.equal(p.complete, true);
    assert.equal(p.received, p.size);
    assert.equal(p.content_type, "image/jpeg");
    assert.equal(p.request_id, id);
  }
  for (const [width, height, size] of arrived.sizes) {
    assert.deepEqual([width, height], [1600, 1200], "downscaled on the device");
    assert.ok(size > 0);
  }
  assert.deepEqual(
    arrived.sizes.map(([, , size]) => size).sort(),
    arrived.list.map((p) => p.size).sort(),
  );

  await field.close();
});

/** A JPEG of random noise: far larger than the drawn photos even downscaled. */
function drawNoise(page) {
  return page.evaluate(() => {
    const canvas = document.createElement("canvas");
    canvas.width = 2000;
    canvas.height = 1500;
    const g = canvas.getContext("2d");
    const pixels = g.createImageData(2000, 1500);
    const random = new Uint32Array(pixels.data.buffer);
    for (let i = 0; i < random.length; i += 16384) crypto.getRandomValues(random.subarray(i, i + 16384));
    for (let i = 3; i < pixels.data.length; i += 4) pixels.data[i] = 255;
    g.putImageData(pixels, 0, 0);
    return canvas.toDataURL("image/jpeg", 0.95).split(",")[1];
  });
}

test("an upload whose answer is lost resumes from the ward record; a refused photo holds up nothing", async () => {
  // Playwright sees no request a service worker handles, so this page runs without one.
  const field = await world.browser.newContext({ locale: "ja-JP", serviceWorkers: "block" });
  const page = await field.newPage();
  await page.goto(world.ward.url);
  await signIn(page, "road01");
  const [small] = await drawPhotos(page);
  const noise = await drawNoise(page);

  // The ward record refuses the small photo for good (as for a type it does not take);
  // the big photo's chunk reaches it, but the connection drops before the answer does.
  const patches = [];
  let dropped = false;
  await page.route(/\/api\/photos\/[0-9a-f-]+(\?offset=\d+)?$/, async (route) => {
    const request = route.request();
    if (request.method() === "PUT" && JSON.parse(request.postData()).size < 300 * 1024) {
      return route.fulfill({
        status: 415,
        contentType: "application/json",
        body: JSON.stringify({
          code: "unsupported_type",
          message: { ja: "この種類の写真は受け付けられません。", en: "This type of photo is not accepted." },
        }),
      });
    }
    if (request.method() === "PATCH") {
      patches.push(Number(new URL(request.url()).searchParams.get("offset")));
      if (!dropped) {
        dropped = true;
        const answer = await route.fetch();
        assert.equal(answer.status(), 200, "the ward record took the bytes");
        return route.abort("connectionreset");
      }
    }
    return route.continue();
  });

  await page.getByTestId("nav-capture").click();
  await page.getByTestId("category").selectOption("road-pothole");
  await page.getByTestId("title").fill("路面のひび割れ");
  await page.getByTestId("address").fill("高津区溝口1-1");
  await page.getByTestId("photo-input").setInputFiles([
    { name: "noise.jpg", mimeType: "image/jpeg", buffer: Buffer.from(noise, "base64") },
    { name: "small.jpg", mimeType: "image/jpeg", buffer: Buffer.from(small, "base64") },
  ]);
  await page.getByTestId("photo-thumb").nth(1).waitFor();
  await page.getByTestId("save").click();
  await page.getByTestId("form-message").filter({ hasText: "保存しました" }).waitFor();

  await page.getByTestId("nav-mine").click();
  const row = page.getByTestId("my-request").first();
  await row.waitFor();
  const id = await row.getAttribute("data-id");
  await page.locator(`[data-testid="my-request"][data-id="${id}"][data-sync="synced"]`).waitFor({ timeout: 30_000 });
  // The drop stops the photo queue (the record queue is done); the next sync resumes it.
  for (let waited = 0; !dropped && waited < 30_000; waited += 100) await page.waitForTimeout(100);
  assert.ok(dropped, "the answer to the chunk was lost");
  await page.waitForFunction(() => document.querySelector('[data-testid="sync-now"]')?.getAttribute("aria-busy") === "false");
  await page.getByTestId("sync-now").click();
  const state = page.locator(`[data-testid="my-request"][data-id="${id}"] [data-testid="photo-state"]`);
  await page
    .locator(`[data-testid="my-request"][data-id="${id}"] [data-testid="photo-state"][data-photos-synced="1/2"][data-photos="rejected"]`)
    .waitFor({ timeout: 30_000 });
  assert.match(await state.innerText(), /却下 1/);
  // The ward record said it had every byte: nothing was sent again.
  assert.deepEqual(patches, [0]);

  await page.unroute(/\/api\/photos\//);
  const arrived = await page.evaluate((id) => fetch(`/api/requests/${id}/photos`).then((r) => r.json()), id);
  assert.equal(arrived.length, 1, "only the accepted photo");
  assert.equal(arrived[0].complete, true);
  assert.ok(arrived[0].size >= 300 * 1024, `the big photo: ${arrived[0].size}`);
  await field.close();
});
