/**
 * Who may take which peer id: citizens by their device secret, staff by a
 * signed token. Refusals happen before OPEN, as an ERROR frame and a close.
 */
import { randomBytes } from 'node:crypto';
import { SignJWT } from 'jose';
import { describe, expect, it } from 'vitest';
import {
  PeerClient,
  citizenCredentials,
  connectRefused,
  deviceTag,
  eventually,
  openCitizen,
  openPeer,
  openStation,
  staffToken,
  startBroker,
  type Broker,
} from '../harness.ts';

async function peersOnline(broker: Broker): Promise<number> {
  const health = (await (await broker.http('/api/health')).json()) as { peers: number };
  return health.peers;
}

function expectRefused(refusal: { error: string | null; code: number; messages: { type: string }[] }, message: RegExp): void {
  expect(refusal.messages.map((m) => m.type)).not.toContain('OPEN');
  expect(refusal.error).toMatch(message);
  expect(refusal.code).toBe(1008);
}

describe('citizen ids are bound to the device secret', () => {
  it('opens a citizen whose id is derived from its secret', async () => {
    const broker = await startBroker();
    const citizen = await openCitizen(broker);
    expect(citizen.isOpen).toBe(true);
    expect(citizen.id).toMatch(/^c-[0-9a-f]{32}$/);
  });

  it('refuses an id that is not derived from the presented secret', async () => {
    const broker = await startBroker();
    const mine = citizenCredentials();
    const other = citizenCredentials();
    expectRefused(await connectRefused(broker, { id: other.id, token: mine.token }), /does not match its secret/);
  });

  it('refuses a secret that is too short to be a device secret, even with its own id', async () => {
    const broker = await startBroker();
    expectRefused(await connectRefused(broker, citizenCredentials('short-secret')), /does not match its secret/);
  });

  it('refuses ids that are not citizen or staff ids', async () => {
    const broker = await startBroker();
    const { token } = citizenCredentials();
    for (const id of ['alice', 'c-XYZ', `c-${'0'.repeat(31)}`, `c-${'a'.repeat(32)}-`, 'st--qc-abcd']) {
      expectRefused(await connectRefused(broker, { id, token }), /not valid here/);
    }
  });

  it('refuses a wrong PeerJS key', async () => {
    const broker = await startBroker();
    expectRefused(await connectRefused(broker, citizenCredentials(), { key: 'other' }), /Invalid key/);
  });
});

describe('a freed citizen id cannot be taken over', () => {
  it('refuses another secret on the id of a citizen who left, and lets that citizen back in', async () => {
    const broker = await startBroker();
    const alice = citizenCredentials();
    const first = await openCitizen(broker, alice);
    await first.close();
    await eventually(async () => (await peersOnline(broker)) === 0, 3000, 'the broker forgetting alice');

    // Mallory knows alice's id (ids are not secret) but not her device secret.
    const mallory = citizenCredentials();
    expectRefused(await connectRefused(broker, { id: alice.id, token: mallory.token }), /does not match its secret/);

    const back = await openCitizen(broker, alice);
    expect(back.isOpen).toBe(true);
  });

  it('refuses another secret on the id of a citizen who is online, and leaves that citizen connected', async () => {
    const broker = await startBroker();
    const alice = citizenCredentials();
    const online = await openCitizen(broker, alice);
    expectRefused(await connectRefused(broker, { id: alice.id, token: citizenCredentials().token }), /does not match its secret/);
    expect(online.isOpen).toBe(true);
    // Still reachable: a station can signal her.
    const station = await openStation(broker);
    const cid = await station.offer(alice.id);
    expect((await online.next('OFFER')).payload?.connectionId).toBe(cid);
  });
});

describe('reconnecting with the same id', () => {
  it('gets OPEN at once while the broker still holds the old socket, and messages go to the new socket', async () => {
    const broker = await startBroker();
    const alice = citizenCredentials();
    const old = await openCitizen(broker, alice);

    const started = Date.now();
    const fresh = await openPeer(broker, alice);
    expect(Date.now() - started).toBeLessThan(1500);
    // The broker drops the stale socket.
    await old.closed;

    const station = await openStation(broker);
    const cid = await station.offer(alice.id);
    expect((await fresh.next('OFFER')).payload?.connectionId).toBe(cid);
    expect(old.received('OFFER')).toHaveLength(0);
  });

  it('works the same for a staff console that reconnects with its token', async () => {
    const broker = await startBroker();
    const token = await staffToken(broker, 'station', { sub: 'qc-central', station: 'qc-central' });
    const creds = { id: `st-qc-central-${deviceTag()}`, token };
    const old = await openPeer(broker, creds);
    const fresh = await openPeer(broker, creds);
    await old.closed;
    expect(fresh.isOpen).toBe(true);
  });

  it('does not let a different staff member take a console id that is in use', async () => {
    const broker = await startBroker();
    const id = `of-juan-dela-cruz-${deviceTag()}`;
    const juan = await openPeer(broker, { id, token: await staffToken(broker, 'officer', { sub: 'juan-dela-cruz', station: 'qc-central' }) });
    // Same id, a token for the same officer but another station: another owner.
    const other = await staffToken(broker, 'officer', { sub: 'juan-dela-cruz', station: 'qc-cubao' });
    expectRefused(await connectRefused(broker, { id, token: other }), /already in use/);
    expect(juan.isOpen).toBe(true);
  });
});

describe('staff tokens', () => {
  it('opens a station console with its station token and an officer with an officer token', async () => {
    const broker = await startBroker();
    const station = await openPeer(broker, { id: 'st-qc-central-tab1', token: await staffToken(broker, 'station', { sub: 'qc-central', station: 'qc-central' }) });
    const officer = await openPeer(broker, { id: 'of-maria-santos-ph0ne', token: await staffToken(broker, 'officer', { sub: 'maria-santos', station: 'qc-central' }) });
    expect(station.isOpen && officer.isOpen).toBe(true);
  });

  it('refuses a token on an id it does not allow', async () => {
    const broker = await startBroker();
    const stationToken = await staffToken(broker, 'station', { sub: 'qc-central', station: 'qc-central' });
    expectRefused(await connectRefused(broker, { id: 'st-qc-cubao-tab1', token: stationToken }), /does not allow this id/);
    const officerToken = await staffToken(broker, 'officer', { sub: 'maria-santos', station: 'qc-central' });
    expectRefused(await connectRefused(broker, { id: 'of-juan-dela-cruz-tab1', token: officerToken }), /does not allow this id/);
  });

  it('refuses a device tag outside 4-16 lowercase letters and digits', async () => {
    const broker = await startBroker();
    const token = await staffToken(broker, 'station', { sub: 'qc-central', station: 'qc-central' });
    for (const id of ['st-qc-central-abc', 'st-qc-central-TAB1', `st-qc-central-${'a'.repeat(17)}`]) {
      expectRefused(await connectRefused(broker, { id, token }), /not valid here|does not allow/);
    }
  });

  it('refuses a token signed with another secret, and a token whose claims were edited', async () => {
    const broker = await startBroker();
    const foreign = await staffToken({ secret: new Uint8Array(randomBytes(32)) }, 'station', { sub: 'qc-central', station: 'qc-central' });
    expectRefused(await connectRefused(broker, { id: 'st-qc-central-tab1', token: foreign }), /not valid for this server/);

    // Take a real cubao token and rewrite its claims to qc-central, keeping the signature.
    const real = await staffToken(broker, 'station', { sub: 'qc-cubao', station: 'qc-cubao' });
    const [header, payload, signature] = real.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, sub: 'qc-central', station: 'qc-central' })).toString('base64url');
    expectRefused(await connectRefused(broker, { id: 'st-qc-central-tab1', token: `${header}.${forged}.${signature}` }), /not valid for this server/);

    // An unsigned token ("alg": "none").
    const none = `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${forged}.`;
    expectRefused(await connectRefused(broker, { id: 'st-qc-central-tab1', token: none }), /not valid for this server/);
  });

  it('refuses an expired token', async () => {
    const broker = await startBroker();
    const now = Math.floor(Date.now() / 1000);
    const expired = await new SignJWT({ role: 'station', station: 'qc-central', name: 'Old console' })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject('qc-central')
      .setIssuedAt(now - 7200)
      .setExpirationTime(now - 60)
      .sign(broker.secret);
    expectRefused(await connectRefused(broker, { id: 'st-qc-central-tab1', token: expired }), /expired/);
  });

  it('refuses a token used for the other role', async () => {
    const broker = await startBroker();
    const officerToken = await staffToken(broker, 'officer', { sub: 'qc-central', station: 'qc-central' });
    expectRefused(await connectRefused(broker, { id: 'st-qc-central-tab1', token: officerToken }), /for the officer screen/);
    const stationToken = await staffToken(broker, 'station', { sub: 'qc-central', station: 'qc-central' });
    expectRefused(await connectRefused(broker, { id: 'of-qc-central-tab1', token: stationToken }), /for the station console/);
  });

  it('refuses a citizen secret presented for a staff id', async () => {
    const broker = await startBroker();
    expectRefused(await connectRefused(broker, { id: 'st-qc-central-tab1', token: citizenCredentials().token }), /not valid for this server/);
  });

  it('refuses a connection with no token', async () => {
    const broker = await startBroker();
    const client = await PeerClient.connect(broker, { id: citizenCredentials().id, token: '' });
    const { code } = await client.closed;
    expect(client.received('OPEN')).toHaveLength(0);
    expect(client.received('ERROR')[0]?.payload?.msg).toMatch(/No id, token, or key/);
    expect(code).toBe(1008);
  });
});
