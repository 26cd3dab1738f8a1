/**
 * Cluster mode (REDIS_URL set): this node's Redis connections, its liveness
 * key, the shared registry and limits, and what presence and health read.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Logger } from 'pino';
import type { Limits } from '../config.ts';
import type { LimitCounters } from '../broker/limits.ts';
import type { Registry, Session } from '../broker/registry.ts';
import { connectRedis } from './connect.ts';
import { keysFor } from './keys.ts';
import { sharedLimits } from './limits.ts';
import { NodeBook, type NodeSnapshot, type StaffEntry } from './nodes.ts';
import { ClusterPeers } from './peers.ts';
import { defineScripts } from './scripts.ts';

export interface ClusterOptions {
  url: string;
  prefix: string;
  limits: Limits;
  expireTimeoutMs: number;
  registry: Registry;
  log: Logger;
}

export interface Cluster {
  node: string;
  peers: ClusterPeers;
  counters: LimitCounters;
  /** False while Redis is unreachable: the node then serves its own peers only. */
  healthy(): boolean;
  /** Every live node's snapshot; null while Redis is away. */
  snapshots(): Promise<NodeSnapshot[] | null>;
  close(): Promise<void>;
}

export async function startCluster(options: ClusterOptions): Promise<Cluster> {
  const { registry, log } = options;
  const node = `${os.hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
  const keys = keysFor(options.prefix);
  const redis = await connectRedis(options.url, log);
  const commands = defineScripts(redis.commands);
  let peers: ClusterPeers | null = null;
  const snapshot = (): NodeSnapshot => {
    const staff: StaffEntry[] = [];
    let count = 0;
    const add = ({ identity }: Session) => {
      count += 1;
      if (identity.role !== 'citizen') staff.push({ id: identity.id, role: identity.role, station: identity.station, name: identity.name });
    };
    for (const session of registry.sessions()) add(session);
    for (const session of peers?.pending ?? []) if (registry.get(session.identity.id) !== session) add(session);
    return { peers: count, staff };
  };
  const book = new NodeBook(redis.commands, keys, node, snapshot, log);
  peers = new ClusterPeers({ redis, commands, keys, book, registry, limits: options.limits, expireTimeoutMs: options.expireTimeoutMs, log });
  await book.start();
  await peers.start();
  log.info({ node }, 'cluster mode: sharing peers, routes and limits through Redis');
  const counters = sharedLimits(options.limits, redis.commands, keys);
  const running = peers;
  return {
    node,
    peers: running,
    counters,
    healthy: () => redis.ready(),
    snapshots: () => book.all(),
    async close() {
      running.stop();
      await running.releaseAll();
      await book.stop();
      await redis.close();
    },
  };
}
