/**
 * The map settings the station's server hands out (GET /api/config), fetched
 * once per page and kept in memory. Offline, the map goes without tiles, and
 * the next map to open asks again.
 */
import { parseMapConfig, type MapConfig } from '../../shared/map-tiles.ts';

let cached: MapConfig | null = null;

export async function loadMapConfig(): Promise<MapConfig> {
  if (cached) return cached;
  try {
    const res = await fetch('/api/config', { cache: 'no-store' });
    if (!res.ok) return { mapTileUrl: null };
    cached = parseMapConfig(await res.json());
    return cached;
  } catch {
    return { mapTileUrl: null };
  }
}
