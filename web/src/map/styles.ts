// How each layer is drawn. Colours are the map's own; the four warning colours (red, orange,
// yellow, blue) are kept for incidents.
import type { PathOptions } from 'leaflet'

export const OUTLINE_STYLE: PathOptions = {
  color: '#7b1e1e',
  weight: 3.5,
  fill: false,
  interactive: false,
  className: 'yj-outline',
}

export const SUBDISTRICT_STYLE: PathOptions = {
  color: '#1f3a68',
  weight: 1.6,
  fillColor: '#4a6fa5',
  fillOpacity: 0.07,
  className: 'yj-subdistrict',
}

export const PARK_STYLE: PathOptions = {
  color: '#1e7b4f',
  weight: 1.4,
  dashArray: '6 4',
  fillColor: '#2ecc71',
  fillOpacity: 0.08,
  className: 'yj-park',
}

export const AREA_STYLE: PathOptions = {
  color: '#2e86de',
  weight: 1,
  fillColor: '#54a0ff',
  fillOpacity: 0.1,
  className: 'yj-area',
}

export const LINE_STYLE: PathOptions = { color: '#d35400', weight: 2.2, opacity: 0.85, className: 'yj-line' }

export const SELECTED_STYLE: PathOptions = { color: '#c0392b', weight: 3.5 }

const KIND_PALETTE = ['#8e44ad', '#16a085', '#2c3e50', '#27ae60', '#e84393', '#0984e3', '#6c5ce7', '#b33939']

/** A stable colour for each kind of grid point (shop, school, factory...). */
export function kindColour(kind: string): string {
  let h = 0
  for (const ch of kind) h = (h * 31 + ch.charCodeAt(0)) >>> 0
  return KIND_PALETTE[h % KIND_PALETTE.length]
}
