import type { Request, Response } from 'express';
import type { Presence } from '../../src/shared/presence.ts';
import type { Registry } from '../broker/registry.ts';
import type { Cluster } from '../cluster/index.ts';
import type { StaffEntry } from '../cluster/nodes.ts';
import { verifyToken } from '../tokens.ts';

/**
 * GET /api/presence — which station consoles are online (all a citizen needs to
 * place a call); a staff bearer token also sees the online officers.
 */
export function presenceHandler(registry: Registry, secret: Uint8Array, cluster: Pick<Cluster, 'healthy' | 'snapshots'> | null = null) {
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
    for (const identity of await staffOnline(registry, cluster)) {
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

/** Staff online on this node, or on every node of the cluster (each id once); this node's alone while Redis is away. */
async function staffOnline(registry: Registry, cluster: Pick<Cluster, 'healthy' | 'snapshots'> | null): Promise<Iterable<StaffEntry>> {
  const snapshots = cluster?.healthy() ? await cluster.snapshots() : null;
  const byId = new Map<string, StaffEntry>();
  if (snapshots) {
    for (const snapshot of snapshots) for (const entry of snapshot.staff) byId.set(entry.id, entry);
    return byId.values();
  }
  for (const { identity } of registry.sessions()) {
    if (identity.role !== 'citizen') byId.set(identity.id, { id: identity.id, role: identity.role, station: identity.station, name: identity.name });
  }
  return byId.values();
}
