/** The scale bar: a round length (1, 2, 5 × 10^n m) that fits, for any zoom and latitude. */
import { describe, expect, it } from 'vitest';
import { formatLength, niceLength, scaleBar } from '../../../../src/client/map/scale.ts';
import type { MapView } from '../../../../src/client/map/view.ts';

const at = (lat: number, zoom: number): MapView => ({ center: { lat, lng: 121 }, zoom, width: 640, height: 400 });

describe('niceLength', () => {
  it('picks the largest 1, 2 or 5 × 10^n not above the room', () => {
    const cases: [number, number][] = [
      [1, 1],
      [1.5, 1],
      [2, 2],
      [4.99, 2],
      [5, 5],
      [9.99, 5],
      [10, 10],
      [73, 50],
      [999, 500],
      [1000, 1000],
      [0.3, 0.2],
      [0.05, 0.05],
      [123_456, 100_000],
    ];
    for (const [max, nice] of cases) expect(niceLength(max), String(max)).toBe(nice);
  });

  it('has no length for nothing, negatives or nonsense', () => {
    for (const bad of [0, -5, Number.NaN, Number.POSITIVE_INFINITY]) expect(niceLength(bad)).toBeNull();
  });
});

describe('formatLength', () => {
  it('says metres below a kilometre and kilometres from there', () => {
    expect(formatLength(50)).toBe('50 m');
    expect(formatLength(500)).toBe('500 m');
    expect(formatLength(1000)).toBe('1 km');
    expect(formatLength(20_000)).toBe('20 km');
  });
});

describe('scaleBar', () => {
  it('is 50 m long (84 px) at street level on the equator', () => {
    const bar = scaleBar(at(0, 18));
    expect(bar?.metres).toBe(50);
    expect(bar?.label).toBe('50 m');
    expect(bar?.widthPx).toBeCloseTo(83.73, 2);
  });

  it('is 10 km at zoom 10 on the equator, and shorter in metres further from it', () => {
    expect(scaleBar(at(0, 10))?.label).toBe('10 km');
    // At 60° a pixel covers half the ground: 35.8 m of room at zoom 18 → 20 m.
    expect(scaleBar(at(60, 18))?.label).toBe('20 m');
  });

  it('always fits the room and fills at least 40 % of it', () => {
    for (const lat of [-70, -14.6, 0, 14.65, 45, 84]) {
      for (let zoom = 0; zoom <= 20; zoom += 0.5) {
        const bar = scaleBar(at(lat, zoom), 120);
        expect(bar).not.toBeNull();
        expect(bar?.widthPx).toBeLessThanOrEqual(120 + 1e-6);
        expect(bar?.widthPx).toBeGreaterThanOrEqual(48 - 1e-6);
      }
    }
  });
});
