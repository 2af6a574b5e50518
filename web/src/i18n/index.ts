import { createI18n } from 'vue-i18n'
import commandEn from './command.en'
import commandZh from './command.zh-CN'
import en from './en'
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
  // Command and dispatch (issue 6) keeps its texts in files of its own, under `cmd`.
  messages: { 'zh-CN': { ...zhCN, cmd: commandZh }, en: { ...en, cmd: commandEn } },
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
