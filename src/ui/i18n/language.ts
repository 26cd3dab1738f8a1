import { Observable } from '../../client/screens/store.ts';
import type { Lang } from './catalogue.ts';

/** localStorage key: read synchronously at start, so the first paint is already in the chosen language. */
export const LANGUAGE_KEY = 'bfp-language';

function isLang(value: unknown): value is Lang {
  return value === 'en' || value === 'fil';
}

/** The first of the phone's languages that the app speaks: fil or tl is Filipino, anything else English. */
export function phoneLanguage(languages: readonly string[]): Lang {
  for (const tag of languages) {
    const base = tag.toLowerCase().split(/[-_]/)[0];
    if (base === 'fil' || base === 'tl') return 'fil';
    if (base === 'en') return 'en';
  }
  return 'en';
}

/** A choice made on this device wins; otherwise the citizen's screen follows the phone and staff screens start in English. */
export function firstLanguage(stored: unknown, phone: readonly string[], followPhone: boolean): Lang {
  if (isLang(stored)) return stored;
  return followPhone ? phoneLanguage(phone) : 'en';
}

/** The language every screen speaks, remembered on the device once chosen. */
export class LanguageChoice extends Observable {
  lang: Lang = 'en';

  start(followPhone: boolean): void {
    let stored: string | null = null;
    try {
      stored = localStorage.getItem(LANGUAGE_KEY);
    } catch {
      // Storage refused (private mode): fall back to the phone's language.
    }
    this.apply(firstLanguage(stored, navigator.languages ?? [navigator.language], followPhone));
  }

  choose(lang: Lang): void {
    try {
      localStorage.setItem(LANGUAGE_KEY, lang);
    } catch {
      // Not remembered, but this page still switches.
    }
    this.apply(lang);
  }

  private apply(lang: Lang): void {
    document.documentElement.lang = lang;
    if (lang === this.lang) return;
    this.lang = lang;
    this.notify();
  }
}

export const language = new LanguageChoice();
