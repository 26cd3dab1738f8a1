/**
 * Turning a browser GPS fix into the position a console shows: unusable fixes
 * are dropped, odd optional figures are left out, and distances are right.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as v from 'valibot';
import { distanceMetres, formatDistance, toPosition } from '../../../../src/client/location/watch.ts';
import { PositionSchema } from '../../../../src/shared/protocol.ts';

interface Coords {
  latitude: number;
  longitude: number;
  accuracy: number;
  altitude: number | null;
  altitudeAccuracy: number | null;
  heading: number | null;
  speed: number | null;
}

const QC_HALL: Coords = { latitude: 14.6465, longitude: 121.0494, accuracy: 15, altitude: null, altitudeAccuracy: null, heading: null, speed: null };

function fix(coords: Partial<Coords> = {}, timestamp = 1_760_000_000_000): GeolocationPosition {
  const c = { ...QC_HALL, ...coords };
  return { coords: { ...c, toJSON: () => c }, timestamp, toJSON: () => ({ coords: c, timestamp }) };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('toPosition', () => {
  it('keeps a good fix as it is', () => {
    expect(toPosition(fix({ heading: 270, speed: 12.5 }))).toEqual({
      lat: 14.6465,
      lng: 121.0494,
      accuracy: 15,
      heading: 270,
      speed: 12.5,
      fixTime: 1_760_000_000_000,
    });
  });

  it.each([
    ['latitude NaN', { latitude: Number.NaN }],
    ['longitude NaN', { longitude: Number.NaN }],
    ['latitude Infinity', { latitude: Number.POSITIVE_INFINITY }],
    ['longitude -Infinity', { longitude: Number.NEGATIVE_INFINITY }],
    ['latitude 91', { latitude: 91 }],
    ['latitude -90.5', { latitude: -90.5 }],
    ['longitude 181', { longitude: 181 }],
    ['longitude -200', { longitude: -200 }],
  ])('drops a fix with %s', (_why, coords) => {
    expect(toPosition(fix(coords))).toBeNull();
  });

  it('drops a fix whose coordinates are not numbers at all', () => {
    expect(toPosition(fix({ latitude: null as unknown as number }))).toBeNull();
    expect(toPosition(fix({ longitude: '121.05' as unknown as number }))).toBeNull();
  });

  it('keeps fixes at the poles and on the date line', () => {
    expect(toPosition(fix({ latitude: 90, longitude: 180 }))).toMatchObject({ lat: 90, lng: 180 });
    expect(toPosition(fix({ latitude: -90, longitude: -180 }))).toMatchObject({ lat: -90, lng: -180 });
  });

  it('an unknown or nonsensical accuracy becomes a coarse 10 km rather than a false precision', () => {
    expect(toPosition(fix({ accuracy: Number.NaN }))?.accuracy).toBe(10_000);
    expect(toPosition(fix({ accuracy: -5 }))?.accuracy).toBe(10_000);
    expect(toPosition(fix({ accuracy: Number.POSITIVE_INFINITY }))?.accuracy).toBe(10_000);
  });

  it('an enormous accuracy is capped at what the protocol carries', () => {
    expect(toPosition(fix({ accuracy: 5e9 }))?.accuracy).toBe(1e7);
  });

  it('heading and speed that make no sense are left out, not sent', () => {
    for (const heading of [Number.NaN, -1, 361, Number.POSITIVE_INFINITY]) expect(toPosition(fix({ heading }))?.heading, String(heading)).toBeNull();
    for (const speed of [Number.NaN, -0.1, 1001, Number.POSITIVE_INFINITY]) expect(toPosition(fix({ speed }))?.speed, String(speed)).toBeNull();
    expect(toPosition(fix({ heading: 0, speed: 0 }))).toMatchObject({ heading: 0, speed: 0 });
    expect(toPosition(fix({ heading: 360, speed: 1000 }))).toMatchObject({ heading: 360, speed: 1000 });
  });

  it('a fix without a usable time is stamped with the current time', () => {
    vi.useFakeTimers({ now: 1_760_000_123_456 });
    expect(toPosition(fix({}, Number.NaN))?.fixTime).toBe(1_760_000_123_456);
    expect(toPosition(fix({}, 0))?.fixTime).toBe(1_760_000_123_456);
    expect(toPosition(fix({}, -10))?.fixTime).toBe(1_760_000_123_456);
  });

  it('whatever the browser reports, a kept position always passes the message check at the console', () => {
    const odd: Partial<Coords>[] = [
      {},
      { accuracy: Number.NaN, heading: Number.NaN, speed: Number.NaN },
      { accuracy: 1e12, heading: 720, speed: -3 },
      { latitude: 90, longitude: -180, accuracy: 0, heading: 360, speed: 1000 },
      { accuracy: Number.NEGATIVE_INFINITY, heading: Number.NEGATIVE_INFINITY, speed: Number.POSITIVE_INFINITY },
    ];
    for (const coords of odd) {
      const position = toPosition(fix(coords, Number.NaN));
      expect(position).not.toBeNull();
      expect(v.safeParse(PositionSchema, position).success, JSON.stringify(coords)).toBe(true);
    }
  });
});

describe('distanceMetres', () => {
  it('one degree along a meridian is 111.195 km on the 6371 km sphere', () => {
    expect(distanceMetres({ lat: 0, lng: 0 }, { lat: 1, lng: 0 })).toBeCloseTo((Math.PI / 180) * 6_371_000, 3);
    expect(distanceMetres({ lat: 14, lng: 121 }, { lat: 15, lng: 121 })).toBeCloseTo(111_194.93, 1);
  });

  it('one degree of longitude shrinks with latitude (cos 60° = 1/2)', () => {
    const atEquator = distanceMetres({ lat: 0, lng: 120 }, { lat: 0, lng: 121 });
    expect(atEquator).toBeCloseTo(111_194.93, 1);
    // Along the 60th parallel the great circle is a little shorter than half the equator's.
    const at60 = distanceMetres({ lat: 60, lng: 120 }, { lat: 60, lng: 121 });
    expect(at60).toBeGreaterThan(55_500);
    expect(at60).toBeLessThan(atEquator / 2);
  });

  it('Big Ben to the Eiffel Tower is the textbook 340.5 km', () => {
    const d = distanceMetres({ lat: 51.5007, lng: -0.1246 }, { lat: 48.8584, lng: 2.2945 });
    expect(d).toBeGreaterThan(340_400);
    expect(d).toBeLessThan(340_700);
  });

  it('Quezon City Hall to Manila City Hall is about 9.7 km', () => {
    const d = distanceMetres({ lat: 14.6465, lng: 121.0494 }, { lat: 14.5896, lng: 120.9811 });
    expect(d).toBeGreaterThan(9_600);
    expect(d).toBeLessThan(9_800);
  });

  it('is zero for the same place and the same both ways', () => {
    const a = { lat: 14.6515, lng: 121.0493 };
    const b = { lat: 14.6196, lng: 121.0537 };
    expect(distanceMetres(a, a)).toBe(0);
    expect(distanceMetres(a, b)).toBeCloseTo(distanceMetres(b, a), 6);
  });

  it('crosses the date line the short way', () => {
    expect(distanceMetres({ lat: 0, lng: 179.5 }, { lat: 0, lng: -179.5 })).toBeCloseTo(111_194.93, 1);
  });

  it('antipodes are half the circumference apart', () => {
    expect(distanceMetres({ lat: 0, lng: 0 }, { lat: 0, lng: 180 })).toBeCloseTo(Math.PI * 6_371_000, 0);
    expect(distanceMetres({ lat: 90, lng: 0 }, { lat: -90, lng: 0 })).toBeCloseTo(Math.PI * 6_371_000, 0);
  });

  it('a point and its antipode never give NaN, whatever rounding does', () => {
    for (let lat = -89.5; lat < 90; lat += 0.5) {
      const d = distanceMetres({ lat, lng: 0 }, { lat: -lat, lng: -180 });
      expect(d, `lat ${lat}`).toBeCloseTo(Math.PI * 6_371_000, 0);
    }
  });
});

describe('formatDistance', () => {
  it('shows metres under a kilometre, tenths of a km under 10 km, whole km beyond', () => {
    expect(formatDistance(0)).toBe('0 m');
    expect(formatDistance(850.4)).toBe('850 m');
    expect(formatDistance(1_000)).toBe('1.0 km');
    expect(formatDistance(3_560)).toBe('3.6 km');
    expect(formatDistance(12_400)).toBe('12 km');
  });
});
