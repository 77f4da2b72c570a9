// A field device's first visit, counted at a proxy in front of the ward record (what
// really came over the network: the page's fetches and the service worker's together):
// each file of the field build comes once, the wasm, scripts and styles brotli-compressed,
// and nothing of the office build. Then an office clerk signs in on that device and is
// taken to the office build, which has every screen and a worker of its own; signed in
// offline where the office build is not kept, the clerk carries on with the field screens.
import { test, after } from "node:test";
import assert from "node:assert/strict";
import { DEMO_PASSWORD, goOffline, launchBrowser, signIn, startGate, startWardRecord, waitForOfflineReady } from "./harness.mjs";

let ward;
let gate;
let browser;
after(async () => {
  await browser?.close();
  await gate?.stop();
  await ward?.stop();
});

/** Trunk's content-hashed names (`name-<16 hex>.ext`, `…_bg.wasm`), as the worker tells them. */
const hashed = (url) =>
  url
    .split("?")[0]
    .split("/")
    .pop()
    .split(/[-_.]/)
    .some((part) => part.length >= 16 && /^[0-9a-f]+$/i.test(part));

/** The app's files (not the API) the gate passed on, from the `from`th answer on. */
const fileAnswers = (from = 0) => gate.answers.slice(from).filter((a) => a.method === "GET" && !a.url.startsWith("/api/"));

test("a field device's first visit fetches each file once, compressed, and nothing of the office's", async () => {
  ward = await startWardRecord();
  gate = await startGate(ward.url);
  browser = await launchBrowser();
  const context = await browser.newContext({ locale: "ja-JP" });
  const page = await context.newPage();
  await page.goto(gate.url);
  await page.getByTestId("staff-id").waitFor();
  // Ready offline: the field worker installed (its precache is complete) and in control.
  await waitForOfflineReady(page);
  const precached = await page.evaluate(async () => {
    const [key] = await caches.keys();
    const cache = await caches.open(key);
    return { key, urls: (await cache.keys()).map((r) => new URL(r.url).pathname) };
  });
  assert.match(precached.key, /^koe-[0-9a-f]{16}$/, "the field build's cache");

  const files = fileAnswers();
  const byUrl = new Map();
  for (const a of files) byUrl.set(a.url, [...(byUrl.get(a.url) ?? []), a]);
  const report = [...byUrl].map(([url, as]) => `${url}: ${as.map((a) => `${a.status} ${a.encoding || "identity"} ${a.bytes} B`).join(", ")}`).join("\n");
  // Everything the worker keeps came over the network, and each once: a hashed file
  // exactly once (the worker took it from the HTTP cache), the others downloaded once and
  // at most revalidated (304, no body) by the worker.
  for (const url of precached.urls) assert.ok(byUrl.has(url), `${url} was precached without a fetch?\n${report}`);
  for (const [url, as] of byUrl) {
    if (hashed(url)) assert.equal(as.length, 1, `${url} fetched more than once\n${report}`);
    assert.equal(as.filter((a) => a.status === 200).length, 1, `${url} downloaded more than once\n${report}`);
    assert.ok(as.every((a) => a.status === 200 || a.status === 304), `${url}\n${report}`);
  }
  for (const kind of [/\.wasm$/, /\.js$/, /\.css$/]) {
    const some = files.filter((a) => kind.test(a.url));
    assert.ok(some.length > 0, `no ${kind} file fetched\n${report}`);
    for (const a of some) assert.equal(a.encoding, "br", `${a.url} not brotli\n${report}`);
  }
  assert.deepEqual(files.filter((a) => a.url.startsWith("/office")).map((a) => a.url), [], "no office file on a field device");
  const bytes = files.reduce((sum, a) => sum + a.bytes, 0);
  const api = gate.answers.filter((a) => a.url.startsWith("/api/")).reduce((sum, a) => sum + a.bytes, 0);
  console.log(`first visit of a field device, to the sign-in form ready offline: ${bytes} bytes on the wire (the app's files, headers included; the API's ${api} more)\n${report}`);

  // An office clerk signs in on this device: the field build takes them to the office
  // build (the field worker, in control, leaves /office/ alone), which asks for the
  // password once more and shows every screen.
  const before = gate.answers.length;
  await page.getByTestId("staff-id").fill("clerk01");
  await page.getByTestId("password").fill(DEMO_PASSWORD);
  await page.getByTestId("sign-in").click();
  await page.getByTestId("office-sign-in-again").waitFor();
  assert.equal(new URL(page.url()).pathname, "/office/");
  assert.equal(await page.locator('link[rel="manifest"]').getAttribute("href"), "/office/manifest.webmanifest");
  assert.equal(await page.getByTestId("staff-id").inputValue(), "clerk01", "the form keeps who signed in");
  await signIn(page, "clerk01");
  for (const screen of ["nav-capture", "nav-mine", "nav-device", "nav-office", "nav-standards", "nav-dashboard"]) {
    await page.getByTestId(screen).waitFor();
  }
  await page.getByTestId("nav-office").click();
  await page.getByTestId("office-total").waitFor();
  await page.getByTestId("nav-standards").click();
  await page.locator("h1").filter({ hasText: "サービス基準の達成状況" }).waitFor();

  // The office build's worker takes over its folder, with a cache of its own beside the
  // field app's; its taking over is no update to announce.
  await waitForOfflineReady(page);
  const keys = await page.evaluate(() => caches.keys());
  assert.deepEqual(keys.toSorted(), [precached.key, keys.find((k) => k.startsWith("koe-office-"))].toSorted(), `${keys}`);
  assert.equal(await page.getByTestId("update-banner").count(), 0);
  const office = fileAnswers(before);
  assert.ok(office.some((a) => /^\/office\/koe-app-[0-9a-f]{16}_bg\.wasm$/.test(a.url)), "the office build's wasm");
  for (const a of office.filter((a) => /\.(wasm|js|css)$/.test(a.url))) {
    assert.equal(a.encoding, "br", `${a.url} not brotli`);
    assert.ok(a.url.startsWith("/office/"), `${a.url}: the office build loads its own files`);
  }
  await context.close();
});

test("offline, without the office build kept on the device, an office clerk carries on with the field screens", async () => {
  const context = await browser.newContext({ locale: "ja-JP" });
  const page = await context.newPage();
  // clerk01 signed in here once online (so the password opens their data offline) ...
  await page.goto(ward.url);
  await waitForOfflineReady(page);
  await signIn(page, "clerk01");
  await waitForOfflineReady(page);
  await page.goto(ward.url);
  await page.getByTestId("staff-id").waitFor();
  // ... but the office build is not kept here any more.
  await page.evaluate(async () => {
    for (const key of await caches.keys()) if (key.startsWith("koe-office-")) await caches.delete(key);
    for (const r of await navigator.serviceWorker.getRegistrations()) {
      if (new URL(r.scope).pathname === "/office/") await r.unregister();
    }
  });
  await goOffline(context, page);
  await page.getByTestId("staff-id").fill("clerk01");
  await page.getByTestId("password").fill(DEMO_PASSWORD);
  await page.getByTestId("sign-in").click();
  // Signed in offline on the field build: no way to the office build, said so.
  await page.getByTestId("stay-in-field").click();
  assert.equal(new URL(page.url()).pathname, "/");
  await page.getByTestId("nav-capture").waitFor();
  assert.equal(await page.getByTestId("nav-office").count(), 0, "the field build has no office screens");
  await page.getByTestId("title").waitFor();
  await context.close();
});
