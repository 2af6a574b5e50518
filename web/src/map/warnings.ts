// A warning to the surroundings (周边预警) drawn on a map: its circle or polygon in the
// warning's colour, dashed once lifted.
import type { Geometry } from 'geojson'
import { WARNING_HEX, type Warning, type WarningArea } from '@/api/command'
import L from '@/map/leaflet'

/** Stored WGS-84 → the map's system (GCJ-02 tiles need a shift); the identity otherwise. */
export type ToMap = <G extends Geometry>(geometry: G) => G

/** Leaflet [lat, lon] of a stored [lon, lat], through the map's transform. */
function latLng(lon: number, lat: number, toMap: ToMap): L.LatLngTuple {
  const [x, y] = toMap({ type: 'Point', coordinates: [lon, lat] }).coordinates
  return [y, x]
}

/** The area as a Leaflet layer: a circle of radius_m, or a polygon. */
export function areaLayer(area: WarningArea, options: L.PathOptions, toMap: ToMap): L.Path | null {
  if (area.circle) {
    return L.circle(latLng(area.circle.lon, area.circle.lat, toMap), { ...options, radius: area.circle.radius_m })
  }
  if (area.polygon && area.polygon.length >= 3) {
    return L.polygon(
      area.polygon.map(([lon, lat]) => latLng(lon, lat, toMap)),
      options,
    )
  }
  return null
}

export function warningStyle(w: Pick<Warning, 'colour' | 'status'>): L.PathOptions {
  const colour = WARNING_HEX[w.colour]
  const active = w.status === 'active'
  return {
    color: colour,
    weight: active ? 2.5 : 1.5,
    dashArray: active ? undefined : '6 5',
    fillColor: colour,
    fillOpacity: active ? 0.22 : 0.06,
    className: `yj-warning yj-warning-${w.colour}`,
  }
}

/** The warning's area with `label` (in the user's language) as its tooltip. */
export function warningLayer(w: Warning, toMap: ToMap, label: string): L.Path | null {
  const layer = areaLayer(w.area, warningStyle(w), toMap)
  layer?.bindTooltip(label, { sticky: true })
  return layer
}
