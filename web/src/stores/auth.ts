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

  /**
   * Sign in. Answers 'ok' when signed in, or the enrolment-only token when the role needs a
   * second factor this account has not set up yet (the login page then enrols it). A code
   * is asked for by the API's `otp_required` error, which the caller shows as a code field.
   */
  async function login(username: string, password: string, otp?: string): Promise<'ok' | { enrol: string }> {
    const answer = await api.login(username, password, otp)
    if (answer.totp_enrolment_required) return { enrol: answer.access_token }
    await signIn(answer.access_token)
    return 'ok'
  }

  async function signIn(access: string): Promise<void> {
    token.value = access
    setToken(access)
    await load()
  }

  /** Sign out on the server too: the token is revoked there, then forgotten here. */
  async function signOut(): Promise<void> {
    try {
      if (token.value) await api.logout()
    } catch {
      // already expired or revoked: nothing left to end on the server
    }
    logout()
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

  return { token, me, config, isSignedIn, displayName, roleLabel, login, signIn, signOut, load, logout }
})
