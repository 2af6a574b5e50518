// Resource layers of the map (warehouses, teams, micro stations, cameras): one small glyph
// marker each, in colours apart from the four warning colours kept for incidents.
import type { MapKind } from '@/api/resources'
import L from '@/map/leaflet'

export const RESOURCE_MARKS: Record<MapKind, { glyph: string; colour: string }> = {
  warehouses: { glyph: '库', colour: '#6d4c41' },
  teams: { glyph: '队', colour: '#2e7d32' },
  stations: { glyph: '站', colour: '#00796b' },
  videos: { glyph: '视', colour: '#455a64' },
}

const icons = new Map<MapKind, L.DivIcon>()

export function resourceIcon(kind: MapKind): L.DivIcon {
  let icon = icons.get(kind)
  if (!icon) {
    const { glyph, colour } = RESOURCE_MARKS[kind]
    icon = L.divIcon({
      html: `<span style="background:${colour}">${glyph}</span>`,
      className: `yj-res yj-res-${kind}`,
      iconSize: L.point(22, 22),
    })
    icons.set(kind, icon)
  }
  return icon
}
