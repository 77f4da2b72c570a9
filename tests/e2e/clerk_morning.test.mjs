// A clerk's morning at a desk, on a ward with 500 requests (seedWard): clerk01 signs in
// on a 1366×768 screen and lands on 区の一覧, pages with 次の50件 to the last page and
// back with 前の50件, filters by section and state, and opens a request: the list and the
// request sit side by side, and the office's actions are on the first screen of the
// request. On a phone (390×844) the list is one column with no sideways scroll. The list
// passes axe. Screenshots go to $KOE_SHOTS when it is set.
import { test } from "node:test";
import assert from "node:assert/strict";
import { seriousViolations, signIn, wardAndBrowser } from "./harness.mjs";
import { seedWard } from "./ward_seed.mjs";

const world = wardAndBrowser();
const PAGE = 50;

async function shot(page, name) {
  if (process.env.KOE_SHOTS) await page.screenshot({ path: `${process.env.KOE_SHOTS}/desk-${name}.png` });
}

/** Waits until the range line says `text` (the page asked for has arrived). */
async function rangeSays(page, text) {
  await page.getByTestId("office-total").filter({ hasText: text }).waitFor({ timeout: 15_000 });
}

/** Whether each cell of `testid` shows its text on one line. */
async function oneLine(page, testid) {
  return page.evaluate((testid) => {
    return [...document.querySelectorAll(`[data-testid="${testid}"]`)].every((cell) => {
      const range = document.createRange();
      range.selectNodeContents(cell);
      const tops = new Set([...range.getClientRects()].map((r) => Math.round(r.top)));
      return tops.size === 1;
    });
  }, testid);
}

test("clerk's morning: the last page of 区の一覧, a filter, a request beside the list", { timeout: 300_000 }, async () => {
  await seedWard(world.ward.url, { count: 500 });
  const context = await world.browser.newContext({ locale: "ja-JP", viewport: { width: 1366, height: 768 } });
  const page = await context.newPage();
  await page.goto(world.ward.url);
  await signIn(page, "clerk01");

  // Office staff land on 区の一覧, not on 新規受付.
  await page.getByTestId("office-request").first().waitFor({ timeout: 15_000 });
  assert.equal(await page.getByTestId("nav-office").getAttribute("aria-current"), "page");
  assert.equal(await page.getByTestId("save").count(), 0);
  // The sync bar is one line for them, with its button.
  const bar = await page.getByTestId("sync-bar").boundingBox();
  assert.ok(bar.height <= 60, `sync bar ${bar.height} px high`);
  await page.getByTestId("sync-now").waitFor();

  const total = Number(await page.getByTestId("office-total").getAttribute("data-total"));
  assert.ok(total >= 500, `${total} in the list`);
  await rangeSays(page, `1–50件 / ${total}件中`);
  const prev = page.getByTestId("office-prev");
  const next = page.getByTestId("office-next");
  assert.equal(await next.innerText(), "次の50件");
  assert.equal(await prev.isDisabled(), true);
  assert.equal(await next.isDisabled(), false);
  assert.deepEqual(await seriousViolations(page), [], "the ward list passes axe");
  assert.ok(await oneLine(page, "office-status"), "状態 on one line");
  // The filters leave room for the list on the first screen.
  const firstRow = await page.getByTestId("office-request").first().boundingBox();
  assert.ok(firstRow.y + firstRow.height <= 768, `the first row at ${firstRow.y} px`);
  await shot(page, "desktop-list");

  // 次の50件 to the last page.
  const lastStart = Math.floor((total - 1) / PAGE) * PAGE;
  for (let offset = PAGE; offset <= lastStart; offset += PAGE) {
    await next.click();
    await rangeSays(page, `${offset + 1}–${Math.min(offset + PAGE, total)}件 / ${total}件中`);
  }
  assert.equal(await next.isDisabled(), true, "no page after the last");
  assert.equal(await page.getByTestId("office-request").count(), total - lastStart);
  assert.match(page.url(), new RegExp(`#/office\\?.*offset=${lastStart}`), "the page is in the address");
  // The keyboard is on the new page's range, not on the disabled button.
  assert.equal(await page.evaluate(() => document.activeElement?.dataset.testid), "office-total");
  // 前の50件 goes back a page; the browser's back button too.
  await prev.click();
  await rangeSays(page, `${lastStart - PAGE + 1}–${lastStart}件 / ${total}件中`);
  assert.equal(await next.isDisabled(), false);
  await page.goBack();
  await rangeSays(page, `${lastStart + 1}–${total}件 / ${total}件中`);

  // A filter: 道路 and 対応中, from page 1.
  await page.getByTestId("filter-section").selectOption("road");
  await page.getByTestId("filter-status-in_progress").check();
  await page.waitForFunction(() => {
    const rows = [...document.querySelectorAll('[data-testid="office-request"]')];
    const range = document.querySelector('[data-testid="office-total"]')?.innerText ?? "";
    return rows.length > 0 && range.startsWith("1–") && rows.every((r) => r.dataset.status === "in_progress");
  }, null, { timeout: 15_000 });
  const filtered = Number(await page.getByTestId("office-total").getAttribute("data-total"));
  assert.ok(filtered > 0 && filtered < total, `${filtered} of ${total} after the filter`);
  assert.match(page.url(), /section=road/);

  // Open one: the list on the left, the request on the right, each scrolling on its own.
  const id = await page.getByTestId("office-request").nth(2).getAttribute("data-id");
  const row = page.locator(`[data-testid="office-request"][data-id="${id}"]`);
  await row.getByTestId("office-open").click();
  await page.getByTestId("office-actions").waitFor({ timeout: 15_000 });
  await page.getByTestId("detail-trail").waitFor();
  const listPane = await page.getByTestId("office-list-pane").boundingBox();
  const detailPane = await page.getByTestId("office-detail-pane").boundingBox();
  assert.ok(listPane.x + listPane.width <= detailPane.x, `list ${JSON.stringify(listPane)} left of detail ${JSON.stringify(detailPane)}`);
  assert.ok(listPane.y < detailPane.y + detailPane.height && detailPane.y < listPane.y + listPane.height, "side by side");
  assert.ok(detailPane.x + detailPane.width <= 1366 && detailPane.y + detailPane.height <= 768, "the request within the window");
  assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 1366, "no sideways scroll");
  // The office's actions are on the first screen of the request, above the long history.
  const actionsTitle = await page.locator("#office-actions-title").boundingBox();
  assert.ok(
    actionsTitle.y + actionsTitle.height <= detailPane.y + detailPane.height,
    `the actions at ${actionsTitle.y} px, the request pane ends at ${detailPane.y + detailPane.height} px`,
  );
  // The row open is marked in the list, which is still there to pick the next one.
  assert.equal(await row.getAttribute("aria-current"), "true");
  assert.ok(await oneLine(page, "office-status"), "状態 on one line beside the request");
  await shot(page, "desktop-detail");

  // On a phone: the request alone, then back to the list, one column, no sideways scroll.
  await page.setViewportSize({ width: 390, height: 844 });
  assert.equal(await page.getByTestId("office-list-pane").isVisible(), false);
  await page.getByTestId("detail-back").click();
  await page.getByTestId("office-list-pane").waitFor();
  assert.equal(await page.getByTestId("office-detail-pane").count(), 0);
  // The keyboard is back on the row the request was opened from.
  assert.equal(await page.evaluate(() => document.activeElement?.closest('[data-testid="office-request"]')?.dataset.id), id);
  const phoneList = await page.getByTestId("office-list-pane").boundingBox();
  assert.ok(phoneList.width <= 390, `the list ${phoneList.width} px wide`);
  assert.ok((await page.evaluate(() => document.documentElement.scrollWidth)) <= 390, "no sideways scroll on the phone");
  assert.deepEqual(await seriousViolations(page), [], "the ward list on a phone passes axe");
  await shot(page, "phone-list");
  await context.close();
});
