/**
 * A connection id is chosen by the sender, so it names a connection only
 * together with its destination. Reusing one can neither revive a refused
 * offer's silence for another peer nor dodge the per-citizen limit and the
 * audit log; renegotiating one connection (the same id to the same peer) is
 * allowed a few times a minute.
 */
import { describe, expect, it } from 'vitest';
import { RENEGOTIATIONS_PER_MINUTE } from '../../../peer-server/broker/limits.ts';
import { eventually, openCitizen, openStation, readAudit, settle, startBroker, type Broker } from '../harness.ts';

async function offerLines(broker: Broker, src: string, count: number) {
  return eventually(async () => {
    await broker.flushAudit();
    const lines = readAudit(broker.dataDir).filter((l) => l.event === 'offer' && l.src === src);
    return lines.length >= count && lines;
  }, 3000, `${count} audit lines`);
}

describe('one connection id for several peers', () => {
  it('reaches a station with a connection id that was refused for another citizen, candidates included', async () => {
    const broker = await startBroker();
    const citizen = await openCitizen(broker);
    const other = await openCitizen(broker);
    const station = await openStation(broker);

    const cid = await citizen.offer(other.id);
    await citizen.candidate(other.id, cid, 1);
    expect(await citizen.next('EXPIRE')).toMatchObject({ src: other.id });

    await citizen.offer(station.id, { connectionId: cid });
    await citizen.candidate(station.id, cid, 2);
    expect((await station.next('OFFER')).payload?.connectionId).toBe(cid);
    expect((await station.next('CANDIDATE')).payload?.connectionId).toBe(cid);
    const lines = await offerLines(broker, citizen.id, 2);
    expect(lines.map((l) => [l.dst, l.allowed, l.reason])).toEqual([
      [other.id, false, 'citizen-to-citizen'],
      [station.id, true, 'delivered'],
    ]);
    expect(other.received('OFFER')).toEqual([]);
  });

  it('counts an offer that reuses a connection id for another station as a new call, against the limit and in the audit log', async () => {
    const broker = await startBroker({ env: { LIMIT_OFFERS_PER_CITIZEN: '2' } });
    const citizen = await openCitizen(broker);
    const stations = [await openStation(broker), await openStation(broker, 'qc-cubao'), await openStation(broker, 'qc-novaliches')];
    const cid = citizen.newConnectionId();
    for (const station of stations) await citizen.offer(station.id, { connectionId: cid });

    expect(await citizen.next('EXPIRE')).toMatchObject({ src: stations[2]?.id });
    for (const station of stations.slice(0, 2)) expect((await station.next('OFFER')).payload?.connectionId).toBe(cid);
    await settle();
    expect(stations[2]?.received('OFFER')).toEqual([]);
    const lines = await offerLines(broker, citizen.id, 3);
    expect(lines.map((l) => [l.dst, l.allowed, l.reason])).toEqual([
      [stations[0]?.id, true, 'delivered'],
      [stations[1]?.id, true, 'delivered'],
      [stations[2]?.id, false, 'offer-rate-limit'],
    ]);
  });
});

describe('renegotiating one connection', () => {
  it(`relays ${RENEGOTIATIONS_PER_MINUTE} renegotiations a minute, refuses more with EXPIRE and an audit line, and keeps the call's candidates flowing`, async () => {
    const broker = await startBroker();
    const citizen = await openCitizen(broker);
    const station = await openStation(broker);
    const cid = citizen.newConnectionId();
    const sent = 40;
    for (let n = 0; n < sent; n++) await citizen.offer(station.id, { connectionId: cid });

    const refused = sent - 1 - RENEGOTIATIONS_PER_MINUTE;
    await eventually(() => citizen.received('EXPIRE').length >= refused, 3000, `${refused} EXPIREs`);
    await citizen.candidate(station.id, cid, 1);
    expect((await station.next('CANDIDATE')).payload?.connectionId).toBe(cid);
    await settle();
    expect(station.received('OFFER')).toHaveLength(1 + RENEGOTIATIONS_PER_MINUTE);
    expect(citizen.received('EXPIRE')).toHaveLength(refused);
    expect(citizen.isOpen).toBe(true);

    const lines = await offerLines(broker, citizen.id, 1 + refused);
    expect(lines[0]).toMatchObject({ allowed: true, reason: 'delivered' });
    expect(lines.slice(1).every((l) => !l.allowed && l.reason === 'renegotiation-rate-limit' && l.dst === station.id)).toBe(true);
    expect(lines).toHaveLength(1 + refused);
  });
});
