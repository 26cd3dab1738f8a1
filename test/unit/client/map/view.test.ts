/**
 * Fitting the incident into the map: the station, the callers and the
 * officers with their accuracy circles all show, as close as possible, never
 * closer than street level and never farther than the whole world.
 */
import { describe, expect, it } from 'vitest';
import { metresPerPixel } from '../../../../src/client/map/projection.ts';
import { DEFAULT_MAX_ZOOM, fitView, metresToPixels, toScreen, type FitPoint, type MapView } from '../../../../src/client/map/view.ts';

const STATION = { lat: 14.6515, lng: 121.0493 };
const CALLER = { lat: 14.6592, lng: 121.0572, accuracy: 25 };
const OFFICER = { lat: 14.6461, lng: 121.0398, accuracy: 8 };

/** Every point with its circle lies inside the view less `padding` on each side. */
function allInside(view: MapView, points: readonly FitPoint[], padding: number): boolean {
  return points.every((p) => {
    const { x, y } = toScreen(view, p);
    const r = metresToPixels(view, p, p.accuracy ?? 0);
    const e = 1e-6;
    return x - r >= padding - e && x + r <= view.width - padding + e && y - r >= padding - e && y + r <= view.height - padding + e;
  });
}

describe('fitView', () => {
  it('shows the station, a caller and an officer with their circles, as close as that allows', () => {
    const points = [STATION, CALLER, OFFICER];
    const view = fitView(points, 640, 400, { padding: 40 });
    expect(view).not.toBeNull();
    if (!view) return;
    expect(Number.isInteger(view.zoom)).toBe(true);
    expect(allInside(view, points, 40)).toBe(true);
    expect(allInside({ ...view, zoom: view.zoom + 1 }, points, 40)).toBe(false);
  });

  it('centres the bounds: the extremes are equally far from the edges', () => {
    const view = fitView([STATION, { lat: 14.7, lng: 121.1 }], 640, 400, { padding: 0 });
    if (!view) throw new Error('no view');
    const a = toScreen(view, STATION);
    const b = toScreen(view, { lat: 14.7, lng: 121.1 });
    expect((a.x + b.x) / 2).toBeCloseTo(320, 6);
    expect((a.y + b.y) / 2).toBeCloseTo(200, 6);
  });

  it('shows a lone point at the closest zoom, centred on it', () => {
    const view = fitView([STATION], 640, 400);
    expect(view?.zoom).toBe(DEFAULT_MAX_ZOOM);
    expect(view?.center.lat).toBeCloseTo(STATION.lat, 9);
    expect(view?.center.lng).toBeCloseTo(STATION.lng, 9);
    expect(fitView([STATION], 640, 400, { maxZoom: 16 })?.zoom).toBe(16);
  });

  it('shows points at the same place (a caller at the station) at the closest zoom, not an infinite one', () => {
    const view = fitView([STATION, { ...STATION, accuracy: 0 }, STATION], 640, 400);
    expect(view?.zoom).toBe(DEFAULT_MAX_ZOOM);
    expect(view && toScreen(view, STATION)).toEqual({ x: 320, y: 200 });
  });

  it('zooms out for a wide accuracy circle: 1 km around a point at the equator fits at zoom 14, not 15', () => {
    const point = { lat: 0, lng: 0, accuracy: 1000 };
    const view = fitView([point], 640, 400, { padding: 40 });
    expect(view?.zoom).toBe(14);
    // 2 km across at zoom 14 is about 209 px: inside the 320 px of room, which 419 px at zoom 15 is not.
    expect(2000 / metresPerPixel(0, 14)).toBeLessThan(320);
    expect(2000 / metresPerPixel(0, 15)).toBeGreaterThan(320);
  });

  it('grows a circle on screen when the accuracy grows, even though the view zooms out for it', () => {
    const small = { ...CALLER, accuracy: 15 };
    const large = { ...CALLER, accuracy: 800 };
    const a = fitView([STATION, small], 640, 400);
    const b = fitView([STATION, large], 640, 400);
    if (!a || !b) throw new Error('no view');
    expect(b.zoom).toBeLessThanOrEqual(a.zoom);
    expect(metresToPixels(b, large, 800)).toBeGreaterThan(metresToPixels(a, small, 15));
  });

  it('clamps huge spreads to the farthest zoom instead of going below it', () => {
    const spread = [
      { lat: 80, lng: -179 },
      { lat: -80, lng: 179 },
    ];
    const world = fitView(spread, 640, 400);
    expect(world?.zoom).toBe(0);
    // The whole world is 256 px across at zoom 0: in a smaller view even that is too close, and zoom 0 it stays.
    expect(fitView(spread, 200, 150)?.zoom).toBe(0);
    const enormous = fitView([{ lat: 60, lng: 121.05, accuracy: 1e7 }, { lat: -60, lng: 0, accuracy: 1e7 }], 640, 400);
    expect(enormous?.zoom).toBe(0);
    expect(Number.isFinite(enormous?.center.lat)).toBe(true);
    expect(Number.isFinite(enormous?.center.lng)).toBe(true);
    expect(fitView(spread, 640, 400, { minZoom: 3 })?.zoom).toBe(3);
  });

  it('snaps the zoom down to the step asked for', () => {
    const points = [STATION, CALLER];
    const whole = fitView(points, 640, 400, { zoomSnap: 1 });
    const half = fitView(points, 640, 400, { zoomSnap: 0.5 });
    const free = fitView(points, 640, 400, { zoomSnap: 1e-9 });
    if (!whole || !half || !free) throw new Error('no view');
    expect(half.zoom % 0.5).toBe(0);
    expect(whole.zoom).toBeLessThanOrEqual(half.zoom);
    expect(half.zoom).toBeLessThanOrEqual(free.zoom);
    expect(free.zoom - half.zoom).toBeLessThan(0.5);
    expect(allInside(free, points, 40)).toBe(true);
  });

  it('ignores unusable points and gives no view when none is left', () => {
    expect(fitView([], 640, 400)).toBeNull();
    expect(fitView([{ lat: Number.NaN, lng: 121 }], 640, 400)).toBeNull();
    const view = fitView([STATION, { lat: 14, lng: Number.POSITIVE_INFINITY }, { ...CALLER, accuracy: Number.NaN }], 640, 400);
    expect(view).not.toBeNull();
    expect(view && allInside(view, [STATION, { ...CALLER, accuracy: 0 }], 40)).toBe(true);
  });

  it('still gives a view when the padding leaves no room', () => {
    const view = fitView([STATION, CALLER], 60, 60, { padding: 40 });
    expect(view?.zoom).toBeGreaterThanOrEqual(0);
  });
});

describe('toScreen and metresToPixels', () => {
  const view: MapView = { center: STATION, zoom: 16, width: 640, height: 400 };

  it('puts the view’s centre in the middle, east to the right and north up', () => {
    expect(toScreen(view, STATION)).toEqual({ x: 320, y: 200 });
    const east = toScreen(view, { lat: STATION.lat, lng: STATION.lng + 0.001 });
    const north = toScreen(view, { lat: STATION.lat + 0.001, lng: STATION.lng });
    expect(east.x).toBeGreaterThan(320);
    expect(east.y).toBeCloseTo(200, 9);
    expect(north.y).toBeLessThan(200);
  });

  it('turns metres into pixels with the ground resolution at that latitude and zoom', () => {
    expect(metresToPixels(view, STATION, 100)).toBeCloseTo(100 / metresPerPixel(STATION.lat, 16), 9);
    expect(metresToPixels({ ...view, zoom: 17 }, STATION, 100)).toBeCloseTo(2 * metresToPixels(view, STATION, 100), 9);
  });
});
