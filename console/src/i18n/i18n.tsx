import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from 'react';
import { en, type MessageKey, type Messages } from './en';
import { ptBR } from './pt-BR';

export const LANGUAGES = { en: 'English', 'pt-BR': 'Português (Brasil)' } as const;
export type Language = keyof typeof LANGUAGES;
export const DICTIONARIES: Readonly<Record<Language, Messages>> = { en, 'pt-BR': ptBR };

const STORAGE_KEY = 'flagdog.language';

/** The browser's first language we speak: any Portuguese → pt-BR, else English. */
export function pickLanguage(preferred: readonly string[]): Language {
  for (const tag of preferred) {
    if (tag.toLowerCase().startsWith('pt')) return 'pt-BR';
    if (tag.toLowerCase().startsWith('en')) return 'en';
  }
  return 'en';
}

export type Translate = (key: MessageKey, values?: Readonly<Record<string, string | number>>) => string;

export function translator(language: Language): Translate {
  const messages = DICTIONARIES[language];
  return (key, values) =>
    messages[key].replace(/\{(\w+)\}/g, (match, name: string) =>
      values && name in values ? String(values[name]) : match,
    );
}

type I18n = Readonly<{ language: Language; setLanguage: (language: Language) => void; t: Translate }>;

const I18nContext = createContext<I18n | null>(null);

export function I18nProvider({ children }: { children: ReactNode }) {
  const [language, setLanguageState] = useState<Language>(() => {
    const saved = sessionStorage.getItem(STORAGE_KEY);
    return saved === 'en' || saved === 'pt-BR' ? saved : pickLanguage(navigator.languages ?? [navigator.language]);
  });
  const setLanguage = useCallback((next: Language) => {
    sessionStorage.setItem(STORAGE_KEY, next);
    document.documentElement.lang = next;
    setLanguageState(next);
  }, []);
  document.documentElement.lang = language;
  const value = useMemo(() => ({ language, setLanguage, t: translator(language) }), [language, setLanguage]);
  return <I18nContext.Provider value={value}>{children}</I18nContext.Provider>;
}

export function useI18n(): I18n {
  const value = useContext(I18nContext);
  if (value === null) throw new Error('useI18n outside I18nProvider');
  return value;
}
