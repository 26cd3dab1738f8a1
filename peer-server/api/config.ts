import type { Request, Response } from 'express';
import type { MapConfig } from '../../src/shared/map-tiles.ts';

/** GET /api/config — settings the app reads from its station's server: the map's tile source. */
export function configHandler(mapTileUrl: string | null) {
  const body: MapConfig = { mapTileUrl };
  return (_req: Request, res: Response) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(body);
  };
}
