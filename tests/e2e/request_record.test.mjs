// A request's record as the office reads it, on a ward with 500 requests: road01 logs a
// request with two photos on a phone and syncs; clerk01 on a desktop opens it in 区の一覧
// and sees both photos in the detail (from the ward record: the office device holds
// none), opens one large; head01 assigns it to road01 and routes it, then answers it;
// the history says what changed, with people's names; the 受付票 prints the request and
// its photos with no buttons or forms.
import { test } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { shot, signIn, waitForOfflineReady, wardAndBrowser, wardApi, jpegFiles, logRequest, seriousViolations } from "./harness.mjs";
import { seedWard } from "./ward_seed.mjs";

const world = wardAndBrowser();
const PHONE = { width: 390, height: 844 };
const DESKTOP = { width: 1366, height: 768 };
const TITLE = "歩道の段差（受付票 e2e）";

// The ward is seeded once, by whichever test runs first (the harness's own hook starts it).
let seeding;
const seeded = () => (seeding ??= seedWard(world.ward.url, { count: 500 }));

/**
 * Scrolls to the `n` images under `selector`, as the person would to look at them (the
 * thumbnails load lazily), and waits until they have loaded (real pixels, not broken).
 */
async function imagesLoaded(page, selector, n) {
  await page.locator(selector).nth(n - 1).scrollIntoViewIfNeeded();
  await page.waitForFunction(
    ({ selector, n }) => {
      const imgs = [...document.querySelectorAll(selector)];
      return imgs.length === n && imgs.every((i) => i.complete && i.naturalWidth > 0);
    },
    { selector, n },
    { timeout: 20_000 },
  );
}

/** One `set_fields` step by `api`'s person from the version the ward record holds now. */
async function decide(api, id, edits) {
  const { request } = await (await api.get(`/api/requests/${id}`)).json();
  const res = await api.post("/api/sync/push", {
    data: {
      client_id: crypto.randomUUID(),
      mutations: [
        {
          id: 1,
          type: "set_fields",
          request_id: id,
          edits: edits.map(([field, value]) => ({ field, value, base_version: request.version })),
        },
      ],
    },
  });
  assert.ok(res.ok(), await res.text());
  const outcomes = (await res.json()).outcomes;
  assert.equal(outcomes[0].outcome, "applied", JSON.stringify(outcomes));
}

test("the office reads a request's photos and history by name, and prints its 受付票", async () => {
  await seeded();
  // road01 on a phone: a request with two photos, synced.
  const field = await world.browser.newContext({ locale: "ja-JP", viewport: PHONE });
  const phone = await field.newPage();
  await phone.goto(world.ward.url);
  await signIn(phone, "road01");
  await waitForOfflineReady(phone);
  await phone.getByTestId("nav-capture").click();
  const photos = await jpegFiles(phone, 2, { label: "段差" });
  await logRequest(phone, { title: TITLE, description: "幅30cmほどの段差。つまずいた方がいる。", address: "高津区下作延2-8-1", photos });
  await phone.getByTestId("nav-mine").click();
  const row = phone.getByTestId("my-request").filter({ hasText: TITLE });
  await row.waitFor();
  const id = await row.getAttribute("data-id");
  await phone
    .locator(`[data-testid="my-request"][data-id="${id}"] [data-testid="photo-state"][data-photos-synced="2/2"]`)
    .waitFor({ timeout: 60_000 });

  // clerk01 on a desktop finds it among the 500 and opens it.
  const office = await world.browser.newContext({ locale: "ja-JP", viewport: DESKTOP });
  const desk = await office.newPage();
  await desk.goto(world.ward.url);
  await signIn(desk, "clerk01");
  await desk.getByTestId("nav-office").click();
  await desk.getByTestId("office-request").first().waitFor();
  await desk.getByTestId("filter-q").fill("受付票 e2e");
  await desk.getByTestId("filter-search").click();
  const listed = desk.locator(`[data-testid="office-request"][data-id="${id}"]`);
  await listed.waitFor({ timeout: 15_000 });
  await listed.getByTestId("office-open").click();
  await desk.getByTestId("request-detail").waitFor();

  // Both photos, from the ward record, with alt text; none of 「この端末に写真はありません」.
  await imagesLoaded(desk, '[data-testid="ward-photo"] img', 2);
  const alts = await desk.locator('[data-testid="ward-photo"] img').evaluateAll((l) => l.map((i) => i.alt));
  assert.deepEqual(alts, ["写真 1", "写真 2"]);
  assert.equal(await desk.getByText("この端末に写真はありません").count(), 0);
  // A thumbnail opens a larger view, and it closes again.
  await desk.getByTestId("photo-open").nth(1).click();
  await imagesLoaded(desk, '[data-testid="photo-large"] img', 1);
  const [large, thumb] = await Promise.all([
    desk.locator('[data-testid="photo-large"] img').boundingBox(),
    desk.locator('[data-testid="ward-photo"] img').nth(1).boundingBox(),
  ]);
  assert.ok(large.width > thumb.width * 2, `large ${large.width} px, thumbnail ${thumb.width} px`);
  assert.equal(await desk.locator('[data-testid="photo-large"] img').getAttribute("alt"), "写真 2");
  await desk.getByTestId("photo-close").click();
  await desk.getByTestId("photo-large").waitFor({ state: "detached" });
  assert.deepEqual(await seriousViolations(desk), [], "the detail with the ward's photos passes axe");

  // head01 assigns it to road01 and routes it, then writes the response (the API, as
  // another office device would).
  const head = await wardApi(world.ward.url, "head01");
  await decide(head, id, [["assignee", "road01"], ["status", "routed"]]);
  await decide(head, id, [["response", "10月3日に段差を解消しました。"]]);
  await head.dispose();

  // The clerk opens it again: the history says what changed, by whom, with names.
  await desk.getByTestId("detail-back").click();
  await listed.getByTestId("office-open").click();
  const history = desk.getByTestId("detail-history");
  await history.getByTestId("history-change").filter({ hasText: "対応内容を記入" }).waitFor({ timeout: 15_000 });
  const changes = await history.getByTestId("history-change").allInnerTexts();
  assert.ok(changes.includes("状態: 受付 → 担当決定"), changes.join("\n"));
  assert.ok(changes.includes("担当者: （なし） → 田中 健一"), changes.join("\n"));
  assert.ok(changes.includes("対応内容を記入: 「10月3日に段差を解消しました。」"), changes.join("\n"));
  const by = await history.getByTestId("history-by").allInnerTexts();
  assert.deepEqual(by, ["田中 健一", "山本 浩", "山本 浩"], "logged by road01, then head01 twice, by name");
  const historyText = await history.innerText();
  for (const raw of ["road01", "head01", "変更 (clerk01)"]) {
    assert.ok(!historyText.includes(raw), `no raw id ${raw} in the history:\n${historyText}`);
  }
  await shot(desk, "detail-desktop", { fullPage: true });

  // The 受付票: in print media only the sheet shows, with the request and both photos,
  // and no button, form control or navigation.
  assert.equal(await desk.getByTestId("receipt").isVisible(), false, "the sheet is for print only");
  await desk.getByTestId("print-receipt").waitFor();
  await desk.emulateMedia({ media: "print" });
  const receipt = desk.getByTestId("receipt");
  await receipt.waitFor();
  await imagesLoaded(desk, '[data-testid="receipt"] img', 2);
  const printed = await receipt.innerText();
  for (const text of [TITLE, "受付票", "路面の穴・段差", "高津区下作延2-8-1", "担当決定", "田中 健一", "10月3日に段差を解消しました。"]) {
    assert.ok(printed.includes(text), `the sheet has ${text}:\n${printed}`);
  }
  assert.equal(await desk.getByTestId("receipt-number").innerText(), id.replaceAll("-", "").slice(-8));
  const visibleControls = await desk.evaluate(() =>
    [...document.querySelectorAll("button, input, select, textarea, form, nav, a[href]")]
      .filter((e) => e.checkVisibility())
      .map((e) => e.outerHTML.slice(0, 80)),
  );
  assert.deepEqual(visibleControls, [], "nothing to press or fill in print");
  await shot(desk, "detail-print", { fullPage: true });
  if (process.env.KOE_SHOTS) {
    const SHOTS = process.env.KOE_SHOTS;
    await desk.pdf({ path: `${SHOTS}/detail-print.pdf`, format: "A4", printBackground: true, preferCSSPageSize: true });
    try {
      execFileSync("pdftoppm", ["-png", "-r", "70", "-f", "1", "-l", "2", `${SHOTS}/detail-print.pdf`, `${SHOTS}/detail-print-pdf`]);
    } catch {
      // pdftoppm not installed: the emulated print screenshot is there
    }
  }
  await desk.emulateMedia({ media: "screen" });
  assert.equal(await desk.getByTestId("receipt").isVisible(), false);

  // The same detail on a phone (the clerk's), and the inspector's own on theirs.
  const small = await world.browser.newContext({ locale: "ja-JP", viewport: PHONE });
  const clerkPhone = await small.newPage();
  await clerkPhone.goto(world.ward.url);
  await signIn(clerkPhone, "clerk01");
  await clerkPhone.getByTestId("nav-office").click();
  await clerkPhone.getByTestId("filter-q").fill("受付票 e2e");
  await clerkPhone.getByTestId("filter-search").click();
  await clerkPhone.locator(`[data-testid="office-request"][data-id="${id}"] [data-testid="office-open"]`).click();
  await imagesLoaded(clerkPhone, '[data-testid="ward-photo"] img', 2);
  await clerkPhone.getByTestId("detail-history").waitFor();
  const width = await clerkPhone.evaluate(() => document.documentElement.scrollWidth);
  assert.ok(width <= PHONE.width, `the detail fits the phone: ${width} px`);
  await shot(clerkPhone, "detail-phone-clerk", { fullPage: true });
  await small.close();

  await row.getByTestId("open-detail").click();
  await phone.getByTestId("request-detail").waitFor();
  await imagesLoaded(phone, '[data-testid="detail-photo"] img', 2);
  await shot(phone, "detail-phone", { fullPage: true });

  await office.close();
  await field.close();
});

test("a welfare consultation's photos and history stay with those who read its details", async () => {
  await seeded();
  const welfare = await world.browser.newContext({ locale: "ja-JP", viewport: PHONE });
  const page = await welfare.newPage();
  await page.goto(world.ward.url);
  await signIn(page, "welfare01");
  await waitForOfflineReady(page);
  await page.getByTestId("nav-capture").click();
  const photos = await jpegFiles(page, 1, { label: "相談" });
  await logRequest(page, { category: "welfare-elderly", title: "見守りの相談（受付票 e2e）", address: "高津区久本1-2", photos });
  await page.getByTestId("nav-mine").click();
  // A 要配慮 row shows its marker, not its title: the newest row is the one just logged.
  const row = page.getByTestId("my-request").first();
  await row.getByText("要配慮").waitFor();
  const id = await row.getAttribute("data-id");
  await page.locator(`[data-testid="my-request"][data-id="${id}"] [data-testid="photo-state"][data-photos-synced="1/1"]`).waitFor({ timeout: 60_000 });
  await welfare.close();

  // The clerk sees the consultation exists, redacted: no photos, no history, no 受付票.
  const office = await world.browser.newContext({ locale: "ja-JP", viewport: DESKTOP });
  const desk = await office.newPage();
  const asked = [];
  desk.on("request", (r) => asked.push(new URL(r.url()).pathname));
  await desk.goto(world.ward.url);
  await signIn(desk, "clerk01");
  await desk.getByTestId("nav-office").click();
  await desk.getByTestId("office-request").first().waitFor();
  // A redacted request shows only its category group: it is the newest on the first page.
  const listed = desk.locator(`[data-testid="office-request"][data-id="${id}"]`);
  await listed.waitFor({ timeout: 15_000 });
  await listed.getByTestId("office-open").click();
  await desk.getByTestId("request-detail").locator(".detail-list").first().waitFor();
  assert.equal(await desk.getByTestId("ward-photos").count(), 0);
  assert.equal(await desk.getByTestId("detail-history").count(), 0);
  assert.equal(await desk.getByTestId("receipt").count(), 0);
  assert.equal(await desk.getByTestId("print-receipt").count(), 0);
  assert.ok(!asked.some((p) => p.startsWith(`/api/requests/${id}/photos`) || p.startsWith("/api/photos/")), asked.join("\n"));
  await office.close();
});
