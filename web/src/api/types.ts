// Shapes of the API answers the dashboard reads (see /docs for the full schema).
import type { Feature, FeatureCollection, Geometry, Point } from 'geojson'
import type { components } from './schema'

export interface Page<T> {
  items: T[]
  total: number
  limit: number
  offset: number
}

type S = components['schemas']

export type Me = S['Me']
export type TileLayerConfig = S['TileLayerConfig']
export type DashboardConfig = S['DashboardConfig']
export type PersonRead = S['PersonRead']
/** GeoJSON geometries are plain objects in the spec; @types/geojson types them finer. */
export type Subdistrict = Omit<S['SubdistrictRead'], 'geometry'> & { geometry: Geometry | null }

export type GridArea = Omit<S['AreaRead'], 'geometry'> & { geometry: Geometry }
export type GridLine = Omit<S['LineRead'], 'geometry'> & { geometry: Geometry }

/** The properties of GET /api/v1/grid/points.geojson's features (a file route: its body is
 * GeoJSON the spec names by media type only). */
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
export type OutlineFeature = Feature<Geometry | null, S['OutlineProperties']>
