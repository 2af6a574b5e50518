// The phone pages' outbox: what a grid worker, an enterprise's safety officer, a station or a
// citizen sends is written to IndexedDB first and sent from there, so a dropped connection, a
// closed tab or a phone that sleeps loses nothing. Background Sync is not on every phone
// (Safari has none), so the queue is retried on `online`, on a timer with backoff, and on the
// next page load. Every item carries its idempotency key: the server answers a retry of the
// same key with the first answer and never writes twice (the platform's contract).
//
// One outbox for every page (`useOutbox()`); items are grouped by `kind` so a page shows and
// flushes its own. A 4xx other than 401/408/425/429 is final: the item moves to `failed` with
// the server's bilingual message, kept until the user dismisses it, never retried blindly.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb'
import { computed, ref, type Ref } from 'vue'
import { getToken } from '@/api/http'

export interface OutboxFailure {
  status: number
  code: string
  messageZh: string
  messageEn: string
}

export interface OutboxItem {
  /** The idempotency key: also sent as the `Idempotency-Key` header. */
  key: string
  /** What the page calls it (a group: `inspection`, `alarm`, `patrol`...). */
  kind: string
  /** A line the page can show ("储罐区 巡检记录"). */
  label: string
  method: string
  url: string
  json?: unknown
  blob?: Blob
  contentType?: string
  headers?: Record<string, string>
  /** Send the signed-in user's token (false for the citizen's alarm). */
  auth: boolean
  createdAt: number
  attempts: number
  nextAt: number
  lastError?: string
  failed?: OutboxFailure
  /** Keys of items that must have been sent first (a record after its photo). */
  after?: string[]
  /** The server's answer once sent (kept for items that later ones depend on). */
  response?: unknown
  sentAt?: number
  /** The key of an earlier item (also in `after`) whose answer fills `{name}` in `url` and
   * in header values: the alarm's media go to `/api/v1/alarms/{id}/media/1` with its
   * `{secret}`, known only once the alarm itself is answered. */
  fill?: string
  /** A field the answer must carry (not null) for the item to count as sent: a 202 that
   * the server spooled without naming the object yet is sent again later, until it does. */
  needs?: string
  /** Error codes that mean the request had already taken effect (a chunk the server has,
   * whose answer was lost: `offset_mismatch`): the item counts as sent. */
  sentCodes?: string[]
}

interface OutboxDb extends DBSchema {
  items: { key: string; value: OutboxItem; indexes: { byKind: string } }
}

const DB_NAME = 'yingji-outbox'
const MAX_BACKOFF_MS = 5 * 60_000
const KEEP_SENT_MS = 24 * 3600_000
const RETRYABLE = new Set([401, 408, 425, 429])

let dbPromise: Promise<IDBPDatabase<OutboxDb>> | null = null
function db(): Promise<IDBPDatabase<OutboxDb>> {
  dbPromise ??= openDB<OutboxDb>(DB_NAME, 1, {
    upgrade(database) {
      const store = database.createObjectStore('items', { keyPath: 'key' })
      store.createIndex('byKind', 'kind')
    },
  })
  return dbPromise
}

const items: Ref<OutboxItem[]> = ref([])
const flushing = ref(false)
const online = ref(typeof navigator === 'undefined' ? true : navigator.onLine)
const sentListeners = new Set<(item: OutboxItem) => void>()
let timer: ReturnType<typeof setTimeout> | null = null
let started = false

async function reload(): Promise<void> {
  items.value = await (await db()).getAll('items')
}

/** A fresh idempotency key (random, so two phones never collide). */
export function newKey(prefix = 'yj'): string {
  return `${prefix}-${crypto.randomUUID()}`
}

function backoff(attempts: number): number {
  return Math.min(MAX_BACKOFF_MS, 2000 * 2 ** Math.min(attempts, 8))
}

/** `{name}` in a text, from an earlier item's answer. */
function filled(text: string, source: Record<string, unknown> | undefined): string {
  if (!source) return text
  return text.replace(/\{(\w+)\}/g, (whole, name: string) =>
    source[name] === undefined || source[name] === null ? whole : String(source[name]),
  )
}

async function sendOne(item: OutboxItem, byKey: Map<string, OutboxItem>): Promise<OutboxItem> {
  const source = item.fill ? (byKey.get(item.fill)?.response as Record<string, unknown> | undefined) : undefined
  const headers: Record<string, string> = {
    Accept: 'application/json',
    'Idempotency-Key': item.key,
  }
  for (const [name, value] of Object.entries(item.headers ?? {})) headers[name] = filled(value, source)
  const url = filled(item.url, source)
  const token = getToken()
  if (item.auth && token) headers.Authorization = `Bearer ${token}`
  let body: BodyInit | undefined
  if (item.json !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(item.json)
  } else if (item.blob) {
    headers['Content-Type'] = item.contentType ?? item.blob.type ?? 'application/octet-stream'
    body = item.blob
  }
  const now = Date.now()
  let resp: Response
  try {
    resp = await fetch(url, { method: item.method, headers, body })
  } catch (err) {
    return { ...item, attempts: item.attempts + 1, nextAt: now + backoff(item.attempts), lastError: String(err) }
  }
  const text = await resp.text()
  let parsed: unknown = null
  try {
    parsed = text ? JSON.parse(text) : null
  } catch {
    parsed = text
  }
  if (resp.ok) {
    const answer = (parsed ?? {}) as Record<string, unknown>
    if (item.needs && (answer[item.needs] === undefined || answer[item.needs] === null)) {
      // taken (a 202: spooled), not yet named: ask again, with the same key, after a while
      return { ...item, response: parsed, attempts: item.attempts + 1, nextAt: now + backoff(item.attempts), lastError: `HTTP ${resp.status}` }
    }
    return { ...item, response: parsed, sentAt: now, lastError: undefined }
  }
  if (resp.status >= 500 || RETRYABLE.has(resp.status)) {
    return {
      ...item,
      attempts: item.attempts + 1,
      nextAt: now + backoff(item.attempts),
      lastError: `HTTP ${resp.status}`,
    }
  }
  const e = (parsed ?? {}) as Partial<Record<'code' | 'message' | 'message_en', string>>
  if (e.code && item.sentCodes?.includes(e.code)) return { ...item, response: parsed, sentAt: now, lastError: undefined }
  return {
    ...item,
    failed: {
      status: resp.status,
      code: e.code ?? `http_${resp.status}`,
      messageZh: e.message ?? `请求失败（${resp.status}）`,
      messageEn: e.message_en ?? `Request failed (${resp.status})`,
    },
  }
}

function ready(item: OutboxItem, byKey: Map<string, OutboxItem>, now: number): boolean {
  if (item.sentAt || item.failed || item.nextAt > now) return false
  if (item.fill && !byKey.get(item.fill)?.sentAt) return false
  return (item.after ?? []).every((k) => {
    const dep = byKey.get(k)
    return dep === undefined || dep.sentAt !== undefined
  })
}

/** Send every item that is due, oldest first; items wait for those named in `after`. */
export async function flush(): Promise<void> {
  if (flushing.value) return
  flushing.value = true
  try {
    const store = await db()
    let progressed = true
    while (progressed) {
      progressed = false
      const all = (await store.getAll('items')).sort((a, b) => a.createdAt - b.createdAt)
      const byKey = new Map(all.map((i) => [i.key, i]))
      const now = Date.now()
      for (const item of all) {
        if (item.sentAt && now - item.sentAt > KEEP_SENT_MS) {
          await store.delete('items', item.key)
          continue
        }
        if (!ready(item, byKey, now)) continue
        const next = await sendOne(item, byKey)
        await store.put('items', next)
        byKey.set(next.key, next)
        if (next.sentAt) {
          progressed = true
          sentListeners.forEach((fn) => fn(next))
        } else if (next.lastError) {
          online.value = navigator.onLine
        }
      }
    }
  } finally {
    flushing.value = false
    await reload()
    schedule()
  }
}

function schedule(): void {
  if (timer) clearTimeout(timer)
  const waiting = items.value.filter((i) => !i.sentAt && !i.failed)
  if (!waiting.length) return
  const soonest = Math.min(...waiting.map((i) => i.nextAt))
  timer = setTimeout(() => void flush(), Math.max(1000, soonest - Date.now()))
}

/** Queue a request and try to send it now; resolves once it is safely on the phone. */
export async function enqueue(
  item: Omit<OutboxItem, 'createdAt' | 'attempts' | 'nextAt'> & Partial<Pick<OutboxItem, 'createdAt'>>,
): Promise<OutboxItem> {
  const full: OutboxItem = { createdAt: Date.now(), attempts: 0, nextAt: 0, ...item }
  const store = await db()
  const existing = await store.get('items', full.key)
  if (!existing) await store.put('items', full)
  await reload()
  void flush()
  return existing ?? full
}

/** Forget a failed item (the user read why) or a sent one. */
export async function dismiss(key: string): Promise<void> {
  await (await db()).delete('items', key)
  await reload()
}

/** Put a failed item back in the queue (after the user fixed what the server refused). */
export async function retry(key: string): Promise<void> {
  const store = await db()
  const item = await store.get('items', key)
  if (item) await store.put('items', { ...item, failed: undefined, attempts: 0, nextAt: 0 })
  await flush()
}

/** Hear every item the moment the server has accepted it. Returns the unsubscribe. */
export function onSent(fn: (item: OutboxItem) => void): () => void {
  sentListeners.add(fn)
  return () => sentListeners.delete(fn)
}

function start(): void {
  if (started || typeof window === 'undefined') return
  started = true
  window.addEventListener('online', () => {
    online.value = true
    // a reconnect is news: everything waiting is due now, whatever its backoff said
    void (async () => {
      const store = await db()
      for (const item of await store.getAll('items')) {
        if (!item.sentAt && !item.failed) await store.put('items', { ...item, nextAt: 0 })
      }
      await flush()
    })()
  })
  window.addEventListener('offline', () => {
    online.value = false
  })
  void reload().then(flush)
}

/** The outbox for a page: its items (by kind, or all), counts, and the actions. */
export function useOutbox(kind?: string) {
  start()
  const mine = computed(() => items.value.filter((i) => kind === undefined || i.kind === kind))
  return {
    items: mine,
    pending: computed(() => mine.value.filter((i) => !i.sentAt && !i.failed)),
    failed: computed(() => mine.value.filter((i) => i.failed)),
    sent: computed(() => mine.value.filter((i) => i.sentAt)),
    flushing,
    online,
    enqueue,
    flush,
    dismiss,
    retry,
    onSent,
  }
}
