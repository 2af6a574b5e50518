// The endpoints the dashboard calls, one function each.
import { request } from './http'
import type {
  DashboardConfig,
  GridArea,
  GridLine,
  GridPointCollection,
  Me,
  OutlineFeature,
  Page,
  Subdistrict,
} from './types'

export interface TokenAnswer {
  access_token: string
  expires_in: number
  totp_enrolment_required?: boolean
}
export interface TotpEnrolment {
  secret: string
  otpauth_uri: string
  qr_svg: string
}
export interface TotpConfirmed {
  recovery_codes: string[]
  access_token: string | null
  expires_in: number | null
}

const PAGE_LIMIT = 5000 // the API's largest page

/** Every item of a paged list, page after page (one request for a district's grid). */
async function all<T>(path: string): Promise<T[]> {
  const items: T[] = []
  for (;;) {
    const page = await request<Page<T>>(path, { query: { limit: PAGE_LIMIT, offset: items.length } })
    items.push(...page.items)
    if (page.items.length === 0 || items.length >= page.total) return items
  }
}

export const api = {
  login: (username: string, password: string, otp?: string) =>
    request<TokenAnswer>('/api/v1/auth/token', {
      form: otp ? { username, password, otp } : { username, password },
      auth: false,
    }),
  logout: () => request<{ revoked: boolean; expires_at: string }>('/api/v1/auth/logout', { method: 'POST' }),
  totpEnrol: (token: string) => request<TotpEnrolment>('/api/v1/auth/totp/enrol', { method: 'POST', token }),
  totpConfirm: (token: string, code: string) =>
    request<TotpConfirmed>('/api/v1/auth/totp/confirm', { json: { code }, token }),
  me: () => request<Me>('/api/v1/auth/me'),
  config: () => request<DashboardConfig>('/api/v1/dashboard/config'),
  outline: () => request<OutlineFeature>('/api/v1/dashboard/outline'),
  subdistricts: (geometry = true) =>
    request<Page<Subdistrict>>('/api/v1/subdistricts', { query: { geometry } }),
  headquarters: () => request<{ code: string; name: string; short_name: string }[]>('/api/v1/org/headquarters'),
  areas: () => all<GridArea>('/api/v1/grid/areas'),
  lines: () => all<GridLine>('/api/v1/grid/lines'),
  points: () => request<GridPointCollection>('/api/v1/grid/points.geojson'),
}
