/**
 * The real PeerJS client in headless Chromium against the real broker: who may
 * open a data connection to whom, and how a refusal looks to the client.
 * Citizen, station console, officer and a second citizen are separate browser
 * contexts, i.e. separate people.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deviceTag, makeCitizen, startHarness, type Citizen, type Harness } from './harness.ts';
import { PeerPage } from './peer-page.ts';

const STATION = 'manila-central';
const OFFICER = 'dela-cruz';

describe('broker with the real PeerJS client in Chromium', () => {
  let h: Harness;
  let station: PeerPage;
  let officer: PeerPage;
  let citizen: PeerPage;
  let otherCitizen: PeerPage;
  let citizenIdentity: Citizen;
  let otherIdentity: Citizen;
  const stationId = `st-${STATION}-${deviceTag()}`;
  const officerId = `of-${OFFICER}-${deviceTag()}`;

  beforeAll(async () => {
    h = await startHarness();
    citizenIdentity = makeCitizen();
    otherIdentity = makeCitizen();
    const [stationToken, officerToken] = await Promise.all([h.stationToken(STATION), h.officerToken(OFFICER, STATION)]);
    [station, officer, citizen, otherCitizen] = await Promise.all([
      PeerPage.open(h, stationId, stationToken),
      PeerPage.open(h, officerId, officerToken),
      PeerPage.open(h, citizenIdentity.id, citizenIdentity.secret),
      PeerPage.open(h, otherIdentity.id, otherIdentity.secret),
    ]);
  });

  afterAll(async () => {
    await h?.close();
  });

  it('connects citizen, station console, officer and a second citizen under their bound ids', async () => {
    for (const [peer, id] of [
      [station, stationId],
      [officer, officerId],
      [citizen, citizenIdentity.id],
      [otherCitizen, otherIdentity.id],
    ] as const) {
      expect(await peer.state()).toEqual({ id, open: true, disconnected: false, destroyed: false });
    }
  });

  it('a citizen opens a data connection to a station console and they exchange messages both ways', async () => {
    await citizen.connect(stationId, 'sos', { kind: 'sos-test' });

    const incoming = await station.next({ kind: 'connection', peer: citizenIdentity.id });
    expect(incoming.metadata).toEqual({ kind: 'sos-test' });
    const stationSide = incoming.label!;
    await Promise.all([citizen.next({ kind: 'conn-open', label: 'sos' }), station.next({ kind: 'conn-open', label: stationSide })]);

    await citizen.send('sos', { text: 'Fire at 12 Rizal Ave', seq: 1 });
    const atStation = await station.next({ kind: 'data', label: stationSide });
    expect(atStation.peer).toBe(citizenIdentity.id);
    expect(atStation.data).toEqual({ text: 'Fire at 12 Rizal Ave', seq: 1 });

    await station.send(stationSide, { ack: 1, text: 'Help is on the way' });
    const atCitizen = await citizen.next({ kind: 'data', label: 'sos' });
    expect(atCitizen.peer).toBe(stationId);
    expect(atCitizen.data).toEqual({ ack: 1, text: 'Help is on the way' });
  });

  it('an officer opens a data connection to the station console and a message arrives', async () => {
    await officer.connect(stationId, 'duty');
    const incoming = await station.next({ kind: 'connection', peer: officerId });
    const stationSide = incoming.label!;
    await officer.next({ kind: 'conn-open', label: 'duty' });

    await officer.send('duty', { status: 'on-duty', officer: OFFICER });
    const atStation = await station.next({ kind: 'data', label: stationSide });
    expect(atStation.peer).toBe(officerId);
    expect(atStation.data).toEqual({ status: 'on-duty', officer: OFFICER });

    await station.send(stationSide, { assignment: 'standby' });
    expect((await officer.next({ kind: 'data', label: 'duty' })).data).toEqual({ assignment: 'standby' });
  });

  it('a citizen-to-citizen attempt is refused as peer-unavailable, and the citizen stays connected and can still reach the station', async () => {
    await citizen.connect(otherIdentity.id, 'to-citizen');

    const refusal = await citizen.next({ kind: 'error', type: 'peer-unavailable' });
    expect(refusal.message).toContain(otherIdentity.id);
    // The refusal did not cost the citizen its broker connection.
    expect(await citizen.state()).toEqual({ id: citizenIdentity.id, open: true, disconnected: false, destroyed: false });

    // It is still a citizen in good standing: a new data connection to the station works.
    await citizen.connect(stationId, 'after-refusal');
    const incoming = await station.next({ kind: 'connection', peer: citizenIdentity.id });
    await citizen.next({ kind: 'conn-open', label: 'after-refusal' });
    await citizen.send('after-refusal', 'still here');
    expect((await station.next({ kind: 'data', label: incoming.label! })).data).toBe('still here');

    // The other citizen was online all along and never heard of the attempt (its OFFER was sent
    // before the station's, on the same socket, so it would have arrived by now).
    expect(await otherCitizen.seen({ kind: 'connection' })).toEqual([]);
    expect(await citizen.seen({ kind: 'conn-open', label: 'to-citizen' })).toEqual([]);
    expect(await citizen.seen({ kind: 'disconnected' })).toEqual([]);
    expect(await otherCitizen.state()).toMatchObject({ open: true, disconnected: false });

    // The broker refused it by policy (not because the peer was absent) and logged why.
    await h.server.audit.flush();
    const lines = fs
      .readFileSync(path.join(h.dataDir, 'audit.log'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toContainEqual(expect.objectContaining({ src: citizenIdentity.id, dst: otherIdentity.id, allowed: false, reason: 'citizen-to-citizen' }));
    expect(lines).toContainEqual(expect.objectContaining({ src: citizenIdentity.id, dst: stationId, allowed: true }));
  });
});
