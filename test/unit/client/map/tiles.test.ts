/** Tile math: which z/x/y tiles cover the map, and where each one is drawn. */
import { describe, expect, it } from 'vitest';
import { coveringTiles, tileUrl, type PlacedTile } from '../../../../src/client/map/tiles.ts';
import type { MapView } from '../../../../src/client/map/view.ts';

const TEMPLATE = 'https://tiles.example.lan/{z}/{x}/{y}.png';
const BERLIN: MapView = { center: { lat: 52.52, lng: 13.405 }, zoom: 10, width: 640, height: 400 };

/** The tiles leave no gap: together they cover the whole view. */
function coversView(tiles: PlacedTile[], view: MapView): boolean {
  const left = Math.min(...tiles.map((t) => t.left));
  const top = Math.min(...tiles.map((t) => t.top));
  const right = Math.max(...tiles.map((t) => t.left + t.size));
  const bottom = Math.max(...tiles.map((t) => t.top + t.size));
  return left <= 0 && top <= 0 && right >= view.width && bottom >= view.height;
}

describe('tileUrl', () => {
  it('fills {z}, {x} and {y}, wherever and however often they appear', () => {
    expect(tileUrl(TEMPLATE, 15, 27396, 15040)).toBe('https://tiles.example.lan/15/27396/15040.png');
    expect(tileUrl('http://t.lan/tiles?z={z}&x={x}&y={y}&again={z}', 3, 1, 2)).toBe('http://t.lan/tiles?z=3&x=1&y=2&again=3');
  });
});

describe('coveringTiles', () => {
  it('covers the view around Berlin at zoom 10 with adjacent tiles, including 10/550/335', () => {
    const tiles = coveringTiles(BERLIN, TEMPLATE);
    expect(tiles.map((t) => t.key)).toContain('10/550/335');
    expect(tiles.every((t) => t.z === 10 && t.size === 256)).toBe(true);
    expect(coversView(tiles, BERLIN)).toBe(true);
    // No tile lies wholly outside the view.
    for (const t of tiles) {
      expect(t.left + t.size).toBeGreaterThan(0);
      expect(t.top + t.size).toBeGreaterThan(0);
      expect(t.left).toBeLessThan(640);
      expect(t.top).toBeLessThan(400);
    }
    const xs = [...new Set(tiles.map((t) => t.x))].sort((a, b) => a - b);
    const ys = [...new Set(tiles.map((t) => t.y))].sort((a, b) => a - b);
    expect(tiles).toHaveLength(xs.length * ys.length);
    expect(xs.at(-1)! - xs[0]! + 1).toBe(xs.length);
    expect(ys.length).toBeGreaterThanOrEqual(2);
    const a = tiles.find((t) => t.x === xs[0] && t.y === ys[0]);
    const b = tiles.find((t) => t.x === xs[1] && t.y === ys[0]);
    expect(b!.left - a!.left).toBeCloseTo(256, 9);
    expect(a?.url).toBe(`https://tiles.example.lan/10/${xs[0]}/${ys[0]}.png`);
  });

  it('draws the one world tile in the middle of a larger view at zoom 0, without repeating the world', () => {
    const tiles = coveringTiles({ center: { lat: 0, lng: 0 }, zoom: 0, width: 640, height: 400 }, TEMPLATE);
    expect(tiles).toEqual([{ key: '0/0/0', z: 0, x: 0, y: 0, url: 'https://tiles.example.lan/0/0/0.png', left: 192, top: 72, size: 256 }]);
  });

  it('takes tiles at the nearest whole zoom and scales them to a fractional one', () => {
    const down = coveringTiles({ ...BERLIN, zoom: 10.4 }, TEMPLATE);
    expect(down.every((t) => t.z === 10)).toBe(true);
    expect(down[0]?.size).toBeCloseTo(256 * 2 ** 0.4, 9);
    expect(coversView(down, BERLIN)).toBe(true);
    const up = coveringTiles({ ...BERLIN, zoom: 10.6 }, TEMPLATE);
    expect(up.every((t) => t.z === 11)).toBe(true);
    expect(up[0]?.size).toBeCloseTo(256 * 2 ** -0.4, 9);
    expect(coversView(up, BERLIN)).toBe(true);
  });

  it('stops at the tile server’s deepest zoom and enlarges those tiles instead', () => {
    const tiles = coveringTiles({ ...BERLIN, zoom: 19 }, TEMPLATE, 17);
    expect(tiles.every((t) => t.z === 17 && t.size === 1024)).toBe(true);
    expect(tiles.length).toBeLessThanOrEqual(4);
    expect(coversView(tiles, BERLIN)).toBe(true);
  });

  it('asks for no tile beyond the poles or the antimeridian', () => {
    const arctic = coveringTiles({ center: { lat: 85, lng: 179.9 }, zoom: 3, width: 640, height: 400 }, TEMPLATE);
    expect(arctic.length).toBeGreaterThan(0);
    for (const t of arctic) {
      expect(t.x).toBeGreaterThanOrEqual(0);
      expect(t.x).toBeLessThan(8);
      expect(t.y).toBeGreaterThanOrEqual(0);
      expect(t.y).toBeLessThan(8);
    }
  });
});
