/**
 * Stream event types, as the server names them once: src/yingji/intake/events.py
 * (IntakeEvent) and src/yingji/command/events.py (CommandEvent). The strings are a contract
 * and never change; tests/test_event_types.py fails when this list and the server's differ.
 */

export const IntakeEvent = {
  created: 'incident.created',
  merged: 'incident.merged',
  status: 'incident.status',
  level: 'incident.level',
  deadline: 'incident.deadline',
  overdue: 'incident.overdue',
} as const

export const CommandEvent = {
  planActivated: 'plan.activated',
  planResponseRaised: 'plan.response_raised',
  taskAssigned: 'task.assigned',
  taskStatus: 'task.status',
  taskReassigned: 'task.reassigned',
  taskResources: 'task.resources',
  taskEscalated: 'task.escalated',
  aftermathListed: 'aftermath.listed',
  reviewSaved: 'review.saved',
  consultMessage: 'consult.message',
  consultDecision: 'consult.decision',
  warningIssued: 'warning.issued',
  warningUpdated: 'warning.updated',
  warningLifted: 'warning.lifted',
} as const

export type EventType =
  | (typeof IntakeEvent)[keyof typeof IntakeEvent]
  | (typeof CommandEvent)[keyof typeof CommandEvent]

/** The families the dashboard reacts to: the part of a type before its dot. */
export type EventFamily = 'incident' | 'plan' | 'task' | 'aftermath' | 'review' | 'consult' | 'warning'

/** Whether an event type belongs to one of the families (`task.status` is in `task`). */
export function inFamily(type: string, ...families: EventFamily[]): boolean {
  return families.some((f) => type.startsWith(`${f}.`))
}
