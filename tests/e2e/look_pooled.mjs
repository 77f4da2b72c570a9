// Screenshots of the pooled-tablet screens as staff see them, for a person to look at:
// the sign-in form after a reload, the sign-out warning (phone), the devices tab (desktop)
// with several people's work waiting. Run after a build: node tests/e2e/look_pooled.mjs [dir]
import { DEMO_PASSWORD, startWardRecord, launchBrowser, signIn, logRequest, waitForOfflineReady, wardApi } from "./harness.mjs";
import { join } from "node:path";
import { tmpdir } from "node:os";

const dir = process.argv[2] || tmpdir();
const ward = await startWardRecord();
const browser = await launchBrowser();
try {
  const phone = await browser.newContext({ locale: "ja-JP", viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true });
  const page = await phone.newPage();
  await page.goto(ward.url);
  await signIn(page, "road01");
  await waitForOfflineReady(page);
  await phone.setOffline(true);
  for (let i = 1; i <= 3; i++) await logRequest(page, { title: `街路灯の球切れ ${i}`, address: `高津区溝口${i}-1` });
  await page.getByTestId("title").fill("書きかけ");
  await page.getByTestId("sign-out").click();
  await page.getByTestId("sign-out-warning").waitFor();
  await page.screenshot({ path: join(dir, "sign-out-warning-phone.png") });
  await page.getByTestId("sign-out-anyway").click();
  await page.getByTestId("password").waitFor();
  await page.screenshot({ path: join(dir, "sign-in-phone.png") });
  await phone.setOffline(false);
  await signIn(page, "welfare01");
  await page.getByTestId("sync-status").filter({ hasText: "未送信はありません" }).waitFor();
  await page.getByTestId("sign-out").click();
  await page.getByTestId("password").waitFor();

  const desk = await browser.newContext({ locale: "ja-JP", viewport: { width: 1280, height: 900 } });
  const admin = await desk.newPage();
  await admin.goto(ward.url);
  await signIn(admin, "admin01");
  await admin.getByTestId("nav-admin").click();
  await admin.getByTestId("admin-tab-devices").click();
  await admin.getByTestId("device").first().waitFor();
  await admin.screenshot({ path: join(dir, "devices-desktop.png"), fullPage: true });
  await admin.getByTestId("device-retire").first().click();
  await admin.screenshot({ path: join(dir, "devices-retire-confirm-desktop.png"), fullPage: true });
  console.log(`wrote ${dir}`);
} finally {
  await browser.close();
  await ward.stop();
}
