// Times and durations in the chosen language.
import { currentLocale } from '@/i18n'

/** The users' clock: Beijing time, whatever the browser's own time zone is (a laptop in a
 * field vehicle set to UTC shows the same times as the command hall). */
export const TIME_ZONE = 'Asia/Shanghai'

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—'
  return new Date(iso).toLocaleString(currentLocale() === 'en' ? 'en-GB' : 'zh-CN', {
    hour12: false,
    timeZone: TIME_ZONE,
  })
}

/** "350 米" / "1.2 公里" (en: "350 m" / "1.2 km"). */
export function formatDistance(metres: number): string {
  const en = currentLocale() === 'en'
  if (metres < 1000) return `${Math.round(metres)} ${en ? 'm' : '米'}`
  return `${(metres / 1000).toFixed(metres < 10_000 ? 1 : 0)} ${en ? 'km' : '公里'}`
}

/** A quantity as the ledger writes it: whole numbers without decimals. */
export function formatQuantity(value: number): string {
  return value.toLocaleString(currentLocale() === 'en' ? 'en-GB' : 'zh-CN', { maximumFractionDigits: 3 })
}

/** "3 分 20 秒" / "3 min 20 s": how long something has waited. */
export function formatAge(fromIso: string, nowMs: number): string {
  const s = Math.max(0, Math.floor((nowMs - new Date(fromIso).getTime()) / 1000))
  const h = Math.floor(s / 3600)
  const m = Math.floor((s % 3600) / 60)
  const sec = s % 60
  if (currentLocale() === 'en') return h ? `${h} h ${m} min` : m ? `${m} min ${sec} s` : `${sec} s`
  return h ? `${h} 小时 ${m} 分` : m ? `${m} 分 ${sec} 秒` : `${sec} 秒`
}

/** Great-circle distance in metres between two WGS-84 positions (for "nearest first"). */
export function haversineM(lon1: number, lat1: number, lon2: number, lat2: number): number {
  const rad = Math.PI / 180
  const dLat = (lat2 - lat1) * rad
  const dLon = (lon2 - lon1) * rad
  const a = Math.sin(dLat / 2) ** 2 + Math.cos(lat1 * rad) * Math.cos(lat2 * rad) * Math.sin(dLon / 2) ** 2
  return 2 * 6371008.8 * Math.asin(Math.sqrt(a))
}
