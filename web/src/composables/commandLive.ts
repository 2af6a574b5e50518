// Command pages follow the one stream the shell already reads (stores/incidents): task,
// consultation, warning, plan and review events reach them without a reload.
import { onBeforeUnmount, onMounted, ref } from 'vue'
import type { StreamEvent } from '@/api/incidents'
import { useIncidentsStore } from '@/stores/incidents'

const COMMAND_PREFIXES = ['task.', 'consult.', 'warning.', 'plan.', 'aftermath.', 'review.', 'incident.']

/** Call `refresh` (at most once per `delayMs`) after each command event `accept` takes. */
export function useCommandEvents(
  accept: (event: StreamEvent) => boolean,
  refresh: (events: StreamEvent[]) => void,
  delayMs = 150,
): void {
  const live = useIncidentsStore()
  let pending: StreamEvent[] = []
  let timer: ReturnType<typeof setTimeout> | null = null
  let stop: (() => void) | null = null
  onMounted(() => {
    stop = live.subscribe((event) => {
      if (!COMMAND_PREFIXES.some((p) => event.type.startsWith(p)) || !accept(event)) return
      pending.push(event)
      if (timer) return
      timer = setTimeout(() => {
        timer = null
        const batch = pending
        pending = []
        refresh(batch)
      }, delayMs)
    })
  })
  onBeforeUnmount(() => {
    stop?.()
    if (timer) clearTimeout(timer)
  })
}

/** The time now, ticking every `everyMs` (deadlines turn overdue while the page is open). */
export function useNow(everyMs = 10_000) {
  const now = ref(Date.now())
  let handle: ReturnType<typeof setInterval> | null = null
  onMounted(() => {
    handle = setInterval(() => (now.value = Date.now()), everyMs)
  })
  onBeforeUnmount(() => {
    if (handle) clearInterval(handle)
  })
  return now
}
