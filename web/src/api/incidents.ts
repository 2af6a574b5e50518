// Incidents, as the intake API (issue 3) names them: GET /api/v1/incidents (filtered,
// paginated), GET /api/v1/incidents/{id} (reports, timeline, routing), GET /api/v1/stream
// (Server-Sent Events, resumable with Last-Event-ID).
import { request } from './http'
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

export interface NamedRef {
  code: string
  name: string
}

/** GB/T 35561 category as intake classified it: the code, the names at each level. */
export interface Category {
  code: string | null
  names: string[]
  display: string
  confidence: number
  low_confidence: boolean
  source: string
}

/** GET /api/v1/incidents items (intake's IncidentRead). */
export interface Incident {
  id: number
  title: string
  status: Status
  status_name?: string
  level: Level
  needs_assessment: boolean
  category: Category
  occurred_at: string
  created_at: string
  updated_at: string
  lon: number | null
  lat: number | null
  address: string
  subdistrict: NamedRef | null
  headquarters: NamedRef | null
  location?: Record<string, unknown>
  casualties?: Record<string, number | null>
  direct_loss_cny?: number | null
  report_count: number
  channels: Channel[]
  overdue: boolean
  next_statuses?: Status[] // in the full list and detail, not on the live board
}

export interface IncidentReport {
  id: number
  channel: Channel
  source_id: string
  received_at: string
  occurred_at: string
  title: string
  text: string
  address: string
  reporter: { name?: string; phone?: string }
  merged: boolean
}

export interface TimelineEntry {
  id: number
  // a report's pipeline steps share one record id; seq tells them apart
  seq: number
  at: string
  kind: string
  result: string
  duration_ms: number | null
  actor: { type?: string; id?: string; name?: string }
  message: string
  message_en: string
}

export interface Routing {
  target_type: string
  target_code: string
  target_name: string
  reason: string
  routed_at: string
}

export interface IncidentDetail extends Incident {
  reports: IncidentReport[]
  timeline: TimelineEntry[]
  routing: Routing[]
}

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
  open: () => request<{ items: Incident[]; total: number }>('/api/v1/dashboard/open-incidents'),
  transition: (id: number, to: Status, reason: string) =>
    request<Incident>(`/api/v1/incidents/${id}/transitions`, { json: { to, reason } }),
  raiseLevel: (id: number, level: Level, reason: string) =>
    request<Incident>(`/api/v1/incidents/${id}/level`, { json: { level, reason } }),
}

/** Counts of incidents for the statistics panels (GET /api/v1/dashboard/stats). */
export interface StatsBucket {
  key: string
  name: string
  name_en: string
  count: number
}

export interface IncidentStats {
  total: number
  open: number
  since: string
  until: string
  by_category: StatsBucket[]
  by_level: StatsBucket[]
  by_subdistrict: StatsBucket[]
  by_channel: StatsBucket[]
  by_status: StatsBucket[]
  by_hour: { at: string; count: number }[]
  by_day: { at: string; count: number }[]
}

export const statsApi = {
  get: (query: { days?: number } = {}) => request<IncidentStats>('/api/v1/dashboard/stats', { query }),
}
