/** Message catalogues: English is the source, every other language is typed against it. */

export type Lang = 'en' | 'fil';

export const LANGS: readonly Lang[] = ['en', 'fil'];

/** Each language in its own words, as the switcher lists it. */
export const LANG_NAMES: Record<Lang, string> = { en: 'English', fil: 'Filipino' };

/** The locale Intl formats dates and times with. */
export const INTL_LOCALE: Record<Lang, string> = { en: 'en-PH', fil: 'fil-PH' };

export type Params = Record<string, string | number>;

/** A catalogue's messages looked up by key, with {name} placeholders filled in. */
export interface Translate<K extends string> {
  (key: K, params?: Params): string;
  lang: Lang;
  /** For Intl: toLocaleTimeString(t.locale) and the like. */
  locale: string;
}

/** The {name} placeholders of one message, sorted. */
export function placeholders(message: string): string[] {
  return [...message.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? '').sort();
}

export function translator<K extends string>(lang: Lang, messages: Record<K, string>): Translate<K> {
  const t = (key: K, params?: Params) => {
    const text = messages[key];
    return params ? text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole)) : text;
  };
  return Object.assign(t, { lang, locale: INTL_LOCALE[lang] });
}
