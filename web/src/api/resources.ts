// Resources (issue 5): supplies, teams, experts, micro rescue stations, video feeds, the map
// layers and the nearby search, as src/yingji/resources/views.py and supplies_views.py name them.
import type { FeatureCollection, Point } from 'geojson'
import { download, request } from './http'
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

export interface StockLine {
  item_code: string
  item_name: string
  unit: string
  quantity: number
  usable_quantity: number
}

export interface Warehouse {
  id: number
  code: string
  name: string
  owner_type: 'department' | 'subdistrict'
  owner_code: string
  subdistrict_code: string
  lon: number
  lat: number
  address: string
  keeper_name: string
  keeper_phone: string
  area_m2: number
  notes: string
  updated_at: string
  can_write: boolean
  stock: StockLine[] | null
}

export interface SupplyItem {
  code: string
  name: string
  name_en: string
  unit: string
  whole_units: boolean
  category: string
  category_name: string
}

export interface Movement {
  id: number
  at: string
  kind: (typeof MOVEMENT_KINDS)[number]
  warehouse_id: number
  batch_id: number
  item_code: string
  quantity: number
  balance_after: number
  incident_ref: string | null
  counterpart_warehouse_id: number | null
  request_id: number | null
  reason: string
  actor_name: string
}

export interface ShareRequest {
  id: number
  status: (typeof REQUEST_STATUSES)[number]
  from_warehouse_id: number
  to_warehouse_id: number
  item_code: string
  quantity: number
  reason: string
  incident_ref: string | null
  requested_by: string
  requested_at: string
  decided_by: string | null
  decided_at: string | null
  decision_note: string
}

export interface Alerts {
  as_of: string
  within_days: number
  low_stock: {
    warehouse_id: number
    warehouse_name: string
    item_code: string
    item_name: string
    unit: string
    quantity: number
    min_quantity: number
  }[]
  expiring: {
    warehouse_id: number
    warehouse_name: string
    batch_id: number
    batch_no: string
    item_code: string
    item_name: string
    quantity: number
    expiry_date: string
    days_left: number
    expired: boolean
  }[]
}

export interface Equipment {
  name: string
  quantity: number
  unit: string
}

export interface Team {
  id: number
  code: string
  name: string
  kind: (typeof TEAM_KINDS)[number]
  kind_name: string
  owner_type: string
  owner_code: string
  skills: string[]
  equipment: Equipment[]
  leader_name: string
  leader_phone: string
  duty_phone: string
  lon: number
  lat: number
  subdistrict_code: string
  address: string
  agreement_until: string | null
  status: (typeof TEAM_STATUSES)[number]
  status_incident_ref: string | null
  status_changed_at: string
  members: number
}

export interface TeamMember {
  id: number
  team_id: number
  name: string
  role: string
  phone: string
  skills: string[]
  certificates: string[]
}

export interface Expert {
  id: number
  code: string
  name: string
  specialties: string[]
  title: string
  organisation: string
  phone: string
  email: string
  availability: (typeof AVAILABILITIES)[number]
  lon: number
  lat: number
  subdistrict_code: string
}

export interface Vehicle {
  kind: string
  plate: string
  count: number
}

export interface Station {
  id: number
  code: string
  name: string
  subdistrict_code: string
  lon: number
  lat: number
  address: string
  leader_name: string
  duty_phone: string
  members: { name: string; role: string; phone: string }[]
  vehicles: Vehicle[]
  equipment: Equipment[]
  facilities: string[]
  trainings: number
  drills: number
}

export interface StationSession {
  id: number
  kind: 'training' | 'drill'
  title: string
  held_on: string
  participants: number
  notes: string
}

export interface VideoFeed {
  id: number
  code: string
  name: string
  owner_department_code: string
  lon: number
  lat: number
  subdistrict_code: string
  stream_kind: 'hls' | 'rtsp' | 'snapshot'
  stream_url: string
  view_range_m: number
  status: (typeof VIDEO_STATUSES)[number]
  status_checked_at: string | null
}

export interface ResourcesSummary {
  teams: Record<string, { total: number; by_status: Record<string, number>; members: number }>
  experts: { total: number; by_availability: Record<string, number>; by_specialty: Record<string, number> }
  stations: { total: number; vehicles: Record<string, number> }
  videos: { total: number; by_status: Record<string, number> }
  supplies: { warehouses: number; low_stock: number; expiring: number; pending_requests: number }
}

/** One row of the nearby answer: what the index keeps of the resource, with its distance. */
export interface NearbyRow {
  id: number
  distance_m: number
  lon: number
  lat: number
  code: string
  name: string
  [key: string]: unknown
}

export interface NearbyAnswer {
  center: { lon: number; lat: number }
  incident_id: string | null
  radius_m: number
  kinds: ResourceKind[]
  totals: Partial<Record<ResourceKind, number>>
  results: Partial<Record<ResourceKind, NearbyRow[]>>
}

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
export type ResourceFeatures = FeatureCollection<Point, { layer: MapKind; kind: string; id: number; code: string; name: string; [key: string]: unknown }>

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
    request<{ request: ShareRequest; movements: Movement[] }>(`${SUPPLIES}/requests/${id}/decision`, {
      json: { approve, note },
    }),
  cancel: (id: number) => request<ShareRequest>(`${SUPPLIES}/requests/${id}/cancel`, { method: 'POST' }),
  exportLedger: (warehouseId?: number) =>
    download(`${SUPPLIES}/ledger.xlsx`, { warehouse_id: warehouseId }, 'supplies-ledger.xlsx'),
  importLedger: (file: File) => {
    const data = new FormData()
    data.append('file', file)
    return request<{ rows: number; movements: number }>(`${SUPPLIES}/ledger/import`, { multipart: data })
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
