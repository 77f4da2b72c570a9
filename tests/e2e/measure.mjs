// Times of the field app in a real browser (headless Chromium against the real ward record
// and the built app), measured, never asserted. `node tests/e2e/measure.mjs [runs]` prints
// the median and p95 of each over `runs` runs (default 10):
//
//  open offline  From a fresh page load of the installed app with no network (the service
//                worker controls the origin; the context is offline; a new tab opens the
//                app's URL) to a usable capture form: the 分類 select is in the document,
//                enabled, holds the catalogue's categories and takes focus. Measured in the
//                page from the navigation's start (performance.now(), whose origin is the
//                navigation start), checked on every DOM change and animation frame.
//  2 photos      Picking two 4000×3000 camera photos to both thumbnails shown (decode,
//                downscale to 1600 px, JPEG, sha256 on the device).
//  save 2 photos From pressing 保存 (the click event) to the request being listed as 未送信:
//                the form says 保存しました and the sync bar counts it among 未送信 N 件. Offline.
//                (Also printed: to 保存しました alone, i.e. the IndexedDB transaction.)
//  typical road  A script acting as a new user logs a typical road request with a photo,
//                offline: open the form, choose the category, type a title, take a photo,
//                press 現在地 (GPS), type a landmark, press 保存; wall-clock time of the
//                script (no think time) and the number of steps a person takes.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir, cpus, loadavg, totalmem } from "node:os";
import { join } from "node:path";
import { jpegFiles, launchPersistent, signIn, startWardRecord, waitForOfflineReady } from "./harness.mjs";

const RUNS = Number(process.argv[2] || 10);

function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return { median: at(0.5), p95: at(0.95), min: sorted[0], max: sorted[sorted.length - 1] };
}

/** Installed into every page: notes when the capture form becomes usable. */
function watchForUsableForm() {
  const usable = () => {
    const select = document.querySelector('[data-testid="category"]');
    if (!select || select.disabled || select.options.length < 2) return false;
    select.focus();
    return document.activeElement === select;
  };
  const check = () => {
    if (window.__koeUsableAt === undefined && usable()) window.__koeUsableAt = performance.now();
  };
  new MutationObserver(check).observe(document, { childList: true, subtree: true, attributes: true });
  const frame = () => {
    check();
    if (window.__koeUsableAt === undefined) requestAnimationFrame(frame);
  };
  requestAnimationFrame(frame);
}

async function waitingCount(page) {
  const text = await page.getByTestId("sync-status").innerText();
  const m = text.match(/未送信 (\d+) 件/);
  return m ? Number(m[1]) : 0;
}

async function main() {
  const ward = await startWardRecord();
  const profile = mkdtempSync(join(tmpdir(), "koe-measure-"));
  const context = await launchPersistent(profile, {
    geolocation: { latitude: 35.5996, longitude: 139.6105, accuracy: 8 },
    permissions: ["geolocation"],
  });
  try {
    // Installed: one online visit and sign-in; the service worker controls the origin.
    const first = context.pages()[0] ?? (await context.newPage());
    await first.goto(ward.url);
    await signIn(first, "road01");
    await waitForOfflineReady(first);
    const photos = await jpegFiles(first, 2, { width: 4000, height: 3000, label: "カメラ" });
    await first.close();
    await context.setOffline(true);
    await context.addInitScript(watchForUsableForm);

    // (a) Opening the installed app offline to a usable form.
    const open = [];
    for (let i = 0; i < RUNS + 1; i++) {
      const page = await context.newPage();
      const response = await page.goto(ward.url);
      if (!response.fromServiceWorker()) throw new Error("not opened from the service worker");
      await page.waitForFunction(() => window.__koeUsableAt !== undefined, null, { timeout: 30_000 });
      const at = await page.evaluate(() => window.__koeUsableAt);
      if (i > 0) open.push(at); // the first run warms the browser's code cache, as an installed app's is
      await page.close();
    }

    // (b) Two photos prepared, and a request with them saved.
    const prepare = [];
    const save = [];
    const said = [];
    const page = await context.newPage();
    await page.goto(ward.url);
    await page.waitForFunction(() => window.__koeUsableAt !== undefined);
    for (let i = 0; i < RUNS; i++) {
      await page.getByTestId("category").selectOption("road-pothole");
      await page.getByTestId("title").fill(`計測 写真2枚 ${i + 1}`);
      await page.getByTestId("address").fill("高津区溝口1-1");
      const before = await waitingCount(page);
      const t0 = Date.now();
      await page.getByTestId("photo-input").setInputFiles(photos);
      await page.getByTestId("photo-thumb").nth(1).waitFor();
      prepare.push(Date.now() - t0);
      await page.evaluate((expected) => {
        window.__koeSaved = undefined;
        window.__koeSaid = undefined;
        const button = document.querySelector('[data-testid="save"]');
        button.addEventListener(
          "click",
          () => {
            const start = performance.now();
            // The message of the last save is still shown: this save is done once 保存 was
            // busy (保存中…) and is not any more, with the form emptied and 保存しました shown.
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
            const listed = () =>
              document.querySelector('[data-testid="sync-status"]')?.textContent.includes(`未送信 ${expected} 件`);
            const observer = new MutationObserver(() => {
              if (window.__koeSaid === undefined && said()) window.__koeSaid = performance.now() - start;
              if (window.__koeSaved === undefined && said() && listed()) {
                window.__koeSaved = performance.now() - start;
                observer.disconnect();
              }
            });
            observer.observe(document.body, { childList: true, subtree: true, characterData: true, attributes: true });
          },
          { capture: true, once: true },
        );
      }, before + 1);
      await page.getByTestId("save").click();
      await page.waitForFunction(() => window.__koeSaved !== undefined && window.__koeSaid !== undefined, null, { timeout: 30_000 });
      save.push(await page.evaluate(() => window.__koeSaved));
      said.push(await page.evaluate(() => window.__koeSaid));
    }

    // (c) A typical road request with a photo, as a new user would log it.
    const typical = [];
    let steps = 0;
    const [onePhoto] = photos;
    for (let i = 0; i < RUNS; i++) {
      const t0 = Date.now();
      const before = await waitingCount(page);
      let n = 0;
      await page.getByTestId("nav-capture").click(), n++; // 1. 新規受付
      await page.getByTestId("category").selectOption("road-pothole"), n++; // 2. 分類: 路面の穴・段差
      await page.getByTestId("title").fill("歩道に穴があいている"), n++; // 3. 件名
      await page.getByTestId("photo-input").setInputFiles([onePhoto]), n++; // 4. 写真を撮る
      await page.getByTestId("photo-thumb").waitFor();
      await page.getByTestId("locate").click(), n++; // 5. 現在地
      await page.locator(".fix").filter({ hasText: /\d/ }).waitFor();
      await page.getByTestId("address").fill("溝口駅北口 交番前"), n++; // 6. 目印
      await page.getByTestId("save").click(), n++; // 7. 保存
      await page.getByTestId("sync-status").filter({ hasText: `未送信 ${before + 1} 件` }).waitFor();
      typical.push(Date.now() - t0);
      steps = n;
    }
    await page.close();

    const line = (name, s, unit = "ms") =>
      `${name.padEnd(46)} median ${s.median.toFixed(0).padStart(6)} ${unit}   p95 ${s.p95.toFixed(0).padStart(6)} ${unit}   (min ${s.min.toFixed(0)}, max ${s.max.toFixed(0)})`;
    const version = context.browser()?.version() ?? "";
    console.log(`The field app in the browser: ${RUNS} runs each, headless Chromium ${version}`);
    console.log(
      `machine: ${cpus().length} × ${cpus()[0]?.model ?? "cpu"}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB, load average ${loadavg().map((l) => l.toFixed(1)).join(" ")}`,
    );
    console.log(line("open offline → usable form", stats(open)));
    console.log(line("2 photos (4000×3000) picked → thumbnails", stats(prepare)));
    console.log(line("保存 pressed → 保存しました shown (2 photos)", stats(said)));
    console.log(line("保存 pressed → listed as 未送信 (2 photos)", stats(save)));
    console.log(line(`typical road request with a photo (${steps} steps)`, stats(typical)));
  } finally {
    await context.close();
    await ward.stop();
    rmSync(profile, { recursive: true, force: true });
  }
}

await main();
