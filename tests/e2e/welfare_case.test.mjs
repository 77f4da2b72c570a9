// A welfare consultation from intake to 完了 by the welfare section, on a ward with 500
// requests behind it, with nobody outside the section reading it: welfare01 logs it on a
// phone and syncs; the welfare section head finds it in 区の一覧, assigns it to welfare02
// by name and routes it; the section's office clerk answers and takes it through to 完了.
// Meanwhile the parks section head and the 区民課 clerk see it only redacted with no
// action offered (the API and the screen), and the road inspector does not see it at all.
import { before, test } from "node:test";
import assert from "node:assert/strict";
import { logRequest, seriousViolations, shot, signIn, wardAndBrowser, wardApi, wardRequests } from "./harness.mjs";
import { seedWard } from "./ward_seed.mjs";

const world = wardAndBrowser();
const PHONE = { width: 390, height: 844 };
const DESK = { width: 1366, height: 768 };
const TITLE = "一人暮らしの父の見守り（welfare e2e）";
const RESPONSE = "10月3日に訪問し、見守りサービスと介護保険の申請を案内しました。";

/**
 * Presses the panel's button `testid` and waits for what became of that action (the
 * outcome carries the panel's action count, so an earlier action's outcome never counts).
 */
async function act(desk, testid, code = "applied") {
  const box = desk.getByTestId("act-outcome");
  const before = Number(await box.getAttribute("data-seq"));
  await desk.getByTestId(testid).click();
  const settled = await desk.waitForFunction(
    (before) => {
      const box = document.querySelector('[data-testid="act-outcome"]');
      const shown = box?.querySelector("[data-outcome]");
      if (Number(box?.dataset.seq) <= before || !shown || shown.dataset.outcome === "waiting") return null;
      return { code: shown.dataset.outcome, text: box.innerText };
    },
    before,
    { timeout: 30_000 },
  );
  const { code: got, text } = await settled.jsonValue();
  assert.equal(got, code, text);
  return text;
}

/** A desktop signed in as `staffId`, on 区の一覧. */
async function desk(staffId) {
  const context = await world.browser.newContext({ locale: "ja-JP", viewport: DESK });
  const page = await context.newPage();
  await page.goto(world.ward.url);
  await signIn(page, staffId);
  await page.getByTestId("nav-office").click();
  await page.getByTestId("office-request").first().waitFor();
  return { context, page };
}

/** Finds request `id` in 区の一覧 by its title (only a reader of its details may) and opens it. */
async function openByTitle(page, id, title) {
  await page.getByTestId("filter-q").fill(title);
  await page.getByTestId("filter-search").click();
  const row = page.locator(`[data-testid="office-request"][data-id="${id}"]`);
  await row.waitFor({ timeout: 15_000 });
  await row.getByTestId("office-open").click();
}

/** Finds request `id` in 区の一覧 among the welfare section's (what a redacted reader may filter by) and opens it. */
async function openBySection(page, id) {
  await page.getByTestId("filter-section").selectOption("elderly-disability");
  await page.getByTestId("filter-search").click();
  const row = page.locator(`[data-testid="office-request"][data-id="${id}"]`);
  await row.waitFor({ timeout: 15_000 });
  await row.getByTestId("office-open").click();
}

/** The request as `staffId` finds it on the office list (`GET /api/requests`), or undefined. */
async function listedFor(staffId, id) {
  const api = await wardApi(world.ward.url, staffId);
  const all = await wardRequests(api);
  await api.dispose();
  return all.find((r) => r.id === id);
}

test("a welfare consultation is closed by the welfare section, and nobody outside it reads it", async () => {
  await seedWard(world.ward.url, { count: 500 });
  // welfare01 logs the consultation on a phone; it syncs.
  const field = await world.browser.newContext({ locale: "ja-JP", viewport: PHONE });
  const phone = await field.newPage();
  await phone.goto(world.ward.url);
  await signIn(phone, "welfare01");
  await phone.getByTestId("nav-capture").click();
  await logRequest(phone, {
    category: "welfare-elderly",
    title: TITLE,
    description: "ご家族（長女）から電話。父が最近食事をとっていない様子。",
    address: "高津区溝口3-2",
  });
  await phone.getByTestId("nav-mine").click();
  // 自分の受付 shows a 要配慮 request by its marker, not its title (a shared screen): the
  // newest row is the one just logged.
  const mine = phone.getByTestId("my-request").first();
  await mine.getByText("要配慮").waitFor();
  await mine.and(phone.locator('[data-sync="synced"]')).waitFor({ timeout: 30_000 });
  const id = await mine.getAttribute("data-id");
  assert.ok(id);

  // Outside the welfare section: the road inspector does not see it; the 区民課 clerk
  // and the parks head see it redacted (no title, no place) — through the API.
  assert.equal(await listedFor("road01", id), undefined, "road01 does not see the consultation");
  for (const outsider of ["clerk01", "parkhead01"]) {
    const seen = await listedFor(outsider, id);
    assert.ok(seen, `${outsider} sees that it exists`);
    assert.equal(seen.redacted, true, outsider);
    assert.equal(seen.title, null, outsider);
    assert.equal(seen.place, null, outsider);
  }

  // The welfare section head finds it in 区の一覧, assigns it to welfare02 by name, routes it.
  const head = await desk("welfarehead01");
  await openByTitle(head.page, id, TITLE);
  await head.page.getByTestId("office-actions").waitFor();
  const assignee = head.page.getByTestId("act-assignee");
  await assignee.locator('option[value="welfare02"]').waitFor({ state: "attached" });
  const offered = await assignee.locator("option").evaluateAll((o) => o.map((x) => ({ id: x.value, label: x.textContent })));
  const people = offered.filter((o) => o.id !== "");
  // By name, the welfare section's staff first, and only those who may read it.
  assert.deepEqual(
    people.slice(0, 4).map((o) => o.id),
    ["welfare01", "welfare02", "welfareclerk01", "welfarehead01"],
    JSON.stringify(people),
  );
  assert.deepEqual(people.map((o) => o.id).sort(), ["admin01", "welfare01", "welfare02", "welfareclerk01", "welfarehead01"]);
  assert.equal(people[1].label, "伊藤 真理（高齢・障害課）");
  assert.ok(people.every((o) => !o.label.includes(o.id)), "names, not ids");
  await assignee.selectOption({ label: "伊藤 真理（高齢・障害課）" });
  await act(head.page, "act-assign");
  await head.page.getByTestId("act-current-assignee").filter({ hasText: "伊藤 真理" }).waitFor();
  await head.page.getByTestId("act-status").selectOption("routed");
  await act(head.page, "act-status-save");
  await head.page.getByTestId("act-current-status").filter({ hasText: "担当決定" }).waitFor();
  assert.deepEqual(await seriousViolations(head.page), [], "the welfare head's detail passes axe");
  await shot(head.page, "welfare-head-detail");
  await shot(head.page.getByTestId("office-actions"), "welfare-head-actions");

  // The section's office clerk answers and takes it through to 完了.
  const clerk = await desk("welfareclerk01");
  await openByTitle(clerk.page, id, TITLE);
  await clerk.page.getByTestId("office-actions").waitFor();
  await clerk.page.getByTestId("act-status").selectOption("in_progress");
  await act(clerk.page, "act-status-save");
  await clerk.page.getByTestId("act-current-status").filter({ hasText: "対応中" }).waitFor();
  await clerk.page.getByTestId("act-response").fill(RESPONSE);
  await act(clerk.page, "act-response-save");
  await clerk.page.getByTestId("act-status").selectOption("resolved");
  await act(clerk.page, "act-status-save");
  await clerk.page.getByTestId("act-current-status").filter({ hasText: "対応済" }).waitFor();
  await clerk.page.getByTestId("act-status").selectOption("closed");
  await act(clerk.page, "act-status-save");
  await clerk.page.getByTestId("act-current-status").filter({ hasText: "完了" }).waitFor();

  const admin = await wardApi(world.ward.url, "admin01");
  const detail = await (await admin.get(`/api/requests/${id}`)).json();
  await admin.dispose();
  assert.equal(detail.request.status, "closed");
  assert.equal(detail.request.assignee, "welfare02");
  assert.equal(detail.request.response, RESPONSE);
  assert.deepEqual(
    detail.history.filter((h) => h.kind === "set_fields").map((h) => h.by),
    ["welfarehead01", "welfarehead01", "welfareclerk01", "welfareclerk01", "welfareclerk01", "welfareclerk01"],
  );

  // The parks head opens it from 区の一覧: redacted, nothing offered but who handles it.
  const park = await desk("parkhead01");
  await openBySection(park.page, id);
  const none = park.page.getByTestId("office-actions-redacted");
  await none.waitFor();
  assert.match(await none.innerText(), /高齢・障害課/);
  assert.equal(await park.page.getByTestId("office-actions").count(), 0);
  for (const testid of ["act-status", "act-section", "act-assignee", "act-response", "act-note", "act-original", "act-share-save"]) {
    assert.equal(await park.page.getByTestId(testid).count(), 0, `${testid} is not offered to parkhead01`);
  }
  const page = await park.page.locator("body").innerText();
  assert.ok(!page.includes(TITLE) && !page.includes("溝口3-2") && !page.includes(RESPONSE), "nothing of the consultation is shown");
  assert.deepEqual(await seriousViolations(park.page), [], "the redacted detail passes axe");
  await shot(park.page, "welfare-parkhead-redacted");

  // Still redacted for the outsiders, still unseen by roads, after it was closed.
  assert.equal(await listedFor("road01", id), undefined);
  for (const outsider of ["clerk01", "parkhead01"]) {
    const seen = await listedFor(outsider, id);
    assert.equal(seen.redacted, true, outsider);
    assert.equal(seen.response, null, outsider);
    assert.equal(seen.status, "closed", outsider);
  }

  await park.context.close();
  await clerk.context.close();
  await head.context.close();
  await field.close();
});
