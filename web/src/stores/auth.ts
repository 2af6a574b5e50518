import { defineStore } from 'pinia'
import { computed, ref } from 'vue'
import { api } from '@/api'
import { getToken, setToken } from '@/api/http'
import type { DashboardConfig, Me } from '@/api/types'
import { pick } from '@/i18n'

/** The signed-in user, their token and the server's dashboard settings. */
export const useAuthStore = defineStore('auth', () => {
  const token = ref<string | null>(getToken())
  const me = ref<Me | null>(null)
  const config = ref<DashboardConfig | null>(null)

  const isSignedIn = computed(() => token.value !== null)
  const displayName = computed(() => me.value?.display_name || me.value?.username || '')
  const roleLabel = computed(() => (me.value ? pick(me.value.role_label, me.value.role_label_en) : ''))

  async function login(username: string, password: string): Promise<void> {
    const answer = await api.login(username, password)
    token.value = answer.access_token
    setToken(answer.access_token)
    await load()
  }

  /** Who am I and how is the map set up; called once per page load after sign-in. */
  async function load(): Promise<void> {
    const [who, cfg] = await Promise.all([api.me(), api.config()])
    me.value = who
    config.value = cfg
  }

  function logout(): void {
    token.value = null
    me.value = null
    config.value = null
    setToken(null)
  }

  return { token, me, config, isSignedIn, displayName, roleLabel, login, load, logout }
})
