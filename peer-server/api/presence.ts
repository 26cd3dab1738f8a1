import type { Request, Response } from 'express';
import type { Presence } from '../../src/shared/presence.ts';
import type { Registry } from '../broker/registry.ts';
import { verifyToken } from '../tokens.ts';

/**
 * GET /api/presence — which station consoles are online (all a citizen needs to
 * place a call); a staff bearer token also sees the online officers.
 */
export function presenceHandler(registry: Registry, secret: Uint8Array) {
  return async (req: Request, res: Response) => {
    const auth = req.headers.authorization;
    let staff = false;
    if (auth?.startsWith('Bearer ')) {
      const verified = await verifyToken(secret, auth.slice(7).trim());
      if (!verified.ok) {
        res.status(401).json({ error: verified.reason });
        return;
      }
      staff = true;
    }
    // A Map: a station may be called "constructor" without meeting Object.prototype.
    const stations = new Map<string, string[]>();
    const officers: NonNullable<Presence['officers']> = [];
    for (const { identity } of registry.sessions()) {
      if (identity.role === 'station') {
        const ids = stations.get(identity.station) ?? [];
        ids.push(identity.id);
        stations.set(identity.station, ids);
      } else if (identity.role === 'officer' && staff) officers.push({ id: identity.id, station: identity.station, name: identity.name });
    }
    const presence: Presence = { stations: Object.fromEntries(stations) };
    if (staff) presence.officers = officers;
    res.setHeader('Cache-Control', 'no-store');
    res.json(presence);
  };
}
