/**
 * Who may signal whom: a citizen reaches station consoles only; staff reach
 * anyone. A refused OFFER comes back as one EXPIRE (PeerJS shows
 * "peer-unavailable" and stays connected); nothing reaches the other side.
 */
import { describe, expect, it } from 'vitest';
import { openCitizen, openOfficer, openStation, settle, startBroker, type PeerClient } from '../harness.ts';

/** Nothing relayed (OFFER/ANSWER/CANDIDATE/LEAVE) from `src` reached `client`. */
function relayedFrom(client: PeerClient, src: string) {
  return client.received(undefined, (m) => m.src === src && ['OFFER', 'ANSWER', 'CANDIDATE', 'LEAVE'].includes(m.type));
}

describe('citizen to station', () => {
  it('delivers the offer, the answer and the candidates both ways', async () => {
    const broker = await startBroker();
    const citizen = await openCitizen(broker);
    const station = await openStation(broker);

    const cid = await citizen.offer(station.id, { metadata: { name: 'Ana', phone: '+63 917 000 0000' } });
    await citizen.candidate(station.id, cid, 1);
    const offer = await station.next('OFFER');
    expect(offer).toMatchObject({ src: citizen.id, dst: station.id, payload: { connectionId: cid, metadata: { name: 'Ana' } } });
    expect((await station.next('CANDIDATE')).payload?.connectionId).toBe(cid);

    await station.answer(citizen.id, cid);
    await station.candidate(citizen.id, cid, 2);
    expect(await citizen.next('ANSWER')).toMatchObject({ src: station.id, payload: { connectionId: cid } });
    expect(await citizen.next('CANDIDATE')).toMatchObject({ src: station.id, payload: { connectionId: cid } });
    expect(citizen.received('EXPIRE')).toHaveLength(0);
  });

  it('stamps the real sender on relayed messages, whatever src the client wrote', async () => {
    const broker = await startBroker();
    const citizen = await openCitizen(broker);
    const station = await openStation(broker);
    const officer = await openOfficer(broker);
    await citizen.send({ type: 'OFFER', src: officer.id, dst: station.id, payload: { connectionId: 'mc_forged', sdp: {} } });
    expect((await station.next('OFFER')).src).toBe(citizen.id);
  });
});

describe('citizen to citizen and citizen to officer are refused', () => {
  for (const target of ['citizen', 'officer'] as const) {
    it(`answers a citizen's offer to ${target === 'citizen' ? 'another citizen' : 'an officer'} with EXPIRE, delivers nothing, and keeps the sender connected`, async () => {
      const broker = await startBroker();
      const sender = await openCitizen(broker);
      const other = target === 'citizen' ? await openCitizen(broker) : await openOfficer(broker);
      const station = await openStation(broker);

      await sender.offer(other.id);
      expect(await sender.next('EXPIRE')).toEqual({ type: 'EXPIRE', src: other.id, dst: sender.id });

      // The sender is still connected and can still call a station.
      expect(sender.isOpen).toBe(true);
      const cid = await sender.offer(station.id);
      expect((await station.next('OFFER')).payload?.connectionId).toBe(cid);

      await settle();
      expect(relayedFrom(other, sender.id)).toEqual([]);
      expect(sender.received('ERROR')).toEqual([]);
    });
  }

  it('sends one EXPIRE per refused offer and drops its candidates silently', async () => {
    const broker = await startBroker();
    const sender = await openCitizen(broker);
    const other = await openCitizen(broker);
    const station = await openStation(broker);

    const first = await sender.offer(other.id);
    for (let n = 0; n < 5; n++) await sender.candidate(other.id, first, n);
    // A renegotiation of the refused connection is dropped too.
    await sender.offer(other.id, { connectionId: first });
    // Sync point: frames are handled in order, so everything above has been handled once this arrives.
    await sender.offer(station.id);
    await station.next('OFFER');
    await settle();
    expect(sender.received('EXPIRE')).toHaveLength(1);

    // A second call attempt is a new refusal of its own.
    const second = await sender.offer(other.id);
    await sender.candidate(other.id, second, 9);
    await sender.offer(station.id);
    await station.next('OFFER');
    await settle();
    expect(sender.received('EXPIRE')).toHaveLength(2);
    expect(relayedFrom(other, sender.id)).toEqual([]);
  });

  it('drops answers, candidates and leaves a citizen sends to another citizen without an offer', async () => {
    const broker = await startBroker();
    const sender = await openCitizen(broker);
    const other = await openCitizen(broker);
    const station = await openStation(broker);
    await sender.answer(other.id, 'mc_none');
    await sender.candidate(other.id, 'mc_none');
    await sender.send({ type: 'LEAVE', dst: other.id, payload: { connectionId: 'mc_none' } });
    await sender.offer(station.id);
    await station.next('OFFER');
    await settle();
    expect(relayedFrom(other, sender.id)).toEqual([]);
    expect(sender.isOpen).toBe(true);
  });

  it('refuses an offer to an id that is no peer id at all, without dropping the sender', async () => {
    const broker = await startBroker();
    const sender = await openCitizen(broker);
    await sender.offer('not-a-peer');
    expect(await sender.next('EXPIRE')).toMatchObject({ src: 'not-a-peer', dst: sender.id });
    expect(sender.isOpen).toBe(true);
  });
});

describe('staff may signal anyone', () => {
  it('delivers a station console to a citizen, an officer and another console, and an officer to a station and a citizen', async () => {
    const broker = await startBroker();
    const station = await openStation(broker, 'qc-central');
    const otherStation = await openStation(broker, 'qc-cubao');
    const officer = await openOfficer(broker);
    const citizen = await openCitizen(broker);

    for (const target of [citizen, officer, otherStation]) {
      const cid = await station.offer(target.id);
      expect(await target.next('OFFER')).toMatchObject({ src: station.id, payload: { connectionId: cid } });
    }
    for (const target of [station, citizen]) {
      const cid = await officer.offer(target.id);
      expect(await target.next('OFFER')).toMatchObject({ src: officer.id, payload: { connectionId: cid } });
    }
    expect(station.received('EXPIRE')).toEqual([]);
    expect(officer.received('EXPIRE')).toEqual([]);
  });
});
