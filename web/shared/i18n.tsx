import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';
import { ApiError } from './api.js';

/** zh-CN is the default; the choice is kept in localStorage and shared by both apps. */
export type Lang = 'zh-CN' | 'en';
export const langs: readonly Lang[] = ['zh-CN', 'en'];
const storageKey = 'onecard.lang';

export function storedLang(): Lang {
  try {
    return localStorage.getItem(storageKey) === 'en' ? 'en' : 'zh-CN';
  } catch {
    return 'zh-CN';
  }
}

/** One message table per language; `en` must have every key `zh-CN` has. */
export type Messages<K extends string> = Record<Lang, Record<K, string>>;

interface LangState {
  lang: Lang;
  setLang(lang: Lang): void;
}

const LangContext = createContext<LangState | null>(null);

export function LangProvider({ children, title }: { children: ReactNode; title?: Record<Lang, string> }) {
  const [lang, setLangState] = useState<Lang>(storedLang);
  const setLang = useCallback((next: Lang) => {
    localStorage.setItem(storageKey, next);
    setLangState(next);
  }, []);

  useEffect(() => {
    document.documentElement.lang = lang;
    if (title) document.title = title[lang];
  }, [lang, title]);

  const value = useMemo(() => ({ lang, setLang }), [lang, setLang]);
  return <LangContext.Provider value={value}>{children}</LangContext.Provider>;
}

export function useLang(): LangState {
  const state = useContext(LangContext);
  if (!state) throw new Error('useLang outside LangProvider');
  return state;
}

/** The messages of the chosen language: `const t = useMessages(messages); t.signIn`. */
export function useMessages<K extends string>(messages: Messages<K>): Record<K, string> {
  return messages[useLang().lang];
}

/** Any thrown value as text in the chosen language; server errors carry both languages. */
export function errorText(error: unknown, lang: Lang): string {
  if (error instanceof ApiError) return lang === 'en' ? error.messageEn : error.message;
  return lang === 'en' ? 'Something went wrong; please try again' : '出错了，请稍后重试';
}

/** Fills `{name}` placeholders: `fill('你好，{name}', { name: '张*' })`; an unknown name stays as it is. */
export function fill(template: string, values: Record<string, string | number>): string {
  return template.replace(/\{(\w+)\}/g, (whole, key: string) => (key in values ? String(values[key]) : whole));
}

/** `YYYY-MM-DD HH:mm:ss` in Beijing time, whatever the browser's time zone. */
export function formatBeijingTime(iso: string, lang: Lang): string {
  return new Intl.DateTimeFormat(lang, {
    timeZone: 'Asia/Shanghai',
    year: 'numeric',
    month: '2-digit',
    day: '2-digit',
    hour: '2-digit',
    minute: '2-digit',
    second: '2-digit',
    hour12: false,
  }).format(new Date(iso));
}
