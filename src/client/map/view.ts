/**
 * What part of the world the map shows: a centre and a zoom for a view of a
 * given size, fitted around the points of an incident and their accuracy
 * circles, and the placing of positions inside it.
 */
import { metresPerPixel, project, unproject, type LatLng, type Point } from './projection.ts';

export interface MapView {
  center: LatLng;
  zoom: number;
  /** The view's size in pixels. */
  width: number;
  height: number;
}

export interface FitPoint extends LatLng {
  /** Radius of the accuracy circle in metres (0 or absent: none). */
  accuracy?: number;
}

export interface FitOptions {
  /** Pixels kept free on every side, for marker symbols and labels. */
  padding?: number;
  /** Closest zoom: a lone point or points at one place are shown at this zoom. */
  maxZoom?: number;
  /** Farthest zoom: points spread wider than the world still get a view. */
  minZoom?: number;
  /** Zoom is rounded down to a multiple of this (1 keeps map tiles sharp). */
  zoomSnap?: number;
}

export const DEFAULT_MAX_ZOOM = 18;

function finitePoint(p: FitPoint): boolean {
  return Number.isFinite(p.lat) && Number.isFinite(p.lng);
}

/**
 * The closest view of `width` × `height` pixels that shows every point with
 * its accuracy circle inside the padding, or null when there is no usable point.
 */
export function fitView(points: readonly FitPoint[], width: number, height: number, options: FitOptions = {}): MapView | null {
  const { padding = 40, maxZoom = DEFAULT_MAX_ZOOM, minZoom = 0, zoomSnap = 1 } = options;
  const usable = points.filter(finitePoint);
  if (usable.length === 0) return null;
  // Bounds in world pixels at zoom 0, circles included.
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  for (const p of usable) {
    const at = project(p, 0);
    const accuracy = p.accuracy !== undefined && Number.isFinite(p.accuracy) && p.accuracy > 0 ? p.accuracy : 0;
    const r = accuracy / metresPerPixel(p.lat, 0);
    minX = Math.min(minX, at.x - r);
    maxX = Math.max(maxX, at.x + r);
    minY = Math.min(minY, at.y - r);
    maxY = Math.max(maxY, at.y + r);
  }
  const room = (size: number) => Math.max(1, size - 2 * padding);
  const fits = Math.min(Math.log2(room(width) / (maxX - minX)), Math.log2(room(height) / (maxY - minY)));
  const snapped = Math.floor(Math.min(fits, maxZoom) / zoomSnap) * zoomSnap;
  const zoom = Math.max(minZoom, Math.min(maxZoom, snapped));
  return { center: unproject({ x: (minX + maxX) / 2, y: (minY + maxY) / 2 }, 0), zoom, width, height };
}

/** Where a position falls in the view, in pixels from its top-left corner. */
export function toScreen(view: MapView, p: LatLng): Point {
  const c = project(view.center, view.zoom);
  const q = project(p, view.zoom);
  return { x: q.x - c.x + view.width / 2, y: q.y - c.y + view.height / 2 };
}

/** A ground distance around `p` in pixels of the view (an accuracy circle's radius). */
export function metresToPixels(view: MapView, p: LatLng, metres: number): number {
  return metres / metresPerPixel(p.lat, view.zoom);
}
