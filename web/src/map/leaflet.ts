// Leaflet with the marker-cluster plugin. The plugin's UMD build looks for a global `L`, so
// this module puts Leaflet there first (ES modules evaluate in import order).
import 'leaflet/dist/leaflet.css'
import 'leaflet.markercluster/dist/MarkerCluster.css'
import 'leaflet.markercluster/dist/MarkerCluster.Default.css'
import L from './leaflet-global'
import 'leaflet.markercluster'

export default L
