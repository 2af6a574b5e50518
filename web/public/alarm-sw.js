// The alarm page's service worker: the page opens from the home screen without a network
// (the last copy of the page and its scripts, network first), so the outbox in IndexedDB can
// keep the alarm and send it when the phone is back online. The API is never cached.
const CACHE = 'yingji-alarm-v1'

self.addEventListener('install', (event) => {
  event.waitUntil(caches.open(CACHE).then((c) => c.addAll(['/alarm', '/alarm.webmanifest'])))
  self.skipWaiting()
})

self.addEventListener('activate', (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  )
})

self.addEventListener('fetch', (event) => {
  const url = new URL(event.request.url)
  if (event.request.method !== 'GET' || url.origin !== self.location.origin) return
  if (url.pathname.startsWith('/api/')) return
  event.respondWith(
    fetch(event.request)
      .then((resp) => {
        if (resp.ok) {
          const copy = resp.clone()
          void caches.open(CACHE).then((c) => c.put(event.request, copy))
        }
        return resp
      })
      .catch(() =>
        caches.match(event.request).then((hit) => hit || (event.request.mode === 'navigate' ? caches.match('/alarm') : undefined)),
      ),
  )
})
