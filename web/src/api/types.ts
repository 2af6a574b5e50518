// Shapes of the API answers the dashboard reads (see /docs for the full schema).
import type { Feature, FeatureCollection, Geometry, Point } from 'geojson'

export interface Page<T> {
  items: T[]
  total: number
  limit: number
  offset: number
}

export interface Me {
  id: number
  username: string
  display_name: string
  role: string
  role_label: string
  role_label_en: string
  scope_type: string
  scope_code: string | null
  phone: string
}

export interface TileLayerConfig {
  url: string
  subdomains: string
  attribution: string
}

export interface DashboardConfig {
  version: string
  map: {
    source?: 'none' | 'custom' | 'tianditu' | 'amap' | 'offline'
    base: TileLayerConfig | null
    labels: TileLayerConfig | null
    crs: 'wgs84' | 'gcj02'
    max_zoom: number
  }
  features: { incidents: boolean; stream: boolean; stats: boolean; resources?: boolean; command?: boolean }
}

export interface PersonRead {
  id: number
  name: string
  title: string
  phone: string
}

export interface Subdistrict {
  code: string
  name: string
  kind: 'subdistrict' | 'park'
  parent_code: string | null
  centroid: { lon: number; lat: number }
  area_km2: number
  population: number
  office_address: string
  duty_phone: string
  local_force: {
    id: number
    name: string
    duty_phone: string
    members: number
    leader: PersonRead | null
  } | null
  geometry: Geometry | null
}

interface Responsible {
  responsible_name: string
  responsible_phone: string
  responsible_title: string
}

export interface GridArea extends Responsible {
  code: string
  name: string
  subdistrict_code: string
  households: number
  population: number
  geometry: Geometry
}

export interface GridLine extends Responsible {
  code: string
  name: string
  subdistrict_code: string
  area_code: string | null
  length_m: number
  geometry: Geometry
}

export interface GridPointProps {
  code: string
  name: string
  kind: string
  subdistrict_code: string
  area_code: string | null
  responsible_name: string
  responsible_phone: string
}

export type GridPointCollection = FeatureCollection<Point, GridPointProps>
export type OutlineFeature = Feature<Geometry | null, { subdistricts: string[] }>
