// Resources (issue 5): supplies, teams, experts, micro rescue stations, video feeds, the map
// layers and the nearby search, as src/yingji/resources/views.py and supplies_views.py name them.
import type { FeatureCollection, Point } from 'geojson'
import { download, request } from './http'
import type { components } from './schema'
import type { Page } from './types'

const API = '/api/v1/resources'
const SUPPLIES = `${API}/supplies`

export const RESOURCE_KINDS = ['teams', 'experts', 'warehouses', 'stations', 'videos'] as const
export type ResourceKind = (typeof RESOURCE_KINDS)[number]
/** The kinds drawn as map layers (experts move about: they are found by the nearby search). */
export const MAP_KINDS = ['warehouses', 'teams', 'stations', 'videos'] as const
export type MapKind = (typeof MAP_KINDS)[number]

export const TEAM_KINDS = ['professional', 'flood', 'social', 'enterprise'] as const
export const TEAM_STATUSES = ['standby', 'deployed', 'off_duty'] as const
export const AVAILABILITIES = ['available', 'busy', 'unavailable'] as const
export const MOVEMENT_KINDS = ['in', 'out', 'transfer_out', 'transfer_in', 'allocate', 'return', 'write_off'] as const
export const REQUEST_STATUSES = ['pending', 'approved', 'refused', 'cancelled'] as const
export const VIDEO_STATUSES = ['online', 'offline', 'fault'] as const

// The answers' shapes are generated from the spec (schema.d.ts); these are their names here.
type S = components['schemas']

export type StockLine = S['StockLine']
export type Warehouse = S['WarehouseRead']
export type SupplyItem = S['ItemRead']
export type Movement = S['MovementRead']
export type ShareRequest = S['ShareRequestRead']
export type Alerts = S['AlertsRead']
export type Team = S['TeamRead']
export type TeamMember = S['MemberRead']
export type Expert = S['ExpertRead']
export type Station = S['StationRead']
export type StationSession = S['SessionRead']
export type VideoFeed = S['VideoRead']
export type ResourcesSummary = S['ResourcesSummary']
/** One row of the nearby answer: what the index keeps of the resource, with its distance. */
export type NearbyRow = S['NearbyRow']
export type NearbyAnswer = S['NearbyRead']

export interface NearbyQuery {
  incident_id?: string
  lon?: number
  lat?: number
  kinds?: string
  skill?: string
  specialty?: string
  item?: string
  quantity?: string
  radius_m?: number
  limit?: number
}

/** Map features: ``layer`` is the layer (``kind`` on teams is the team's own kind). */
export type ResourceFeatures = FeatureCollection<Point, S['LayerProperties']>

type Filters = Record<string, string | number | boolean | null | undefined>

export const resourcesApi = {
  summary: () => request<ResourcesSummary>(`${API}/summary`),
  map: (kinds: readonly string[]) => request<ResourceFeatures>(`${API}/map`, { query: { kinds: kinds.join(',') } }),
  nearby: (query: NearbyQuery) => request<NearbyAnswer>(`${API}/nearby`, { query: { ...query } }),

  teams: (filters: Filters) => request<Page<Team>>(`${API}/teams`, { query: filters }),
  members: (teamId: number, filters: Filters) =>
    request<Page<TeamMember>>(`${API}/teams/${teamId}/members`, { query: filters }),
  experts: (filters: Filters) => request<Page<Expert>>(`${API}/experts`, { query: filters }),
  stations: (filters: Filters) => request<Page<Station>>(`${API}/stations`, { query: filters }),
  sessions: (stationId: number) =>
    request<Page<StationSession>>(`${API}/stations/${stationId}/sessions`, { query: { limit: 100 } }),
  videos: (filters: Filters) => request<Page<VideoFeed>>(`${API}/videos`, { query: filters }),

  items: () => request<Page<SupplyItem>>(`${SUPPLIES}/items`, { query: { limit: 500 } }),
  warehouses: (filters: Filters) => request<Page<Warehouse>>(`${SUPPLIES}/warehouses`, { query: filters }),
  movements: (filters: Filters) => request<Page<Movement>>(`${SUPPLIES}/movements`, { query: filters }),
  requests: (filters: Filters) => request<Page<ShareRequest>>(`${SUPPLIES}/requests`, { query: filters }),
  alerts: (withinDays: number) => request<Alerts>(`${SUPPLIES}/alerts`, { query: { within_days: withinDays } }),
  createRequest: (body: {
    from_warehouse_id: number
    to_warehouse_id: number
    item_code: string
    quantity: number
    reason: string
  }) => request<ShareRequest>(`${SUPPLIES}/requests`, { json: body }),
  decide: (id: number, approve: boolean, note: string) =>
    request<S['DecisionRead']>(`${SUPPLIES}/requests/${id}/decision`, {
      json: { approve, note },
    }),
  cancel: (id: number) => request<ShareRequest>(`${SUPPLIES}/requests/${id}/cancel`, { method: 'POST' }),
  exportLedger: (warehouseId?: number) =>
    download(`${SUPPLIES}/ledger.xlsx`, { warehouse_id: warehouseId }, 'supplies-ledger.xlsx'),
  importLedger: (file: File) => {
    const data = new FormData()
    data.append('file', file)
    return request<S['yingji__resources__schemas__ImportResult']>(`${SUPPLIES}/ledger/import`, { multipart: data })
  },
}

/** Departments and sub-districts by code, for owner names. */
export interface OrgNames {
  departments: Record<string, string>
  subdistricts: Record<string, string>
}

export async function orgNames(): Promise<OrgNames> {
  const [departments, subdistricts] = await Promise.all([
    request<{ code: string; name: string }[]>('/api/v1/org/departments'),
    request<Page<{ code: string; name: string }>>('/api/v1/subdistricts', { query: { geometry: false, limit: 100 } }),
  ])
  return {
    departments: Object.fromEntries(departments.map((d) => [d.code, d.name])),
    subdistricts: Object.fromEntries(subdistricts.items.map((s) => [s.code, s.name])),
  }
}

let namesOnce: Promise<OrgNames> | null = null

/** The organisation's names, read once per page load (they change with a data import only). */
export function cachedOrgNames(): Promise<OrgNames> {
  namesOnce ??= orgNames().catch((err) => {
    namesOnce = null
    throw err
  })
  return namesOnce
}

export function ownerName(names: OrgNames | null, type: string, code: string): string {
  if (!code) return '—'
  const table = type === 'subdistrict' ? names?.subdistricts : names?.departments
  return table?.[code] ?? code
}
