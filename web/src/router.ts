import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import type { DashboardConfig } from '@/api/types'
import { useAuthStore } from '@/stores/auth'

type Feature = keyof DashboardConfig['features']

/** The pages of the shell, in navigation order. A page is in the menu only when it exists
 * and the server has the API it shows (the incident pages need the intake API). Resources
 * (资源) and plans (预案) join when their issues are built. */
export interface NavPage {
  name: string
  path: string
  label: string
  icon: string
  feature?: Feature
  /** Pages of one group share a menu entry that opens a list (资源: supplies, teams...). */
  group?: string
}

export const NAV_PAGES: NavPage[] = [
  { name: 'map', path: '/map', label: 'nav.map', icon: 'MapLocation' },
  { name: 'queue', path: '/queue', label: 'nav.queue', icon: 'Bell', feature: 'incidents' },
  { name: 'incidents', path: '/incidents', label: 'nav.incidents', icon: 'List', feature: 'incidents' },
  { name: 'stats', path: '/stats', label: 'nav.stats', icon: 'DataAnalysis', feature: 'stats' },
  // Resources (issue 5)
  { name: 'supplies', path: '/resources/supplies', label: 'res.nav.supplies', icon: 'Box', feature: 'resources', group: 'resources' },
  { name: 'teams', path: '/resources/teams', label: 'res.nav.teams', icon: 'Flag', feature: 'resources', group: 'resources' },
  { name: 'experts', path: '/resources/experts', label: 'res.nav.experts', icon: 'Reading', feature: 'resources', group: 'resources' },
  { name: 'stations', path: '/resources/stations', label: 'res.nav.stations', icon: 'FirstAidKit', feature: 'resources', group: 'resources' },
  { name: 'videos', path: '/resources/videos', label: 'res.nav.videos', icon: 'VideoCamera', feature: 'resources', group: 'resources' },
  // Command and dispatch (issue 6)
  { name: 'plans', path: '/plans', label: 'nav.plans', icon: 'Notebook', feature: 'command' },
  { name: 'tasks', path: '/tasks', label: 'cmd.nav.tasks', icon: 'Checked', feature: 'command' },
  { name: 'duty', path: '/duty', label: 'cmd.nav.duty', icon: 'Calendar', feature: 'command' },
  // Notifications (issue 14: the notification seam)
  { name: 'notify', path: '/notify', label: 'notify.nav', icon: 'Message', feature: 'command' },
  // Enterprises and dual prevention (issue 15)
  { name: 'enterprises', path: '/enterprises', label: 'ent.nav', icon: 'OfficeBuilding' },
]

export function pageAvailable(feature: Feature | undefined, config: DashboardConfig | null): boolean {
  return !feature || Boolean(config?.features[feature])
}

const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('@/views/LoginView.vue'), meta: { public: true } },
  // The one-key alarm (issue 17): the citizen's page needs no login; the station's phone page
  // is a page of its own too (no dashboard shell on a phone).
  { path: '/alarm', name: 'alarm', component: () => import('@/views/alarm/AlarmPage.vue'), meta: { public: true } },
  { path: '/station', name: 'station', component: () => import('@/views/alarm/StationPage.vue') },
  {
    path: '/',
    component: () => import('@/layouts/AppShell.vue'),
    children: [
      { path: '', redirect: { name: 'map' } },
      { path: 'map', name: 'map', component: () => import('@/views/MapView.vue') },
      {
        path: 'queue',
        name: 'queue',
        component: () => import('@/views/QueueView.vue'),
        meta: { feature: 'incidents' },
      },
      {
        path: 'incidents',
        name: 'incidents',
        component: () => import('@/views/IncidentsView.vue'),
        meta: { feature: 'incidents' },
      },
      {
        path: 'stats',
        name: 'stats',
        component: () => import('@/views/StatsView.vue'),
        meta: { feature: 'stats' },
      },
      {
        path: 'big-screen',
        name: 'big-screen',
        component: () => import('@/views/BigScreen.vue'),
        meta: { feature: 'stats' },
      },
      // Resources (issue 5)
      ...(
        [
          ['supplies', () => import('@/views/resources/SuppliesView.vue')],
          ['teams', () => import('@/views/resources/TeamsView.vue')],
          ['experts', () => import('@/views/resources/ExpertsView.vue')],
          ['stations', () => import('@/views/resources/StationsView.vue')],
          ['videos', () => import('@/views/resources/VideosView.vue')],
        ] as const
      ).map(([name, component]) => ({ path: `resources/${name}`, name, component, meta: { feature: 'resources' } })),
      // Command and dispatch (issue 6)
      { path: 'plans', name: 'plans', component: () => import('@/views/PlansView.vue'), meta: { feature: 'command' } },
      {
        path: 'plans/:id(\\d+)',
        name: 'plan',
        component: () => import('@/views/PlansView.vue'),
        meta: { feature: 'command' },
      },
      { path: 'tasks', name: 'tasks', component: () => import('@/views/MyTasksView.vue'), meta: { feature: 'command' } },
      { path: 'duty', name: 'duty', component: () => import('@/views/DutyView.vue'), meta: { feature: 'command' } },
      { path: 'notify', name: 'notify', component: () => import('@/views/NotifyView.vue'), meta: { feature: 'command' } },
      // Enterprises and dual prevention (issue 15)
      { path: 'enterprises', name: 'enterprises', component: () => import('@/views/enterprise/EnterprisesView.vue') },
      {
        path: 'enterprises/:code',
        name: 'enterprise',
        component: () => import('@/views/enterprise/EnterpriseView.vue'),
      },
      {
        path: 'incidents/:id(\\d+)',
        name: 'incident',
        component: () => import('@/views/IncidentRoom.vue'),
        meta: { feature: 'incidents' },
      },
    ],
  },
  { path: '/:rest(.*)*', redirect: { name: 'map' } },
]

export const router = createRouter({ history: createWebHistory(), routes })

router.beforeEach((to) => {
  const auth = useAuthStore()
  if (!to.meta.public && !auth.isSignedIn) {
    return { name: 'login', query: to.fullPath !== '/' ? { redirect: to.fullPath } : {} }
  }
  if (to.name === 'login' && auth.isSignedIn) return { name: 'map' }
  // Once the server's features are known, a page whose API is missing is not a destination.
  if (auth.config && !pageAvailable(to.meta.feature as Feature | undefined, auth.config)) return { name: 'map' }
  return true
})
