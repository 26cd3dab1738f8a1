import type { Position } from '../shared/protocol.ts';

/** "14.65150, 121.04930 (±12 m)" */
export function formatPosition(p: Position): string {
  return `${p.lat.toFixed(5)}, ${p.lng.toFixed(5)} (±${Math.round(p.accuracy)} m)`;
}

/** "5 s", "3 min", "2 h". */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  return `${Math.floor(s / 3600)} h`;
}
