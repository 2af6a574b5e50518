// Command and dispatch (issue 6, docs/command.md): plans, activation, tasks, recommendations,
// consultation, warnings to the surroundings, aftermath, review, joint duty. One function per
// endpoint; the shapes are the API's answers as the dashboard reads them.
import { download, request } from './http'
import type { Level } from './incidents'
import type { Page } from './types'

export interface PlanSummary {
  id: number
  code: string
  name: string
  kind: 'plan' | 'onsite'
  headquarters_code: string | null
  current_version: number
  updated_at: string
}

export interface PlanResource {
  kind: string
  name: string
  skill?: string | null
  item_code?: string | null
  quantity?: number | null
  unit?: string | null
}

export interface PlanAction {
  title: string
  detail?: string
  deadline_min: number
  deadline_for: TaskStep
  resources: PlanResource[]
  notify: string[]
}

export interface PlanParty {
  type: PartyType
  code: string | null
  specialty: string | null
  actions: PlanAction[]
}

export interface PlanLevel {
  level: Level
  name?: string
  lead: { type: string; code: string; title: string }
  parties: PlanParty[]
}

export interface PlanCondition {
  fact: string
  op?: string
  value: string | number
  label: string
}

/** The plan document (the same as its YAML). */
export interface PlanBody {
  code: string
  name: string
  kind: 'plan' | 'onsite'
  headquarters: string | null
  description?: string
  applies_to: { categories: string[]; levels: Level[] }
  activation: { conditions: PlanCondition[]; note?: string }
  escalation: { office_after_min: number; committee_after_min: number }
  response_levels: PlanLevel[]
  aftermath: PlanParty[]
}

export interface PlanVersion {
  plan_id: number
  code: string
  version: number
  note: string
  created_at: string
  created_by: string
  body: PlanBody
}

export interface PlanSaved {
  plan: PlanSummary
  version: number
  created: boolean
}

/** A revision of a plan opened from a review lesson; closed by the plan's next version. */
export interface PlanRevision {
  id: number
  plan_id: number
  review_id: number
  lesson_index: number
  reason: string
  from_version: number
  to_version: number | null
  status: 'open' | 'closed'
  opened_at: string
  opened_by: string
  closed_at: string | null
}

export type PartyType = 'department' | 'subdistrict' | 'team' | 'expert' | 'headquarters' | 'committee'
export const TASK_STEPS = ['accepted', 'en_route', 'on_scene', 'completed'] as const
export type TaskStep = (typeof TASK_STEPS)[number]
export type TaskStatus = 'assigned' | TaskStep | 'refused' | 'reassigned'

export interface Suggestion {
  plan: { id: number; code: string; name: string; kind: string }
  version: number
  score: number
  category_match: string | null
  level_ok: boolean
  conditions_met: string[]
  conditions_unmet: string[]
  response_level: Level
  response_name: string
  lead: { type: string; code: string; title: string }
  task_count: number
}

export interface Activation {
  id: number
  incident_id: number
  plan: { id: number; code: string; name: string }
  plan_version: number
  plan_current_version: number | null
  response_level: Level
  response_name: string
  lead: { type: string; code: string; title: string }
  status: string
  activated_at: string
  activated_by: string
  ended_at: string | null
}

export interface AttachedResource {
  kind: string
  id: number
  name: string
  distance_m?: number | null
}

export interface Task {
  id: number
  incident_id: number
  activation_id: number | null
  phase: 'response' | 'aftermath'
  response_level: Level | null
  seq: number
  party: { type: PartyType; code: string; name: string }
  scope: { type: string; code: string }
  title: string
  detail: string
  status: TaskStatus
  status_name: string
  next_statuses: (TaskStep | 'refused')[]
  deadline_at: string | null
  deadline_for: TaskStep
  assigned_at: string
  accepted_at: string | null
  en_route_at: string | null
  on_scene_at: string | null
  completed_at: string | null
  refused_reason: string
  escalation_stage: number
  resources: PlanResource[]
  notify: string[]
  attached: AttachedResource[]
  report: string
  reassigned_from: number | null
  updated_at: string
}

export const RECOMMENDATION_KINDS = ['teams', 'experts', 'warehouses', 'stations', 'videos'] as const
export type RecommendationKind = (typeof RECOMMENDATION_KINDS)[number]

export interface Recommendation {
  id: number
  code: string
  name: string
  distance_m: number
  attach: AttachedResource & { kind: RecommendationKind }
  [key: string]: unknown
}

export interface Recommendations {
  incident_id: number
  center: { lon: number; lat: number }
  radius_m: number
  task_id: number | null
  results: Record<RecommendationKind, Recommendation[]>
}

export interface ConsultAttachment {
  name: string
  url: string
  content_type?: string
  size_bytes?: number | null
}

export interface ConsultMessage {
  id: number
  incident_id: number
  kind: 'message' | 'decision'
  at: string
  author: { id: string; name: string; scope: string }
  text: string
  attachments: ConsultAttachment[]
}

export const WARNING_COLOURS = ['red', 'orange', 'yellow', 'blue'] as const
export type WarningColour = (typeof WARNING_COLOURS)[number]
/** Warning colours on screen (the same four as the incident levels). */
export const WARNING_HEX: Record<WarningColour, string> = {
  red: '#d7191c',
  orange: '#f17c0e',
  yellow: '#e6c700',
  blue: '#1f78d1',
}

export interface WarningArea {
  circle?: { lon: number; lat: number; radius_m: number }
  polygon?: [number, number][]
}

export interface Warning {
  id: number
  incident_id: number
  status: 'active' | 'lifted' | 'expired'
  colour: WarningColour
  colour_name: string
  level: Level
  event: string
  headline: string
  description: string
  instruction: string
  area_desc: string
  area: WarningArea
  category_code: string | null
  issued_at: string
  updated_at: string
  expires_at: string | null
  lifted_at: string | null
  cap_url: string
  messages?: { id: number; identifier: string; msg_type: string; sent_at: string }[]
}

export interface WarningInput {
  colour: WarningColour
  event: string
  headline: string
  description: string
  instruction: string
  area_desc: string
  area: { circle?: { lon?: number; lat?: number; radius_m: number }; polygon?: [number, number][] }
}

export interface PartyMeasure {
  party_type: string
  party_code: string
  party_name: string
  tasks: number
  completed: number
  late: number
  to_accept_s: number | null
  to_on_scene_s: number | null
  to_complete_s: number | null
}

export interface Review {
  incident_id: number
  measured: {
    first_report_at: string | null
    verified_at: string | null
    activated_at: string | null
    first_on_scene_at: string | null
    closed_at: string | null
    report_to_verified_s: number | null
    verified_to_activated_s: number | null
    activated_to_first_on_scene_s: number | null
    total_s: number | null
    occurred_to_closed_s: number | null
    open: boolean
    tasks_total: number
    tasks_completed: number
    tasks_late: number
    per_party: PartyMeasure[]
  }
  summary: string
  lessons: { text: string; plan_id: number | null }[]
  author: string
  updated_at: string | null
  revisions: PlanRevision[]
}

export interface Shift {
  id: number
  department_code: string
  shift_name: string
  starts_at: string
  ends_at: string
  person_name: string
  phone: string
  post: string
}

export type ShiftInput = Omit<Shift, 'id'>

export interface OnDuty {
  department: { code: string; name: string; duty_phone: string }
  on_duty: Shift[]
}

export interface Handover {
  id: number
  department_code: string
  from_person: string
  to_person: string
  at: string
  notes: string
  open_items: string[]
  recorded_by: string
}

export interface DutySession {
  id: number
  title: string
  department_codes: string[]
  started_at: string
  ended_at: string | null
  started_by: string
  log?: { id: number; at: string; department_code: string | null; author: string; text: string }[]
}

export interface TaskFilters {
  incident_id?: number
  status?: string
  party_type?: string
  party_code?: string
  phase?: string
  overdue?: boolean
  limit?: number
  offset?: number
}

const YAML = 'application/yaml'

export const commandApi = {
  // 预案 plans
  plans: (query: { kind?: string; headquarters?: string; q?: string } = {}) =>
    request<Page<PlanSummary>>('/api/v1/plans', { query: { ...query, limit: 200 } }),
  plan: (id: number, version?: number) => request<PlanVersion>(`/api/v1/plans/${id}`, { query: { version } }),
  versions: (id: number) => request<PlanVersion[]>(`/api/v1/plans/${id}/versions`),
  planYaml: (id: number, version?: number) =>
    request<string>(`/api/v1/plans/${id}/yaml`, { query: { version }, text: true }),
  downloadYaml: (id: number, code: string, version?: number) =>
    download(`/api/v1/plans/${id}/yaml`, { version }, `${code}.yaml`),
  importYaml: (text: string, note: string, expectVersion?: number) =>
    request<PlanSaved>('/api/v1/plans:import', {
      method: 'POST',
      query: { note, expect_version: expectVersion },
      raw: { body: text, contentType: YAML },
    }),
  revisions: (id: number) => request<PlanRevision[]>(`/api/v1/plans/${id}/revisions`),

  // 启动 activation
  suggested: (incidentId: number) => request<Suggestion[]>(`/api/v1/incidents/${incidentId}/plans/suggested`),
  activate: (incidentId: number, planId: number, responseLevel?: Level) =>
    request<Activation & { tasks: Task[] }>(`/api/v1/incidents/${incidentId}/activations`, {
      json: { plan_id: planId, ...(responseLevel ? { response_level: responseLevel } : {}) },
    }),
  activations: (incidentId: number) => request<Activation[]>(`/api/v1/incidents/${incidentId}/activations`),
  raiseResponse: (activationId: number, level: Level, reason: string) =>
    request<unknown>(`/api/v1/activations/${activationId}/level`, { json: { level, reason } }),

  // 任务 tasks
  tasks: (filters: TaskFilters) => request<Page<Task>>('/api/v1/tasks', { query: { limit: 500, ...filters } }),
  moveTask: (id: number, to: TaskStep | 'refused', reason = '', report = '') =>
    request<Task>(`/api/v1/tasks/${id}/status`, { json: { to, reason, report } }),
  attach: (id: number, items: AttachedResource[]) =>
    request<Task>(`/api/v1/tasks/${id}/resources`, { json: { items } }),
  recommendations: (incidentId: number, taskId?: number) =>
    request<Recommendations>(`/api/v1/incidents/${incidentId}/recommendations`, { query: { task_id: taskId } }),
  addTask: (
    incidentId: number,
    task: { phase: 'response' | 'aftermath'; party_type: PartyType; party_code: string; title: string; deadline_min: number },
  ) => request<Task>(`/api/v1/incidents/${incidentId}/tasks`, { json: task }),
  listAftermath: (incidentId: number) => request<Task[]>(`/api/v1/incidents/${incidentId}/aftermath`, { method: 'POST' }),
  close: (incidentId: number, reason: string) =>
    request<unknown>(`/api/v1/incidents/${incidentId}/close`, { json: { reason } }),

  // 会商研判 consultation
  messages: (incidentId: number) =>
    request<Page<ConsultMessage>>(`/api/v1/incidents/${incidentId}/messages`, { query: { limit: 500 } }),
  post: (incidentId: number, kind: 'message' | 'decision', text: string, attachments: ConsultAttachment[] = []) =>
    request<ConsultMessage>(`/api/v1/incidents/${incidentId}/messages`, { json: { kind, text, attachments } }),

  // 周边预警 warnings
  warnings: (query: { incident_id?: number; status?: string } = {}) =>
    request<Page<Warning>>('/api/v1/warnings', { query: { limit: 500, ...query } }),
  warning: (id: number) => request<Warning>(`/api/v1/warnings/${id}`),
  issueWarning: (incidentId: number, body: WarningInput) =>
    request<Warning>(`/api/v1/incidents/${incidentId}/warnings`, { json: body }),
  updateWarning: (id: number, body: Partial<WarningInput>) =>
    request<Warning>(`/api/v1/warnings/${id}`, { method: 'PATCH', json: body }),
  liftWarning: (id: number, reason: string) => request<Warning>(`/api/v1/warnings/${id}/lift`, { json: { reason } }),
  capXml: (id: number) => request<string>(`/api/v1/warnings/${id}/cap`, { text: true }),

  // 总结评估 review and the report
  review: (incidentId: number) => request<Review>(`/api/v1/incidents/${incidentId}/review`),
  saveReview: (incidentId: number, summary: string, lessons: { text: string; plan_id: number | null }[]) =>
    request<Review>(`/api/v1/incidents/${incidentId}/review`, { method: 'PUT', json: { summary, lessons } }),
  openRevision: (incidentId: number, index: number) =>
    request<PlanRevision>(`/api/v1/incidents/${incidentId}/review/lessons/${index}/revision`, { method: 'POST' }),
  downloadReport: (incidentId: number) =>
    download(`/api/v1/incidents/${incidentId}/report.pdf`, {}, `incident-${incidentId}.pdf`),

  // 联合值守 joint duty
  onDuty: () => request<OnDuty[]>('/api/v1/duty/now'),
  shifts: (query: { department?: string; from?: string; to?: string } = {}) =>
    request<Page<Shift>>('/api/v1/duty/shifts', { query: { limit: 500, ...query } }),
  addShifts: (shifts: ShiftInput[]) => request<Shift[]>('/api/v1/duty/shifts', { json: { shifts } }),
  handovers: (query: { department?: string } = {}) =>
    request<Page<Handover>>('/api/v1/duty/handovers', { query: { limit: 100, ...query } }),
  addHandover: (h: Omit<Handover, 'id' | 'at' | 'recorded_by'>) => request<Handover>('/api/v1/duty/handovers', { json: h }),
  sessions: () => request<Page<DutySession>>('/api/v1/duty/sessions', { query: { limit: 50 } }),
  session: (id: number) => request<DutySession>(`/api/v1/duty/sessions/${id}`),
  startSession: (title: string, departmentCodes: string[]) =>
    request<DutySession>('/api/v1/duty/sessions', { json: { title, department_codes: departmentCodes } }),
  logSession: (id: number, text: string) => request<unknown>(`/api/v1/duty/sessions/${id}/log`, { json: { text } }),
  endSession: (id: number) => request<DutySession>(`/api/v1/duty/sessions/${id}/end`, { method: 'POST' }),
}

/** Who may command (activate, add tasks, warn, close), as the command API allows it. */
export const COMMANDERS = ['admin', 'duty_officer', 'hq_commander', 'committee']
export const PLAN_EDITORS = ['admin', 'duty_officer', 'hq_commander']

/** Seconds as "1 小时 5 分" / "1 h 5 min" (durations measured by the review). */
export function formatSeconds(seconds: number | null | undefined, en: boolean): string {
  if (seconds === null || seconds === undefined) return '—'
  const s = Math.round(seconds)
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const sec = s % 60
  if (en) return h ? `${h} h ${m} min` : m ? `${m} min ${sec} s` : `${sec} s`
  return h ? `${h} 小时 ${m} 分` : m ? `${m} 分 ${sec} 秒` : `${sec} 秒`
}

/** A task is late when its deadline passed before it reached the step the deadline is for. */
export function taskOverdue(task: Task, nowMs: number): boolean {
  if (!task.deadline_at || ['completed', 'refused', 'reassigned'].includes(task.status)) return false
  const reached = task.status === task.deadline_for || TASK_STEPS.indexOf(task.status as TaskStep) >= TASK_STEPS.indexOf(task.deadline_for)
  return !reached && Date.parse(task.deadline_at) < nowMs
}
