// What the resources pages share: error display, the tab kept in the address bar.
import { computed, type WritableComputedRef } from 'vue'
import { useRoute, useRouter } from 'vue-router'
import { ApiError } from '@/api/http'
import { ElMessage } from '@/ui/message'

/** Show an API error in the chosen language (a 401 already went back to the login). */
export function showError(err: unknown): void {
  if (err instanceof ApiError) {
    if (err.status !== 401) ElMessage.error(err.text)
  } else if (err !== 'cancel' && err !== 'close') {
    console.error(err)
  }
}

/** A query parameter of the page's address as a value, so a view can be bookmarked. */
export function useQueryParam(name: string, fallback: string): WritableComputedRef<string> {
  const route = useRoute()
  const router = useRouter()
  return computed({
    get: () => (typeof route.query[name] === 'string' ? (route.query[name] as string) : fallback),
    set: (value: string) => {
      void router.replace({ query: { ...route.query, [name]: value === fallback ? undefined : value } })
    },
  })
}
