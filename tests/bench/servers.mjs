// The servers of the benchmark, each a real child process on 127.0.0.1: the ward record
// (the built koe-server serving the built app) and pouchdb-server (LevelDB on disk, as the
// ward record's SQLite is on disk). Killed at the end.
import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { DEMO_PASSWORD, ROOT } from "../e2e/harness.mjs";

const require = createRequire(import.meta.url);
const children = new Set();

/** Ends every server still running (at exit, whatever happened). */
export async function stopAll() {
  await Promise.all([...children].map((c) => c.stop()));
}

function child(name, bin, args, env, ready, cwd) {
  const proc = spawn(bin, args, { env, cwd, stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  const keep = (d) => {
    log += d;
    if (log.length > 200_000) log = log.slice(-100_000);
  };
  proc.stdout.on("data", keep);
  proc.stderr.on("data", keep);
  const handle = {
    pid: proc.pid,
    log: () => log,
    async stop() {
      children.delete(handle);
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill("SIGTERM");
      const killer = setTimeout(() => proc.kill("SIGKILL"), 10_000);
      await new Promise((r) => (proc.exitCode !== null || proc.signalCode !== null ? r() : proc.once("exit", r)));
      clearTimeout(killer);
    },
  };
  children.add(handle);
  return (async () => {
    const deadline = Date.now() + 60_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`${name} exited (${proc.exitCode}):\n${log}`);
      if (await ready().catch(() => false)) return handle;
      if (Date.now() > deadline) {
        await handle.stop();
        throw new Error(`${name} did not start in 60 s:\n${log}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
}

export const KOE_BIN = process.env.KOE_SERVER_BIN || join(ROOT, "target/debug/koe-server");
export const KOE_DIST = process.env.KOE_DIST || join(ROOT, "dist");

/**
 * The ward record on 127.0.0.1:`port` with its SQLite database (and keys) in `data`, kept
 * there after it stops (so a copy of the folder is the same ward again). Demo ward and
 * staff seeded at the first start, every password DEMO_PASSWORD.
 */
export function startKoe(port, data, { bin = KOE_BIN, dist = KOE_DIST } = {}) {
  for (const [what, path] of [["koe-server", bin], ["the built app", join(dist, "index.html")]]) {
    if (!existsSync(path)) throw new Error(`${what} not found at ${path} (KOE_SERVER_BIN / KOE_DIST)`);
  }
  mkdirSync(data, { recursive: true });
  const env = { ...process.env, KOE_ADDR: `127.0.0.1:${port}`, KOE_DIST: dist, KOE_DATA: data, KOE_DEMO_PASSWORD: DEMO_PASSWORD };
  delete env.DATABASE_URL; // SQLite in KOE_DATA
  const url = `http://127.0.0.1:${port}`;
  return child(`koe-server on ${port}`, bin, [], env, async () => (await fetch(`${url}/api/session`)).status === 401).then(
    (h) => Object.assign(h, { url }),
  );
}

export const POUCH_PORT = 15984;

/**
 * pouchdb-server (the npm package's own binary) on 127.0.0.1:15984, LevelDB files in
 * `dir`, with the benchmark's page and the browser PouchDB bundle stored in it as
 * attachments of `_design/page` in the database `bench_page`, so they are served from its
 * own origin. Returns { url, pageUrl, stop, createDb, deleteDb, bulkDocs }.
 */
export async function startPouch(dir) {
  mkdirSync(dir, { recursive: true });
  const bin = require.resolve("pouchdb-server/bin/pouchdb-server");
  const url = `http://127.0.0.1:${POUCH_PORT}`;
  const handle = await child(
    `pouchdb-server on ${POUCH_PORT}`,
    process.execPath,
    [bin, "--port", String(POUCH_PORT), "--host", "127.0.0.1", "--dir", dir, "--config", join(dir, "config.json"), "--no-stdout-logs"],
    { ...process.env },
    async () => (await fetch(url)).ok,
    dir, // its log.txt goes there
  );
  const call = async (method, path, body, type = "application/json") => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: body === undefined ? {} : { "content-type": type },
      body: body === undefined ? undefined : typeof body === "string" || Buffer.isBuffer(body) ? body : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok && !(method === "DELETE" && res.status === 404)) throw new Error(`pouchdb-server ${method} ${path}: ${res.status} ${text}`);
    return text ? JSON.parse(text) : null;
  };
  // The page and the bundle, served as attachments.
  await call("PUT", "/bench_page");
  const page = await call("PUT", "/bench_page/_design/page/index.html", readFileSync(join(import.meta.dirname, "pouch/index.html")), "text/html; charset=utf-8");
  const bundle = readFileSync(require.resolve("pouchdb/dist/pouchdb.min.js"));
  await call("PUT", `/bench_page/_design/page/pouchdb.min.js?rev=${page.rev}`, bundle, "application/javascript");
  return Object.assign(handle, {
    url,
    pageUrl: `${url}/bench_page/_design/page/index.html`,
    createDb: (name) => call("PUT", `/${name}`),
    deleteDb: (name) => call("DELETE", `/${name}`),
    info: (name) => call("GET", `/${name}`),
  });
}
