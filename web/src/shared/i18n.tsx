// A tiny own i18n instead of i18next: two flat JSON catalogues, `{name}`
// placeholders and nothing else are needed, and this costs < 1 kB of the
// first-screen budget. German is the product's first language.
import { createContext, useContext, useMemo, type ReactNode } from 'react';
import de from '../locales/de.json';
import en from '../locales/en.json';

export type Language = 'de' | 'en';
export type MessageKey = keyof typeof de;
export const catalogues: Record<Language, Record<MessageKey, string>> = { de, en };

export function translate(lang: Language, key: MessageKey, vars?: Record<string, string | number>): string {
  const text = catalogues[lang][key] ?? catalogues.de[key] ?? key;
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? `{${name}}`));
}

export type T = (key: MessageKey, vars?: Record<string, string | number>) => string;

interface I18n {
  lang: Language;
  t: T;
  setLanguage: (lang: Language) => void;
}

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ lang, setLanguage, children }: { lang: Language; setLanguage: (l: Language) => void; children: ReactNode }) {
  const value = useMemo<I18n>(() => ({ lang, setLanguage, t: (key, vars) => translate(lang, key, vars) }), [lang, setLanguage]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const ctx = useContext(I18nContext);
  if (!ctx) throw new Error('useI18n outside I18nProvider');
  return ctx;
}
