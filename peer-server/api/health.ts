import type { Request, Response } from 'express';
import type { Registry } from '../broker/registry.ts';
import type { Cluster } from '../cluster/index.ts';

/**
 * GET /api/health — for load balancers and monitoring. In cluster mode `peers`
 * counts the whole cluster and `degraded` says Redis is away; the status stays
 * 200 then, or a balancer would drop every node at once.
 */
export function healthHandler(registry: Registry, startedAt: number, version: string, cluster: Pick<Cluster, 'healthy' | 'snapshots'> | null = null) {
  return async (_req: Request, res: Response) => {
    const uptimeSeconds = Math.round((Date.now() - startedAt) / 1000);
    res.setHeader('Cache-Control', 'no-store');
    if (!cluster) {
      res.json({ status: 'ok', version, peers: registry.size(), uptimeSeconds });
      return;
    }
    const snapshots = cluster.healthy() ? await cluster.snapshots() : null;
    const peers = snapshots ? snapshots.reduce((sum, s) => sum + s.peers, 0) : registry.size();
    res.json({ status: 'ok', version, peers, uptimeSeconds, degraded: snapshots === null, nodes: snapshots?.length ?? null });
  };
}
