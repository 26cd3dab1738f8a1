/**
 * Three broker nodes on one Redis: calls, ids, limits and presence work
 * across nodes as they do on one.
 */
import { describe, expect, it } from 'vitest';
import type { Presence } from '../../../src/shared/presence.ts';
import { citizenCredentials, connectRefused, eventually, openCitizen, openPeer, officerCredentials, staffToken, stationCredentials } from '../harness.ts';
import { startCluster, type TestCluster } from './harness.ts';

async function presence(cluster: TestCluster, node: number, bearer?: string): Promise<Presence> {
  const res = await cluster.http('/api/presence', node, bearer === undefined ? {} : { headers: { authorization: `Bearer ${bearer}` } });
  expect(res.status).toBe(200);
  return (await res.json()) as Presence;
}

describe('three broker nodes on one Redis', () => {
  it('relays a call from a citizen on node 1 to a console on node 3 and the answer back', async () => {
    const cluster = await startCluster(3);
    const citizen = await openCitizen(cluster, citizenCredentials(), { node: 0 });
    const station = await openPeer(cluster, await stationCredentials(cluster), { node: 2 });

    const cid = await citizen.offer(station.id, { metadata: { kind: 'sos' } });
    await citizen.candidate(station.id, cid, 1);
    const offer = await station.next('OFFER');
    expect(offer).toMatchObject({ src: citizen.id, dst: station.id, payload: { connectionId: cid, metadata: { kind: 'sos' } } });
    expect((await station.next('CANDIDATE')).payload?.connectionId).toBe(cid);

    await station.answer(citizen.id, cid);
    await station.candidate(citizen.id, cid, 2);
    expect(await citizen.next('ANSWER')).toMatchObject({ src: station.id, dst: citizen.id, payload: { connectionId: cid } });
    expect((await citizen.next('CANDIDATE')).src).toBe(station.id);
  });

  it('refuses the id of a connected citizen on node 2 to another secret, and a console id to another staff member', async () => {
    const cluster = await startCluster(3);
    const alice = citizenCredentials();
    const online = await openCitizen(cluster, alice, { node: 0 });
    const refused = await connectRefused(cluster, { id: alice.id, token: citizenCredentials().token }, { node: 1 });
    expect(refused.error).toMatch(/does not match its secret/);

    // Same officer id, a token for the same officer at another station: another owner, on another node.
    const juan = await officerCredentials(cluster, 'juan-dela-cruz', 'qc-central');
    const held = await openPeer(cluster, juan, { node: 0 });
    const other = await staffToken(cluster, 'officer', { sub: 'juan-dela-cruz', station: 'qc-cubao' });
    const taken = await connectRefused(cluster, { id: juan.id, token: other }, { node: 1 });
    expect(taken.error).toMatch(/already in use/);
    expect(held.isOpen && online.isOpen).toBe(true);

    // The owner itself takes its id over from another node at once; the old socket is closed.
    const moved = await openCitizen(cluster, alice, { node: 2 });
    await online.closed;
    const station = await openPeer(cluster, await stationCredentials(cluster), { node: 1 });
    const cid = await station.offer(alice.id);
    expect((await moved.next('OFFER')).payload?.connectionId).toBe(cid);
  });

  it('follows a peer that moved after its route was cached, and ends a route to a peer that left in one EXPIRE', async () => {
    const cluster = await startCluster(3, { EXPIRE_TIMEOUT_MS: '500' });
    const station = await openPeer(cluster, await stationCredentials(cluster), { node: 0 });
    const alice = citizenCredentials();
    const before = await openCitizen(cluster, alice, { node: 1 });
    const first = await station.offer(alice.id);
    expect((await before.next('OFFER')).payload?.connectionId).toBe(first);

    // Node 1 learnt where alice was; she is on node 3 now.
    const after = await openCitizen(cluster, alice, { node: 2 });
    await before.closed;
    const second = await station.offer(alice.id);
    await station.candidate(alice.id, second, 1);
    expect((await after.next('OFFER')).payload?.connectionId).toBe(second);
    expect((await after.next('CANDIDATE')).payload?.connectionId).toBe(second);

    // She leaves for good: the frames that follow the old route end in one EXPIRE, not one per frame.
    await after.close();
    const third = await station.offer(alice.id);
    await station.candidate(alice.id, third, 2);
    await station.candidate(alice.id, third, 3);
    expect(await station.next('EXPIRE')).toEqual({ type: 'EXPIRE', src: alice.id, dst: station.id });
    // A later EXPIRE for someone else: by then any further EXPIRE for alice would have come.
    await station.offer(citizenCredentials().id);
    await station.next('EXPIRE', { where: (m) => m.src !== alice.id });
    expect(station.received('EXPIRE', (m) => m.src === alice.id)).toHaveLength(1);
  });

  it('keeps the per-citizen call limit when the attempts are spread over the nodes', async () => {
    const cluster = await startCluster(3, { LIMIT_OFFERS_PER_CITIZEN: '3' });
    const station = await openPeer(cluster, await stationCredentials(cluster), { node: 0 });
    const creds = citizenCredentials();
    for (const node of [0, 1, 2]) {
      const citizen = await openCitizen(cluster, creds, { node });
      const cid = await citizen.offer(station.id);
      expect((await station.next('OFFER')).payload?.connectionId).toBe(cid);
      await citizen.close();
    }
    const again = await openCitizen(cluster, creds, { node: 1 });
    await again.offer(station.id);
    expect(await again.next('EXPIRE')).toMatchObject({ src: station.id, dst: creds.id });
  });

  it('lists on every node the consoles and officers connected to the others', async () => {
    const cluster = await startCluster(3);
    const central = await openPeer(cluster, await stationCredentials(cluster, 'qc-central'), { node: 1 });
    const cubao = await openPeer(cluster, await stationCredentials(cluster, 'qc-cubao'), { node: 2 });
    const officer = await openPeer(cluster, await officerCredentials(cluster, 'maria-santos', 'qc-cubao'), { node: 2 });
    const token = await staffToken(cluster, 'station', { sub: 'qc-central', station: 'qc-central' });
    for (const node of [0, 1, 2]) {
      const seen = await presence(cluster, node, token);
      expect(seen.stations).toEqual({ 'qc-central': [central.id], 'qc-cubao': [cubao.id] });
      expect(seen.officers).toEqual([{ id: officer.id, station: 'qc-cubao', name: 'officer maria-santos' }]);
    }
    await central.close();
    await eventually(async () => (await presence(cluster, 0)).stations['qc-central'] === undefined, 3000, 'node 1 forgetting the console that left node 2');
  });
});
