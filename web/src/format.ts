// Times and durations in the chosen language.
import { currentLocale } from '@/i18n'

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—'
  return new Date(iso).toLocaleString(currentLocale() === 'en' ? 'en-GB' : 'zh-CN', { hour12: false })
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
