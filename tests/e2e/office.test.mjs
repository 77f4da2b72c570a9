// The office at work: the clerk filters the ward list, opens a request a road inspector
// logged, routes, assigns, moves it to 対応中, answers the resident and resolves it; the
// inspector's device shows the status and the response after its next sync. A park
// inspector sees no office panel. The list and the detail pass axe.
import { test } from "node:test";
import assert from "node:assert/strict";
import { seriousViolations, signIn, wardAndBrowser, wardApi, signInAgain } from "./harness.mjs";

const world = wardAndBrowser();

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

test("clerk filters, routes, assigns, answers and resolves; the inspector sees it after sync", async () => {
  // road01 logs two requests on their device and syncs.
  const field = await world.browser.newContext({ locale: "ja-JP" });
  const phone = await field.newPage();
  await phone.goto(world.ward.url);
  await signIn(phone, "road01");
  for (const [title, address] of [
    ["歩道の穴（office e2e）", "高津区下作延2-8"],
    ["街路樹の枝（office e2e）", "高津区溝口1-1"],
    ["段差がある（同じ場所・office e2e）", "高津区 下作延2-8"],
  ]) {
    await phone.getByTestId("nav-capture").click();
    await phone.getByTestId("category").selectOption(title.startsWith("街路樹") ? "road-tree" : "road-pothole");
    await phone.getByTestId("title").fill(title);
    await phone.getByTestId("address").fill(address);
    await phone.getByTestId("save").click();
    await phone.getByTestId("form-message").filter({ hasText: "保存しました" }).waitFor();
  }
  await phone.getByTestId("nav-mine").click();
  await phone.locator('[data-testid="my-request"][data-sync="synced"]').nth(2).waitFor({ timeout: 30_000 });
  const rowOnPhone = phone.getByTestId("my-request").filter({ hasText: "歩道の穴（office e2e）" });
  const id = await rowOnPhone.getAttribute("data-id");
  const copyId = await phone.getByTestId("my-request").filter({ hasText: "段差がある" }).getAttribute("data-id");

  // clerk01 opens the ward list and filters it.
  const office = await world.browser.newContext({ locale: "ja-JP" });
  const desk = await office.newPage();
  await desk.goto(world.ward.url);
  await signIn(desk, "clerk01");
  await desk.getByTestId("nav-office").click();
  await desk.getByTestId("office-request").first().waitFor();
  assert.deepEqual(await seriousViolations(desk), [], "the ward list passes axe");

  await desk.getByTestId("filter-category").selectOption("road-pothole");
  await desk.getByTestId("filter-status-new").check();
  await desk.getByTestId("filter-q").fill("歩道の穴");
  await desk.getByTestId("filter-search").click();
  await desk.waitForFunction(
    (id) => {
      const rows = [...document.querySelectorAll('[data-testid="office-request"]')];
      return rows.length === 1 && rows[0].dataset.id === id;
    },
    id,
    { timeout: 15_000 },
  );
  assert.equal(await desk.getByTestId("office-total").innerText(), "1件 / 1件中");
  // The filter is in the address: a reload keeps it, and the exports carry it.
  assert.match(desk.url(), /#\/office\?status=new&category=road-pothole&q=/);
  assert.match(await desk.getByTestId("export-csv").getAttribute("href"), /^\/api\/exports\/requests\.csv\?status=new&category=road-pothole&q=/);
  await desk.reload();
  await signInAgain(desk, "clerk01");
  await desk.locator(`[data-testid="office-request"][data-id="${id}"]`).waitFor();
  assert.equal(await desk.getByTestId("office-request").count(), 1);
  assert.equal(await desk.getByTestId("filter-category").inputValue(), "road-pothole");

  // Open it: the office panel is there.
  await desk.locator(`[data-testid="office-request"][data-id="${id}"] [data-testid="office-open"]`).click();
  await desk.getByTestId("office-actions").waitFor();
  assert.equal(await desk.getByTestId("act-full-id").innerText(), id);
  assert.deepEqual(await seriousViolations(desk), [], "the detail with the office panel passes axe");

  // 担当課 (to parks, then back to roads), 担当者, 対応中, 対応内容, 対応済.
  await desk.getByTestId("act-section").selectOption("park");
  await act(desk, "act-route");
  await desk.getByTestId("act-section").selectOption("road");
  await act(desk, "act-route");

  await desk.getByTestId("act-assignee").locator('option[value="head01"]').waitFor({ state: "attached" });
  await desk.getByTestId("act-assignee").selectOption("head01");
  await act(desk, "act-assign");

  // Resolving straight away is not offered from 受付, and resolving without a response
  // is refused with core's message before anything is sent.
  const offered = await desk.getByTestId("act-status").locator("option").evaluateAll((o) => o.map((x) => x.value));
  assert.deepEqual(offered, ["routed", "in_progress"]);
  await desk.getByTestId("act-status").selectOption("in_progress");
  await act(desk, "act-status-save");
  await desk.getByTestId("act-current-status").filter({ hasText: "対応中" }).waitFor();
  await desk.getByTestId("act-status").selectOption("resolved");
  const refused = await act(desk, "act-status-save", "problem");
  assert.match(refused, /対応内容を記入してください/);

  await desk.getByTestId("act-response").fill("10月3日に舗装を補修しました。ご連絡ありがとうございました。");
  await act(desk, "act-response-save");
  await desk.getByTestId("act-note").fill("業者に発注済み（office e2e）");
  await act(desk, "act-note-add");
  await desk.getByTestId("act-status").selectOption("resolved");
  await act(desk, "act-status-save");
  await desk.getByTestId("act-current-status").filter({ hasText: "対応済" }).waitFor();

  // Every action is in the ward record's history, by the clerk.
  const api = await wardApi(world.ward.url, "clerk01");
  const detail = await (await api.get(`/api/requests/${id}`)).json();
  assert.equal(detail.request.status, "resolved");
  assert.equal(detail.request.section, "road");
  assert.equal(detail.request.assignee, "head01");
  const afters = detail.history.filter((h) => h.kind === "set_fields").map((h) => h.body.after);
  assert.deepEqual(
    afters.map((a) => Object.keys(a)[0]),
    ["section", "section", "assignee", "status", "response", "status"],
  );
  assert.ok(detail.notes.some((n) => n.text === "業者に発注済み（office e2e）" && n.by === "clerk01"));

  // The same hole logged again: opened from the list, the first one is its likely
  // duplicate (same group, same typed address, no fix); marked as its duplicate.
  await desk.getByTestId("detail-back").click();
  await desk.getByTestId("filter-clear").click();
  await desk.locator(`[data-testid="office-request"][data-id="${copyId}"] [data-testid="office-open"]`).click();
  await desk.getByTestId("act-find-duplicates").click();
  const candidate = desk.locator(`[data-testid="duplicate-candidate"][data-id="${id}"]`);
  await candidate.waitFor();
  assert.equal(await desk.getByTestId("duplicate-candidate").count(), 1, "the tree branch is not the same matter");
  assert.match(await candidate.innerText(), /同じ住所|m 離れている/);
  assert.deepEqual(await seriousViolations(desk), [], "the suggestions pass axe");
  const box = desk.getByTestId("act-outcome");
  const before = Number(await box.getAttribute("data-seq"));
  await candidate.getByTestId("act-duplicate-of").click();
  await desk.locator(`[data-testid="act-outcome"] [data-outcome="applied"]`).waitFor({ timeout: 30_000 });
  assert.ok(Number(await box.getAttribute("data-seq")) > before);
  const copy = await (await api.get(`/api/requests/${copyId}`)).json();
  assert.equal(copy.request.status, "duplicate");
  assert.equal(copy.request.duplicate_of, id);
  await api.dispose();

  // road01's device, after its next sync, shows the status and the response.
  await phone.getByTestId("sync-now").click();
  await phone.getByTestId("nav-mine").click();
  await phone.locator(`[data-testid="my-request"][data-id="${id}"] [data-testid="open-detail"]`).click();
  const shown = phone.getByTestId("request-detail");
  await shown.filter({ hasText: "10月3日に舗装を補修しました" }).waitFor({ timeout: 30_000 });
  assert.match(await shown.innerText(), /対応済/);
  // The field worker gets no office panel.
  assert.equal(await phone.getByTestId("office-actions").count(), 0);

  await office.close();
  await field.close();
});

test("a park inspector sees no office panel on a request shared with parks", async () => {
  const api = await wardApi(world.ward.url, "road01");
  const client = crypto.randomUUID();
  const now = Date.now();
  // A UUIDv7, as a device makes them: 48 bits of time, version 7, variant 10, random.
  const ts = now.toString(16).padStart(12, "0");
  const rnd = crypto.randomUUID().replaceAll("-", "");
  const rid = `${ts.slice(0, 8)}-${ts.slice(8, 12)}-7${rnd.slice(0, 3)}-8${rnd.slice(4, 7)}-${rnd.slice(8, 20)}`;
  // A request logged (by API, as a device would push it) and shared with parks.
  const push = await api.post("/api/sync/push", {
    data: {
      client_id: client,
      mutations: [
        {
          id: 1,
          type: "create_request",
          request: {
            id: rid,
            category: "road-tree",
            title: "公園脇の倒木（office e2e）",
            description: "",
            place: { lat: null, lon: null, accuracy_m: null, address: "高津区久本1", landmark: "" },
            urgency: "high",
            logged_at: now,
            contact: {},
          },
        },
      ],
    },
  });
  assert.equal(push.status(), 200, await push.text());
  assert.equal((await push.json()).outcomes[0].outcome, "applied");
  await api.dispose();
  const clerk = await wardApi(world.ward.url, "clerk01");
  const v = (await (await clerk.get(`/api/requests/${rid}`)).json()).request.version;
  const share = await clerk.post("/api/sync/push", {
    data: {
      client_id: crypto.randomUUID(),
      mutations: [{ id: 1, type: "set_fields", request_id: rid, edits: [{ field: "shared_with", value: ["park"], base_version: v }] }],
    },
  });
  assert.equal((await share.json()).outcomes[0].outcome, "applied");
  await clerk.dispose();

  const context = await world.browser.newContext({ locale: "ja-JP" });
  const page = await context.newPage();
  await page.goto(world.ward.url);
  await signIn(page, "park01");
  // No ward list for field staff.
  assert.equal(await page.getByTestId("nav-office").count(), 0);
  await page.getByTestId("sync-now").click();
  await page.getByTestId("nav-mine").click();
  await page.locator(`[data-testid="my-request"][data-id="${rid}"] [data-testid="open-detail"]`).click({ timeout: 30_000 });
  await page.getByTestId("request-detail").filter({ hasText: "公園脇の倒木" }).waitFor();
  assert.equal(await page.getByTestId("office-actions").count(), 0);
  // Even with the office's address typed in, a field worker lands where they work
  // (新規受付), with no way to the ward list.
  await page.goto(`${world.ward.url}/#/office`);
  await page.reload();
  await signInAgain(page, "park01");
  await page.getByTestId("title").waitFor();
  assert.equal(await page.getByTestId("nav-office").count(), 0);
  assert.equal(await page.locator(".office-table").count(), 0);
  await context.close();
});
