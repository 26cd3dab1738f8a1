/**
 * Web Mercator, as tile servers use it: the world is a square of
 * TILE_SIZE × 2^zoom pixels, x growing east from the antimeridian, y growing
 * south from latitude +85.05°. Zoom may be fractional.
 */

export interface LatLng {
  lat: number;
  lng: number;
}

export interface Point {
  x: number;
  y: number;
}

export const TILE_SIZE = 256;
/** Web Mercator's latitude limit: the world square ends here. */
export const MAX_LATITUDE = 85.0511287798066;
/** The equator's length on the WGS 84 ellipsoid, in metres. */
export const EARTH_CIRCUMFERENCE = 2 * Math.PI * 6_378_137;

const RAD = Math.PI / 180;

/** The world's width and height in pixels at `zoom`. */
export function worldSize(zoom: number): number {
  return TILE_SIZE * 2 ** zoom;
}

/** World pixel coordinates of a position at `zoom`; latitudes beyond the limit are clamped. */
export function project(p: LatLng, zoom: number): Point {
  const size = worldSize(zoom);
  const lat = Math.max(-MAX_LATITUDE, Math.min(MAX_LATITUDE, p.lat));
  const sin = Math.sin(lat * RAD);
  return {
    x: ((p.lng + 180) / 360) * size,
    y: (0.5 - Math.log((1 + sin) / (1 - sin)) / (4 * Math.PI)) * size,
  };
}

/** The position at world pixel coordinates at `zoom` (the inverse of `project`). */
export function unproject(pt: Point, zoom: number): LatLng {
  const size = worldSize(zoom);
  return {
    lat: (2 * Math.atan(Math.exp(Math.PI * (1 - (2 * pt.y) / size))) - Math.PI / 2) / RAD,
    lng: (pt.x / size) * 360 - 180,
  };
}

/** Ground metres one pixel covers at latitude `lat` and `zoom`. */
export function metresPerPixel(lat: number, zoom: number): number {
  return (EARTH_CIRCUMFERENCE * Math.cos(Math.max(-MAX_LATITUDE, Math.min(MAX_LATITUDE, lat)) * RAD)) / worldSize(zoom);
}
