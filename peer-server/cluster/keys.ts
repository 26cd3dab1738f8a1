/**
 * Every Redis key and channel the cluster uses, under one prefix (REDIS_PREFIX)
 * so several deployments can share a Redis.
 */
export interface Keys {
  peer(id: string): string;
  queue(id: string): string;
  /** All queued entries by time, for the total bound. */
  queued: string;
  node(node: string): string;
  nodes: string;
  channel(node: string): string;
  limiter(name: string): string;
}

export function keysFor(prefix: string): Keys {
  return {
    peer: (id) => `${prefix}peer:${id}`,
    queue: (id) => `${prefix}queue:${id}`,
    queued: `${prefix}queued`,
    node: (node) => `${prefix}node:${node}`,
    nodes: `${prefix}nodes`,
    channel: (node) => `${prefix}to:${node}`,
    limiter: (name) => `${prefix}limit:${name}`,
  };
}
