// Starts the real ward record (the built server binary, serving the built app from dist/)
// on a free loopback port with a fresh SQLite database, and a real headless Chromium.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, existsSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { before, after } from "node:test";
import { chromium } from "playwright-core";

export const ROOT = resolve(import.meta.dirname, "../..");
export const DEMO_PASSWORD = "e2e-demo-password";

function freePort() {
  return new Promise((ok, fail) => {
    const s = createServer();
    s.once("error", fail);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => ok(port));
    });
  });
}

/** Starts a ward record; returns { url, stop, log }. */
export async function startWardRecord() {
  const bin = process.env.KOE_SERVER_BIN || join(ROOT, "target/debug/koe-server");
  const dist = process.env.KOE_DIST || join(ROOT, "dist");
  for (const [what, path] of [["server binary", bin], ["built app", join(dist, "index.html")]]) {
    if (!existsSync(path)) throw new Error(`${what} not found at ${path}: run scripts/test.sh`);
  }
  const port = await freePort();
  const data = mkdtempSync(join(tmpdir(), "koe-e2e-"));
  const env = { ...process.env, KOE_ADDR: `127.0.0.1:${port}`, KOE_DIST: dist, KOE_DATA: data, KOE_DEMO_PASSWORD: DEMO_PASSWORD };
  delete env.DATABASE_URL; // the embedded SQLite default
  const child = spawn(bin, [], { env, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout.on("data", (d) => (log += d));
  child.stderr.on("data", (d) => (log += d));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`ward record exited (${child.exitCode}):\n${log}`);
    try {
      const res = await fetch(`${url}/api/session`);
      if (res.status === 401) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`ward record did not start in 30 s:\n${log}`);
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    log: () => log,
    async stop() {
      child.kill("SIGTERM");
      await new Promise((r) => (child.exitCode !== null ? r() : child.once("exit", r)));
      rmSync(data, { recursive: true, force: true });
    },
  };
}

export async function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-dev-shm-usage",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--no-first-run",
    ],
  });
}

/** Signs in through the app's own form. */
export async function signIn(page, staffId) {
  await page.getByTestId("staff-id").fill(staffId);
  await page.getByTestId("password").fill(DEMO_PASSWORD);
  await page.getByTestId("sign-in").click();
  await page.getByTestId("nav-capture").waitFor();
}

/** Waits until the service worker controls the page, so it opens offline from now on. */
export async function waitForOfflineReady(page) {
  await page.waitForFunction(() => navigator.serviceWorker?.controller != null, null, { timeout: 20_000 });
}

/**
 * One ward record and one browser for a test file: started before its tests, stopped
 * after them. Returns `{ ward, browser }`, filled in once `before` has run.
 */
export function wardAndBrowser() {
  const world = {};
  before(async () => {
    world.ward = await startWardRecord();
    world.browser = await launchBrowser();
  });
  after(async () => {
    await world.browser?.close();
    await world.ward?.stop();
  });
  return world;
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

/** axe-core's serious and critical violations on the page, one line each. */
export async function seriousViolations(page) {
  await page.addScriptTag({ content: axeSource });
  const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(" ")).join(", ")})`);
}
