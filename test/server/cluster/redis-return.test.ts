/**
 * The moments after Redis returns: a node claims its peers again as soon as
 * both its Redis connections are back, and a frame that was queued meanwhile
 * for a peer that never left is delivered to it, not answered with EXPIRE.
 */
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS } from '../../../peer-server/config.ts';
import { LocalRegistry, type Session } from '../../../peer-server/broker/registry.ts';
import type { RedisPair } from '../../../peer-server/cluster/connect.ts';
import { keysFor } from '../../../peer-server/cluster/keys.ts';
import type { NodeBook } from '../../../peer-server/cluster/nodes.ts';
import { ClusterPeers, REFRESH_MS } from '../../../peer-server/cluster/peers.ts';
import type { ClusterCommands } from '../../../peer-server/cluster/scripts.ts';
import { citizenCredentials, eventually, openCitizen, openPeer, stationCredentials } from '../harness.ts';
import { startCluster, type TestCluster } from './harness.ts';

async function degraded(cluster: TestCluster, node: number): Promise<boolean> {
  return ((await (await cluster.http('/api/health', node)).json()) as { degraded: boolean }).degraded;
}

function redisOf(cluster: TestCluster): Redis {
  const redis = new Redis(cluster.redis.url, { lazyConnect: true, maxRetriesPerRequest: 1 });
  redis.on('error', () => undefined);
  return redis;
}

describe('Redis back under two nodes', () => {
  it('relays a cross-node offer sent right after both nodes are back', async () => {
    const cluster = await startCluster(2);
    const station = await openPeer(cluster, await stationCredentials(cluster), { node: 0 });
    const citizen = await openCitizen(cluster, citizenCredentials(), { node: 1 });

    await cluster.redis.kill();
    for (const node of [0, 1]) await eventually(() => degraded(cluster, node), 5000, `node ${node + 1} degraded`);
    await cluster.redis.start();
    for (const node of [0, 1]) await eventually(async () => !(await degraded(cluster, node)), 10_000, `node ${node + 1} back`);
    // Both nodes' channels are subscribed again, so both connections of both nodes are up.
    const redis = redisOf(cluster);
    try {
      await eventually(async () => ((await redis.call('PUBSUB', 'CHANNELS')) as string[]).length === 2, 5000, 'both channels subscribed');
    } finally {
      redis.disconnect();
    }
    await sleep(200);

    const cid = await citizen.offer(station.id);
    expect((await station.next('OFFER', { timeoutMs: 1500 })).payload?.connectionId).toBe(cid);
    expect(citizen.received('EXPIRE')).toEqual([]);
  });

  it("delivers a frame queued while a console's registry entry was missing at its node's next refresh", async () => {
    const cluster = await startCluster(2, { EXPIRE_TIMEOUT_MS: '15000' });
    const station = await openPeer(cluster, await stationCredentials(cluster), { node: 0 });
    const citizen = await openCitizen(cluster, citizenCredentials(), { node: 1 });
    // As after Redis came back empty and before node 1 claimed its peers again.
    const redis = redisOf(cluster);
    try {
      expect(await redis.del(`bfp:peer:${station.id}`)).toBe(1);
    } finally {
      redis.disconnect();
    }

    const cid = await citizen.offer(station.id);
    await citizen.candidate(station.id, cid, 1);
    expect((await station.next('OFFER', { timeoutMs: REFRESH_MS + 2000 })).payload?.connectionId).toBe(cid);
    expect((await station.next('CANDIDATE')).payload?.connectionId).toBe(cid);
    expect(citizen.received('EXPIRE')).toEqual([]);
  });
});

/** A Redis connection as ClusterPeers sees it: a status and a 'ready' event. */
class FakeConnection extends EventEmitter {
  status = 'reconnecting';
  subscribe = () => Promise.resolve(1);
  comeBack(): void {
    this.status = 'ready';
    this.emit('ready');
  }
}

describe('(unit) ClusterPeers when Redis returns', () => {
  it('claims its peers again once the second of its two connections is ready, and hands them what waited', async () => {
    const commands = new FakeConnection();
    const subscriber = new FakeConnection();
    const redis = { commands, subscriber, ready: () => commands.status === 'ready' && subscriber.status === 'ready', close: () => Promise.resolve() } as unknown as RedisPair;
    const refreshed: string[][] = [];
    const scripts = {
      refresh: (keys: string[]) => {
        refreshed.push(keys);
        return Promise.resolve({ lost: [], taken: [[0, 'q1\n{"type":"OFFER","src":"c-x","dst":"st-a-abcd"}']] });
      },
    } as unknown as ClusterCommands;
    const book = { self: 'node-a', publish: () => Promise.resolve(), isLive: () => true } as unknown as NodeBook;
    const registry = new LocalRegistry();
    const peers = new ClusterPeers({ redis, commands: scripts, keys: keysFor('t:'), book, registry, limits: DEFAULT_LIMITS, expireTimeoutMs: 5000, log: pino({ level: 'silent' }) });
    await peers.start();
    const sent: string[] = [];
    const socket = { readyState: 1, OPEN: 1, send: (frame: string) => sent.push(frame) };
    const session = { identity: { role: 'station', id: 'st-a-abcd', owner: 'station:a@a', station: 'a', sub: 'a', name: 'A' }, socket, ip: '127.0.0.1', connectedAt: 1 } as unknown as Session;
    // Admitted while Redis was away: local rules only.
    expect(await peers.claim(session)).toBeNull();
    registry.set(session);

    commands.comeBack();
    await sleep(10);
    expect(refreshed).toEqual([]);
    subscriber.comeBack();
    await eventually(() => refreshed.length === 1, 1000, 'a refresh');
    expect(refreshed[0]).toEqual(['t:peer:st-a-abcd']);
    expect(sent).toEqual(['{"type":"OFFER","src":"c-x","dst":"st-a-abcd"}']);
    peers.stop();
  });
});
