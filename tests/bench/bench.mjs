// Koe and PouchDB side by side in one run (issue 12), measured, never asserted.
//
//   node tests/bench/bench.mjs [--n 10000] [--runs 3] [--profile] [--json out.json] [--only visit|sync]
//
// (`npm ci` in tests/e2e and in tests/bench first: the harness's helpers are imported from there.)
// --profile adds one push more under the CPU profiler (not in the table), written to
// ./push.cpuprofile and summarised; --only runs rows 1–3 and 6 (visit) or 4–5 (sync).
//
// The built app (KOE_DIST, default dist/) served by the real ward record (KOE_SERVER_BIN,
// default target/debug/koe-server) on 127.0.0.1:18701–18702, pouchdb-server (npm) on
// 127.0.0.1:15984, headless Chromium (CHROMIUM, default /usr/bin/chromium). Every row is the
// median of `--runs` runs in this one run, on the same generated records (records.mjs, about
// 1 KB each). Prints a markdown table: Koe, the anchor, Koe ÷ anchor.
//
//  1 first visit, bytes   A field device's first visit (fresh profile) until the service
//                         worker is installed: every response's bytes on the wire (CDP
//                         Network.loadingFinished encodedDataLength: headers and body as sent),
//                         the page's and the service worker's own. Anchor: the same static
//                         files, each counted once, compressed with brotli -q 11.
//  2 first visit, time    The same visit under 4× CPU throttling (Emulation.setCPUThrottlingRate)
//                         and 1.6 Mbps down / 750 kbps up / 150 ms RTT
//                         (Network.emulateNetworkConditions, on the page and on its service
//                         worker): navigation start → sign-in form usable → (the script signs in
//                         as road01 at once) → a usable capture form (分類 enabled, holding the
//                         catalogue, focusable), the script's typing left out (sign-in form
//                         usable + from the click on サインイン); and → offline-ready
//                         (navigator.serviceWorker.ready).
//  3 repeat visit         The same device offline, unthrottled, a new tab: navigation start →
//                         sign-in form (the key is kept in memory only, so the app asks for the
//                         password) + from the click on サインイン → usable capture form. The second such
//                         open (the first warms the code cache, as an installed app's is).
//  4 push N               N requests waiting on a field device (logged through the capture form,
//                         offline, once; the browser profile and the ward record's data copied
//                         for each run), the device back online and 今すぐ同期 pressed → the outbox
//                         empty (its IndexedDB count, polled every 50 ms); also → the sync bar
//                         says it finished. Anchor: PouchDB db.replicate.to(remote) of the same N
//                         documents from a browser PouchDB (IndexedDB adapter) to pouchdb-server.
//  5 pull N               An office clerk (clerk01) on a fresh browser profile signs in; from the
//                         app's first GET /api/sync/pull → all N requests in the clerk's IndexedDB
//                         (count polled every 50 ms). Anchor: replicate.from(remote) of those N
//                         documents into a new browser PouchDB.
//  6 one save             Offline, one request (no photo) through the capture form: the 保存 click
//                         → 保存しました shown and the sync bar counting it 未送信. Anchor: raw
//                         IndexedDB, the same ~1 KB object put in one readwrite transaction,
//                         awaited to `complete`.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from "node:fs";
import { tmpdir, cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { parseArgs } from "node:util";
import { brotliCompressSync, constants as zlib } from "node:zlib";
import { chromium } from "playwright-core";
import { BROWSER_ARGS, DEMO_PASSWORD } from "../e2e/harness.mjs";
import { uuidv7 } from "../e2e/ward_seed.mjs";
import { connectBrowser, watchPage, watchServiceWorkers } from "./cdp.mjs";
import { asDocument, records } from "./records.mjs";
import { KOE_BIN, KOE_DIST, startKoe as startKoeOf, startPouch, stopAll } from "./servers.mjs";

const { values: opts } = parseArgs({
  options: {
    n: { type: "string", default: "10000" },
    runs: { type: "string", default: "3" },
    profile: { type: "boolean", default: false },
    json: { type: "string" },
    only: { type: "string" }, // "visit", "sync": one half (development)
  },
});
const N = Number(opts.n);
const RUNS = Number(opts.runs);
const CHROMIUM = process.env.CHROMIUM || "/usr/bin/chromium";
const DEVTOOLS_PORT = 18790;
const PUSH_PORT = 18701; // the push/pull ward: one origin for every run (the device's profile is copied)
const VISIT_PORT = 18702; // the first-visit ward
const SLOW = { offline: false, latency: 150, downloadThroughput: 1_600_000 / 8, uploadThroughput: 750_000 / 8 };
const CPU_SLOWDOWN = 4;

const work = mkdtempSync(join(tmpdir(), "koe-bench-"));
// The build measured, copied first: a rebuild in the work tree during the run changes nothing here.
const BUILD = { bin: join(work, "koe-server"), dist: join(work, "dist") };
const startKoe = (port, data) => startKoeOf(port, data, BUILD);
const log = (...a) => console.error(`[${new Date().toISOString().slice(11, 19)}]`, ...a);
const median = (xs) => {
  const s = xs.filter((x) => Number.isFinite(x)).sort((a, b) => a - b);
  if (s.length === 0) return NaN;
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

// ---- in the page ----------------------------------------------------------------------

/** Init script: when the sign-in form, the capture form and the offline app are ready. */
function benchWatch() {
  if (!location.protocol.startsWith("http")) return;
  const b = (window.__bench = {});
  const signInUsable = () => {
    const i = document.querySelector('[data-testid="password"]');
    const button = document.querySelector('[data-testid="sign-in"]');
    return i && !i.disabled && button && !button.disabled;
  };
  const formUsable = () => {
    const select = document.querySelector('[data-testid="category"]');
    if (!select || select.disabled || select.options.length < 2) return false;
    select.focus();
    return document.activeElement === select;
  };
  const check = () => {
    if (b.signInAt === undefined && signInUsable()) b.signInAt = performance.now();
    if (b.usableAt === undefined && formUsable()) b.usableAt = performance.now();
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true, attributes: true });
  const frame = () => {
    check();
    if (b.usableAt === undefined) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
  navigator.serviceWorker?.ready.then(() => (b.readyAt = performance.now()));
}

/** In the page: fills the capture form with each record and saves it, one after the other. */
async function fillAndSave(recs) {
  const q = (id) => document.querySelector(`[data-testid="${id}"]`);
  const set = (el, v, ev = "input") => {
    el.value = v;
    el.dispatchEvent(new Event(ev, { bubbles: true }));
  };
  for (const r of recs) {
    set(q("category"), r.category, "change");
    set(q("title"), r.title);
    set(q("description"), r.description);
    set(q("address"), r.address);
    set(q("landmark"), r.landmark);
    q("save").click();
    const t0 = performance.now();
    await new Promise((ok, fail) => {
      const tick = () => {
        const problem = document.querySelector('[data-testid="form-message"] [role="alert"]');
        if (problem) return fail(new Error(`not saved: ${problem.textContent}`));
        if (q("title").value === "" && q("save").getAttribute("aria-busy") === "false") return ok();
        if (performance.now() - t0 > 30_000) return fail(new Error("save took over 30 s"));
        setTimeout(tick, 1);
      };
      tick();
    });
  }
}

/**
 * In the page: how many rows `store` of `db` holds, polled every 50 ms from now on, and
 * when it first reached `target` (window.__count: { t0, at, n }). The database is only
 * opened once the app has made it.
 */
function countWhen({ db, store, target }) {
  const c = (window.__count = { t0: performance.now(), at: undefined, n: -1 });
  let conn = null;
  const tick = async () => {
    try {
      if (!conn) {
        const names = (await indexedDB.databases()).map((d) => d.name);
        if (names.includes(db)) {
          conn = await new Promise((ok, fail) => {
            const open = indexedDB.open(db);
            open.onsuccess = () => ok(open.result);
            open.onerror = () => fail(open.error);
          });
          conn.onversionchange = () => {
            conn.close();
            conn = null;
          };
          if (!conn.objectStoreNames.contains(store)) {
            conn.close();
            conn = null;
          }
        }
      }
      if (conn) {
        c.n = await new Promise((ok, fail) => {
          const r = conn.transaction(store).objectStore(store).count();
          r.onsuccess = () => ok(r.result);
          r.onerror = () => fail(r.error);
        });
        if (c.at === undefined && (target === 0 ? c.n === 0 : c.n >= target)) {
          c.at = performance.now();
          conn.close();
          return;
        }
      }
    } catch (e) {
      c.error = String(e);
      conn = null;
    }
    setTimeout(tick, 50);
  };
  tick();
}

/** In the page: when the sync bar first says a sync finished with nothing waiting. */
function syncDoneWatch() {
  const s = (window.__sync = { t0: performance.now(), running: false, at: undefined });
  const check = () => {
    const text = document.querySelector('[data-testid="sync-status"]')?.textContent ?? "";
    if (text.includes("同期中")) s.running = true;
    if (s.at === undefined && s.running && text.includes("未送信はありません") && text.includes("最終同期")) {
      s.at = performance.now();
      observer.disconnect();
    }
  };
  const observer = new MutationObserver(check);
  observer.observe(document.body, { childList: true, subtree: true, characterData: true });
  performance.setResourceTimingBufferSize(100_000);
}

/** In the page: the API calls of the sync since `t0` (resource timing). */
function syncTraffic(t0) {
  const sum = (xs, f) => xs.reduce((a, x) => a + f(x), 0);
  const api = performance.getEntriesByType("resource").filter((e) => e.startTime >= t0 && e.name.includes("/api/"));
  const of = (part) => api.filter((e) => new URL(e.name).pathname === part);
  const pack = (xs) => ({
    count: xs.length,
    bytes: sum(xs, (e) => e.transferSize),
    body: sum(xs, (e) => e.encodedBodySize),
    ms: sum(xs, (e) => e.responseEnd - e.startTime),
    first: xs.length ? Math.min(...xs.map((e) => e.startTime)) : null,
    last: xs.length ? Math.max(...xs.map((e) => e.responseEnd)) : null,
  });
  return { push: pack(of("/api/sync/push")), pull: pack(of("/api/sync/pull")), all: pack(api) };
}

// ---- helpers ----------------------------------------------------------------------------

async function signInTimed(page, staffId) {
  await page.waitForFunction(() => window.__bench?.signInAt !== undefined, null, { timeout: 120_000 });
  const id = page.getByTestId("staff-id");
  if (await id.isVisible()) await id.fill(staffId);
  await page.getByTestId("password").fill(DEMO_PASSWORD);
  await page.evaluate(() => {
    window.__bench.pressedAt = performance.now();
    document.querySelector('[data-testid="sign-in"]').click();
  });
  await page.waitForFunction(() => window.__bench.usableAt !== undefined, null, { timeout: 120_000 });
  return page.evaluate(() => ({ ...window.__bench }));
}

const brotliMemo = new Map();
/** brotli -q 11 of a file of the built app (each file compressed once per run of the script). */
function brotliSize(file) {
  if (!brotliMemo.has(file)) {
    const buf = readFileSync(file);
    brotliMemo.set(file, brotliCompressSync(buf, { params: { [zlib.BROTLI_PARAM_QUALITY]: 11, [zlib.BROTLI_PARAM_SIZE_HINT]: buf.length } }).length);
  }
  return brotliMemo.get(file);
}

/** The file of the built app a static URL stands for (null if none). */
function distFile(url) {
  let path = decodeURIComponent(new URL(url).pathname);
  if (path === "/" || !path.includes(".")) path = "/index.html";
  const file = join(BUILD.dist, path);
  return existsSync(file) ? file : null;
}

async function waitingCount(page) {
  const text = await page.getByTestId("sync-status").innerText();
  const m = text.match(/未送信 (\d+) 件/);
  return m ? Number(m[1]) : 0;
}

/** One save through the form, timed in the page from the click to listed 未送信 (measure.mjs's way). */
async function timedSave(page, r) {
  await page.getByTestId("category").selectOption(r.category);
  await page.getByTestId("title").fill(r.title);
  await page.getByTestId("description").fill(r.description);
  await page.getByTestId("address").fill(r.address);
  await page.getByTestId("landmark").fill(r.landmark);
  const expected = (await waitingCount(page)) + 1;
  await page.evaluate((expected) => {
    window.__saved = undefined;
    window.__said = undefined;
    document.querySelector('[data-testid="save"]').addEventListener(
      "click",
      () => {
        const start = performance.now();
        let busy = false;
        const said = () => {
          const button = document.querySelector('[data-testid="save"]');
          if (button?.getAttribute("aria-busy") === "true") busy = true;
          return (
            busy &&
            button?.getAttribute("aria-busy") === "false" &&
            document.querySelector('[data-testid="title"]')?.value === "" &&
            document.querySelector('[data-testid="form-message"]')?.textContent.includes("保存しました")
          );
        };
        const listed = () => document.querySelector('[data-testid="sync-status"]')?.textContent.includes(`未送信 ${expected} 件`);
        const observer = new MutationObserver(() => {
          if (window.__said === undefined && said()) window.__said = performance.now() - start;
          if (window.__saved === undefined && window.__said !== undefined && listed()) {
            window.__saved = performance.now() - start;
            observer.disconnect();
          }
        });
        observer.observe(document.body, { childList: true, subtree: true, characterData: true, attributes: true });
      },
      { capture: true, once: true },
    );
  }, expected);
  await page.getByTestId("save").click();
  await page.waitForFunction(() => window.__saved !== undefined, null, { timeout: 30_000 });
  return page.evaluate(() => ({ said: window.__said, listed: window.__saved }));
}

// ---- rows 1, 2, 3, 6: a field device's first visit, its repeat visit and one save ------

async function visitRun(browser, cdp, ward, run, pouchPage) {
  const context = await browser.newContext({ locale: "ja-JP", bypassCSP: true });
  await context.addInitScript(benchWatch);
  const page = await context.newPage();
  const session = await context.newCDPSession(page);
  const pageResponses = await watchPage(session);
  await session.send("Emulation.setCPUThrottlingRate", { rate: CPU_SLOWDOWN });
  await session.send("Network.emulateNetworkConditions", SLOW);
  const sw = await watchServiceWorkers(cdp, SLOW);
  await page.goto(ward.url, { waitUntil: "commit" });
  const first = await signInTimed(page, "road01");
  await page.waitForFunction(() => window.__bench.readyAt !== undefined, null, { timeout: 300_000 });
  first.readyAt = await page.evaluate(() => window.__bench.readyAt);
  await page.waitForTimeout(2000); // what was still on the way (the catalogue, the first sync)
  await sw.stop();
  if (sw.responses.problem) log(`service worker throttling: ${sw.responses.problem}`);
  const swWasm = sw.responses.find((r) => r.url.endsWith(".wasm"));
  log(`  service worker: ${JSON.stringify(sw.responses.attached)}; its wasm: ${swWasm?.bytes} B in ${swWasm?.ms?.toFixed(0)} ms`);
  const wire = [...pageResponses.filter((r) => r.from === "page"), ...sw.responses];
  const isStatic = (r) => !new URL(r.url).pathname.startsWith("/api/");
  const staticFiles = new Map();
  for (const r of wire.filter(isStatic)) staticFiles.set(distFile(r.url) ?? new URL(r.url).pathname, distFile(r.url));
  // Each file once ("/" is index.html), as a compressed, fetched-once first visit would take it.
  const brotli = [...staticFiles.values()].filter(Boolean).reduce((a, f) => a + brotliSize(f), 0);
  const byPath = {};
  for (const r of wire) {
    const p = new URL(r.url).pathname;
    byPath[p] = byPath[p] ?? { count: 0, bytes: 0, from: new Set(), enc: new Set() };
    byPath[p].count += 1;
    if (r.encoding) byPath[p].enc.add(r.encoding);
    byPath[p].bytes += r.bytes;
    byPath[p].from.add(r.from);
  }
  const visit = {
    bytes: wire.reduce((a, r) => a + r.bytes, 0),
    staticBytes: wire.filter(isStatic).reduce((a, r) => a + r.bytes, 0),
    apiBytes: wire.filter((r) => !isStatic(r)).reduce((a, r) => a + r.bytes, 0),
    responses: wire.length,
    swResponses: sw.responses.length,
    brotli,
    files: staticFiles.size,
    signInAt: first.signInAt,
    pressedAt: first.pressedAt,
    usableAt: first.usableAt,
    readyAt: first.readyAt,
    byPath: Object.fromEntries(Object.entries(byPath).map(([p, v]) => [p, { ...v, from: [...v.from].join("+"), enc: [...v.enc].join("+") }])),
    acceptEncoding: pageResponses.acceptEncoding,
    // Its own download of the wasm, to see that the worker was throttled too (≈ 1.6 Mbps).
    swWasmMbps: swWasm?.ms ? (swWasm.bytes * 8) / (swWasm.ms * 1000) : null,
    swHeld: (sw.responses.attached ?? []).every((a) => a.waitingForDebugger),
  };
  await session.send("Emulation.setCPUThrottlingRate", { rate: 1 });
  await session.detach();

  // Row 3: the installed app opened again with no network, twice (the second counts).
  await context.setOffline(true);
  await page.close();
  const repeats = [];
  let keep = null;
  for (let k = 0; k < 2; k++) {
    const p = await context.newPage();
    const response = await p.goto(ward.url);
    if (!response?.fromServiceWorker()) throw new Error("the repeat visit was not served by the service worker");
    repeats.push(await signInTimed(p, "road01"));
    if (k === 0) await p.close();
    else keep = p;
  }
  // Row 6: saves through the form, offline (the first untimed: the form's first use).
  const saves = [];
  const recs = records(N, N + 6);
  await timedSave(keep, recs[0]);
  for (const r of recs.slice(1)) saves.push(await timedSave(keep, r));
  await context.close();

  // Its anchor: raw IndexedDB, one transaction per record, the same objects.
  const docs = records(N, N + 51).map((r, i) => asDocument(r, uuidv7(Date.now() + i), Date.now()));
  const raw = (await pouchPage.evaluate((docs) => window.benchRawIdb(docs), docs)).slice(1);
  log(
    `visit ${run}: ${visit.bytes} B on the wire (${visit.responses} responses, ${visit.swResponses} by the worker), brotli ${brotli} B;` +
      ` sign-in form ${first.signInAt.toFixed(0)} ms, capture form ${first.usableAt.toFixed(0)} ms, offline-ready ${first.readyAt.toFixed(0)} ms;` +
      ` repeat ${repeats.map((r) => r.usableAt.toFixed(0)).join("/")} ms; save ${saves.map((s) => s.listed.toFixed(1)).join("/")} ms; raw ${median(raw).toFixed(2)} ms`,
  );
  return { visit, repeat: repeats[1], repeatFirst: repeats[0], saves, raw };
}

// ---- rows 4 and 5: N requests pushed from a field device and pulled by an office one ----

/** A field device with N requests logged through its capture form, offline, and its ward. */
async function prepareDevice(dir) {
  const data = join(dir, "ward");
  const profile = join(dir, "device");
  const ward = await startKoe(PUSH_PORT, data);
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    args: BROWSER_ARGS,
    locale: "ja-JP",
    bypassCSP: true,
  });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.addInitScript(benchWatch);
    await page.goto(ward.url);
    await signInTimed(page, "road01");
    await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 60_000 });
    await page.getByTestId("sync-status").filter({ hasText: "最終同期" }).waitFor({ timeout: 60_000 });
    await context.setOffline(true);
    await page.getByTestId("net-state").filter({ hasText: "オフライン" }).waitFor();
    const t0 = Date.now();
    const CHUNK = 250;
    for (let from = 0; from < N; from += CHUNK) {
      await page.evaluate(fillAndSave, records(from, Math.min(N, from + CHUNK)));
      if ((from / CHUNK) % 8 === 7 || from + CHUNK >= N) log(`  logged ${Math.min(N, from + CHUNK)} of ${N} through the form (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
    }
    await page.evaluate(countWhen, { db: "koe.person.road01", store: "outbox", target: N });
    await page.waitForFunction(() => window.__count.at !== undefined, null, { timeout: 60_000 });
    await page.waitForTimeout(1000); // the draft and counts settle
  } finally {
    await context.close();
    await ward.stop();
  }
  return { data, profile, fillSeconds: null };
}

async function pushRun(device, dir, run, { profile = false } = {}) {
  const data = join(dir, `ward-${run}`);
  const profileDir = join(dir, `device-${run}`);
  cpSync(device.data, data, { recursive: true });
  cpSync(device.profile, profileDir, { recursive: true });
  const ward = await startKoe(PUSH_PORT, data);
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    args: BROWSER_ARGS,
    locale: "ja-JP",
    bypassCSP: true,
    offline: true,
  });
  let result;
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.addInitScript(benchWatch);
    await page.goto(ward.url);
    await signInTimed(page, "road01");
    await page.getByTestId("sync-status").filter({ hasText: `未送信 ${N} 件` }).waitFor({ timeout: 60_000 });
    let cdp = null;
    if (profile) {
      cdp = await context.newCDPSession(page);
      await cdp.send("Profiler.enable");
      await cdp.send("Profiler.setSamplingInterval", { interval: 500 });
      await cdp.send("Profiler.start");
    }
    await page.evaluate(syncDoneWatch);
    await page.evaluate(countWhen, { db: "koe.person.road01", store: "outbox", target: 0 });
    await context.setOffline(false);
    await page.getByTestId("sync-now").click();
    await page.waitForFunction(() => window.__count.at !== undefined && window.__sync.at !== undefined, null, { timeout: 1_800_000, polling: 500 });
    const t = await page.evaluate(() => ({ t0: window.__count.t0, empty: window.__count.at, done: window.__sync.at, syncT0: window.__sync.t0 }));
    const traffic = await page.evaluate(syncTraffic, t.t0);
    result = { empty: t.empty - t.t0, done: t.done - t.t0, traffic };
    if (cdp) {
      const { profile: cpu } = await cdp.send("Profiler.stop");
      writeFileSync(join(process.cwd(), "push.cpuprofile"), JSON.stringify(cpu));
      result.top = topFunctions(cpu, t.t0, t.empty);
    }
    log(
      `push ${run}: outbox empty ${(result.empty / 1000).toFixed(2)} s, sync finished ${(result.done / 1000).toFixed(2)} s;` +
        ` ${traffic.push.count} pushes (${(traffic.push.ms / 1000).toFixed(2)} s in HTTP), ${traffic.pull.count} pulls (${traffic.pull.body} B, ${(traffic.pull.ms / 1000).toFixed(2)} s)`,
    );
  } finally {
    await context.close();
    rmSync(profileDir, { recursive: true, force: true });
  }
  return { ward, data, result };
}

/** Self time per function in a CPU profile (all of it; the sampling covers the push). */
function topFunctions(cpu, from, to) {
  const self = new Map();
  const byId = new Map(cpu.nodes.map((n) => [n.id, n]));
  const dt = cpu.timeDeltas;
  let total = 0;
  for (let i = 0; i < cpu.samples.length; i++) {
    const node = byId.get(cpu.samples[i]);
    const f = node.callFrame;
    const name = `${f.functionName || "(anonymous)"} ${f.url ? f.url.split("/").pop() : ""}`.trim();
    const us = dt[i] ?? 0;
    self.set(name, (self.get(name) ?? 0) + us);
    total += us;
  }
  const top = [...self.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, 25)
    .map(([name, us]) => ({ name, ms: Math.round(us / 1000), share: +(us / total).toFixed(3) }));
  // Where the time went, by kind: the app's wasm, its JS glue, the browser's own functions
  // called from them (IndexedDB, fetch, crypto, JSON …: no URL), GC, idle, the rest.
  const groups = {};
  for (const [name, us] of self) {
    const kind = name.startsWith("(idle)")
      ? "idle (waiting: network, ward record, IndexedDB)"
      : name.startsWith("(garbage collector)")
        ? "garbage collector"
        : name.startsWith("(program)")
          ? "(program): the browser's native work outside JS"
          : name.endsWith(".wasm")
            ? "the app's wasm"
            : name.endsWith(".js")
              ? "JS (the app's glue and the page)"
              : "browser built-ins called from JS (IndexedDB, fetch, …)";
    groups[kind] = (groups[kind] ?? 0) + us;
  }
  return {
    totalMs: Math.round(total / 1000),
    top,
    groups: Object.entries(groups)
      .sort((a, b) => b[1] - a[1])
      .map(([kind, us]) => ({ kind, ms: Math.round(us / 1000), share: +(us / total).toFixed(3) })),
  };
}

async function pullRun(browser, ward, run) {
  const context = await browser.newContext({ locale: "ja-JP", bypassCSP: true });
  await context.addInitScript(benchWatch);
  try {
    const page = await context.newPage();
    // An office PC opens the office build (an office role signing in at / is handed over).
    await page.goto(`${ward.url}/office/`);
    await page.waitForFunction(() => window.__bench?.signInAt !== undefined, null, { timeout: 60_000 });
    await page.evaluate(() => performance.setResourceTimingBufferSize(100_000));
    await page.evaluate(countWhen, { db: "koe.person.clerk01", store: "requests", target: N });
    await page.getByTestId("staff-id").fill("clerk01");
    await page.getByTestId("password").fill(DEMO_PASSWORD);
    const pressed = await page.evaluate(() => {
      const at = performance.now();
      document.querySelector('[data-testid="sign-in"]').click();
      return at;
    });
    await page.waitForFunction(() => window.__count.at !== undefined, null, { timeout: 1_800_000, polling: 500 });
    const at = await page.evaluate(() => window.__count.at);
    const traffic = await page.evaluate(syncTraffic, pressed);
    const result = { pulled: at - traffic.pull.first, fromPress: at - pressed, traffic };
    log(
      `pull ${run}: ${(result.pulled / 1000).toFixed(2)} s from the first pull to ${N} on the device (${(result.fromPress / 1000).toFixed(2)} s from 'sign in');` +
        ` ${traffic.pull.count} pulls, ${traffic.pull.body} B, ${(traffic.pull.ms / 1000).toFixed(2)} s in HTTP`,
    );
    return result;
  } finally {
    await context.close();
  }
}

// ---- the run ------------------------------------------------------------------------------

async function main() {
  const started = new Date();
  cpSync(KOE_DIST, BUILD.dist, { recursive: true });
  cpSync(KOE_BIN, BUILD.bin);
  const pouch = await startPouch(join(work, "pouchdb"));
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: [...BROWSER_ARGS, `--remote-debugging-port=${DEVTOOLS_PORT}`] });
  try {
    await measure(browser, pouch, started);
  } finally {
    await browser.close();
  }
}

async function measure(browser, pouch, started) {
  const cdp = await connectBrowser(DEVTOOLS_PORT);
  const pouchContext = await browser.newContext();
  const pouchPage = await pouchContext.newPage();
  await pouchPage.goto(pouch.pageUrl);
  await pouchPage.waitForFunction(() => typeof window.PouchDB === "function" && typeof window.benchPush === "function");
  const out = { n: N, runs: RUNS, started: started.toISOString(), chromium: browser.version(), visits: [], pushes: [], pulls: [], pouchPush: [], pouchPull: [] };

  if (opts.only !== "sync") {
    const ward = await startKoe(VISIT_PORT, join(work, "visit-ward"));
    for (let run = 1; run <= RUNS; run++) out.visits.push(await visitRun(browser, cdp, ward, run, pouchPage));
    await ward.stop();
  }

  if (opts.only !== "visit") {
    // The same N records on both sides: as PouchDB documents in the browser ...
    const now = Date.now();
    for (let from = 0; from < N; from += 1000) {
      const docs = records(from, Math.min(N, from + 1000)).map((r, k) => asDocument(r, uuidv7(now - (from + k) * 1000), now - (from + k) * 1000));
      await pouchPage.evaluate(([docs]) => window.benchAddDocs("koe_bench_src", docs), [docs]);
    }
    // ... and logged through Koe's capture form on a field device.
    log(`logging ${N} requests through the capture form (offline), once`);
    const t0 = Date.now();
    const device = await prepareDevice(join(work, "prepared"));
    out.fillSeconds = (Date.now() - t0) / 1000;
    for (let run = 1; run <= RUNS + (opts.profile ? 1 : 0); run++) {
      const profiled = run > RUNS;
      const { ward, data, result } = await pushRun(device, work, run, { profile: profiled });
      try {
        if (profiled) {
          out.profile = result;
          continue;
        }
        out.pushes.push(result);
        await pouch.createDb(`push_${run}`); // empty, as the ward record's database is for this push
        const p = await pouchPage.evaluate(([t]) => window.benchPush("koe_bench_src", t), [`push_${run}`]);
        log(`pouchdb push ${run}: ${(p.ms / 1000).toFixed(2)} s, ${p.docs_written} docs (${p.adapter})`);
        out.pouchPush.push(p);
        out.pulls.push(await pullRun(browser, ward, run));
        const fresh = await browser.newContext();
        const fp = await fresh.newPage();
        await fp.goto(pouch.pageUrl);
        await fp.waitForFunction(() => typeof window.benchPull === "function");
        const q = await fp.evaluate(([s, l]) => window.benchPull(s, l), [`push_${run}`, `pull_${run}`]);
        await fresh.close();
        log(`pouchdb pull ${run}: ${(q.ms / 1000).toFixed(2)} s, ${q.doc_count} docs`);
        out.pouchPull.push(q);
      } finally {
        await ward.stop();
        rmSync(data, { recursive: true, force: true });
      }
    }
  }
  cdp.close();
  out.load = execFileSync("uptime").toString().trim();
  report(out);
  if (opts.json) writeFileSync(opts.json, JSON.stringify(out, null, 2));
}

// ---- the table --------------------------------------------------------------------------

function report(out) {
  const n = (x, d = 0) => (Number.isFinite(x) ? x.toLocaleString("en-US", { minimumFractionDigits: d, maximumFractionDigits: d }) : "—");
  const s = (ms) => `${n(ms / 1000, 2)} s`;
  const ratio = (a, b) => (Number.isFinite(a) && Number.isFinite(b) && b > 0 ? `${n(a / b, 2)}×` : "—");
  const v = out.visits;
  const m = (f) => median(v.map(f));
  const rows = [];
  if (v.length) {
    rows.push([
      "1. first visit of a field device, bytes on the wire (until offline-ready)",
      `${n(m((x) => x.visit.bytes))} B (static files ${n(m((x) => x.visit.staticBytes))} B in ${n(m((x) => x.visit.responses))} responses, ${n(m((x) => x.visit.swResponses))} by the worker)`,
      `brotli -q 11 of the same ${n(m((x) => x.visit.files))} files: ${n(m((x) => x.visit.brotli))} B`,
      ratio(m((x) => x.visit.bytes), m((x) => x.visit.brotli)),
    ]);
    const app = (b) => b.signInAt + (b.usableAt - b.pressedAt);
    rows.push([
      `2. first visit → usable capture form (${CPU_SLOWDOWN}× CPU, 1.6 Mbps, 150 ms RTT)`,
      `${s(m((x) => app(x.visit)))} = sign-in form ${s(m((x) => x.visit.signInAt))} + 'sign in' → capture form ${s(m((x) => x.visit.usableAt - x.visit.pressedAt))}; offline-ready at ${s(m((x) => x.visit.readyAt))}`,
      "—",
      "—",
    ]);
    rows.push([
      "3. repeat visit, offline → usable capture form",
      `${n(m((x) => app(x.repeat)))} ms = sign-in form ${n(m((x) => x.repeat.signInAt))} ms + 'sign in' → capture form ${n(m((x) => x.repeat.usableAt - x.repeat.pressedAt))} ms`,
      "—",
      "—",
    ]);
  }
  if (out.pushes.length) {
    const push = median(out.pushes.map((p) => p.empty));
    const pp = median(out.pouchPush.map((p) => p.ms));
    rows.push([
      `4. push ${n(out.n)} waiting requests (今すぐ同期 → outbox empty)`,
      `${s(push)} (sync finished ${s(median(out.pushes.map((p) => p.done)))})`,
      `PouchDB replicate.to: ${s(pp)}`,
      ratio(push, pp),
    ]);
    const pull = median(out.pulls.map((p) => p.pulled));
    const pq = median(out.pouchPull.map((p) => p.ms));
    rows.push([
      `5. pull ${n(out.n)} into a fresh office device`,
      `${s(pull)} (from 'sign in': ${s(median(out.pulls.map((p) => p.fromPress)))})`,
      `PouchDB replicate.from: ${s(pq)}`,
      ratio(pull, pq),
    ]);
  }
  if (v.length) {
    const save = median(v.map((x) => median(x.saves.map((s) => s.listed))));
    const raw = median(v.map((x) => median(x.raw)));
    rows.push([
      "6. one save through the capture form (no photo) → listed 未送信",
      `${n(save, 1)} ms (保存しました at ${n(median(v.map((x) => median(x.saves.map((s) => s.said)))), 1)} ms)`,
      `raw IndexedDB, one transaction per record: ${n(raw, 2)} ms`,
      ratio(save, raw),
    ]);
  }
  const lines = [
    `Koe and PouchDB side by side: N = ${n(out.n)} requests of about 1 KB, median of ${out.runs} runs; ${out.started.slice(0, 16).replace("T", " ")} UTC; Chromium ${out.chromium}; ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; at the end: ${out.load}`,
    "",
    "| what | Koe | anchor (same run) | Koe ÷ anchor |",
    "| --- | --- | --- | ---: |",
    ...rows.map((r) => `| ${r.join(" | ")} |`),
  ];
  if (out.pushes.length) {
    const pushes = out.pushes.map((p) => p.traffic);
    lines.push(
      "",
      `Push, inside (median): ${n(median(pushes.map((x) => x.push.count)))} POST /api/sync/push taking ${s(median(pushes.map((x) => x.push.ms)))} of HTTP in all; ` +
        `then ${n(median(pushes.map((x) => x.pull.count)))} pulls of ${n(median(pushes.map((x) => x.pull.body)))} B (${s(median(pushes.map((x) => x.pull.ms)))}). ` +
        `Pull, inside: ${n(median(out.pulls.map((x) => x.traffic.pull.count)))} GET /api/sync/pull, ${n(median(out.pulls.map((x) => x.traffic.pull.body)))} B, ${s(median(out.pulls.map((x) => x.traffic.pull.ms)))} of HTTP.`,
    );
  }
  if (out.fillSeconds) lines.push("", `Set-up: the ${n(out.n)} requests were logged through the capture form in ${n(out.fillSeconds)} s (once, offline).`);
  if (out.profile?.top) {
    const p = out.profile;
    lines.push(
      "",
      `CPU profile of one more push (not in the table; push.cpuprofile): outbox empty in ${s(p.empty)}, ${n(p.top.totalMs)} ms sampled; by kind:`,
      "",
      ...p.top.groups.map((g) => `- ${g.kind}: ${n(g.ms)} ms (${n(g.share * 100, 1)} %)`),
      "",
      "Self time, top 15:",
      "",
      ...p.top.top.slice(0, 15).map((f) => `- ${f.name}: ${n(f.ms)} ms (${n(f.share * 100, 1)} %)`),
    );
  }
  if (v.length) {
    lines.push("", "First visit, per path (run 1): " + Object.entries(v[0].visit.byPath).map(([p, x]) => `${p} ${n(x.bytes)} B ×${x.count} (${x.from}${x.enc ? `, ${x.enc}` : ""})`).join("; ") + `. The page asked with Accept-Encoding: ${v[0].visit.acceptEncoding ?? "?"}.`);
  }
  lines.push("", "Per run: " + JSON.stringify({
    visitBytes: v.map((x) => x.visit.bytes),
    usable: v.map((x) => Math.round(x.visit.signInAt + x.visit.usableAt - x.visit.pressedAt)),
    ready: v.map((x) => Math.round(x.visit.readyAt)),
    swWasmMbps: v.map((x) => +(x.visit.swWasmMbps ?? NaN).toFixed(2)),
    repeat: v.map((x) => Math.round(x.repeat.signInAt + x.repeat.usableAt - x.repeat.pressedAt)),
    repeatFirstOpen: v.map((x) => Math.round(x.repeatFirst.signInAt + x.repeatFirst.usableAt - x.repeatFirst.pressedAt)),
    save: v.map((x) => +median(x.saves.map((s) => s.listed)).toFixed(1)),
    raw: v.map((x) => +median(x.raw).toFixed(2)),
    pushEmpty: out.pushes.map((p) => Math.round(p.empty)),
    pushDone: out.pushes.map((p) => Math.round(p.done)),
    pouchPush: out.pouchPush.map((p) => Math.round(p.ms)),
    pull: out.pulls.map((p) => Math.round(p.pulled)),
    pouchPull: out.pouchPull.map((p) => Math.round(p.ms)),
  }));
  console.log(lines.join("\n"));
}

try {
  await main();
} finally {
  await stopAll();
  rmSync(work, { recursive: true, force: true });
}
