// An answer lost on the way never turns into a lost record: road01 logs a request offline;
// back online, the push reaches the ward record but every answer is cut, so the device still
// shows it 未送信. road01 edits it meanwhile. When answers come through again, the retry hears
// the first outcome (applied) and the edit goes as an edit of its own: the ward record has
// the request once, with the edited value, and the device shows it sent.
import { test } from "node:test";
import assert from "node:assert/strict";
import {
  goOffline,
  launchBrowser,
  logRequest,
  myRequestId,
  signIn,
  startGate,
  startWardRecord,
  waitForOfflineReady,
  wardApi,
  wardRequestWhen,
} from "./harness.mjs";

test("an edit made while the create's answer was lost reaches the ward record", async () => {
  const ward = await startWardRecord();
  const gate = await startGate(ward.url);
  const browser = await launchBrowser();
  try {
    const context = await browser.newContext({ locale: "ja-JP" });
    const page = await context.newPage();
    await page.goto(gate.url);
    await signIn(page, "road01");
    await waitForOfflineReady(page);
    await goOffline(context, page);
    await logRequest(page, { title: "側溝のふたが割れている", description: "歩道側", address: "高津区溝口1-2" });
    const id = await myRequestId(page, "側溝のふたが割れている");

    // Online, but every push answer is cut after the ward record has taken it.
    gate.cutPushAnswers = true;
    await context.setOffline(false);
    const office = await wardApi(ward.url, "clerk01");
    const stored = await wardRequestWhen(office, id, (r) => r?.title === "側溝のふたが割れている");
    assert.equal(stored?.title, "側溝のふたが割れている", "the ward record took the create");
    assert.ok(gate.cut >= 1, "its answer was cut");
    const row = page.locator(`[data-testid="my-request"][data-id="${id}"]`);
    assert.equal(await row.getAttribute("data-sync"), "waiting", "the device never heard");

    // The person edits the title while the device still waits for an answer.
    await row.getByTestId("open-detail").click();
    await page.getByTestId("request-detail").waitFor();
    await page.getByTestId("edit-open").click();
    await page.getByTestId("edit-title").fill("側溝のふたが割れて危ない");
    await page.getByTestId("edit-save").click();
    await page.getByTestId("detail-title").filter({ hasText: "側溝のふたが割れて危ない" }).waitFor();

    // Answers come through again.
    gate.cutPushAnswers = false;
    await page.getByTestId("sync-now").click();
    const edited = await wardRequestWhen(office, id, (r) => r.title === "側溝のふたが割れて危ない");
    assert.equal(edited.title, "側溝のふたが割れて危ない", "the edit was not lost");
    const { history } = await (await office.get(`/api/requests/${id}`)).json();
    assert.deepEqual(
      history.map((h) => h.kind),
      ["create_request", "set_fields"],
      "created once, then edited",
    );
    await page.getByTestId("nav-mine").click();
    await page.locator(`[data-testid="my-request"][data-id="${id}"][data-sync="synced"]`).waitFor({ timeout: 30_000 });
    await office.dispose();
    await context.close();
  } finally {
    await browser.close();
    await gate.stop();
    await ward.stop();
  }
});
