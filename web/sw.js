// The dashboard's service worker: keeps the app shell (the page and every file it loads) so the dashboard opens
// and computes with no server. The server writes the version and the list of URLs into the line below when it
// serves this file at /sw.js; a change of any file is a new version, so a new worker that the browser installs.
const SHELL = { version: 'unversioned', urls: [] };

const PREFIX = 'dredge-shell-';
const CACHE = `${PREFIX}${SHELL.version}`;
const SHELL_PATHS = new Set(SHELL.urls);

// Install: every file of this version into a cache of its own, fetched past the HTTP cache so that no file of
// an older version slips into the new cache. The new worker takes over at once: the page is network-first (below),
// so a page open across the upgrade keeps working, and the next load is the new version in full.
self.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE);
      await cache.addAll(SHELL.urls.map((url) => new Request(url, { cache: 'reload' })));
      await self.skipWaiting();
    })(),
  );
});

// Activate: every other version's cache is deleted, then this worker serves the open pages.
self.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(PREFIX) && name !== CACHE) await caches.delete(name);
      }
      await self.clients.claim();
    })(),
  );
});

// Fetch: the shell's files network-first, the cache only when the server cannot be reached. The server answers
// them with an ETag and `no-cache`, so asking costs a 304 and no body; in exchange the page and its scripts always
// come from one version while the server is up, and an upgrade never shows a stale page. Anything else (the API)
// goes to the network untouched: the page itself decides what to do offline.
self.addEventListener('fetch', (event) => {
  const request = event.request;
  if (request.method !== 'GET') return;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin || !SHELL_PATHS.has(url.pathname) || url.search) return;
  event.respondWith(networkFirst(event, url.pathname));
});

async function networkFirst(event, path) {
  try {
    const response = await fetch(event.request);
    if (response.ok) {
      // The freshest copy is the offline copy.
      const copy = response.clone();
      event.waitUntil(caches.open(CACHE).then((cache) => cache.put(path, copy)));
    }
    return response;
  } catch (error) {
    const cached = await caches.match(path, { cacheName: CACHE });
    if (cached) return cached;
    throw error;
  }
}
