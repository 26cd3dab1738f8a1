/**
 * Which stations to ring, in order: the nearest staffed one first. A station
 * is staffed when at least one of its consoles is online.
 */
import type { Directory, Station } from '../../shared/directory.ts';
import type { Presence } from '../../shared/presence.ts';
import { distanceMetres } from '../location/watch.ts';
import type { RingGroup } from './phone.ts';

export interface RankedStation {
  station: Station;
  consoles: string[];
  /** Metres from the caller, when the caller's position is known. */
  distance: number | null;
}

export function rankStations(
  directory: Directory,
  presence: Presence,
  position: { lat: number; lng: number } | null,
  preferred: string | null = null,
): RankedStation[] {
  const ranked = directory.stations.map((station) => ({
    station,
    consoles: Object.hasOwn(presence.stations, station.id) ? (presence.stations[station.id] ?? []) : [],
    distance: position ? distanceMetres(position, station) : null,
  }));
  if (position) ranked.sort((a, b) => (a.distance ?? 0) - (b.distance ?? 0));
  else if (preferred) ranked.sort((a, b) => Number(b.station.id === preferred) - Number(a.station.id === preferred));
  return ranked;
}

export function staffed(ranked: RankedStation[]): RankedStation[] {
  return ranked.filter((r) => r.consoles.length > 0);
}

export function ringGroups(ranked: RankedStation[]): RingGroup[] {
  return staffed(ranked).map((r) => ({ label: r.station.name, peers: r.consoles }));
}
