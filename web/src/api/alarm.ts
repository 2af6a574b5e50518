// The one-key alarm (一键报警, issue 17): the citizen's POST and what follows it with the
// alarm's own secret, the station's steps, and the staff's reads. Shapes generated from the
// spec (schema.d.ts).
import { request } from './http'
import type { components } from './schema'
import type { Page } from './types'

type S = components['schemas']

export type AlarmIn = S['AlarmIn']
export type AlarmAccepted = S['AlarmAccepted']
export type AlarmStatus = S['AlarmStatus']
export type AlarmRead = S['AlarmRead']
export type AlarmDetail = S['AlarmDetail']
export type AlarmKind = NonNullable<AlarmIn['kind']>
export type StationStep = S['StationMoveIn']['status']

export const ALARM_KINDS: AlarmKind[] = ['fire', 'medical', 'police', 'other']
export const NUMBERS = [
  { number: '110', key: 'police' },
  { number: '119', key: 'fire' },
  { number: '120', key: 'ambulance' },
] as const

export const alarmApi = {
  status: (id: number, secret: string) =>
    request<AlarmStatus>(`/api/v1/alarms/${id}/status`, { auth: false, query: { secret } }),
  list: (query: { limit?: number; offset?: number; since?: string } = {}) =>
    request<Page<AlarmRead>>('/api/v1/alarms', { query }),
  get: (id: number) => request<AlarmDetail>(`/api/v1/alarms/${id}`),
  ofIncident: async (incidentId: number): Promise<AlarmRead[]> => {
    const page = await request<Page<AlarmRead>>('/api/v1/alarms', { query: { limit: 200 } })
    return page.items.filter((a) => a.incident_id === incidentId)
  },
  station: (id: number, status: StationStep) =>
    request<AlarmDetail>(`/api/v1/alarms/${id}/station`, { json: { status } }),
}
