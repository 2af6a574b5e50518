// Command and dispatch (issue 6, docs/command.md): plans, activation, tasks, recommendations,
// consultation, warnings to the surroundings, aftermath, review, joint duty. One function per
// endpoint; the shapes are the API's answers as the dashboard reads them.
import { download, request } from './http'
import type { Level } from './incidents'
import type { components } from './schema'
import type { Page } from './types'

// The shapes are generated from the API's spec (schema.d.ts, `npm run api-types`); the names
// below are the dashboard's own for them.
type S = components['schemas']

export type PlanSummary = S['PlanRead']
export type PlanResource = S['PlanResourceDoc']
export type PlanAction = S['PlanActionDoc']
export type PlanParty = S['PlanPartyDoc']
export type PlanLevel = S['PlanLevelDoc']
export type PlanCondition = S['PlanConditionDoc']
/** The plan document (the same as its YAML). */
export type PlanBody = S['PlanDocumentRead']
export type PlanVersion = S['PlanVersionRead']
export type PlanSaved = S['PlanSaved']
/** A revision of a plan opened from a review lesson; closed by the plan's next version. */
export type PlanRevision = S['RevisionRead']

export type PartyType = S['PlanPartyDoc']['type']
export const TASK_STEPS = ['accepted', 'en_route', 'on_scene', 'completed'] as const
export type TaskStep = (typeof TASK_STEPS)[number]
export type TaskStatus = S['TaskRead']['status']

export type Suggestion = S['Suggestion']
export type Activation = S['ActivationRead']
export type ActivationWithTasks = S['ActivationWithTasks']
export type AttachedResource = S['AttachedRead']
export type Task = S['TaskRead']

export const RECOMMENDATION_KINDS = ['teams', 'experts', 'warehouses', 'stations', 'videos'] as const
export type RecommendationKind = (typeof RECOMMENDATION_KINDS)[number]
export type Recommendation = S['Recommendation']
export type Recommendations = S['Recommendations']

export type ConsultAttachment = S['AttachmentRead']
export type ConsultMessage = S['MessageRead']

export const WARNING_COLOURS = ['red', 'orange', 'yellow', 'blue'] as const
export type WarningColour = (typeof WARNING_COLOURS)[number]
/** Warning colours on screen (the same four as the incident levels). */
export const WARNING_HEX: Record<WarningColour, string> = {
  red: '#d7191c',
  orange: '#f17c0e',
  yellow: '#e6c700',
  blue: '#1f78d1',
}

export type WarningArea = S['WarningAreaRead']
export type Warning = S['WarningRead']
export type WarningInput = S['WarningIn']

export type PartyMeasure = S['PartyMeasure']
export type Review = S['ReviewRead']

export type Shift = S['ShiftRead']
export type ShiftInput = S['ShiftIn']
export type OnDuty = S['OnDutyRead']
export type Handover = S['HandoverRead']
export type HandoverInput = S['HandoverIn']
export type DutySession = S['DutySessionRead']

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
    request<ActivationWithTasks>(`/api/v1/incidents/${incidentId}/activations`, {
      json: { plan_id: planId, ...(responseLevel ? { response_level: responseLevel } : {}) },
    }),
  activations: (incidentId: number) => request<Activation[]>(`/api/v1/incidents/${incidentId}/activations`),
  raiseResponse: (activationId: number, level: Level, reason: string) =>
    request<ActivationWithTasks>(`/api/v1/activations/${activationId}/level`, { json: { level, reason } }),

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
    request<S['IncidentClosed']>(`/api/v1/incidents/${incidentId}/close`, { json: { reason } }),

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
  addHandover: (h: HandoverInput) => request<Handover>('/api/v1/duty/handovers', { json: h }),
  sessions: () => request<Page<DutySession>>('/api/v1/duty/sessions', { query: { limit: 50 } }),
  session: (id: number) => request<DutySession>(`/api/v1/duty/sessions/${id}`),
  startSession: (title: string, departmentCodes: string[]) =>
    request<DutySession>('/api/v1/duty/sessions', { json: { title, department_codes: departmentCodes } }),
  logSession: (id: number, text: string) => request<DutySession>(`/api/v1/duty/sessions/${id}/log`, { json: { text } }),
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
