import { useObservable } from '../hooks.ts';
import { translator, type Translate } from './catalogue.ts';
import { en, type Key } from './en.ts';
import { fil } from './fil.ts';
import { language } from './language.ts';

export type T = Translate<Key>;
export type { Key } from './en.ts';
export { language } from './language.ts';

const COMMON = { en: translator('en', en), fil: translator('fil', fil) };

/** The shared catalogue in the chosen language; the component re-renders when the language changes. */
export function useT(): T {
  useObservable(language);
  return COMMON[language.lang];
}
