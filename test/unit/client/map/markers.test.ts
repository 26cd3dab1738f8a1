/**
 * What the console's map shows and how it says it: the station, callers of
 * active calls, officers with a position, each placed relative to the station.
 */
import { describe, expect, it } from 'vitest';
import type { CallState } from '../../../../src/client/call/machine.ts';
import { bearingDegrees, compassPoint, describeMap, mapScene, relativeTo, type MapCall, type MapOfficer } from '../../../../src/client/map/markers.ts';
import type { Position, Sos } from '../../../../src/shared/protocol.ts';
import { translator } from '../../../../src/ui/i18n/catalogue.ts';
import { staffEn } from '../../../../src/ui/i18n/staff-en.ts';
import { staffFil } from '../../../../src/ui/i18n/staff-fil.ts';

/** The console's English words for the map. */
const say = translator('en', staffEn);

const STATION = { id: 'qc-central', name: 'Quezon City Central', lat: 14.6515, lng: 121.0493 };
/** About 1.2 km north-east of the station. */
const NE_1200 = { lat: 14.6515 + 0.00763, lng: 121.0493 + 0.00789 };
const CONNECTED: CallState = { name: 'connected', connectedAt: 0, hold: { local: false, remote: false }, muted: false };

function position(p: { lat: number; lng: number }, accuracy = 15): Position {
  return { ...p, accuracy, heading: null, speed: null, fixTime: 1 };
}

function sos(name: string, role: Sos['role'] = 'citizen', at: Position | null = null): Sos {
  return { v: 1, type: 'sos', callId: 'x', role, name, phone: '', position: at, sentAt: 1 };
}

function call(over: Partial<MapCall> & { latest?: Position | null } = {}): MapCall {
  const { latest = null, ...rest } = over;
  return {
    callId: 'call-1',
    direction: 'in',
    sos: sos('Maria Santos'),
    remoteId: 'c-0123456789abcdef0123456789abcdef',
    remoteName: '',
    state: CONNECTED,
    latestPosition: () => (latest ? { position: latest, seq: 0, receivedAt: 1 } : null),
    ...rest,
  };
}

const officer = (id: string, name: string, at: { lat: number; lng: number } | null, detail: string | null = 'Responding'): MapOfficer => ({
  id,
  name,
  position: at ? position(at, 8) : null,
  detail,
});

describe('mapScene', () => {
  it('shows the station, the caller of an active call at the latest position, and officers with a position', () => {
    const scene = mapScene(STATION, [call({ latest: position(NE_1200, 30), sos: sos('Maria Santos', 'citizen', position(STATION)) })], [
      officer('of-a-1234', 'FO1 Cruz', { lat: 14.65, lng: 121.04 }),
      officer('of-b-1234', 'FO2 Reyes', null),
    ]);
    expect(scene.markers.map((m) => [m.kind, m.name])).toEqual([
      ['station', 'Quezon City Central'],
      ['caller', 'Maria Santos'],
      ['officer', 'FO1 Cruz'],
    ]);
    expect(scene.markers[1]).toMatchObject({ lat: NE_1200.lat, accuracy: 30 });
    expect(scene.markers[0]?.accuracy).toBe(0);
    expect(new Set(scene.markers.map((m) => m.id)).size).toBe(3);
  });

  it('places a caller at the position sent with the ring until updates arrive, and lists one with neither', () => {
    const placed = mapScene(STATION, [call({ sos: sos('Ana', 'citizen', position(NE_1200)) })], []);
    expect(placed.markers.find((m) => m.kind === 'caller')).toMatchObject({ name: 'Ana', lat: NE_1200.lat });
    const unplaced = mapScene(STATION, [call({ sos: sos('Ben') })], []);
    expect(unplaced.markers.map((m) => m.kind)).toEqual(['station']);
    expect(unplaced.unplacedCallers).toEqual(['Ben']);
  });

  it('names a caller who gave no name with the word the screen passes, in its language', () => {
    const fil = translator('fil', staffFil);
    const scene = mapScene(STATION, [call({ sos: sos('', 'citizen', position(NE_1200)) }), call({ callId: 'call-2', sos: sos('') })], [], fil('kind.caller'));
    expect(scene.markers.find((m) => m.kind === 'caller')?.name).toBe('Tumatawag');
    expect(scene.unplacedCallers).toEqual(['Tumatawag']);
  });

  it('leaves out ended calls and calls with officers, but keeps a call-back to a citizen', () => {
    const ended: CallState = { name: 'ended', reason: 'hangup', connectedAt: 0, at: 5 };
    const scene = mapScene(
      STATION,
      [
        call({ callId: 'ended', state: ended, latest: position(NE_1200) }),
        call({ callId: 'officer', sos: sos('FO1 Cruz', 'officer'), remoteId: 'of-cruz-1234', latest: position(NE_1200) }),
        call({ callId: 'to-officer', direction: 'out', sos: sos('Station', 'station'), remoteId: 'of-cruz-1234', remoteName: 'FO1 Cruz', latest: position(NE_1200) }),
        call({ callId: 'back', direction: 'out', sos: sos('Station', 'station', position(STATION)), remoteName: 'Rosa Lim', latest: position(NE_1200) }),
      ],
      [],
    );
    expect(scene.markers.filter((m) => m.kind === 'caller').map((m) => [m.id, m.name])).toEqual([['caller-back', 'Rosa Lim']]);
  });

  it('works without a station (no directory yet)', () => {
    const scene = mapScene(null, [call({ latest: position(NE_1200) })], []);
    expect(scene.markers.map((m) => m.kind)).toEqual(['caller']);
  });
});

describe('compass', () => {
  it('gives the bearing in degrees from north and the nearest of eight points', () => {
    expect(bearingDegrees({ lat: 0, lng: 0 }, { lat: 0, lng: 1 })).toBeCloseTo(90, 9);
    expect(bearingDegrees({ lat: 0, lng: 0 }, { lat: -1, lng: 0 })).toBeCloseTo(180, 9);
    expect(bearingDegrees({ lat: 0, lng: 0 }, { lat: 0, lng: -1 })).toBeCloseTo(270, 9);
    expect(compassPoint(0)).toBe('north');
    expect(compassPoint(44)).toBe('north-east');
    expect(compassPoint(135)).toBe('south-east');
    expect(compassPoint(200)).toBe('south');
    expect(compassPoint(359.9)).toBe('north');
  });

  it('says how far and which way from the station, or that it is at the station', () => {
    expect(relativeTo(STATION, NE_1200, say)).toBe('1.2 km north-east');
    expect(relativeTo(STATION, { lat: STATION.lat - 0.0027, lng: STATION.lng }, say)).toBe('300 m south');
    expect(relativeTo(STATION, { lat: STATION.lat + 0.00003, lng: STATION.lng }, say)).toBe('at the station');
  });
});

describe('describeMap', () => {
  it('sums the map up in one sentence and lists each fact', () => {
    const scene = mapScene(STATION, [call({ latest: position(NE_1200, 15) })], [
      officer('of-a-1234', 'FO1 Cruz', { lat: STATION.lat - 0.0027, lng: STATION.lng }),
      officer('of-b-1234', 'FO2 Reyes', STATION, 'On scene'),
    ]);
    const { label, facts } = describeMap(scene, say);
    expect(label).toBe('Map: Quezon City Central station, caller Maria Santos 1.2 km north-east, 2 officers');
    expect(facts).toEqual([
      'Station: Quezon City Central',
      'Caller Maria Santos: 1.2 km north-east of the station, accurate to ±15 m',
      'Officer FO1 Cruz (Responding): 300 m south of the station, accurate to ±8 m',
      'Officer FO2 Reyes (On scene): at the station, accurate to ±8 m',
    ]);
  });

  it('does not repeat "station" when the name has it, and says when nobody else is on the map', () => {
    const { label } = describeMap(mapScene({ ...STATION, name: 'Cubao Fire Sub-Station' }, [], []), say);
    expect(label).toBe('Map: Cubao Fire Sub-Station, no active caller, no officer positions');
  });

  it('mentions a caller whose position is unknown, and uses coordinates without a station', () => {
    expect(describeMap(mapScene(STATION, [call()], [officer('of-a-1234', 'FO1 Cruz', STATION)]), say).label).toBe(
      'Map: Quezon City Central station, caller Maria Santos (position unknown), 1 officer',
    );
    const { label, facts } = describeMap(mapScene(null, [call({ latest: position(NE_1200, 15) })], []), say);
    expect(label).toBe('Map: caller Maria Santos, no officer positions');
    expect(facts).toEqual(['Caller Maria Santos: at 14.65913, 121.05719, accurate to ±15 m']);
  });
});
