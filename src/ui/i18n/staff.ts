import { useObservable } from '../hooks.ts';
import { translator, type Translate } from './catalogue.ts';
import { language } from './language.ts';
import { staffEn, type StaffKey } from './staff-en.ts';
import { staffFil } from './staff-fil.ts';

export type StaffT = Translate<StaffKey>;

const STAFF = { en: translator('en', staffEn), fil: translator('fil', staffFil) };

/** The staff screens' catalogue in the chosen language; re-renders when the language changes. */
export function useStaffT(): StaffT {
  useObservable(language);
  return STAFF[language.lang];
}
