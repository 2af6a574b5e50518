import { createI18n } from 'vue-i18n'
import alarmEn from './alarm.en'
import alarmZh from './alarm.zh-CN'
import commandEn from './command.en'
import commandZh from './command.zh-CN'
import en from './en'
import entEn from './enterprise.en'
import entZh from './enterprise.zh-CN'
import notifyEn from './notify.en'
import notifyZh from './notify.zh-CN'
import resEn from './resources.en'
import resZh from './resources.zh-CN'
import scrEn from './screening.en'
import scrZh from './screening.zh-CN'
import zhCN from './zh-CN'

export type Locale = 'zh-CN' | 'en'
export const LOCALES: Locale[] = ['zh-CN', 'en']
const STORAGE_KEY = 'yingji.locale'

function storedLocale(): Locale {
  const saved = localStorage.getItem(STORAGE_KEY)
  return saved === 'en' ? 'en' : 'zh-CN'
}

export const i18n = createI18n({
  legacy: false,
  locale: storedLocale(),
  fallbackLocale: 'zh-CN',
  // Each domain's pages bring their texts in files of their own, under their own key:
  // `res` resources (issue 5), `cmd` command and dispatch (issue 6), `scr` the duty
  // officer's screening tools (issue 13), `notify` notifications, `alarm` the one-key alarm
  // (issue 17), `ent` enterprises and dual prevention (issue 15).
  messages: {
    'zh-CN': { ...zhCN, res: resZh, cmd: commandZh, scr: scrZh, notify: notifyZh, alarm: alarmZh, ent: entZh },
    en: { ...en, res: resEn, cmd: commandEn, scr: scrEn, notify: notifyEn, alarm: alarmEn, ent: entEn },
  },
})

export function currentLocale(): Locale {
  return i18n.global.locale.value as Locale
}

/** Switch the UI language and remember it for the next visit. */
export function setLocale(locale: Locale): void {
  i18n.global.locale.value = locale
  localStorage.setItem(STORAGE_KEY, locale)
  document.documentElement.lang = locale
}

/** Pick the text of a {zh, en} pair the API returns (message / message_en, role_label...). */
export function pick(zh: string, en: string | null | undefined): string {
  return currentLocale() === 'en' && en ? en : zh
}
