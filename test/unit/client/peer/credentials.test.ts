/**
 * Reading a staff sign-in token on the device: the console and the officer
 * screen show the name, station and expiry it carries (the broker, not the
 * app, verifies the signature).
 */
import { describe, expect, it } from 'vitest';
import { readClaims, samePerson, type StaffClaims } from '../../../../src/client/peer/credentials.ts';
import { message, parseConnectMeta, parseMessage } from '../../../../src/shared/protocol.ts';
import { mintToken } from '../../../../peer-server/tokens.ts';

const SECRET = new TextEncoder().encode('unit-test-secret-0123456789abcdef');

/** A token with any payload, as a JWT is laid out (the signature is not checked here). */
function tokenWith(payload: unknown): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part(payload)}.c2lnbmF0dXJl`;
}

const CLAIMS = { role: 'officer', sub: 'juan-dela-cruz', station: 'qc-central', name: 'FO1 Juan dela Cruz', exp: 1_800_000_000 };

describe('readClaims: tokens from the admin command', () => {
  it('a console sign-in link shows its station and name', async () => {
    const before = Math.floor(Date.now() / 1000);
    const token = await mintToken(SECRET, { role: 'station', sub: 'qc-central', station: 'qc-central', name: 'QC Central console', days: 30 });
    const claims = readClaims(token);
    expect(claims).toMatchObject({ role: 'station', sub: 'qc-central', station: 'qc-central', name: 'QC Central console' });
    // exp is in seconds, 30 days ahead.
    expect(claims?.exp).toBeGreaterThanOrEqual(before + 30 * 86_400);
    expect(claims?.exp).toBeLessThanOrEqual(before + 30 * 86_400 + 5);
  });

  it('an officer sign-in link shows the officer and their station', async () => {
    const token = await mintToken(SECRET, { role: 'officer', sub: 'juan-dela-cruz', station: 'qc-cubao', name: 'FO1 Juan dela Cruz', days: 1 });
    expect(readClaims(token)).toMatchObject({ role: 'officer', sub: 'juan-dela-cruz', station: 'qc-cubao', name: 'FO1 Juan dela Cruz' });
  });

  it('returns only the claims the app uses', async () => {
    const token = await mintToken(SECRET, { role: 'officer', sub: 'juan-dela-cruz', station: 'qc-cubao', name: 'FO1 Juan dela Cruz', days: 1 });
    expect(Object.keys(readClaims(token) ?? {}).sort()).toEqual(['exp', 'name', 'role', 'station', 'sub']);
  });

  it('a Filipino name with ñ or é reads back as written (Las Piñas, José Peña)', async () => {
    const token = await mintToken(SECRET, { role: 'station', sub: 'las-pinas', station: 'las-pinas', name: 'Las Piñas Fire Station', days: 30 });
    expect(readClaims(token)?.name).toBe('Las Piñas Fire Station');
    const officer = await mintToken(SECRET, { role: 'officer', sub: 'jose-pena', station: 'paranaque', name: 'SFO2 José Peña', days: 1 });
    expect(readClaims(officer)?.name).toBe('SFO2 José Peña');
  });

  it('a console whose name has ñ can still answer: its 80-character name fits the accept message and the duty link', async () => {
    const name = `Parañaque ${'x'.repeat(70)}`;
    expect(name).toHaveLength(80);
    const token = await mintToken(SECRET, { role: 'station', sub: 'paranaque', station: 'paranaque', name, days: 30 });
    const by = readClaims(token)?.name ?? '';
    // What Phone.answer sends with the console's name; the caller drops it if it does not validate.
    expect(parseMessage(message({ type: 'accept', callId: 'abc123', by })).ok).toBe(true);
    expect(parseConnectMeta({ v: 1, type: 'duty', name: by }).ok).toBe(true);
  });
});

describe('readClaims: payload encoding', () => {
  it('reads payloads whose base64url uses "-" and "_"', () => {
    for (const name of ['Station >>> ???', 'FO1 Cruz ~~~ ???']) {
      const token = tokenWith({ ...CLAIMS, name });
      expect(token.split('.')[1]).toMatch(/[-_]/);
      expect(readClaims(token)?.name).toBe(name);
    }
  });

  it('reads payloads without base64 padding, whatever their length', () => {
    for (const name of ['A', 'AB', 'ABC', 'ABCD']) expect(readClaims(tokenWith({ ...CLAIMS, name }))?.name).toBe(name);
  });

  it('does not judge the signature: a token signed with another secret still reads (the broker refuses it)', async () => {
    const token = await mintToken(new TextEncoder().encode('another-secret-0123456789abcdef!'), {
      role: 'station',
      sub: 'qc-central',
      station: 'qc-central',
      name: 'QC Central console',
      days: 1,
    });
    expect(readClaims(token)?.station).toBe('qc-central');
  });
});

describe('readClaims: damaged links', () => {
  it.each([
    ['an empty token', ''],
    ['no dots', 'abcdef'],
    ['an empty payload', 'eyJhbGciOiJIUzI1NiJ9..sig'],
    ['a payload that is not base64', 'eyJhbGciOiJIUzI1NiJ9.!!!!.sig'],
    ['a payload that is not JSON', `x.${Buffer.from('not json').toString('base64url')}.y`],
  ])('refuses %s', (_why, token) => {
    expect(readClaims(token)).toBeNull();
  });

  it('refuses a payload that is not an object', () => {
    for (const payload of [null, 42, 'officer', [CLAIMS]]) expect(readClaims(tokenWith(payload)), JSON.stringify(payload)).toBeNull();
  });

  it('refuses a token for a role the app does not have', () => {
    expect(readClaims(tokenWith({ ...CLAIMS, role: 'admin' }))).toBeNull();
    expect(readClaims(tokenWith({ ...CLAIMS, role: 'citizen' }))).toBeNull();
  });

  it.each(['sub', 'station', 'name', 'exp'])('refuses a token without %s', (field) => {
    const payload: Record<string, unknown> = { ...CLAIMS };
    delete payload[field];
    expect(readClaims(tokenWith(payload))).toBeNull();
  });

  it('refuses claims of the wrong type', () => {
    expect(readClaims(tokenWith({ ...CLAIMS, exp: '1800000000' }))).toBeNull();
    expect(readClaims(tokenWith({ ...CLAIMS, name: 42 }))).toBeNull();
    expect(readClaims(tokenWith({ ...CLAIMS, station: null }))).toBeNull();
  });
});

describe('samePerson: whether a new sign-in link keeps the records on the device', () => {
  const juan = CLAIMS as StaffClaims;

  it('a renewed link for the same officer at the same station keeps them, whatever the name or expiry', () => {
    expect(samePerson(juan, { ...juan, name: 'SFO1 Juan dela Cruz', exp: juan.exp + 86_400 })).toBe(true);
  });

  it('another officer, the same officer at another station, or a console is someone else', () => {
    expect(samePerson(juan, { ...juan, sub: 'maria-santos' })).toBe(false);
    expect(samePerson(juan, { ...juan, station: 'qc-cubao' })).toBe(false);
    expect(samePerson(juan, { ...juan, role: 'station' })).toBe(false);
  });
});
