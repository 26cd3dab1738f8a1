/**
 * What the incident map shows, taken from the console's state: the station,
 * the callers of active calls and the officers with a position; and the same
 * facts in words, for the map's accessible name and its text alternative.
 */
import { roleOfId } from '../../shared/ids.ts';
import type { Position } from '../../shared/protocol.ts';
import { isActive } from '../call/machine.ts';
import type { CallSession } from '../call/session.ts';
import { distanceMetres, formatDistance } from '../location/watch.ts';
import type { LatLng } from './projection.ts';

export type MarkerKind = 'station' | 'caller' | 'officer';

export interface MapMarker extends LatLng {
  kind: MarkerKind;
  /** Unique among the markers. */
  id: string;
  name: string;
  /** Accuracy circle radius in metres (0: exact, no circle). */
  accuracy: number;
  /** A word or two after the name (an officer's status), or null. */
  detail: string | null;
}

export type MapCall = Pick<CallSession, 'callId' | 'direction' | 'sos' | 'remoteId' | 'remoteName' | 'state' | 'latestPosition'>;

export interface MapOfficer {
  id: string;
  name: string;
  position: Position | null;
  detail: string | null;
}

export interface MapScene {
  markers: MapMarker[];
  /** Callers of active calls whose position is not known yet. */
  unplacedCallers: string[];
}

/** Calls with a citizen: they rang in, or the console rang them back. */
function withCitizen(call: MapCall): boolean {
  return call.direction === 'in' ? call.sos?.role === 'citizen' : call.remoteId !== null && roleOfId(call.remoteId) === 'citizen';
}

/**
 * The markers for a console: its station, the callers of its active calls, and its officers with a position.
 * `unnamedCaller` is what the screen calls a caller who gave no name, in its language.
 */
export function mapScene(
  station: (LatLng & { id: string; name: string }) | null,
  calls: readonly MapCall[],
  officers: Iterable<MapOfficer>,
  unnamedCaller = 'Caller',
): MapScene {
  const markers: MapMarker[] = [];
  const unplacedCallers: string[] = [];
  if (station) markers.push({ kind: 'station', id: `station-${station.id}`, name: station.name, lat: station.lat, lng: station.lng, accuracy: 0, detail: null });
  for (const call of calls) {
    if (!isActive(call.state) || !withCitizen(call)) continue;
    const name = call.remoteName || (call.direction === 'in' ? call.sos?.name : '') || unnamedCaller;
    const position = call.latestPosition()?.position ?? (call.direction === 'in' ? call.sos?.position : null) ?? null;
    if (position) markers.push({ kind: 'caller', id: `caller-${call.callId}`, name, lat: position.lat, lng: position.lng, accuracy: position.accuracy, detail: null });
    else unplacedCallers.push(name);
  }
  for (const o of officers) {
    if (o.position) markers.push({ kind: 'officer', id: `officer-${o.id}`, name: o.name, lat: o.position.lat, lng: o.position.lng, accuracy: o.position.accuracy, detail: o.detail });
  }
  return { markers, unplacedCallers };
}

const COMPASS = ['north', 'north-east', 'east', 'south-east', 'south', 'south-west', 'west', 'north-west'] as const;
export type Compass = (typeof COMPASS)[number];

/** The phrases the map is described with; the screen supplies them in the chosen language. */
export type MapPhrase =
  | 'map.label'
  | 'map.stationName'
  | 'map.callerAt'
  | 'map.caller'
  | 'map.callerUnknown'
  | 'map.noCaller'
  | 'map.noOfficers'
  | 'map.oneOfficer'
  | 'map.officers'
  | 'map.factStation'
  | 'map.factCaller'
  | 'map.factCallerUnknown'
  | 'map.factOfficer'
  | 'map.factOfficerStatus'
  | 'map.accurate'
  | 'map.atCoords'
  | 'map.atStation'
  | 'map.ofStation'
  | 'map.relative'
  | `dir.${Compass}`;

export type Say = (phrase: MapPhrase, params?: Record<string, string | number>) => string;

/** The initial great-circle bearing from `a` to `b`, in degrees from north (0–360). */
export function bearingDegrees(a: LatLng, b: LatLng): number {
  const rad = Math.PI / 180;
  const dLng = (b.lng - a.lng) * rad;
  const y = Math.sin(dLng) * Math.cos(b.lat * rad);
  const x = Math.cos(a.lat * rad) * Math.sin(b.lat * rad) - Math.sin(a.lat * rad) * Math.cos(b.lat * rad) * Math.cos(dLng);
  return ((Math.atan2(y, x) / rad) % 360 + 360) % 360;
}

/** "north-east" for 45°: the nearest of eight compass points. */
export function compassPoint(degrees: number): Compass {
  return COMPASS[Math.round(degrees / 45) % 8] ?? 'north';
}

/** Closer than this to the station counts as at the station (GPS is rarely better). */
const AT_STATION_METRES = 10;

function atStation(station: LatLng, p: LatLng): boolean {
  return distanceMetres(station, p) < AT_STATION_METRES;
}

/** "1.2 km north-east", or "at the station". */
export function relativeTo(station: LatLng, p: LatLng, say: Say): string {
  if (atStation(station, p)) return say('map.atStation');
  return say('map.relative', { distance: formatDistance(distanceMetres(station, p)), direction: say(`dir.${compassPoint(bearingDegrees(station, p))}`) });
}

export interface MapDescription {
  /** One sentence: the SVG's aria-label. */
  label: string;
  /** One line per marker (and per caller not yet placed). */
  facts: string[];
}

function stationName(name: string, say: Say): string {
  return /station/i.test(name) ? name : say('map.stationName', { name });
}

/** The map in words: "Map: Quezon City Central station, caller Maria Santos 1.2 km north-east, 2 officers". */
export function describeMap(scene: MapScene, say: Say): MapDescription {
  const station = scene.markers.find((m) => m.kind === 'station') ?? null;
  const callers = scene.markers.filter((m) => m.kind === 'caller');
  const officers = scene.markers.filter((m) => m.kind === 'officer');
  const fact = (m: MapMarker) => {
    const where = !station
      ? say('map.atCoords', { lat: m.lat.toFixed(5), lng: m.lng.toFixed(5) })
      : atStation(station, m)
        ? say('map.atStation')
        : say('map.ofStation', { relative: relativeTo(station, m, say) });
    return say('map.accurate', { where, metres: Math.round(m.accuracy) });
  };

  const parts: string[] = [];
  if (station) parts.push(stationName(station.name, say));
  for (const c of callers) parts.push(station ? say('map.callerAt', { name: c.name, where: relativeTo(station, c, say) }) : say('map.caller', { name: c.name }));
  for (const name of scene.unplacedCallers) parts.push(say('map.callerUnknown', { name }));
  if (callers.length === 0 && scene.unplacedCallers.length === 0) parts.push(say('map.noCaller'));
  parts.push(officers.length === 0 ? say('map.noOfficers') : officers.length === 1 ? say('map.oneOfficer') : say('map.officers', { count: officers.length }));

  const facts: string[] = [];
  if (station) facts.push(say('map.factStation', { name: station.name }));
  for (const c of callers) facts.push(say('map.factCaller', { name: c.name, fact: fact(c) }));
  for (const name of scene.unplacedCallers) facts.push(say('map.factCallerUnknown', { name }));
  for (const o of officers) facts.push(o.detail ? say('map.factOfficerStatus', { name: o.name, status: o.detail, fact: fact(o) }) : say('map.factOfficer', { name: o.name, fact: fact(o) }));
  return { label: say('map.label', { parts: parts.join(', ') }), facts };
}
