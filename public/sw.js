// Koe's service worker: the app opens and works with no network after one visit.
//
// The two lines below are rewritten at build time by tools/precache.sh (a Trunk
// post_build hook) with exactly the files Trunk emitted (hashed names) and a version
// derived from their contents, so every release gets its own cache.
const VERSION = "dev";
const PRECACHE = ["/"];

// Each build has its worker, scoped to its folder: the field app's at "/", the office's
// at "/office/". Each keeps its own cache ("koe-<version>", "koe-office-<version>").
const BASE = new URL(self.registration.scope).pathname;
const PREFIX = `koe${BASE.replace(/\//g, "-")}`;
const CACHE = `${PREFIX}${VERSION}`;
// The office build under the field app's scope: its addresses are its own worker's (the
// field app's index.html is no answer to them), also before that worker is installed.
const NESTED = ["/office/"].filter((dir) => dir !== BASE && dir.startsWith(BASE));

function ours(path) {
  return path.startsWith(BASE) && !NESTED.some((dir) => path.startsWith(dir) || path === dir.slice(0, -1));
}

// Trunk names its outputs `name-<16 hex digits>.ext` (as `is_hashed` in the ward record's
// server/src/routes/files.rs, which serves them immutable for a year).
function hashed(url) {
  const name = url.split("/").pop();
  return name.split(/[-_.]/).some((part) => part.length >= 16 && /^[0-9a-f]+$/i.test(part));
}

self.addEventListener("install", (event) => {
  // A hashed file never changes under its name: the copy the page just downloaded, in the
  // HTTP cache, is the one (each file comes over the network once). The others
  // (index.html, the manifest) are revalidated, so a new version never precaches a stale
  // one (a 304 when unchanged).
  event.waitUntil(
    caches.open(CACHE).then((cache) =>
      cache.addAll(PRECACHE.map((url) => new Request(url, { cache: hashed(url) ? "default" : "no-cache" })))
    )
  );
});

self.addEventListener("activate", (event) => {
  // Old caches of this build go only once this version is active: a page still running
  // the old version was served by the old worker, which is gone by now. The other
  // build's caches are its own worker's.
  const others = NESTED.map((dir) => `koe${dir.replace(/\//g, "-")}`);
  const mine = (key) => key.startsWith(PREFIX) && !others.some((prefix) => key.startsWith(prefix));
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => mine(k) && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim())
  );
});

// The page asks a waiting worker to take over when the person chooses to update.
self.addEventListener("message", (event) => {
  if (event.data === "skip-waiting") self.skipWaiting();
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  // The ward record's API is never cached: the app keeps its own data in IndexedDB.
  // Another build's files are that build's.
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/") || !ours(url.pathname)) return;

  // `ignoreVary`: the ward record's files vary by Accept-Encoding (brotli, gzip), which
  // the browser adds on the wire only; what is cached is the file itself.
  if (request.mode === "navigate") {
    // App shell first: a field worker with a weak signal must not wait on the network.
    event.respondWith(
      caches.open(CACHE).then((cache) =>
        cache.match(BASE, { ignoreVary: true }).then((hit) => hit || fetch(request))
      )
    );
    return;
  }
  event.respondWith(
    caches.open(CACHE).then((cache) => cache.match(request, { ignoreVary: true }).then((hit) => hit || fetch(request)))
  );
});
