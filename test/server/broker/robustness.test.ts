/**
 * The broker never falls over from input: malformed frames get that client an
 * ERROR or a close, while everyone else keeps relaying.
 */
import { describe, expect, it } from 'vitest';
import type { LimitCounters } from '../../../peer-server/broker/limits.ts';
import {
  PeerClient,
  citizenCredentials,
  eventually,
  openCitizen,
  openPeer,
  openStation,
  prng,
  settle,
  startBroker,
  type Broker,
  type Credentials,
} from '../harness.ts';

const SEED = 0xbf9_2026;
const FRAME_CAP = 8192;

interface Junk {
  data: string | Buffer;
  binary: boolean;
  kind: string;
}

/**
 * A seeded generator of frames no PeerJS client would send, in batches: mostly
 * a few frames at a time, sometimes a long burst.
 */
function junkBatches(seed: number, ids: { citizen: string; officer: string }): () => Junk[] {
  const rand = prng(seed);
  const int = (n: number) => Math.floor(rand() * n);
  const pick = <T,>(items: readonly T[]): T => items[int(items.length)] as T;
  const text = (n: number) => Array.from({ length: n }, () => String.fromCharCode(32 + int(95))).join('');
  const bytes = (n: number) => Buffer.from(Array.from({ length: n }, () => int(256)));
  const nested = (depth: number): unknown => (depth === 0 ? pick([1, 'x', null, true, {}]) : rand() < 0.5 ? [nested(depth - 1)] : { k: nested(depth - 1) });
  const oddValues: unknown[] = [null, 0, -1, 1e308, true, '', [], {}, 'OFFER', ['OFFER'], { type: 'OFFER' }, '__proto__'];
  const json = (kind: string, value: unknown): Junk => ({ kind, binary: false, data: JSON.stringify(value) });
  const makers: (() => Junk)[] = [
    () => ({ kind: 'not JSON', binary: false, data: pick(['', ' ', '{', '}', 'null,', '{"type":"OFFER"', text(1 + int(200)), `{"type":"OFFER","dst":"${ids.citizen}"`]) }),
    () => json('wrong shape', pick([null, 42, 'OFFER', [], [{ type: 'OFFER' }], true, {}, { dst: ids.citizen }, { payload: {} }])),
    () => json('odd type', { type: pick([...oddValues, 'OPEN', 'EXPIRE', 'ID-TAKEN', 'ERROR', 'offer', 'HEARTBEAT ', 'constructor', 'toString', text(30), 'x'.repeat(2000)]), dst: ids.citizen, payload: { connectionId: 'mc_x' } }),
    () => json('bad destination', { type: pick(['OFFER', 'ANSWER', 'CANDIDATE']), dst: pick([...oddValues.filter((v) => typeof v !== 'string'), '', 'd'.repeat(81)]), payload: { connectionId: 'mc_x' } }),
    () => json('bad payload', { type: pick(['OFFER', 'ANSWER', 'CANDIDATE', 'LEAVE']), dst: ids.citizen, payload: pick([null, 'x', 1, [], [{ connectionId: 'a' }], false]) }),
    () => ({ kind: 'binary', binary: true, data: rand() < 0.5 ? bytes(1 + int(512)) : Buffer.from(JSON.stringify({ type: 'OFFER', dst: ids.citizen })) }),
    () => json('nested junk', rand() < 0.5 ? nested(1 + int(200)) : { type: 'OFFER', dst: pick([ids.citizen, ids.officer, '__proto__', 'constructor']), payload: { connectionId: text(100), junk: nested(1 + int(300)) } }),
    () => ({ kind: 'deep nesting', binary: false, data: '['.repeat(3000 + int(1000)) + ']'.repeat(int(2) === 0 ? 4000 : 10) }),
    () => json('refused relay', { type: pick(['OFFER', 'CANDIDATE', 'ANSWER', 'LEAVE']), dst: pick([ids.citizen, ids.officer, citizenCredentials().id]), payload: { connectionId: `mc_${int(5)}`, sdp: { type: 'offer', sdp: text(int(500)) } } }),
    () => json('forged src', { type: 'OFFER', src: ids.officer, dst: ids.citizen, payload: { connectionId: `mc_f${int(99)}` } }),
    () => json('heartbeat with junk', { type: 'HEARTBEAT', dst: nested(3), payload: text(20) }),
  ];
  // Frames after which the broker closes the connection at once.
  const closers: (() => Junk)[] = [
    () => json('leave the broker', { type: 'LEAVE' }),
    () => ({ kind: 'huge', binary: rand() < 0.5, data: Buffer.alloc(FRAME_CAP + 1 + int(FRAME_CAP * 4), 0x61) }),
    () => ({ kind: 'invalid UTF-8', binary: false, data: Buffer.concat([Buffer.from('{"type":"'), Buffer.from([0xc3, 0x28, 0xff, 0xfe]), Buffer.from('"}')]) }),
  ];
  return () => {
    const roll = rand();
    if (roll < 0.02) return Array.from({ length: 300 }, () => ({ kind: 'burst', binary: false, data: 'x' }));
    const size = roll < 0.9 ? 1 + int(20) : 20 + int(40);
    // Closers end the connection and the rest of the batch with it: keep them rare.
    return Array.from({ length: size }, () => (rand() < 0.02 ? pick(closers) : pick(makers))());
  };
}

interface AbuseStats {
  /** Frames the broker is known to have handled (a probe after them was answered), or that cut a connection. */
  handled: number;
  cuts: number;
  errors: string[];
  kinds: Set<string>;
}

/**
 * An abusive client: sends batches of junk, each followed by a probe (an OFFER
 * to an id that cannot exist, answered by EXPIRE once the broker has handled
 * everything before it), and reconnects whenever the broker cuts it off.
 */
async function abuse(broker: Broker, creds: Credentials, nextBatch: () => Junk[], enough: () => boolean, stats: AbuseStats): Promise<void> {
  let client: PeerClient | null = null;
  let probes = 0;
  while (!enough()) {
    if (!client?.isOpen) {
      if (client) stats.errors.push(...client.received('ERROR').map((m) => String(m.payload?.msg)));
      client = await openPeer(broker, creds);
    }
    const batch = nextBatch();
    for (const frame of batch) {
      stats.kinds.add(frame.kind);
      client.ws.send(frame.data, { binary: frame.binary }, () => undefined);
    }
    const probe = `probe-${probes++}`;
    client.ws.send(JSON.stringify({ type: 'OFFER', dst: probe, payload: { connectionId: probe } }), () => undefined);
    const answered = await client.next('EXPIRE', { where: (m) => m.src === probe }).then(
      () => true,
      (err: unknown) => {
        if (client?.isOpen) throw err; // Neither an answer nor a close: the broker is stuck.
        return false;
      },
    );
    if (answered) stats.handled += batch.length;
    else {
      stats.handled += 1;
      stats.cuts += 1;
    }
  }
  if (client) {
    stats.errors.push(...client.received('ERROR').map((m) => String(m.payload?.msg)));
    client.terminate();
  }
}

describe('malformed frames from abusive clients', () => {
  it(`survives 1,000+ seeded random frames (seed ${SEED.toString(16)}) while two other clients keep relaying`, { timeout: 60_000 }, async () => {
    const broker = await startBroker({
      env: { LIMIT_FRAME_BYTES: String(FRAME_CAP), LIMIT_MALFORMED_PER_MINUTE: '40', LIMIT_CONNECTIONS_PER_IP: '100000', LIMIT_OFFERS_PER_CITIZEN: '100000' },
    });
    const citizen = await openCitizen(broker);
    const station = await openStation(broker);
    const nextBatch = junkBatches(SEED, { citizen: citizen.id, officer: 'of-juan-dela-cruz-ph0ne' });
    const abusers = [citizenCredentials(), citizenCredentials(), citizenCredentials()];
    const abuserIds = new Set(abusers.map((a) => a.id));
    const stats: AbuseStats = { handled: 0, cuts: 0, errors: [], kinds: new Set() };
    const enough = () => stats.handled >= 1000;

    const relayed: string[] = [];
    const relay = (async () => {
      // A citizen calls the station again and again; the station answers each call.
      while (!enough() || relayed.length < 20) {
        const cid = await citizen.offer(station.id);
        await citizen.candidate(station.id, cid);
        const offer = await station.next('OFFER', { where: (m) => m.payload?.connectionId === cid });
        await station.next('CANDIDATE', { where: (m) => m.payload?.connectionId === cid });
        await station.answer(offer.src as string, cid);
        await citizen.next('ANSWER', { where: (m) => m.payload?.connectionId === cid });
        relayed.push(cid);
      }
    })();
    await Promise.all(abusers.map((creds) => abuse(broker, creds, nextBatch, enough, stats)));
    await relay;

    expect(stats.handled).toBeGreaterThanOrEqual(1000);
    expect(stats.kinds.size).toBeGreaterThanOrEqual(14);
    // The abusers were told off, and cut off again and again.
    expect(stats.errors.filter((m) => m.startsWith('Malformed message: ')).length).toBeGreaterThan(100);
    expect(stats.errors.some((m) => /Too many malformed messages/.test(m))).toBe(true);
    expect(stats.cuts).toBeGreaterThan(10);
    // The relaying pair never noticed, and saw nothing from the abusers.
    expect(relayed.length).toBeGreaterThanOrEqual(20);
    expect(citizen.isOpen && station.isOpen).toBe(true);
    expect([...citizen.received('ERROR'), ...station.received('ERROR'), ...citizen.received('EXPIRE')]).toEqual([]);
    expect([...citizen.messages, ...station.messages].filter((m) => abuserIds.has(m.src ?? ''))).toEqual([]);

    // The broker still answers over HTTP and takes new peers, who can place calls.
    const health = await broker.http('/api/health');
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    const newcomer = await openCitizen(broker);
    const cid = await newcomer.offer(station.id);
    expect((await station.next('OFFER', { where: (m) => m.src === newcomer.id })).payload?.connectionId).toBe(cid);
    // An abuser can come back and behave.
    const reformed = await openPeer(broker, abusers[0] as Credentials);
    const ok = await reformed.offer(station.id);
    expect((await station.next('OFFER', { where: (m) => m.src === reformed.id })).payload?.connectionId).toBe(ok);
  });

  it('cuts off a client that floods the broker faster than it can check, and no one else', async () => {
    const broker = await startBroker({ env: { LIMIT_MALFORMED_PER_MINUTE: '1000' } });
    const citizen = await openCitizen(broker);
    const station = await openStation(broker);
    const flooder = await openCitizen(broker);
    // Each malformed frame is checked against an asynchronous counter; hundreds arrive meanwhile.
    for (let n = 0; n < 1000; n++) flooder.ws.send('x', () => undefined);
    const { code } = await flooder.closed;
    expect(code).toBe(1008);
    expect(flooder.received('ERROR').map((m) => m.payload?.msg)).toContain('Too many messages at once.');
    const cid = await citizen.offer(station.id);
    expect((await station.next('OFFER')).payload?.connectionId).toBe(cid);
  });
});

describe('frame order', () => {
  it('relays one client\'s frames in the order sent, also while a limit check is slow (a shared store)', async () => {
    const pending: (() => void)[] = [];
    const counters: LimitCounters = {
      connection: () => Promise.resolve(true),
      malformed: () => Promise.resolve(true),
      offer: () => new Promise((resolve) => pending.push(() => resolve(true))),
      renegotiation: () => Promise.resolve(true),
    };
    const broker = await startBroker({ server: { counters } });
    const citizen = await openCitizen(broker);
    const station = await openStation(broker);

    const first = citizen.newConnectionId();
    const second = citizen.newConnectionId();
    await citizen.offer(station.id, { connectionId: first });
    await citizen.candidate(station.id, first, 1);
    await citizen.offer(station.id, { connectionId: second });
    await citizen.candidate(station.id, second, 2);
    await eventually(() => pending.length === 1);
    await settle();
    pending[0]?.();
    // The second OFFER is being checked now; a candidate arrives meanwhile.
    await eventually(() => pending.length === 2);
    await citizen.candidate(station.id, second, 3);
    await settle();
    pending[1]?.();

    await eventually(() => station.received('CANDIDATE').length === 3);
    const order = station.messages
      .filter((m) => m.type !== 'OPEN')
      .map((m) => `${m.type}:${m.payload?.connectionId === first ? 1 : 2}${m.type === 'CANDIDATE' ? `#${String((m.payload?.candidate as { candidate: string }).candidate.split(' ')[0]).slice(10)}` : ''}`);
    expect(order).toEqual(['OFFER:1', 'CANDIDATE:1#1', 'OFFER:2', 'CANDIDATE:2#2', 'CANDIDATE:2#3']);
  });
});
