// Service worker of one business's widget (scope /w/{business}/): the widget opens offline
// from the last copy it saw. Network first, so a deploy is picked up at once; private API
// answers are never stored, only the business's public profile. The client's next booking
// (for the offline start page, views/offline.js) is kept by the page itself (next-booking.js),
// as a summary, and dropped on sign-out and account deletion.
const CACHE = "regulars-widget-v3";
// Fetched ahead so every screen opens offline: every shared file of the widget (modules, catalogs,
// styles), listed by the gateway when it serves this worker (regulars.gateway.widget.precache), so
// a new section or catalog is never missing. Anything else is kept once it was used.
const SHELL = [/* PRECACHE */];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      // One missing file must not keep the worker from installing.
      .then((cache) => Promise.allSettled(SHELL.map((url) => cache.add(url))))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((names) => Promise.all(names.filter((name) => name !== CACHE).map((name) => caches.delete(name))))
      .then(() => self.clients.claim()),
  );
});

function publicProfile(url) {
  return /^\/api\/v1\/b\/[a-z0-9-]+$/.test(url.pathname);
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  if (request.method !== "GET") return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  const scope = new URL(self.registration.scope).pathname;
  let key = null;
  if (request.mode === "navigate" && url.pathname.startsWith(scope)) key = scope; // every route is the same page
  else if (url.pathname.startsWith("/w/_/") || publicProfile(url)) key = url.pathname;
  if (!key) return;
  event.respondWith(
    fetch(request)
      .then((response) => {
        if (response.ok) {
          const copy = response.clone();
          event.waitUntil(caches.open(CACHE).then((cache) => cache.put(key, copy)));
        }
        return response;
      })
      .catch(() => caches.match(key).then((cached) => cached || Response.error())),
  );
});
