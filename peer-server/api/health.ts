import type { Request, Response } from 'express';
import type { Registry } from '../broker/registry.ts';

/** GET /api/health — for load balancers and monitoring. */
export function healthHandler(registry: Registry, startedAt: number, version: string) {
  return (_req: Request, res: Response) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json({ status: 'ok', version, peers: registry.size(), uptimeSeconds: Math.round((Date.now() - startedAt) / 1000) });
  };
}
