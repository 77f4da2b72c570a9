// The service committee's pages: clerk01 opens the service standards page and the
// dashboard on requests logged and handled through the real API; the figures are the ward
// record's, the charts are drawn with them, and both pages pass axe-core. Field staff get
// neither page.
import { test } from "node:test";
import assert from "node:assert/strict";
import { seriousViolations, signIn, wardAndBrowser, wardApi } from "./harness.mjs";

const world = wardAndBrowser();

/** A UUIDv7 as a device makes it: the time in its first 48 bits, then random. */
function requestId() {
  const hex = Date.now().toString(16).padStart(12, "0");
  const rand = crypto.randomUUID().replace(/-/g, "");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-7${rand.slice(0, 3)}-8${rand.slice(3, 6)}-${rand.slice(6, 18)}`;
}

async function push(api, mutations) {
  const res = await api.post("/api/sync/push", { data: { client_id: crypto.randomUUID(), mutations } });
  assert.equal(res.status(), 200, await res.text());
  const outcomes = (await res.json()).outcomes;
  for (const o of outcomes) assert.equal(o.outcome, "applied", JSON.stringify(o));
  return outcomes;
}

async function logRequests(staff, requests) {
  const api = await wardApi(world.ward.url, staff);
  const ids = [];
  const mutations = requests.map(([category, title], i) => {
    const id = requestId();
    ids.push(id);
    return {
      id: i + 1,
      type: "create_request",
      request: {
        id,
        category,
        title,
        description: "",
        place: { lat: null, lon: null, accuracy_m: null, address: "高津区溝口1-1", landmark: "" },
        urgency: "medium",
        logged_at: Date.now(),
        contact: {},
      },
    };
  });
  await push(api, mutations);
  await api.dispose();
  return ids;
}

test("clerk01 reads the standards kept and the dashboard's charts", async () => {
  const [pothole, light, drain] = await logRequests("road01", [
    ["road-pothole", "歩道の穴（reports e2e）"],
    ["road-streetlight", "街灯が消えている（reports e2e）"],
    ["road-drain", "側溝のつまり（reports e2e）"],
  ]);
  const [welfare] = await logRequests("welfare01", [["welfare-elderly", "見守りの相談（reports e2e）"]]);
  // The office routes the pothole and resolves it; routes the streetlight.
  const clerkApi = await wardApi(world.ward.url, "clerk01");
  const version = async (id) => (await (await clerkApi.get(`/api/requests/${id}`)).json()).request.version;
  await push(clerkApi, [
    { id: 1, type: "set_fields", request_id: pothole, edits: [{ field: "status", value: "routed", base_version: await version(pothole) }] },
  ]);
  await push(clerkApi, [
    {
      id: 1,
      type: "set_fields",
      request_id: pothole,
      edits: [
        { field: "response", value: "補修しました。", base_version: await version(pothole) },
        { field: "status", value: "resolved", base_version: await version(pothole) },
      ],
    },
    { id: 2, type: "set_fields", request_id: light, edits: [{ field: "status", value: "routed", base_version: await version(light) }] },
  ]);
  const detail = await (await clerkApi.get(`/api/requests/${pothole}`)).json();
  assert.ok(detail.request.milestones.resolved_at >= detail.request.milestones.routed_at);
  await clerkApi.dispose();

  const context = await world.browser.newContext({ locale: "ja-JP", viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(world.ward.url);
  await signIn(page, "clerk01");

  // サービス基準: this fiscal year, which includes today.
  await page.getByTestId("nav-standards").click();
  await page.getByTestId("standards-report").waitFor({ timeout: 30_000 });
  assert.match(await page.getByTestId("standards-count").innerText(), /受付 4 件/);
  // Route: the pothole and the streetlight were routed in time; the other two are still
  // within their time, so 2 of 2 decided are kept.
  assert.match(await page.getByTestId("share-route").innerText(), /100%/);
  const routeSections = page.getByTestId("route-sections");
  assert.match(await routeSections.innerText(), /道路/);
  assert.match(await routeSections.innerText(), /合計/);
  // The open ones with their three due dates, each judged; the welfare one's title is
  // hidden from the clerk.
  const open = page.getByTestId("open-request");
  assert.equal(await open.count(), 3);
  for (const id of [light, drain, welfare]) {
    const row = page.locator(`[data-testid="open-request"][data-id="${id}"]`);
    assert.equal(await row.locator(".timeliness").count(), 3, id);
    assert.match(await row.innerText(), /期限内|期限間近/);
  }
  assert.match(await page.locator(`[data-testid="open-request"][data-id="${welfare}"]`).innerText(), /要配慮/);
  assert.doesNotMatch(await page.getByTestId("standards-report").innerText(), /見守りの相談/);
  assert.deepEqual(await seriousViolations(page), [], "standards page");

  // A period that is not one gets the ward record's reason.
  await page.getByTestId("standards-from").fill("2026-05-01");
  await page.getByTestId("standards-to").fill("2026-04-01");
  await page.getByTestId("standards-show").click();
  await page.getByTestId("report-error").filter({ hasText: "開始日が終了日より後" }).waitFor();

  // ダッシュボード: the last twelve months, charts drawn with the data.
  await page.getByTestId("nav-dashboard").click();
  await page.getByTestId("dashboard").waitFor({ timeout: 30_000 });
  assert.match(await page.getByTestId("dashboard-count").innerText(), /受付 4 件/);
  for (const id of ["per-month", "backlog", "first-response", "resolve", "top"]) {
    const chart = page.getByTestId(`chart-${id}`);
    const svg = chart.locator("svg[role=img]");
    assert.equal(await svg.count(), 1, id);
    // Named and described for screen readers, with the figures in a table too.
    const title = await svg.locator("title").textContent();
    assert.ok(title.length > 0, id);
    const labelledBy = await svg.getAttribute("aria-labelledby");
    assert.equal(labelledBy.split(" ").length, 2, id);
    assert.ok((await svg.locator("desc").textContent()).length > 0, id);
    assert.ok((await chart.locator("table.chart-table tbody tr").count()) > 0, id);
  }
  // Requests this month: 3 in 建設部, 1 in 厚生部, stacked to 4 in the last month's bar.
  const perMonth = page.getByTestId("chart-per-month");
  assert.ok((await perMonth.locator("rect").count()) >= 2);
  assert.match(await perMonth.locator("desc").textContent(), /厚生部 1件, 建設部 3件/);
  // The backlog now: 3 open (the pothole is resolved).
  const backlogPoints = page.getByTestId("chart-backlog").locator("circle");
  assert.equal(await backlogPoints.count(), 12);
  assert.match(await page.getByTestId("chart-backlog").locator("desc").textContent(), /未解決 3件$|: 3件$/);
  // Top categories: four categories with one request each.
  assert.equal(await page.getByTestId("chart-top").locator("tbody tr").count(), 4);
  assert.deepEqual(await seriousViolations(page), [], "dashboard");

  // The monthly summary links to this month's CSV, which is a BOM-prefixed CSV.
  const href = await page.getByTestId("monthly-csv").getAttribute("href");
  assert.match(href, /^\/api\/reports\/monthly\.csv\?month=\d{4}-\d{2}$/);
  const csv = await page.evaluate(async (url) => {
    const res = await fetch(url);
    return { type: res.headers.get("content-type"), bytes: Array.from(new Uint8Array(await res.arrayBuffer()).slice(0, 3)) };
  }, href);
  assert.equal(csv.type, "text/csv; charset=utf-8");
  assert.deepEqual(csv.bytes, [0xef, 0xbb, 0xbf]);

  // Printed, the charts stay and the navigation goes.
  await page.emulateMedia({ media: "print" });
  assert.equal(await page.locator(".app-nav").isVisible(), false);
  assert.equal(await page.getByTestId("chart-per-month").locator("svg").isVisible(), true);
  await page.emulateMedia({ media: "screen" });
  await context.close();
});

test("field staff get neither page", async () => {
  const context = await world.browser.newContext({ locale: "ja-JP" });
  const page = await context.newPage();
  await page.goto(world.ward.url);
  await signIn(page, "road01");
  assert.equal(await page.getByTestId("nav-standards").count(), 0);
  assert.equal(await page.getByTestId("nav-dashboard").count(), 0);
  const status = await page.evaluate(async () => (await fetch("/api/reports/standards?from=2026-04-01&to=2026-04-30")).status);
  assert.equal(status, 403);
  await context.close();
});
