import { describe, expect, it } from 'vitest';
import { en } from './en';
import { DICTIONARIES, pickLanguage, translator } from './i18n';

const placeholders = (text: string) => [...text.matchAll(/\{(\w+)\}/g)].map((m) => m[1]).sort();

describe('translations', () => {
  it('have every key in both languages, none empty, with the same placeholders', () => {
    for (const [language, messages] of Object.entries(DICTIONARIES)) {
      expect([language, Object.keys(messages).sort()]).toEqual([language, Object.keys(en).sort()]);
      for (const [key, text] of Object.entries(messages)) {
        expect([language, key, text.trim().length > 0]).toEqual([language, key, true]);
        expect([language, key, placeholders(text)]).toEqual([language, key, placeholders(en[key as keyof typeof en])]);
      }
    }
  });

  it('label the runbook button in each language', () => {
    expect(translator('pt-BR')('monitor.runNow')).toBe('Executar agora');
    expect(translator('en')('monitor.runNow')).toBe('Run now');
  });

  it('fill in values and pick the language from the browser', () => {
    expect(translator('en')('allowlist.title', { count: 10 })).toBe('Allowlist (10)');
    expect(pickLanguage(['pt-PT', 'en'])).toBe('pt-BR');
    expect(pickLanguage(['de-DE', 'en-GB'])).toBe('en');
    expect(pickLanguage(['fr'])).toBe('en');
  });
});
