/**
 * GET /api/presence: which station consoles are online, by station (what a
 * citizen needs to place a call); officers only for staff.
 */
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import type { Presence } from '../../../src/shared/presence.ts';
import { eventually, openCitizen, openOfficer, openStation, staffToken, startBroker, type Broker } from '../harness.ts';

async function presence(broker: Broker, bearer?: string): Promise<{ status: number; body: Presence & { error?: string } }> {
  const res = await broker.http('/api/presence', bearer === undefined ? {} : { headers: { authorization: `Bearer ${bearer}` } });
  return { status: res.status, body: (await res.json()) as Presence & { error?: string } };
}

describe('GET /api/presence', () => {
  it('lists the online consoles by station for anyone, without officers or citizens', async () => {
    const broker = await startBroker();
    const central1 = await openStation(broker, 'qc-central');
    const central2 = await openStation(broker, 'qc-central');
    const cubao = await openStation(broker, 'qc-cubao');
    const officer = await openOfficer(broker);
    const citizen = await openCitizen(broker);

    const { status, body } = await presence(broker);
    expect(status).toBe(200);
    expect(Object.keys(body).sort()).toEqual(['stations']);
    expect(body.stations['qc-central']?.sort()).toEqual([central1.id, central2.id].sort());
    expect(body.stations['qc-cubao']).toEqual([cubao.id]);
    const text = JSON.stringify(body);
    expect(text).not.toContain(officer.id);
    expect(text).not.toContain(citizen.id);
  });

  it('adds the online officers, with station and name, for a staff token', async () => {
    const broker = await startBroker();
    const officer = await openOfficer(broker, 'maria-santos', 'qc-cubao');
    await openStation(broker, 'qc-central');
    for (const role of ['station', 'officer'] as const) {
      const token = await staffToken(broker, role, { sub: role === 'station' ? 'qc-central' : 'juan-dela-cruz', station: 'qc-central' });
      const { status, body } = await presence(broker, token);
      expect(status).toBe(200);
      expect(body.officers).toEqual([{ id: officer.id, station: 'qc-cubao', name: 'officer maria-santos' }]);
    }
  });

  it('refuses a bad, foreign or expired staff token with 401 and no officers', async () => {
    const broker = await startBroker();
    await openOfficer(broker);
    const foreign = await staffToken({ secret: new Uint8Array(32).fill(7) }, 'station', { sub: 'qc-central', station: 'qc-central' });
    const expired = await new SignJWT({ role: 'officer', station: 'qc-central', name: 'x' })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('juan-dela-cruz')
      .setExpirationTime(Math.floor(Date.now() / 1000) - 10)
      .sign(broker.secret);
    for (const bearer of ['garbage', foreign, expired, 'x'.repeat(30)]) {
      const { status, body } = await presence(broker, bearer);
      expect(status).toBe(401);
      expect(body.error).toMatch(/sign-in link/);
      expect(body.officers).toBeUndefined();
    }
  });

  it('drops a console once it disconnects', async () => {
    const broker = await startBroker();
    const staying = await openStation(broker, 'qc-central');
    const leaving = await openStation(broker, 'qc-central');
    expect((await presence(broker)).body.stations['qc-central']).toHaveLength(2);
    await leaving.close();
    await eventually(async () => (await presence(broker)).body.stations['qc-central']?.length === 1);
    expect((await presence(broker)).body.stations['qc-central']).toEqual([staying.id]);
  });
});
