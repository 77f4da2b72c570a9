// Koe's service worker: the app opens and works with no network after one visit.
//
// The two lines below are rewritten at build time by tools/precache.sh (a Trunk
// post_build hook) with exactly the files Trunk emitted (hashed names) and a version
// derived from their contents, so every release gets its own cache.
const VERSION = "dev";
const PRECACHE = ["/index.html"];

const CACHE = `koe-${VERSION}`;

self.addEventListener("install", (event) => {
  // `cache: "reload"` bypasses the HTTP cache so a new version never precaches stale files.
  event.waitUntil(
    caches.open(CACHE).then((cache) =>
      cache.addAll(PRECACHE.map((url) => new Request(url, { cache: "reload" })))
    )
  );
});

self.addEventListener("activate", (event) => {
  // Old caches go only once this version is active: a page still running the old
  // version was served by the old worker, which is gone by now.
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("koe-") && k !== CACHE).map((k) => caches.delete(k))))
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
  if (url.origin !== self.location.origin || url.pathname.startsWith("/api/")) return;

  if (request.mode === "navigate") {
    // App shell first: a field worker with a weak signal must not wait on the network.
    event.respondWith(
      caches.open(CACHE).then((cache) =>
        cache.match("/index.html").then((hit) => hit || fetch(request))
      )
    );
    return;
  }
  event.respondWith(
    caches.open(CACHE).then((cache) => cache.match(request).then((hit) => hit || fetch(request)))
  );
});
