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

export interface Incident {
  id: number
  title: string
  status: Status
  level: Level
  category_code: string
  category_name: string
  subdistrict_code: string | null
  headquarters_code: string | null
  channels: Channel[]
  report_count: number
  occurred_at: string
  created_at: string
  updated_at: string
  last_report_at: string
  lon: number | null
  lat: number | null
  address: string
  needs_assessment: boolean
  low_confidence: boolean
}

export interface IncidentReport {
  id: number
  channel: Channel
  title: string
  text: string
  received_at: string
  reporter_name?: string
}

export interface TimelineEntry {
  id: number
  at: string
  kind: string
  result: string
  duration_ms: number | null
  actor_name: string
  message: string
  message_en: string
}

export interface IncidentDetail extends Incident {
  reports: IncidentReport[]
  timeline: TimelineEntry[]
  routing?: Record<string, unknown>
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
  sort?: string
  limit?: number
  offset?: number
}

export const incidentsApi = {
  list: (filters: IncidentFilters, signal?: AbortSignal) =>
    request<Page<Incident>>('/api/v1/incidents', { query: { ...filters }, signal }),
  get: (id: number | string) => request<IncidentDetail>(`/api/v1/incidents/${id}`),
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
