/**
 * Web Mercator as tile servers use it: known tiles land where every slippy
 * map puts them, and ground distances per pixel match the published table.
 */
import { describe, expect, it } from 'vitest';
import { EARTH_CIRCUMFERENCE, MAX_LATITUDE, TILE_SIZE, metresPerPixel, project, unproject, worldSize } from '../../../../src/client/map/projection.ts';

describe('project', () => {
  it('puts 0°, 0° in the middle of the world and the antimeridian at its edges', () => {
    expect(project({ lat: 0, lng: 0 }, 0)).toEqual({ x: 128, y: 128 });
    expect(project({ lat: 0, lng: -180 }, 0).x).toBe(0);
    expect(project({ lat: 0, lng: 180 }, 0).x).toBe(256);
    expect(project({ lat: 0, lng: 90 }, 2)).toEqual({ x: 768, y: 512 });
  });

  it('puts Berlin in OpenStreetMap tile 10/550/335 and Manila in 15/27396/15040', () => {
    const berlin = project({ lat: 52.52, lng: 13.405 }, 10);
    expect([Math.floor(berlin.x / TILE_SIZE), Math.floor(berlin.y / TILE_SIZE)]).toEqual([550, 335]);
    const manila = project({ lat: 14.5995, lng: 120.9842 }, 15);
    expect([Math.floor(manila.x / TILE_SIZE), Math.floor(manila.y / TILE_SIZE)]).toEqual([27396, 15040]);
  });

  it('has north up: a point further north has a smaller y', () => {
    expect(project({ lat: 14.66, lng: 121 }, 15).y).toBeLessThan(project({ lat: 14.65, lng: 121 }, 15).y);
  });

  it('clamps latitudes beyond Web Mercator’s limit to the top and bottom edges', () => {
    expect(project({ lat: MAX_LATITUDE, lng: 0 }, 0).y).toBeCloseTo(0, 6);
    expect(project({ lat: 90, lng: 0 }, 0).y).toBeCloseTo(0, 6);
    expect(project({ lat: -90, lng: 0 }, 0).y).toBeCloseTo(256, 6);
  });

  it('doubles every coordinate per zoom level, fractional zooms included', () => {
    const p = { lat: 14.6515, lng: 121.0493 };
    const a = project(p, 12);
    const b = project(p, 13.5);
    expect(b.x / a.x).toBeCloseTo(2 ** 1.5, 9);
    expect(b.y / a.y).toBeCloseTo(2 ** 1.5, 9);
    expect(worldSize(3)).toBe(2048);
  });
});

describe('unproject', () => {
  it('is the inverse of project', () => {
    for (const p of [
      { lat: 14.6515, lng: 121.0493 },
      { lat: -33.8688, lng: 151.2093 },
      { lat: 0, lng: 0 },
      { lat: 80, lng: -179.5 },
    ]) {
      for (const zoom of [0, 7.25, 18]) {
        const back = unproject(project(p, zoom), zoom);
        expect(back.lat).toBeCloseTo(p.lat, 9);
        expect(back.lng).toBeCloseTo(p.lng, 9);
      }
    }
  });
});

describe('metresPerPixel', () => {
  it('matches the published ground resolution at the equator (156 543.03 m at zoom 0)', () => {
    expect(EARTH_CIRCUMFERENCE).toBeCloseTo(40_075_016.686, 3);
    expect(metresPerPixel(0, 0)).toBeCloseTo(156_543.034, 3);
    expect(metresPerPixel(0, 18)).toBeCloseTo(0.5972, 4);
  });

  it('shrinks with the cosine of the latitude: half at 60°', () => {
    expect(metresPerPixel(60, 10) / metresPerPixel(0, 10)).toBeCloseTo(0.5, 9);
    expect(metresPerPixel(-60, 10)).toBeCloseTo(metresPerPixel(60, 10), 9);
  });

  it('stays positive at the poles (clamped to the projection’s limit)', () => {
    expect(metresPerPixel(90, 0)).toBeGreaterThan(0);
    expect(metresPerPixel(90, 0)).toBeCloseTo(metresPerPixel(MAX_LATITUDE, 0), 9);
  });
});
