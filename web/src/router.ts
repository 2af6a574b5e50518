import { createRouter, createWebHistory, type RouteRecordRaw } from 'vue-router'
import { useAuthStore } from '@/stores/auth'

/** The pages of the shell, in navigation order. A page appears in the menu only once it
 * exists: add it here with its route when it is built (值班队列, 事件列表, 统计, 资源, 预案). */
export const NAV_PAGES: { name: string; path: string; label: string; icon: string }[] = [
  { name: 'map', path: '/map', label: 'nav.map', icon: 'MapLocation' },
]

const routes: RouteRecordRaw[] = [
  { path: '/login', name: 'login', component: () => import('@/views/LoginView.vue'), meta: { public: true } },
  {
    path: '/',
    component: () => import('@/layouts/AppShell.vue'),
    children: [
      { path: '', redirect: { name: 'map' } },
      { path: 'map', name: 'map', component: () => import('@/views/MapView.vue') },
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
  return true
})
