// 自分の受付 with thousands of requests on the device, measured in headless Chromium against
// the real ward record and the built app — never asserted. `node tests/e2e/measure_list.mjs
// [requests] [runs]` (defaults 3000 and 10) prints the median and p95 of:
//
//  open list     From the click on 自分の受付 (the page's own click, timed in the page with
//                performance.now()) to the list shown: the count of matches and the first
//                page of rows in the document, then the next animation frame; the first
//                open after the app started, so every request and the photo counts are
//                read from IndexedDB.
//  open again    The same, opening the list again with nothing changed on the device (the
//                list kept in memory for that revision of the data is shown).
//  type search   From the `input` event of a search word to the list showing its matches
//                (includes the 200 ms pause the list waits for typing to stop).
//  state filter  From choosing a state in the select to the list showing its matches (no
//                pause: filtering the in-memory list and rendering the first page).
//  show more     From さらに表示 to 100 rows shown.
//
// One request is logged through the form; the rest are logged by the same person through
// the ward record's API and pulled, so they sit in their sealed database as the app keeps
// them (and are opened, as every read does).
import { cpus, totalmem } from "node:os";
import { randomUUID } from "node:crypto";
import { launchBrowser, logRequest, signIn, startWardRecord, wardApi } from "./harness.mjs";
import { uuidv7 } from "./ward_seed.mjs";

const COUNT = Number(process.argv[2] || 3000);
const RUNS = Number(process.argv[3] || 10);

function stats(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (q) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)];
  return { median: at(0.5), p95: at(0.95), min: sorted[0], max: sorted[sorted.length - 1] };
}

/**
 * `count` requests logged by road01 through the ward record's API (pushes of 500, from
 * another device of theirs), with varied titles, places, categories and dates: the app
 * pulls them into road01's sealed database, so they are read exactly as it stores them.
 */
async function seed(api, { count, categories }) {
  const words = ["街路灯", "歩道の段差", "公園のベンチ", "不法投棄", "道路の陥没", "側溝のふた", "落書き", "樹木の枝"];
  const towns = ["溝口", "久本", "二子", "下作延", "末長", "新作", "梶ケ谷", "久地"];
  const marks = ["郵便局の前", "ＡＢＣマンション", "小学校の裏", "駅の北口", "コンビニの角", "バス停"];
  const client_id = randomUUID();
  const now = Date.now();
  for (let start = 0; start < count; start += 500) {
    const mutations = [];
    for (let i = start; i < Math.min(count, start + 500); i++) {
      mutations.push({
        id: i + 1,
        author: "road01",
        type: "create_request",
        request: {
            id: uuidv7(now - i * 3_600_000 * 5),
            category: categories[i % categories.length],
            title: `${words[i % words.length]} ${i}`,
            description: `${towns[(i * 7) % towns.length]}で${words[(i * 3) % words.length]}の相談（${i}）`,
            place: { address: `高津区${towns[i % towns.length]}${(i % 9) + 1}-${(i % 23) + 1}`, landmark: marks[i % marks.length] },
            urgency: "medium",
            logged_at: now - i * 3_600_000 * 5,
        },
      });
    }
    const res = await api.post("/api/sync/push", { data: { client_id, mutations } });
    if (!res.ok()) throw new Error(`push: ${res.status()} ${await res.text()}`);
    const refused = (await res.json()).outcomes.filter((o) => o.outcome !== "applied");
    if (refused.length > 0) throw new Error(`refused: ${JSON.stringify(refused[0])}`);
  }
}


/** In the page: runs `act`, then resolves with the ms until `done()` holds and a frame passed. */
function timeIt(page, act, done, arg) {
  return page.evaluate(
    ({ act, done, arg }) =>
      new Promise((ok) => {
        const actFn = new Function("arg", act);
        const doneFn = new Function("arg", done);
        const t0 = performance.now();
        let finished = false;
        const check = () => {
          if (finished || !doneFn(arg)) return;
          finished = true;
          observer.disconnect();
          requestAnimationFrame(() => ok(performance.now() - t0));
        };
        const observer = new MutationObserver(check);
        observer.observe(document.body, { subtree: true, childList: true, attributes: true, characterData: true });
        actFn(arg);
        check();
      }),
    { act, done, arg },
  );
}

const ward = await startWardRecord();
const browser = await launchBrowser();
try {
  const context = await browser.newContext({ locale: "ja-JP" });
  const page = await context.newPage();
  await page.goto(ward.url);
  await signIn(page, "road01");
  const categories = await page.evaluate(() =>
    [...document.querySelectorAll('[data-testid="category"] optgroup:not([data-testid]) option')].map((o) => o.value),
  );
  await logRequest(page, { title: "この端末で受付", address: "高津区溝口1-1" });
  const api = await wardApi(ward.url, "road01");
  await seed(api, { count: COUNT - 1, categories });
  await api.dispose();
  // The app pulls them all before anything is timed.
  await page.getByTestId("sync-now").click();
  await page.getByTestId("nav-mine").click();
  await page.locator(`[data-testid="mine-count"][data-count="${COUNT}"]`).waitFor({ timeout: 120_000 });

  const open = [];
  const reopen = [];
  const typed = [];
  const state = [];
  const more = [];
  const listShown =
    "return document.querySelector('[data-testid=\"mine-count\"]') && document.querySelectorAll('[data-testid=\"my-request\"]').length >= 50;";
  for (let run = 0; run < RUNS; run++) {
    // A fresh start of the app: nothing read yet (signing in again opens the database).
    await page.reload();
    await signIn(page, "road01");
    await page.getByTestId("category").waitFor();
    await page.waitForTimeout(2500);
    open.push(await timeIt(page, "document.querySelector('[data-testid=\"nav-mine\"]').click();", listShown));
    // Opened again with nothing changed.
    await page.getByTestId("nav-capture").click();
    await page.getByTestId("category").waitFor();
    reopen.push(await timeIt(page, "document.querySelector('[data-testid=\"nav-mine\"]').click();", listShown));

    const word = run % 2 ? "郵便局" : "ａｂｃ";
    const before = await page.getByTestId("mine-count").getAttribute("data-count");
    typed.push(
      await timeIt(
        page,
        `const input = document.querySelector('[data-testid="mine-search"]');
         input.value = arg.word;
         input.dispatchEvent(new Event('input', { bubbles: true }));`,
        "const c = document.querySelector('[data-testid=\"mine-count\"]'); return c && c.dataset.count !== arg.before;",
        { word, before },
      ),
    );
    await page.getByTestId("mine-clear-filters").click();
    await page.locator(`[data-testid="mine-count"][data-count="${COUNT}"]`).waitFor();

    state.push(
      await timeIt(
        page,
        `const s = document.querySelector('[data-testid="mine-state"]');
         s.value = 'device:waiting';
         s.dispatchEvent(new Event('change', { bubbles: true }));`,
        `const c = document.querySelector('[data-testid="mine-count"]'); return c && c.dataset.count !== '${COUNT}';`,
      ),
    );
    await page.getByTestId("mine-clear-filters").click();
    await page.locator(`[data-testid="mine-count"][data-count="${COUNT}"]`).waitFor();

    more.push(
      await timeIt(
        page,
        "document.querySelector('[data-testid=\"mine-more\"]').click();",
        "return document.querySelectorAll('[data-testid=\"my-request\"]').length >= 100;",
      ),
    );
  }
  const waiting = await page.getByTestId("mine-count").getAttribute("data-count");
  const chromium = browser.version();
  const fmt = (s) => `median ${s.median.toFixed(1)} ms, p95 ${s.p95.toFixed(1)} ms (min ${s.min.toFixed(1)}, max ${s.max.toFixed(1)})`;
  console.log(`${COUNT} requests on the device, ${RUNS} runs, Chromium ${chromium}, ${cpus().length} CPUs (${cpus()[0]?.model}), ${(totalmem() / 2 ** 30).toFixed(1)} GiB`);
  console.log(`open list     ${fmt(stats(open))}`);
  console.log(`open again    ${fmt(stats(reopen))}`);
  console.log(`type search   ${fmt(stats(typed))}`);
  console.log(`state filter  ${fmt(stats(state))}`);
  console.log(`show more     ${fmt(stats(more))}`);
  console.log(`(rows listed at the end: ${waiting})`);
  await context.close();
} finally {
  await browser.close();
  await ward.stop();
}
