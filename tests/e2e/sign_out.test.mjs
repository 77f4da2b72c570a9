// A pooled tablet at the end of a shift: road01 signs out where there is no signal. The
// ward record's session must not outlive the shift: it ends as soon as the tablet is online
// again, before anyone else signs in; and a sign-in on the tablet ends whatever session the
// browser still held.
import { test } from "node:test";
import assert from "node:assert/strict";
import { request as apiRequest } from "playwright-core";
import { goOffline, signIn, signedInDevice, wardAndBrowser } from "./harness.mjs";

const world = wardAndBrowser();

/** Whether the ward record still takes `cookie` (the session's token) as a session. */
async function alive(url, cookie) {
  const api = await apiRequest.newContext({ baseURL: url, extraHTTPHeaders: { cookie: `${cookie.name}=${cookie.value}` } });
  const res = await api.get("/api/session");
  await api.dispose();
  return res.status() === 200;
}

async function sessionCookie(context) {
  const cookie = (await context.cookies()).find((c) => c.name === "koe_session");
  assert.ok(cookie, "signed in: the browser holds the session cookie");
  return cookie;
}

test("signing out with no signal ends the session once the tablet is online again", async () => {
  const { context, page } = await signedInDevice(world.browser, world.ward.url, "road01");
  const cookie = await sessionCookie(context);
  assert.equal(await alive(world.ward.url, cookie), true);
  await goOffline(context, page);
  await page.getByTestId("sign-out").click();
  await page.getByTestId("staff-id").waitFor();
  assert.equal(await alive(world.ward.url, cookie), true, "no signal: the ward record never heard");
  await context.setOffline(false);
  for (let i = 0; i < 50 && (await alive(world.ward.url, cookie)); i++) {
    await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(await alive(world.ward.url, cookie), false, "ended at the next connection");
  await context.close();
});

test("the next person's sign-in ends the session the browser still held", async () => {
  const { context, page } = await signedInDevice(world.browser, world.ward.url, "road01");
  const cookie = await sessionCookie(context);
  // The tab is closed without signing out; the next person opens the app and signs in.
  await page.evaluate(() => localStorage.removeItem("koe.me"));
  await page.reload();
  await signIn(page, "welfare01");
  assert.equal(await alive(world.ward.url, cookie), false, "road01's session ended");
  const next = await sessionCookie(context);
  assert.equal(await alive(world.ward.url, next), true, "welfare01's is the one that lives");
  await context.close();
});
