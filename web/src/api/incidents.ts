// Incidents, as the intake API (issue 3) names them: GET /api/v1/incidents (filtered,
// paginated), GET /api/v1/incidents/{id} (reports, timeline, routing), GET /api/v1/stream
// (Server-Sent Events, resumable with Last-Event-ID).
import { request } from './http'
import type { Page } from './types'

export const LEVELS = ['I', 'II', 'III', 'IV'] as const
export type Level = (typeof LEVELS)[number]
export const STATUSES = ['reported', 'verified', 'responding', 'controlled', 'closed', 'false_alarm', 'merged'] as const
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
  merged_into_id?: number | null // status merged: the incident a duty officer merged it into
  level_floor?: Level | null // the level an officer set by hand
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
  category_code?: string | null
  lon?: number | null
  lat?: number | null
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
  withdrawn_at?: string | null // no longer routed there (a correction moved it away)
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

/** A duty officer's correction as the API keeps it (GET /api/v1/screening/corrections). */
export interface Correction {
  id: number
  at: string
  kind: 'merge' | 'split' | 'move' | 'reclassify' | 'relocate'
  actor: { type?: string; id?: string; name?: string }
  reason: string
  incident_id: number
  incident_ids: number[]
  report_ids: number[]
  data: Record<string, unknown>
}

/** What a correction answers: the incident the reports are in now and the others changed. */
export interface Corrected {
  incident: Incident
  others: Incident[]
  correction: Correction
}

export interface CategoryOption {
  code: string
  name: string
  name_en: string
  display: string
}

/** The duty officer's tools (甄别研判): merge, split, move, re-classify, re-locate. */
export const screeningApi = {
  merge: (incidentIds: number[], leadId: number, reason: string) =>
    request<Corrected>('/api/v1/incidents/merge', {
      json: { incident_ids: incidentIds, lead_id: leadId, reason },
    }),
  split: (incidentId: number, reportId: number, reason: string) =>
    request<Corrected>(`/api/v1/incidents/${incidentId}/reports/${reportId}/split`, { json: { reason } }),
  move: (incidentId: number, reportId: number, toIncidentId: number, reason: string) =>
    request<Corrected>(`/api/v1/incidents/${incidentId}/reports/${reportId}/move`, {
      json: { to_incident_id: toIncidentId, reason },
    }),
  reclassify: (incidentId: number, categoryCode: string, reason: string) =>
    request<Corrected>(`/api/v1/incidents/${incidentId}/category`, {
      json: { category_code: categoryCode, reason },
    }),
  relocate: (
    incidentId: number,
    where: { lon: number; lat: number; crs: 'wgs84' | 'gcj02'; address?: string } | { address: string },
    reason: string,
  ) => request<Corrected>(`/api/v1/incidents/${incidentId}/location`, { json: { ...where, reason } }),
  categories: () => request<CategoryOption[]>('/api/v1/screening/categories'),
  corrections: (incident?: number) =>
    request<Page<Correction>>('/api/v1/screening/corrections', { query: { incident, limit: 50 } }),
}

/** Roles that screen (甄别研判) and so may correct the machine; the server checks again. */
export const SCREENERS = ['admin', 'duty_officer']
