import type { Position } from '../shared/protocol.ts';
import type { T } from './i18n/index.ts';

/** "14.65150, 121.04930 (±12 m)" */
export function formatPosition(p: Position): string {
  return `${p.lat.toFixed(5)}, ${p.lng.toFixed(5)} (±${Math.round(p.accuracy)} m)`;
}

/** "5 s", "3 min", "2 h". */
export function formatAge(ms: number, t: T): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return t('age.seconds', { n: s });
  if (s < 3600) return t('age.minutes', { n: Math.floor(s / 60) });
  return t('age.hours', { n: Math.floor(s / 3600) });
}

/** A time of day in the chosen language. */
export function formatTime(ms: number, t: { locale: string }): string {
  return new Date(ms).toLocaleTimeString(t.locale);
}

/** A date and time in the chosen language. */
export function formatDateTime(ms: number, t: { locale: string }): string {
  return new Date(ms).toLocaleString(t.locale);
}
