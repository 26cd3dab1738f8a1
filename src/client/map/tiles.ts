/**
 * Which map tiles (z/x/y, the slippy-map scheme) cover a view, and where each
 * is drawn. Tiles are taken at the nearest whole zoom and scaled to the view's.
 */
import { TILE_SIZE, project } from './projection.ts';
import type { MapView } from './view.ts';

export interface PlacedTile {
  /** "z/x/y": stable across renders. */
  key: string;
  z: number;
  x: number;
  y: number;
  url: string;
  /** Top-left corner and side in view pixels. */
  left: number;
  top: number;
  size: number;
}

/** Fills a {z}/{x}/{y} template. */
export function tileUrl(template: string, z: number, x: number, y: number): string {
  return template.replaceAll('{z}', String(z)).replaceAll('{x}', String(x)).replaceAll('{y}', String(y));
}

/**
 * The tiles under `view`, row by row. The world does not repeat: tiles west of
 * the antimeridian or beyond the poles are left out.
 */
export function coveringTiles(view: MapView, template: string, maxTileZoom = 19): PlacedTile[] {
  const z = Math.max(0, Math.min(maxTileZoom, Math.round(view.zoom)));
  const scale = 2 ** (view.zoom - z);
  const centre = project(view.center, z);
  const left = centre.x - view.width / 2 / scale;
  const top = centre.y - view.height / 2 / scale;
  const last = 2 ** z - 1;
  const x0 = Math.max(0, Math.floor(left / TILE_SIZE));
  const x1 = Math.min(last, Math.ceil((left + view.width / scale) / TILE_SIZE) - 1);
  const y0 = Math.max(0, Math.floor(top / TILE_SIZE));
  const y1 = Math.min(last, Math.ceil((top + view.height / scale) / TILE_SIZE) - 1);
  const tiles: PlacedTile[] = [];
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      tiles.push({
        key: `${z}/${x}/${y}`,
        z,
        x,
        y,
        url: tileUrl(template, z, x, y),
        left: (x * TILE_SIZE - left) * scale,
        top: (y * TILE_SIZE - top) * scale,
        size: TILE_SIZE * scale,
      });
    }
  }
  return tiles;
}
