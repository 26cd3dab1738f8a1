/**
 * Redis goes away and comes back empty: nodes keep relaying between the peers
 * each holds, refuse cross-node messages at once, admit newcomers on local
 * rules, say `degraded` in /api/health (still 200), and recover by themselves.
 */
import { describe, expect, it } from 'vitest';
import type { Presence } from '../../../src/shared/presence.ts';
import { citizenCredentials, eventually, officerCredentials, openCitizen, openPeer, staffToken, stationCredentials, type PeerClient } from '../harness.ts';
import { startCluster, type TestCluster } from './harness.ts';

async function health(cluster: TestCluster, node: number): Promise<{ status: number; degraded: boolean }> {
  const res = await cluster.http('/api/health', node);
  const body = (await res.json()) as { degraded: boolean };
  return { status: res.status, degraded: body.degraded };
}

describe('Redis restarted under three nodes', () => {
  it('keeps local relaying, refuses cross-node messages with EXPIRE, and recovers without a node restart', async () => {
    const cluster = await startCluster(3);
    const citizen = await openCitizen(cluster, citizenCredentials(), { node: 0 });
    const near = await openPeer(cluster, await stationCredentials(cluster, 'qc-central'), { node: 0 });
    const far = await openPeer(cluster, await stationCredentials(cluster, 'qc-cubao'), { node: 1 });
    const other = await openCitizen(cluster, citizenCredentials(), { node: 2 });

    await cluster.redis.kill();
    for (const node of [0, 1, 2]) {
      await eventually(async () => (await health(cluster, node)).degraded, 5000, `node ${node + 1} reporting degraded`);
      expect((await health(cluster, node)).status).toBe(200);
    }
    // Same node: relayed as ever.
    const local = await citizen.offer(near.id);
    expect((await near.next('OFFER')).payload?.connectionId).toBe(local);
    // Another node: refused at once, not held for later.
    await citizen.offer(far.id);
    expect(await citizen.next('EXPIRE')).toMatchObject({ src: far.id, dst: citizen.id });
    // Newcomers get in on the local rules; the same officer id with two owners on two nodes, for now.
    const newcomer = await openCitizen(cluster, citizenCredentials(), { node: 1 });
    const juan = await officerCredentials(cluster, 'juan-dela-cruz', 'qc-central');
    const first = await openPeer(cluster, juan, { node: 0 });
    const second = await openPeer(cluster, { id: juan.id, token: await staffToken(cluster, 'officer', { sub: 'juan-dela-cruz', station: 'qc-cubao' }) }, { node: 1 });

    await cluster.redis.start();
    for (const node of [0, 1, 2]) await eventually(async () => !(await health(cluster, node)).degraded, 10_000, `node ${node + 1} recovering`);
    // The duplicate is resolved: one of the two holders is closed.
    await eventually(() => first.isOpen !== second.isOpen, 10_000, 'one holder of the duplicate id closed');

    // Cross-node relaying, presence and routes to peers admitted during the outage all work again.
    await eventually(async () => {
      const stations = ((await (await cluster.http('/api/presence', 2)).json()) as Presence).stations;
      return stations['qc-central']?.[0] === near.id && stations['qc-cubao']?.[0] === far.id;
    }, 10_000, 'presence on node 3 listing both consoles again');
    const across = await other.offer(near.id);
    expect((await near.next('OFFER')).payload?.connectionId).toBe(across);
    const again = await citizen.offer(far.id);
    expect((await far.next('OFFER')).payload?.connectionId).toBe(again);
    const toNewcomer = await far.offer(newcomer.id);
    expect((await newcomer.next('OFFER')).payload?.connectionId).toBe(toNewcomer);
    expect([citizen, near, far, other, newcomer].every((c: PeerClient) => c.isOpen)).toBe(true);
  });
});

describe('limits while Redis is away', () => {
  it('still holds a citizen to the per-citizen limit, counted on each node by itself', async () => {
    const cluster = await startCluster(2, { LIMIT_OFFERS_PER_CITIZEN: '2' });
    const consoleOnA = await openPeer(cluster, await stationCredentials(cluster, 'qc-central'), { node: 0 });
    const consoleOnB = await openPeer(cluster, await stationCredentials(cluster, 'qc-cubao'), { node: 1 });
    await cluster.redis.kill();
    for (const node of [0, 1]) await eventually(async () => (await health(cluster, node)).degraded, 5000, `node ${node + 1} reporting degraded`);

    const credentials = citizenCredentials();
    const onA = await openCitizen(cluster, credentials, { node: 0 });
    for (let i = 0; i < 2; i++) {
      const id = await onA.offer(consoleOnA.id);
      expect((await consoleOnA.next('OFFER')).payload?.connectionId).toBe(id);
    }
    await onA.offer(consoleOnA.id);
    expect(await onA.next('EXPIRE')).toMatchObject({ src: consoleOnA.id, dst: onA.id });
    expect(onA.isOpen).toBe(true);

    // The same citizen on the other node starts from that node's own count: the limit is per node now.
    await onA.close();
    const onB = await openCitizen(cluster, credentials, { node: 1 });
    const id = await onB.offer(consoleOnB.id);
    expect((await consoleOnB.next('OFFER')).payload?.connectionId).toBe(id);
  });
});
