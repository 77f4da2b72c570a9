// Every page on a small phone: on a ward seeded with 500 requests, each screen a field
// inspector and an administrator reach (sign-in, 新規受付, 自分の受付 and a request's detail,
// 端末, 区の一覧 and a request's detail, サービス基準, ダッシュボード, every 管理 tab) fits 360 px
// wide at 100 % and at 200 % text with no sideways scroll; on the field pages no touch
// target is under 44 × 44 px; and axe finds no serious or critical violation on any of them.
import { test } from "node:test";
import assert from "node:assert/strict";
import { seriousViolations, signIn, wardAndBrowser } from "./harness.mjs";
import { seedWard } from "./ward_seed.mjs";

const world = wardAndBrowser();
const PHONE = { width: 360, height: 740 };

/** 200 % text, as a person who sets their browser's text size to double it: the root size. */
async function textScale(page, scale) {
  await page.evaluate((s) => {
    document.documentElement.style.fontSize = `${s * 100}%`;
  }, scale);
  // Two frames: the layout settles at the new size.
  await page.evaluate(() => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))));
}

/**
 * What sticks out sideways: the page's own scroll width beyond the viewport, and the
 * visible elements whose right edge passes it (outside a region that scrolls on its own,
 * as a wide table may, the one exception reflow allows).
 */
function overflow(page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth;
    const scrollsItself = (el) => {
      for (let p = el.parentElement; p; p = p.parentElement) {
        const x = getComputedStyle(p).overflowX;
        if (x === "auto" || x === "scroll" || x === "hidden" || x === "clip") return p !== document.body && p !== document.documentElement;
      }
      return false;
    };
    const out = [];
    for (const el of document.body.querySelectorAll("*")) {
      const box = el.getBoundingClientRect();
      if (box.width === 0 || box.height === 0 || getComputedStyle(el).visibility === "hidden") continue;
      if (el.closest(".visually-hidden, .skip-link")) continue;
      if (box.right > width + 1 && !scrollsItself(el)) {
        const name = `${el.tagName.toLowerCase()}${el.className ? "." + String(el.className).trim().split(/\s+/).join(".") : ""}`;
        out.push(`${name} right=${Math.round(box.right)}`);
      }
    }
    return { scrollWidth: document.documentElement.scrollWidth, width, out: out.slice(0, 8) };
  });
}

/** The visible controls smaller than 44 × 44 px (a checkbox or radio counts with its label). */
function smallTargets(page) {
  return page.evaluate(() => {
    const small = [];
    for (const el of document.querySelectorAll("button, a[href], input, select, textarea, summary, [role=button], [role=tab]")) {
      if (el.type === "hidden" || el.closest(".visually-hidden")) continue;
      let target = el;
      if ((el.type === "checkbox" || el.type === "radio" || el.type === "file") && el.closest("label")) target = el.closest("label");
      const box = target.getBoundingClientRect();
      if (box.width === 0 || box.height === 0) continue;
      if (box.width < 44 - 0.5 || box.height < 44 - 0.5) {
        const name = el.dataset.testid || el.getAttribute("aria-label") || el.textContent.trim().slice(0, 20) || el.name || el.type;
        small.push(`${el.tagName.toLowerCase()} "${name}" ${Math.round(box.width)}×${Math.round(box.height)}`);
      }
    }
    return small;
  });
}

/** Every page's problems, reported together at the end (one run shows them all). */
const problems = [];

/** Checks the page as it is now at 100 % (targets if `field`, axe) and at 200 % text. */
async function checkPage(page, name, { field }) {
  for (const scale of [1, 2]) {
    await textScale(page, scale);
    const o = await overflow(page);
    if (o.scrollWidth > o.width + 1 || o.out.length > 0) {
      problems.push(`${name} at ${scale * 100} % text is wider than ${o.width} px (scroll width ${o.scrollWidth}): ${o.out.join(", ")}`);
    }
  }
  await textScale(page, 1);
  if (field) {
    const small = await smallTargets(page);
    if (small.length > 0) problems.push(`${name}: touch targets under 44 × 44 px: ${small.join(", ")}`);
  }
  const axe = await seriousViolations(page);
  if (axe.length > 0) problems.push(`${name}: axe: ${axe.join("; ")}`);
}

async function openPage(page, nav, ready) {
  await page.getByTestId(nav).click();
  await ready();
}

test("every page fits a 360 px phone at 100 % and 200 % text, with large targets and no serious axe violation", async () => {
  await seedWard(world.ward.url, { count: 500 });

  // A road inspector's phone.
  const field = await world.browser.newContext({ locale: "ja-JP", viewport: PHONE, hasTouch: true });
  const phone = await field.newPage();
  await phone.goto(world.ward.url);
  await phone.getByTestId("staff-id").waitFor();
  await checkPage(phone, "sign-in", { field: true });
  await signIn(phone, "road01");

  await openPage(phone, "nav-capture", () => phone.getByTestId("title").waitFor());
  await checkPage(phone, "新規受付", { field: true });
  await openPage(phone, "nav-mine", () => phone.getByTestId("mine-count").waitFor());
  await phone.getByTestId("open-detail").first().waitFor({ timeout: 30_000 });
  await checkPage(phone, "自分の受付", { field: true });
  await phone.getByTestId("open-detail").first().click();
  await phone.locator(".request-detail").first().waitFor();
  await checkPage(phone, "自分の受付 › detail", { field: true });
  await openPage(phone, "nav-device", () => phone.locator("main h1").first().waitFor());
  await checkPage(phone, "端末", { field: true });
  await field.close();

  // The administrator on the same small phone: every office and administration page.
  const office = await world.browser.newContext({ locale: "ja-JP", viewport: PHONE, hasTouch: true });
  const page = await office.newPage();
  await page.goto(world.ward.url);
  await signIn(page, "admin01");
  await openPage(page, "nav-office", () => page.locator(".office-table tbody tr").first().waitFor({ timeout: 30_000 }));
  await checkPage(page, "区の一覧", { field: false });
  await page.locator(".office-table tbody tr button, .office-table tbody tr a").first().click();
  await page.locator(".request-detail").first().waitFor();
  await checkPage(page, "区の一覧 › detail", { field: false });
  await openPage(page, "nav-standards", () => page.getByTestId("standards-report").waitFor({ timeout: 30_000 }));
  await checkPage(page, "サービス基準", { field: false });
  await openPage(page, "nav-dashboard", () => page.locator("main h1").first().waitFor());
  await checkPage(page, "ダッシュボード", { field: false });
  await page.getByTestId("nav-admin").click();
  for (const tab of ["staff", "sections", "categories", "calendar", "devices", "changes"]) {
    await page.getByTestId(`admin-tab-${tab}`).click();
    await page.locator(`[data-testid="admin-tab-${tab}"][aria-pressed="true"]`).first().waitFor();
    await page.waitForLoadState("networkidle");
    await checkPage(page, `管理 › ${tab}`, { field: false });
  }
  await office.close();
  assert.deepEqual(problems, []);
});
