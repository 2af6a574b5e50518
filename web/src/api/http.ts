// One way to call the API: the token attached, errors as ApiError carrying both languages.
import { i18n, pick } from '@/i18n'
import type { components } from './schema'

const TOKEN_KEY = 'yingji.token'

export function getToken(): string | null {
  return localStorage.getItem(TOKEN_KEY)
}

export function setToken(token: string | null): void {
  if (token) localStorage.setItem(TOKEN_KEY, token)
  else localStorage.removeItem(TOKEN_KEY)
}

/** One item of an error answer's `errors` (a plan's faults carry the YAML line). */
export type ApiErrorItem = components['schemas']['ErrorItem']

/** An error answer of the API: `{code, message, message_en, field, errors}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly messageZh: string,
    readonly messageEn: string,
    readonly field: string | null = null,
    readonly errors: ApiErrorItem[] = [],
  ) {
    super(messageEn)
  }

  /** The message in the language the user chose. */
  get text(): string {
    return pick(this.messageZh, this.messageEn)
  }
}

/** Called on any 401 except the login itself: the session is over. */
let onUnauthorized: (() => void) | null = null
export function setUnauthorizedHandler(handler: () => void): void {
  onUnauthorized = handler
}

type Query = Record<string, string | number | boolean | null | undefined>

export interface RequestOptions {
  method?: string
  query?: Query
  json?: unknown
  form?: Record<string, string>
  multipart?: FormData // a file upload; the browser sets the boundary
  /** A raw body with its content type (a plan's YAML). */
  raw?: { body: string; contentType: string }
  /** Read the answer as text instead of JSON (a YAML export). */
  text?: boolean
  signal?: AbortSignal
  auth?: boolean
}

function buildUrl(path: string, query?: Query): string {
  const url = new URL(path, window.location.origin)
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== null && value !== undefined && value !== '') url.searchParams.set(key, String(value))
  }
  return url.pathname + url.search
}

export async function request<T>(path: string, options: RequestOptions = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' }
  const token = getToken()
  if (options.auth !== false && token) headers.Authorization = `Bearer ${token}`
  let body: BodyInit | undefined
  if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json'
    body = JSON.stringify(options.json)
  } else if (options.form) {
    body = new URLSearchParams(options.form)
  } else if (options.multipart) {
    body = options.multipart
  } else if (options.raw) {
    headers['Content-Type'] = options.raw.contentType
    body = options.raw.body
  }
  let response: Response
  try {
    response = await fetch(buildUrl(path, options.query), {
      method: options.method ?? (body ? 'POST' : 'GET'),
      headers,
      body,
      signal: options.signal,
    })
  } catch (err) {
    if ((err as Error).name === 'AbortError') throw err
    const t = i18n.global.t
    throw new ApiError(0, 'network', t('errors.network', {}, { locale: 'zh-CN' }), t('errors.network', {}, { locale: 'en' }))
  }
  if (response.ok) {
    if (response.status === 204) return undefined as T
    if (options.text) return (await response.text()) as T
    return (await response.json()) as T
  }
  let payload: {
    code?: string
    message?: string
    message_en?: string
    field?: string | null
    errors?: ApiErrorItem[]
  } = {}
  try {
    payload = await response.json()
  } catch {
    // not JSON (a proxy's error page): fall back to the generic text below
  }
  if (response.status === 401 && options.auth !== false && onUnauthorized) onUnauthorized()
  throw new ApiError(
    response.status,
    payload.code ?? 'error',
    payload.message ?? `请求失败（${response.status}）`,
    payload.message_en ?? `Request failed (${response.status})`,
    payload.field ?? null,
    payload.errors ?? [],
  )
}

/** Download a file the API makes (the token goes in the header, so no plain link). */
export async function download(path: string, query: Query, fallbackName: string): Promise<void> {
  const token = getToken()
  const response = await fetch(buildUrl(path, query), {
    headers: token ? { Authorization: `Bearer ${token}` } : {},
  })
  if (!response.ok) {
    let payload: { code?: string; message?: string; message_en?: string; field?: string | null } = {}
    try {
      payload = await response.json()
    } catch {
      // not JSON
    }
    if (response.status === 401 && onUnauthorized) onUnauthorized()
    throw new ApiError(
      response.status,
      payload.code ?? 'error',
      payload.message ?? `请求失败（${response.status}）`,
      payload.message_en ?? `Request failed (${response.status})`,
      payload.field ?? null,
    )
  }
  const disposition = response.headers.get('content-disposition') ?? ''
  const match = /filename\*=UTF-8''([^;]+)/.exec(disposition)
  const name = match ? decodeURIComponent(match[1]) : fallbackName
  const url = URL.createObjectURL(await response.blob())
  const a = document.createElement('a')
  a.href = url
  a.download = name
  document.body.appendChild(a)
  a.click()
  a.remove()
  setTimeout(() => URL.revokeObjectURL(url), 10_000)
}
