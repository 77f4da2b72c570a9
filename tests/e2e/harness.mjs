// Starts the real ward record (the built server binary, serving the built app from dist/)
// on a free loopback port with a fresh SQLite database, and a real headless Chromium.
import { spawn } from "node:child_process";
import { createServer as createHttpServer, request as httpRequest } from "node:http";
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { before, after } from "node:test";
import { chromium, request as apiRequest } from "playwright-core";

export const ROOT = resolve(import.meta.dirname, "../..");
export const DEMO_PASSWORD = "e2e-demo-password";

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/** Starts a ward record (serving `options.dist`, else KOE_DIST, else dist/); returns { url, stop, log }. */
export async function startWardRecord(options = {}) {
  const bin = process.env.KOE_SERVER_BIN || join(ROOT, "target/debug/koe-server");
  const dist = options.dist || process.env.KOE_DIST || join(ROOT, "dist");
  for (const [what, path] of [["server binary", bin], ["built app", join(dist, "index.html")]]) {
    if (!existsSync(path)) throw new Error(`${what} not found at ${path}: run scripts/test.sh`);
  }
  const port = await freePort();
  const data = mkdtempSync(join(tmpdir(), "koe-e2e-"));
  const env = { ...process.env, KOE_ADDR: `127.0.0.1:${port}`, KOE_DIST: dist, KOE_DATA: data, KOE_DEMO_PASSWORD: DEMO_PASSWORD };
  delete env.DATABASE_URL; // the embedded SQLite default
  const child = spawn(bin, [], { env, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout.on("data", (d) => (log += d));
  child.stderr.on("data", (d) => (log += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`ward record exited (${child.exitCode}):\n${log}`);
    try {
      const res = await fetch(`${url}/api/session`);
      if (res.status === 401) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`ward record did not start in 30 s:\n${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    log: () => log,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((r) => (child.exitCode !== null ? r() : child.once("exit", r)));
      rmSync(data, { recursive: true, force: true });
    },
  };
}

/**
 * Headless Chromium. Its contexts bypass the app's Content-Security-Policy, because
 * Playwright's own `waitForFunction` and axe-core's injection are scripts the CSP
 * rightly refuses; `csp.test.mjs` drives the app under its CSP (`{ bypassCSP: false }`).
 */
export async function launchBrowser() {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
  const newContext = browser.newContext.bind(browser);
  browser.newContext = (options = {}) => newContext({ bypassCSP: true, ...options });
  return browser;
}

/**
 * Signs in through the app's own form. Office staff, section heads and administrators
 * signing in on the field build are taken to the office build (/office/), which asks
 * for the password once more (the data key stays in the page it was opened in).
 */
export async function signIn(page, staffId) {
  const submit = async () => {
    await page.getByTestId("staff-id").fill(staffId);
    await page.getByTestId("password").fill(DEMO_PASSWORD);
    await page.getByTestId("sign-in").click();
  };
  await submit();
  const again = page.getByTestId("office-sign-in-again");
  await page.getByTestId("nav-capture").or(again).first().waitFor();
  if ((await again.count()) > 0) {
    await submit();
    await page.getByTestId("nav-capture").waitFor();
  }
}

/**
 * Waits until the page's own build's service worker controls it (`/sw.js`, or
 * `/office/sw.js` in the office build), so it opens offline from now on.
 */
export async function waitForOfflineReady(page) {
  await page.waitForFunction(
    () => {
      const controller = navigator.serviceWorker?.controller;
      if (!controller) return false;
      const base = location.pathname.startsWith("/office/") ? "/office/" : "/";
      return new URL(controller.scriptURL).pathname === `${base}sw.js`;
    },
    null,
    { timeout: 20_000 },
  );
}

/**
 * A device in a new browser context (`locale`), the app open at `url` and signed in as
 * `staffId`, ready to work offline. Returns `{ context, page }`.
 */
export async function signedInDevice(browser, url, staffId, { locale = "ja-JP" } = {}) {
  const context = await browser.newContext({ locale });
  const page = await context.newPage();
  await page.goto(url);
  await signIn(page, staffId);
  await waitForOfflineReady(page);
  return { context, page };
}

/** Takes the device offline and waits until the app says so (`shown`: the text it shows). */
export async function goOffline(context, page, shown = "オフライン") {
  await context.setOffline(true);
  await page.getByTestId("net-state").filter({ hasText: shown }).waitFor();
}

/** Opens 自分の受付 and returns the id of the request listed with `title`. */
export async function myRequestId(page, title) {
  await page.getByTestId("nav-mine").click();
  const row = page.getByTestId("my-request").filter({ hasText: title });
  await row.waitFor();
  return row.getAttribute("data-id");
}

/**
 * Request `id` as the ward record shows `api`'s person, read again every 200 ms (at most
 * 100 times) until `done(request)`; the last one read either way.
 */
export async function wardRequestWhen(api, id, done) {
  let request;
  for (let i = 0; i < 100; i++) {
    request = (await (await api.get(`/api/requests/${id}`)).json()).request;
    if (done(request)) break;
    await new Promise((r) => setTimeout(r, 200));
  }
  return request;
}

/**
 * One ward record and one browser for a test file: started before its tests, stopped
 * after them. Returns `{ ward, browser }`, filled in once `before` has run.
 */
export function wardAndBrowser() {
  const world = {};
  before(async () => {
    world.ward = await startWardRecord();
    world.browser = await launchBrowser();
  });
  after(async () => {
    await world.browser?.close();
    await world.ward?.stop();
  });
  return world;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** axe-core's serious and critical violations on the page, one line each. */
export async function seriousViolations(page) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}

// ---- A day offline, full storage, app updates, measurements -----------------------------

/** The flags `launchBrowser` starts Chromium with. */
export const BROWSER_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/**
 * A browser whose profile (IndexedDB, service worker, localStorage) lives in `userDataDir`:
 * closing the returned context quits the browser, and launching again with the same
 * directory is a browser restart on the same device.
 */
export function launchPersistent(userDataDir, options = {}) {
  return chromium.launchPersistentContext(userDataDir, {
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: BROWSER_ARGS,
    locale: "ja-JP",
    bypassCSP: true,
    ...options,
  });
}

/**
 * `count` real JPEGs drawn in the page (a gradient and a label, `width`×`height`), as
 * files for `setInputFiles`. `noise` makes them large (random pixels compress badly).
 */
export async function jpegFiles(page, count, { width = 1200, height = 900, label = "写真", noise = false } = {}) {
  const images = await page.evaluate(
    ({ count, width, height, label, noise }) =>
      Array.from({ length: count }, (_, i) => {
        const canvas = document.createElement("canvas");
        canvas.width = width;
        canvas.height = height;
        const g = canvas.getContext("2d");
        if (noise) {
          const pixels = g.createImageData(width, height);
          const random = new Uint32Array(pixels.data.buffer);
          for (let k = 0; k < random.length; k += 16384) crypto.getRandomValues(random.subarray(k, k + 16384));
          for (let k = 3; k < pixels.data.length; k += 4) pixels.data[k] = 255;
          g.putImageData(pixels, 0, 0);
        } else {
          const fill = g.createLinearGradient(0, 0, width, height);
          fill.addColorStop(0, `hsl(${(i * 47) % 360} 70% 45%)`);
          fill.addColorStop(1, `hsl(${(i * 47 + 120) % 360} 70% 55%)`);
          g.fillStyle = fill;
          g.fillRect(0, 0, width, height);
        }
        g.fillStyle = "#fff";
        g.font = `${Math.round(height / 8)}px sans-serif`;
        g.fillText(`${label} ${i + 1} ${Math.random().toString(36).slice(2, 8)}`, width / 10, height / 2);
        return canvas.toDataURL("image/jpeg", 0.9).split(",")[1];
      }),
    { count, width, height, label, noise },
  );
  return images.map((b64, i) => ({ name: `${label}-${i + 1}.jpg`, mimeType: "image/jpeg", buffer: Buffer.from(b64, "base64") }));
}

/**
 * Logs one request through the capture form (already open) and waits until it is saved:
 * the form starts empty again. Throws with the form's message if it was not saved.
 */
export async function logRequest(page, { category = "road-pothole", title, description = "", address = "", photos = [] }) {
  await page.getByTestId("category").selectOption(category);
  await page.getByTestId("title").fill(title);
  if (description) await page.getByTestId("description").fill(description);
  if (address) await page.getByTestId("address").fill(address);
  if (photos.length > 0) {
    await page.getByTestId("photo-input").setInputFiles(photos);
    await page.getByTestId("photo-thumb").nth(photos.length - 1).waitFor();
  }
  await page.getByTestId("save").click();
  await page.waitForFunction(
    () =>
      document.querySelector('[data-testid="title"]')?.value === "" ||
      document.querySelector('[data-testid="form-message"] [role="alert"]') != null,
  );
  const problem = page.locator('[data-testid="form-message"] [role="alert"]');
  if ((await problem.count()) > 0) throw new Error(`not saved: ${await problem.innerText()}`);
}

/**
 * What the device holds for `staffId`, read straight from their IndexedDB as devtools
 * would: the requests' ids (keys; the values are sealed), the photos' ids, request,
 * sha256, size and state (in the clear, the photo itself sealed), and how many
 * mutations wait in the outbox.
 */
export function deviceRecords(page, staffId = "road01") {
  return page.evaluate(
    (name) =>
      new Promise((ok, fail) => {
        const open = indexedDB.open(name);
        open.onerror = () => fail(open.error);
        open.onsuccess = () => {
          const db = open.result;
          const tx = db.transaction(["requests", "photos", "outbox"]);
          const requests = tx.objectStore("requests").getAllKeys();
          const photos = tx.objectStore("photos").getAll();
          const outbox = tx.objectStore("outbox").count();
          tx.oncomplete = () => {
            db.close();
            ok({
              requests: requests.result.map((id) => ({ id })),
              photos: photos.result.map((p) => ({
                photo_id: p.photo_id,
                request_id: p.request_id,
                sha256: p.sha256,
                size: p.size,
                state: p.state,
              })),
              outbox: outbox.result,
            });
          };
          tx.onerror = () => fail(tx.error);
        };
      }),
    `koe.person.${staffId}`,
  );
}

/**
 * Every value in every object store of every IndexedDB database of the page's origin,
 * as text (sealed bytes as latin1), and localStorage: what someone with the device and
 * devtools, but no password, can read.
 */
export function everythingStored(page) {
  return page.evaluate(async () => {
    const out = [];
    const text = (v) => {
      if (v instanceof Uint8Array) return new TextDecoder("utf-8", { fatal: false }).decode(v);
      if (v instanceof Blob) return "";
      try {
        return JSON.stringify(v);
      } catch {
        return String(v);
      }
    };
    for (const { name } of await indexedDB.databases()) {
      const db = await new Promise((ok, fail) => {
        const open = indexedDB.open(name);
        open.onsuccess = () => ok(open.result);
        open.onerror = () => fail(open.error);
      });
      for (const store of db.objectStoreNames) {
        const values = await new Promise((ok, fail) => {
          const get = db.transaction(store).objectStore(store).getAll();
          get.onsuccess = () => ok(get.result);
          get.onerror = () => fail(get.error);
        });
        for (const v of values) {
          out.push(text(v));
          // Photos: the blob's bytes too.
          const blob = v && (v.sealed || v.blob);
          if (blob instanceof Blob) out.push(new TextDecoder().decode(await blob.arrayBuffer()));
        }
      }
      db.close();
    }
    for (let i = 0; i < localStorage.length; i++) {
      const k = localStorage.key(i);
      out.push(`${k}=${localStorage.getItem(k)}`);
    }
    return out.join("\n");
  });
}

/**
 * Waits until `staffId`'s kept draft holds at least `typed` (it is sealed, so its size
 * tells: nonce and tag, then the JSON with the text in it, as hex).
 */
export async function waitForDraft(page, staffId, typed) {
  const least = 2 * (28 + Buffer.byteLength(typed, "utf8"));
  await page.waitForFunction(
    ([key, n]) => (localStorage.getItem(key)?.length ?? 0) >= n,
    [`koe.draft.${staffId}`, least],
  );
}

/** After a reload or a new tab: the app opens locked; the person signs in again. */
export async function signInAgain(page, staffId) {
  await page.getByTestId("password").waitFor();
  await signIn(page, staffId);
}

/** The ward record's API signed in as `staffId` (Playwright's request context, with its cookie). */
export async function wardApi(url, staffId) {
  const api = await apiRequest.newContext({ baseURL: url });
  const res = await api.post("/api/session", { data: { staff_id: staffId, password: DEMO_PASSWORD } });
  if (!res.ok()) throw new Error(`sign-in as ${staffId}: ${res.status()} ${await res.text()}`);
  return api;
}

/**
 * A gate in front of the ward record, as a reverse proxy would be: everything passes
 * through, except that while `gate.held` is true the API (`/api/…`) answers 503, as during
 * a deploy when the new app files are already served, and while `gate.cutPushAnswers` is
 * true a push reaches the ward record but its answer is cut (the connection dropped after
 * the ward record answered), as on a link that dies at the wrong moment. Returns { url,
 * held, cutPushAnswers, cut (answers cut so far), requests (each "METHOD /path" that came
 * through), answers (each answer passed on: { method, url, status, encoding, bytes }, its
 * bytes on the wire, headers and body, as they were sent), stop }.
 */
export async function startGate(target) {
  const port = await freePort();
  const gate = { url: `http://127.0.0.1:${port}`, held: false, cutPushAnswers: false, cut: 0, requests: [], answers: [] };
  const server = createHttpServer((req, res) => {
    gate.requests.push(`${req.method} ${req.url}`);
    if (gate.held && req.url.startsWith("/api/")) {
      res.writeHead(503, { "content-type": "application/json" });
      res.end(JSON.stringify({ code: "unavailable", message: { ja: "メンテナンス中です。", en: "Down for maintenance." } }));
      return;
    }
    const cutting = gate.cutPushAnswers && req.method === "POST" && req.url.startsWith("/api/sync/push");
    const upstream = httpRequest(`${target}${req.url}`, { method: req.method, headers: req.headers }, (answer) => {
      if (cutting) {
        // Read the whole answer (the ward record has committed), then drop the line.
        answer.resume();
        answer.on("end", () => {
          gate.cut += 1;
          res.socket?.destroy();
        });
        return;
      }
      const head = [`HTTP/1.1 ${answer.statusCode} ${answer.statusMessage}`];
      for (let i = 0; i < answer.rawHeaders.length; i += 2) head.push(`${answer.rawHeaders[i]}: ${answer.rawHeaders[i + 1]}`);
      const seen = {
        method: req.method,
        url: req.url,
        status: answer.statusCode,
        encoding: answer.headers["content-encoding"] ?? "",
        bytes: Buffer.byteLength(`${head.join("\r\n")}\r\n\r\n`),
      };
      gate.answers.push(seen);
      answer.on("data", (chunk) => (seen.bytes += chunk.length));
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    });
    upstream.on("error", () => {
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    req.pipe(upstream);
  });
  await new Promise((ok) => server.listen(port, "127.0.0.1", ok));
  gate.stop = () =>
    new Promise((ok) => {
      server.closeAllConnections();
      server.close(ok);
    });
  return gate;
}

/** Every request the ward record shows `api`'s person, page by page. */
export async function wardRequests(api) {
  const all = [];
  for (;;) {
    const res = await api.get(`/api/requests?limit=100&offset=${all.length}`);
    if (!res.ok()) throw new Error(`GET /api/requests: ${res.status()} ${await res.text()}`);
    const body = await res.json();
    const page = Array.isArray(body) ? body : body.requests;
    if (page.length === 0) return all;
    all.push(...page);
  }
}

/**
 * A screenshot for a person to look at, into $KOE_SHOTS when it is set (the real-use
 * tests take them at each screen; nothing is written otherwise). Returns the path or null.
 */
export async function shot(target, name, options = {}) {
  const dir = process.env.KOE_SHOTS;
  if (!dir) return null;
  const { mkdirSync } = await import("node:fs");
  mkdirSync(dir, { recursive: true });
  const path = `${dir}/${name}.png`;
  await target.screenshot({ path, ...options });
  return path;
}
