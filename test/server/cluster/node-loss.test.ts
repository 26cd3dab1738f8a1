/**
 * A broker node dies (SIGKILL) or hangs (SIGSTOP) with clients on it: they
 * come back on the other nodes with their ids, presence forgets what is gone,
 * and nobody else can take the ids meanwhile.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import type { Presence } from '../../../src/shared/presence.ts';
import { citizenCredentials, connectRefused, eventually, officerCredentials, openPeer, staffToken, stationCredentials, type Credentials, type PeerClient } from '../harness.ts';
import { silentBroker, startCluster, type TestCluster } from './harness.ts';

/** What the balancer does for a client whose node is gone: another node, until one answers with OPEN. */
async function reconnectElsewhere(cluster: TestCluster, creds: Credentials, nodes: number[]): Promise<PeerClient> {
  return eventually(() => openPeer(cluster, creds, { node: nodes[Math.floor(Math.random() * nodes.length)] as number }), 5000, `${creds.id} back on another node`);
}

async function stationsOn(cluster: TestCluster, node: number): Promise<Presence['stations']> {
  return ((await (await cluster.http('/api/presence', node)).json()) as Presence).stations;
}

function within<T>(ms: number, what: string, promise: Promise<T>): Promise<T> {
  return Promise.race([promise, sleep(ms).then(() => Promise.reject(new Error(`${what} not within ${ms} ms`)))]);
}

describe('a node that is killed', () => {
  it('has its clients back on the other nodes within 5 s with their ids; its other peers leave presence; their ids stay theirs', async () => {
    const cluster = await startCluster(3);
    const watcher = await openPeer(cluster, await stationCredentials(cluster, 'qc-cubao'), { node: 0 });
    const people = [citizenCredentials(), await stationCredentials(cluster, 'qc-central'), await officerCredentials(cluster, 'maria-santos')];
    const onNode = await Promise.all(people.map((creds) => openPeer(cluster, creds, { node: 1 })));
    // A console that does not come back, and an officer whose phone stays off.
    const gone = await openPeer(cluster, await stationCredentials(cluster, 'qc-sta-mesa'), { node: 1 });
    const offOfficer = await officerCredentials(cluster, 'juan-dela-cruz', 'qc-central');
    await openPeer(cluster, offOfficer, { node: 1 });
    expect(Object.keys(await stationsOn(cluster, 2)).sort()).toEqual(['qc-central', 'qc-cubao', 'qc-sta-mesa']);

    await cluster.nodes[1]?.signal('SIGKILL');
    const back = await within(
      5000,
      'every client back on another node',
      Promise.all(
        people.map(async (creds, i) => {
          await onNode[i]?.closed;
          return reconnectElsewhere(cluster, creds, [0, 2]);
        }),
      ),
    );
    expect(back.map((c) => c.id)).toEqual(people.map((p) => p.id));
    await gone.closed;

    // They are reachable where they are now.
    const [citizen, station] = back as [PeerClient, PeerClient];
    const cid = await watcher.offer(citizen.id);
    expect((await citizen.next('OFFER')).payload?.connectionId).toBe(cid);
    const call = await citizen.offer(station.id);
    expect((await station.next('OFFER')).payload?.connectionId).toBe(call);

    // Presence forgets the console that did not come back with its node (about 3 s), keeps the one that did.
    await eventually(async () => (await stationsOn(cluster, 0))['qc-sta-mesa'] === undefined, 6000, 'presence dropping the dead node\'s console');
    expect((await stationsOn(cluster, 2))['qc-central']).toEqual([station.id]);

    // The officer's id is still theirs: another owner cannot take it before the entry expires.
    const other = await staffToken(cluster, 'officer', { sub: 'juan-dela-cruz', station: 'qc-cubao' });
    expect((await connectRefused(cluster, { id: offOfficer.id, token: other }, { node: 2 })).error).toMatch(/already in use/);
    const owner = await openPeer(cluster, offOfficer, { node: 0 });
    expect(owner.isOpen).toBe(true);
  });
});

describe('a node that hangs', () => {
  it('is noticed by its clients\' watchdog, which moves them within 15 s; routing stops sending to it', async () => {
    const cluster = await startCluster(3, { EXPIRE_TIMEOUT_MS: '1000' });
    const watcher = await openPeer(cluster, await stationCredentials(cluster, 'qc-cubao'), { node: 0 });
    const people = [citizenCredentials(), await stationCredentials(cluster, 'qc-central')];
    const onNode = await Promise.all(people.map((creds) => openPeer(cluster, creds, { node: 2 })));
    const dogs = onNode.map((client) => silentBroker(client));
    // A peer without a watchdog stays registered on the frozen node.
    const stuck = await openPeer(cluster, citizenCredentials(), { node: 2 });

    await cluster.nodes[2]?.signal('SIGSTOP');
    const back = await within(
      15_000,
      'both clients moved',
      Promise.all(
        people.map(async (creds, i) => {
          await dogs[i]?.silent;
          return reconnectElsewhere(cluster, creds, [0, 1]);
        }),
      ),
    );
    const [citizen, station] = back as [PeerClient, PeerClient];
    const cid = await watcher.offer(citizen.id);
    expect((await citizen.next('OFFER')).payload?.connectionId).toBe(cid);
    const call = await citizen.offer(station.id);
    expect((await station.next('OFFER')).payload?.connectionId).toBe(call);

    // The frozen node's liveness key is gone: a message for its peer is not sent into the void, the caller hears EXPIRE.
    await watcher.offer(stuck.id);
    expect(await watcher.next('EXPIRE', { timeoutMs: 5000 })).toMatchObject({ src: stuck.id });
    await cluster.nodes[2]?.signal('SIGCONT');
  });
});
