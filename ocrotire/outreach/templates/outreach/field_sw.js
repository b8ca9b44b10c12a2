// The field app's service worker: keeps the app's shell so the page opens with no network.
// Pages: the network first, the cached shell when there is none. Static files: the cache
// first. Answers of the API are never cached (the data lives encrypted in IndexedDB).
const CACHE = {{ cache|safe }};
const SHELL = {{ shell|safe }};
const PAGE = SHELL[0];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(CACHE).then((cache) => cache.addAll(SHELL)).then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) =>
        Promise.all(
          keys.filter((key) => key.startsWith("ocrotire-field-") && key !== CACHE).map((key) => caches.delete(key)),
        ),
      )
      .then(() => self.clients.claim()),
  );
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin || url.pathname.startsWith("/api/")) {
    return;
  }
  if (request.mode === "navigate") {
    if (url.pathname !== PAGE) return;
    event.respondWith(
      fetch(request)
        .then((response) => {
          // A sign-in page (the session ended) is not the app: keep the cached shell.
          if (response.ok && !response.redirected) {
            const copy = response.clone();
            caches.open(CACHE).then((cache) => cache.put(PAGE, copy));
          }
          return response;
        })
        .catch(() => caches.match(PAGE)),
    );
    return;
  }
  if (SHELL.includes(url.pathname)) {
    event.respondWith(caches.match(request).then((hit) => hit || fetch(request)));
  }
});
