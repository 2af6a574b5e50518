import { defineStore } from 'pinia'
import { computed, ref, shallowRef, triggerRef, watch } from 'vue'
import { incidentsApi, type Incident, type Level, type StreamEvent } from '@/api/incidents'
import { followStream, type LiveEvent, type LiveState } from '@/api/live'


export interface Announcement {
  id: number
  level: Level
  title: string
  at: number
}

let unauthorized: () => void = () => undefined
export function setStreamUnauthorizedHandler(handler: () => void): void {
  unauthorized = handler
}

/** Open incidents, kept live: loaded once, then every stream event applied in place. The map,
 * the duty queue and the header all read this one copy. */
export const useIncidentsStore = defineStore('incidents', () => {
  const open = shallowRef(new Map<number, Incident>())
  // Rises with every change of `open` (the Map is changed in place): what watchers follow.
  const version = ref(0)
  const state = ref<LiveState | 'off'>('off')
  const loaded = ref(false)
  const failed = ref(false) // the first read failed (its error is shown where it was asked)
  const announcements = ref<Announcement[]>([])
  const lastEventId = ref<string | null>(null)
  let stop: (() => void) | null = null
  let pendingTrigger = false
  // Pages that follow more than the board (the command panels: tasks, consultation,
  // warnings) hear every event of the one stream here, instead of opening a second one.
  const listeners = new Set<(event: StreamEvent) => void>()

  /** Hear every stream event until the returned function is called. */
  function subscribe(listener: (event: StreamEvent) => void): () => void {
    listeners.add(listener)
    return () => listeners.delete(listener)
  }

  const list = computed(() => [...open.value.values()])
  const waiting = computed(() =>
    // a one-key alarm first (a person in danger is waiting), then oldest first
    list.value
      .filter((i) => i.status === 'reported')
      .sort(
        (a, b) =>
          Number(b.channels.includes('alarm')) - Number(a.channels.includes('alarm')) ||
          Date.parse(a.created_at) - Date.parse(b.created_at) ||
          a.id - b.id,
      ),
  )

  /** Batch redraws: 50 incidents a second must not mean 50 re-renders a second. */
  function changed(): void {
    if (pendingTrigger) return
    pendingTrigger = true
    requestAnimationFrame(() => {
      pendingTrigger = false
      triggerRef(open)
      version.value += 1
    })
  }

  function upsert(incident: Incident, announce: boolean): void {
    const before = open.value.get(incident.id)
    if (incident.status === 'closed' || incident.status === 'false_alarm' || incident.status === 'merged') {
      open.value.delete(incident.id)
    } else {
      open.value.set(incident.id, incident)
    }
    if (announce && (incident.level === 'I' || incident.level === 'II')) {
      const raised = !before || (before.level !== 'I' && before.level !== 'II') || before.level !== incident.level
      if (raised) {
        announcements.value = [
          { id: incident.id, level: incident.level, title: incident.title, at: Date.now() },
          ...announcements.value,
        ].slice(0, 5)
        beep(incident.level)
      }
    }
    changed()
  }

  async function reload(): Promise<void> {
    const answer = await incidentsApi.open()
    open.value = new Map(answer.items.map((i) => [i.id, i]))
    version.value += 1
    loaded.value = true
  }

  // A stream event carries the incident's summary, not its channels: incidents first seen
  // on the stream are read once in full, a few at a time (a surge must not flood the API).
  const toFill: number[] = []
  let filling = 0
  const FILL_CONCURRENCY = 4

  function fill(id: number): void {
    toFill.push(id)
    pump()
  }

  function pump(): void {
    while (filling < FILL_CONCURRENCY && toFill.length) {
      const id = toFill.shift()!
      filling += 1
      incidentsApi
        .get(id)
        .then((full) => {
          const current = open.value.get(id)
          if (current && Date.parse(current.updated_at) <= Date.parse(full.updated_at)) {
            const { reports: _r, timeline: _t, routing: _x, ...summary } = full
            open.value.set(id, summary)
            changed()
          }
        })
        .catch(() => undefined) // gone or out of scope: the summary from the stream stays
        .finally(() => {
          filling -= 1
          pump()
        })
    }
  }

  /** An event carries the incident's summary (no channels, no created_at): merge it into
   * what the store knows, so the queue keeps its ages and the map its markers. */
  function onEvent(event: LiveEvent): void {
    lastEventId.value = event.id
    const e = event.data as StreamEvent | null
    if (!e || typeof e !== 'object' || !e.payload || typeof e.incident_id !== 'number') return
    for (const listener of listeners) listener(e)
    const known = open.value.get(e.incident_id)
    const { incident_id: _id, ...payload } = e.payload
    const merged = {
      channels: [],
      address: '',
      overdue: false,
      ...known,
      ...payload,
      id: e.incident_id,
      created_at: known?.created_at ?? e.at,
      updated_at: e.at,
    } as Incident
    upsert(merged, true)
    if (!known && open.value.has(e.incident_id)) fill(e.incident_id)
  }

  let wasLive = false

  function connect(): void {
    stop = followStream(
      {},
      lastEventId.value,
      onEvent,
      (s) => {
        state.value = s
        // Back after a drop: the server replays by Last-Event-ID; reloading as well covers
        // anything older than its replay window.
        if (s === 'live' && wasLive) void reload()
        if (s === 'live') wasLive = true
      },
      () => unauthorized(),
    )
  }

  // The browser knows the network went away before a half-open connection would notice:
  // drop the stream at once and resume from the last event id when the network returns.
  function onOffline(): void {
    if (!stop) return
    stop()
    state.value = 'reconnecting'
  }
  function onOnline(): void {
    if (!stop) return
    connect()
  }

  /** Load the open incidents and follow the stream; idempotent. */
  async function start(): Promise<void> {
    if (stop) return
    connect()
    window.addEventListener('offline', onOffline)
    window.addEventListener('online', onOnline)
    try {
      await reload()
    } catch (err) {
      failed.value = true
      throw err
    }
  }

  /** Resolves once the open incidents have been read (at once if they already are). */
  function whenLoaded(): Promise<void> {
    if (loaded.value || failed.value) return Promise.resolve()
    return new Promise((resolve) => {
      const stopWatching = watch([loaded, failed], ([ok, bad]) => {
        if (ok || bad) {
          stopWatching()
          resolve()
        }
      })
    })
  }

  function halt(): void {
    stop?.()
    stop = null
    wasLive = false
    window.removeEventListener('offline', onOffline)
    window.removeEventListener('online', onOnline)
    state.value = 'off'
  }

  function dismiss(id: number): void {
    announcements.value = announcements.value.filter((a) => a.id !== id)
  }

  return {
    open,
    version,
    list,
    waiting,
    state,
    loaded,
    announcements,
    lastEventId,
    start,
    halt,
    reload,
    dismiss,
    whenLoaded,
    subscribe,
  }
})

/** A short two-tone alarm, generated (no sound file to fetch); level I sounds three times. */
function beep(level: Level): void {
  try {
    const ctx = new AudioContext()
    const repeats = level === 'I' ? 3 : 2
    for (let r = 0; r < repeats; r += 1) {
      for (const [i, freq] of [880, 660].entries()) {
        const osc = ctx.createOscillator()
        const gain = ctx.createGain()
        osc.frequency.value = freq
        gain.gain.value = 0.15
        osc.connect(gain).connect(ctx.destination)
        const t0 = ctx.currentTime + r * 0.6 + i * 0.25
        osc.start(t0)
        osc.stop(t0 + 0.22)
      }
    }
    setTimeout(() => void ctx.close(), repeats * 700)
  } catch {
    // no audio device (a headless wall screen): the on-screen banner still shows
  }
}
