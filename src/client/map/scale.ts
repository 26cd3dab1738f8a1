/**
 * The scale bar: a round ground length (1, 2 or 5 × 10^n metres) that fits in
 * the space given to it at the view's zoom and latitude.
 */
import { metresPerPixel } from './projection.ts';
import type { MapView } from './view.ts';

export interface ScaleBar {
  metres: number;
  /** The bar's length in pixels. */
  widthPx: number;
  /** "50 m", "2 km". */
  label: string;
}

/** The largest of 1, 2, 5 × 10^n not above `max` (null when `max` is not a positive number). */
export function niceLength(max: number): number | null {
  if (!(max > 0) || !Number.isFinite(max)) return null;
  let power = 10 ** Math.floor(Math.log10(max));
  // log10 and division are not exact in floating point: a hair of tolerance keeps 1000 m a kilometre, not 500 m.
  if (power * 10 <= max * (1 + 1e-9)) power *= 10;
  const ratio = (max / power) * (1 + 1e-9);
  const step = ratio >= 5 ? 5 : ratio >= 2 ? 2 : 1;
  return Number((step * power).toPrecision(1));
}

export function formatLength(metres: number): string {
  return metres >= 1000 ? `${metres / 1000} km` : `${metres} m`;
}

/** The scale bar for `view`, at most `maxWidthPx` long, measured at the view's centre. */
export function scaleBar(view: MapView, maxWidthPx = 120): ScaleBar | null {
  const perPixel = metresPerPixel(view.center.lat, view.zoom);
  const metres = niceLength(perPixel * maxWidthPx);
  if (metres === null) return null;
  return { metres, widthPx: metres / perPixel, label: formatLength(metres) };
}
