import 'element-plus/dist/index.css'
import './style.css'
import { createPinia } from 'pinia'
import { createApp } from 'vue'
import App from './App.vue'
import { setUnauthorizedHandler } from './api/http'
import { i18n, currentLocale } from './i18n'
import { wgs84ToGcj02 } from './map/gcj02'
import { router } from './router'
import { useAuthStore } from './stores/auth'
import { setStreamUnauthorizedHandler, useIncidentsStore } from './stores/incidents'

document.documentElement.lang = currentLocale()
const app = createApp(App)
app.use(createPinia())
app.use(i18n)
app.use(router)

// Any 401 from the API ends the session: back to the login page, then to where the user was.
function sessionOver(): void {
  const auth = useAuthStore()
  useIncidentsStore().halt()
  auth.logout()
  const current = router.currentRoute.value
  if (current.name !== 'login') {
    void router.push({ name: 'login', query: { redirect: current.fullPath, expired: '1' } })
  }
}
setUnauthorizedHandler(sessionOver)
setStreamUnauthorizedHandler(sessionOver)

// For the browser console and the browser tests: the edge transforms the map applies.
;(window as unknown as { yingji: object }).yingji = { geo: { wgs84ToGcj02 } }

app.mount('#app')
