// Following GET /api/v1/stream (Server-Sent Events). fetch-event-source instead of the
// browser's EventSource: it sends the Authorization header (no token in the URL, where it
// would land in access logs) and Last-Event-ID on every reconnect, so the server replays
// from the database whatever was missed while the network was down.
import { EventStreamContentType, fetchEventSource } from '@microsoft/fetch-event-source'
import { getToken } from './http'

export type LiveState = 'connecting' | 'live' | 'reconnecting'

export interface LiveEvent {
  id: string
  type: string
  data: unknown
}

class FatalStreamError extends Error {}

const MAX_RETRY_MS = 15_000

/** Follow the stream until the returned function is called. */
export function followStream(
  query: Record<string, string>,
  lastEventId: string | null,
  onEvent: (event: LiveEvent) => void,
  onState: (state: LiveState) => void,
  onUnauthorized: () => void,
): () => void {
  const controller = new AbortController()
  let failures = 0
  const url = '/api/v1/stream' + (Object.keys(query).length ? `?${new URLSearchParams(query)}` : '')
  onState('connecting')
  void fetchEventSource(url, {
    signal: controller.signal,
    openWhenHidden: true, // the wall screen of the command hall is never "visible" to anyone
    // Resuming (a new call after going offline): the server replays what came after this id.
    // Within one call the library sends the id it last saw on every retry by itself.
    headers: {
      Authorization: `Bearer ${getToken() ?? ''}`,
      ...(lastEventId ? { 'Last-Event-ID': lastEventId } : {}),
    },
    async onopen(response) {
      if (response.status === 401) {
        onUnauthorized()
        throw new FatalStreamError('unauthorized')
      }
      if (!response.ok || !response.headers.get('content-type')?.startsWith(EventStreamContentType)) {
        throw new Error(`stream answered ${response.status}`)
      }
      failures = 0
      onState('live')
    },
    onmessage(message) {
      if (!message.data) return // keep-alive comment or empty event
      let data: unknown = message.data
      try {
        data = JSON.parse(message.data)
      } catch {
        // not JSON: pass the text on
      }
      onEvent({ id: message.id, type: message.event || 'message', data })
    },
    onclose() {
      // The server ended the stream (restart, deploy): reconnect with Last-Event-ID.
      throw new Error('stream closed')
    },
    onerror(err) {
      if (err instanceof FatalStreamError) throw err
      failures += 1
      onState('reconnecting')
      return Math.min(MAX_RETRY_MS, 500 * 2 ** Math.min(failures, 5))
    },
  }).catch(() => {
    // fatal (401) or aborted: nothing more to do
  })
  return () => controller.abort()
}
