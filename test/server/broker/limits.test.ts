/**
 * Abuse limits, each set small through the environment: connection attempts
 * per address, new calls per citizen, frame size, queues for absent peers,
 * concurrent peers and malformed frames. Over a limit, only the offender is
 * refused; everyone else carries on.
 */
import { describe, expect, it } from 'vitest';
import { AbsentQueueBound } from '../../../peer-server/broker/limits.ts';
import {
  PeerClient,
  citizenCredentials,
  connectRefused,
  eventually,
  openCitizen,
  openOfficer,
  openPeer,
  openStation,
  settle,
  startBroker,
  stationCredentials,
} from '../harness.ts';

describe('connection attempts per address per minute', () => {
  it('admits attempts up to the limit, then refuses that address while others still get in', async () => {
    const broker = await startBroker({ env: { LIMIT_CONNECTIONS_PER_IP: '3' } });
    const admitted = [await openCitizen(broker), await openCitizen(broker), await openStation(broker)];
    const refusal = await connectRefused(broker, citizenCredentials());
    expect(refusal.error).toMatch(/Too many connection attempts/);
    expect(refusal.messages.map((m) => m.type)).not.toContain('OPEN');
    // Those already connected are not affected and still relay.
    expect(admitted.every((c) => c.isOpen)).toBe(true);
    const [citizen, , station] = admitted as [PeerClient, PeerClient, PeerClient];
    await citizen.offer(station.id);
    await station.next('OFFER');
  });

  it('counts per remote address (behind a trusted proxy: per forwarded address)', async () => {
    const broker = await startBroker({ env: { LIMIT_CONNECTIONS_PER_IP: '2', TRUST_PROXY: '1' } });
    const from = (ip: string) => ({ headers: { 'x-forwarded-for': ip } });
    await openCitizen(broker, citizenCredentials(), from('10.0.0.1'));
    await openCitizen(broker, citizenCredentials(), from('10.0.0.1'));
    expect((await connectRefused(broker, citizenCredentials(), from('10.0.0.1'))).error).toMatch(/Too many connection attempts/);
    const elsewhere = await openCitizen(broker, citizenCredentials(), from('10.0.0.2'));
    expect(elsewhere.isOpen).toBe(true);
  });
});

describe('new calls per citizen per minute', () => {
  it('delivers offers up to the limit, then answers new ones with EXPIRE and drops their candidates', async () => {
    const broker = await startBroker({ env: { LIMIT_OFFERS_PER_CITIZEN: '3' } });
    const citizen = await openCitizen(broker);
    const station = await openStation(broker);
    const delivered: string[] = [];
    for (let n = 0; n < 3; n++) delivered.push(await citizen.offer(station.id));
    for (const cid of delivered) expect((await station.next('OFFER')).payload?.connectionId).toBe(cid);

    const over = await citizen.offer(station.id);
    await citizen.candidate(station.id, over);
    expect(await citizen.next('EXPIRE')).toEqual({ type: 'EXPIRE', src: station.id, dst: citizen.id });

    // Signalling of calls already under way is not limited: a renegotiation and candidates still pass.
    await citizen.offer(station.id, { connectionId: delivered[0] as string });
    await citizen.candidate(station.id, delivered[0] as string);
    expect((await station.next('OFFER')).payload?.connectionId).toBe(delivered[0]);
    expect((await station.next('CANDIDATE')).payload?.connectionId).toBe(delivered[0]);
    await settle();
    expect(station.received(undefined, (m) => m.payload?.connectionId === over)).toEqual([]);
    expect(citizen.received('EXPIRE')).toHaveLength(1);
    expect(citizen.isOpen).toBe(true);
  });

  it('is kept per device: reconnecting does not reset it, and another citizen is unaffected', async () => {
    const broker = await startBroker({ env: { LIMIT_OFFERS_PER_CITIZEN: '2' } });
    const creds = citizenCredentials();
    const first = await openCitizen(broker, creds);
    const station = await openStation(broker);
    await first.offer(station.id);
    await first.offer(station.id);
    await station.next('OFFER');
    await station.next('OFFER');
    await first.close();

    const again = await openCitizen(broker, creds);
    await again.offer(station.id);
    await again.next('EXPIRE');

    const other = await openCitizen(broker);
    const cid = await other.offer(station.id);
    expect((await station.next('OFFER')).payload?.connectionId).toBe(cid);
  });

  it('gives staff their own, separate limit', async () => {
    const broker = await startBroker({ env: { LIMIT_OFFERS_PER_CITIZEN: '1', LIMIT_OFFERS_PER_STAFF: '3' } });
    const station = await openStation(broker);
    const officer = await openOfficer(broker);
    for (let n = 0; n < 3; n++) {
      const cid = await station.offer(officer.id);
      expect((await officer.next('OFFER')).payload?.connectionId).toBe(cid);
    }
    await station.offer(officer.id);
    expect(await station.next('EXPIRE')).toMatchObject({ src: officer.id, dst: station.id });
  });
});

describe('frame size cap', () => {
  it('relays a frame under the cap and closes the connection that sends one over it, only that one', async () => {
    const broker = await startBroker({ env: { LIMIT_FRAME_BYTES: '2048' } });
    const citizen = await openCitizen(broker);
    const station = await openStation(broker);
    const bystander = await openCitizen(broker);

    const sdp = 'a'.repeat(1700);
    await citizen.offer(station.id, { sdp });
    expect((await station.next('OFFER')).payload?.sdp).toMatchObject({ sdp });

    await citizen.offer(station.id, { sdp: 'a'.repeat(3000) }).catch(() => undefined);
    const { code } = await citizen.closed;
    expect(code).toBe(1009);
    await settle();
    expect(station.received('OFFER')).toHaveLength(1);

    expect(station.isOpen && bystander.isOpen).toBe(true);
    const cid = await bystander.offer(station.id);
    expect((await station.next('OFFER')).payload?.connectionId).toBe(cid);
  });
});

describe('queue for an absent peer', () => {
  it('holds messages for a peer that is not connected up to the bound, refuses more with EXPIRE, and delivers the held ones on arrival', async () => {
    const broker = await startBroker({ env: { LIMIT_QUEUE_PER_PEER: '2', EXPIRE_TIMEOUT_MS: '30000' } });
    const station = await openStation(broker);
    const absent = citizenCredentials();
    const held = [await station.offer(absent.id), await station.offer(absent.id)];
    await station.offer(absent.id);
    expect(await station.next('EXPIRE')).toEqual({ type: 'EXPIRE', src: absent.id, dst: station.id });
    await settle();
    expect(station.received('EXPIRE')).toHaveLength(1);

    const arrived = await openPeer(broker, absent);
    const got = [await arrived.next('OFFER'), await arrived.next('OFFER')];
    expect(got.map((m) => m.payload?.connectionId)).toEqual(held);
    await settle();
    expect(arrived.received('OFFER')).toHaveLength(2);

    // The bound is released once the peer is here.
    const cid = await station.offer(absent.id);
    expect((await arrived.next('OFFER')).payload?.connectionId).toBe(cid);
  });

  it('bounds the total held for all absent peers together', async () => {
    const broker = await startBroker({ env: { LIMIT_QUEUE_PER_PEER: '5', LIMIT_QUEUE_TOTAL: '3', EXPIRE_TIMEOUT_MS: '30000' } });
    const station = await openStation(broker);
    for (let n = 0; n < 3; n++) await station.offer(citizenCredentials().id);
    const last = citizenCredentials().id;
    await station.offer(last);
    expect(await station.next('EXPIRE')).toMatchObject({ src: last });
    await settle();
    expect(station.received('EXPIRE')).toHaveLength(1);
  });

  it('tells the caller with EXPIRE when a held offer is never picked up', async () => {
    const broker = await startBroker({ env: { EXPIRE_TIMEOUT_MS: '200' } });
    const station = await openStation(broker);
    const absent = citizenCredentials().id;
    await station.offer(absent);
    expect(await station.next('EXPIRE', { timeoutMs: 3000 })).toMatchObject({ src: absent, dst: station.id });
  });

  it('(unit) AbsentQueueBound counts per peer and in total, and forgets what is older than the hold time', () => {
    let now = 0;
    const bound = new AbsentQueueBound(2, 3, 1000, () => now);
    expect([bound.admit('a'), bound.admit('a'), bound.admit('a')]).toEqual([true, true, false]);
    expect([bound.admit('b'), bound.admit('c')]).toEqual([true, false]);
    expect(bound.heldTotal()).toBe(3);
    bound.release('a');
    expect(bound.heldTotal()).toBe(1);
    expect(bound.admit('c')).toBe(true);
    now = 1500;
    bound.sweep();
    expect(bound.heldTotal()).toBe(0);
    expect([bound.admit('a'), bound.admit('a')]).toEqual([true, true]);
  });
});

describe('concurrent peers', () => {
  it('refuses a new peer at capacity with a message pointing to the hotlines, but lets a connected peer reconnect', async () => {
    const broker = await startBroker({ env: { LIMIT_PEERS: '2' } });
    // The limit is what one broker node holds: in cluster mode everyone here is on the first node.
    const node = { node: 0 };
    const aliceCreds = citizenCredentials();
    const alice = await openCitizen(broker, aliceCreds, node);
    const station = await openPeer(broker, await stationCredentials(broker), node);

    const refusal = await connectRefused(broker, citizenCredentials(), node);
    expect(refusal.error).toMatch(/at capacity.*hotline/);
    expect(refusal.messages.map((m) => m.type)).not.toContain('OPEN');

    // Alice's phone reconnects while the broker still holds her old socket.
    const aliceAgain = await openCitizen(broker, aliceCreds, node);
    await alice.closed;
    expect(station.isOpen && aliceAgain.isOpen).toBe(true);

    // Once someone leaves, a newcomer gets in.
    await aliceAgain.close();
    await eventually(async () => ((await (await broker.http('/api/health')).json()) as { peers: number }).peers === 1);
    const newcomer = await openCitizen(broker, citizenCredentials(), node);
    expect(newcomer.isOpen).toBe(true);
  });
});

describe('malformed frames', () => {
  it('answers each malformed frame with ERROR up to the limit, then cuts that client off; others carry on', async () => {
    const broker = await startBroker({ env: { LIMIT_MALFORMED_PER_MINUTE: '3' } });
    const creds = citizenCredentials();
    const sloppy = await openCitizen(broker, creds);
    const citizen = await openCitizen(broker);
    const station = await openStation(broker);

    await sloppy.sendRaw('not json');
    await sloppy.send({ type: 'OPEN' });
    await sloppy.send({ type: 'OFFER', dst: 42 });
    for (let n = 0; n < 3; n++) expect((await sloppy.next('ERROR')).payload?.msg).toMatch(/^Malformed message: /);
    expect(sloppy.isOpen).toBe(true);
    // Under the limit it can still place a call.
    const cid = await sloppy.offer(station.id);
    expect((await station.next('OFFER')).payload?.connectionId).toBe(cid);

    // PeerJS never sends binary frames: even a well-formed offer in one counts as malformed.
    await sloppy.sendRaw(Buffer.from(JSON.stringify({ type: 'OFFER', dst: station.id, payload: { connectionId: 'mc_binary' } })), true);
    expect((await sloppy.next('ERROR')).payload?.msg).toMatch(/Too many malformed messages/);
    expect((await sloppy.closed).code).toBe(1008);
    expect(station.received('OFFER', (m) => m.payload?.connectionId === 'mc_binary')).toEqual([]);

    const other = await citizen.offer(station.id);
    expect((await station.next('OFFER')).payload?.connectionId).toBe(other);
    // The device itself is not banned: a new connection works.
    const back = await openCitizen(broker, creds);
    expect(back.isOpen).toBe(true);
  });
});
