// The base map the server configured (GET /api/v1/dashboard/config → map): Tianditu, AMap
// (GCJ-02: the callers shift the WGS-84 layers with gcj02.ts), tiles the platform serves
// itself (offline), a custom XYZ template, or none. The Content-Security-Policy allows
// exactly these tile hosts, so nothing else from outside loads.
import type { Map as LeafletMap } from 'leaflet'
import type { DashboardConfig } from '@/api/types'
import L from './leaflet'

export function addBasemap(m: LeafletMap, cfg: DashboardConfig['map'] | undefined): boolean {
  if (!cfg?.base) return false
  const common = { maxZoom: cfg.max_zoom, crossOrigin: false as const }
  L.tileLayer(cfg.base.url, {
    ...common,
    subdomains: cfg.base.subdomains || 'abc',
    attribution: cfg.base.attribution,
    className: 'yj-basemap',
  }).addTo(m)
  if (cfg.labels) {
    L.tileLayer(cfg.labels.url, { ...common, subdomains: cfg.labels.subdomains || 'abc', className: 'yj-basemap-labels' }).addTo(m)
  }
  return true
}
