// Incidents, as the intake API (issue 3) names them: GET /api/v1/incidents (filtered,
// paginated), GET /api/v1/incidents/{id} (reports, timeline, routing), GET /api/v1/stream
// (Server-Sent Events, resumable with Last-Event-ID).
import { request } from './http'
import type { components } from './schema'
import type { Page } from './types'

export const LEVELS = ['I', 'II', 'III', 'IV'] as const
export type Level = (typeof LEVELS)[number]
export const STATUSES = ['reported', 'verified', 'responding', 'controlled', 'closed', 'false_alarm'] as const
export type Status = (typeof STATUSES)[number]
export const CHANNELS = ['notice', 'grid', 'public', 'internet', 'alarm', 'sensor', 'cap'] as const
export type Channel = (typeof CHANNELS)[number]

/** The four warning colours: red I, orange II, yellow III, blue IV. */
export const LEVEL_COLOURS: Record<Level, string> = {
  I: '#d7191c',
  II: '#f17c0e',
  III: '#e6c700',
  IV: '#1f78d1',
}

// The answers' shapes are generated from the spec (schema.d.ts); these are their names here.
type S = components['schemas']

export type NamedRef = S['NamedRef']

/** GB/T 35561 category as intake classified it: the code, the names at each level. */
export type Category = S['CategoryRead']

/** An incident as the board holds it: the live board's fields (GET /api/v1/dashboard/
 * open-incidents), and those of intake's IncidentRead when it came from the full list. */
export type Incident = S['BoardIncident'] &
  Partial<Omit<S['IncidentRead'], keyof S['BoardIncident'] | 'next_statuses'>> & {
    category: Partial<Category> & S['BoardCategory']
    next_statuses?: Status[] // in the full list and detail, not on the live board
  }

export type IncidentReport = S['ReportRead']
export type TimelineEntry = S['TimelineRead']
export type Routing = S['RoutingRead']
export type IncidentDetail = Incident & Pick<S['IncidentDetail'], 'reports' | 'timeline' | 'routing'>

/** One event of GET /api/v1/stream: its id is the SSE id (resume with Last-Event-ID). */
export interface StreamEvent {
  id: number
  type: string // incident.created, incident.merged, incident.status, incident.level, ...
  at: string
  incident_id: number
  level: Level
  payload: Partial<Incident> & { incident_id: number; status: Status; level: Level }
}

export interface IncidentFilters {
  status?: string
  level?: string
  category?: string
  subdistrict?: string
  headquarters?: string
  channel?: string
  since?: string
  until?: string
  /** Comma-separated fields, `-` for descending, e.g. `-level,occurred_at`. */
  sort?: string
  limit?: number
  offset?: number
}

export const incidentsApi = {
  list: (filters: IncidentFilters, signal?: AbortSignal) =>
    request<Page<Incident>>('/api/v1/incidents', { query: { ...filters }, signal }),
  get: (id: number | string) => request<IncidentDetail>(`/api/v1/incidents/${id}`),
  /** Every open incident, compactly (the board's own endpoint). */
  open: () => request<S['OpenIncidents']>('/api/v1/dashboard/open-incidents'),
  transition: (id: number, to: Status, reason: string) =>
    request<Incident>(`/api/v1/incidents/${id}/transitions`, { json: { to, reason } }),
  raiseLevel: (id: number, level: Level, reason: string) =>
    request<Incident>(`/api/v1/incidents/${id}/level`, { json: { level, reason } }),
}

/** Counts of incidents for the statistics panels (GET /api/v1/dashboard/stats). */
export type StatsBucket = S['StatsBucket']
export type IncidentStats = S['IncidentStats']

export const statsApi = {
  get: (query: { days?: number } = {}) => request<IncidentStats>('/api/v1/dashboard/stats', { query }),
}
