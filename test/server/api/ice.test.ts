/**
 * GET /api/ice: the only ICE servers a client uses. None by default (a LAN
 * needs none); TURN with coturn REST credentials when TURN is configured.
 */
import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../peer-server/config.ts';
import type { IceConfig } from '../../../src/shared/presence.ts';
import { citizenCredentials, startBroker } from '../harness.ts';

const TURN = { TURN_URLS: 'turn:127.0.0.1:3478?transport=udp, turns:turn.bfp.example:5349', TURN_SECRET: 'coturn-static-auth-secret', TURN_TTL: '600' };

/** coturn's check for --use-auth-secret: the password is base64(HMAC-SHA1(secret, username)). */
function coturnAccepts(secret: string, username: string, password: string, nowSeconds: number): boolean {
  const expected = createHmac('sha1', secret).update(username).digest('base64');
  const expiry = Number(username.split(':')[0]);
  return expected === password && expiry > nowSeconds;
}

describe('GET /api/ice', () => {
  it('hands out no ICE servers at all when TURN is not configured (no public STUN either)', async () => {
    const broker = await startBroker();
    const res = await broker.http(`/api/ice?id=${citizenCredentials().id}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('cache-control')).toBe('no-store');
    const body = (await res.json()) as IceConfig;
    expect(body.iceServers).toEqual([]);
  });

  it('hands out TURN credentials that coturn accepts: username <expiry>:<peer id>, password base64 HMAC-SHA1', async () => {
    const broker = await startBroker({ env: TURN });
    const { id } = citizenCredentials();
    const now = Math.floor(Date.now() / 1000);
    const body = (await (await broker.http(`/api/ice?id=${id}`)).json()) as IceConfig;

    expect(body.ttl).toBe(600);
    expect(body.iceServers).toHaveLength(1);
    const [server] = body.iceServers as [IceConfig['iceServers'][number]];
    expect(server.urls).toEqual(['turn:127.0.0.1:3478?transport=udp', 'turns:turn.bfp.example:5349']);
    const username = server.username as string;
    const [expiry, user] = username.split(':') as [string, string];
    expect(user).toBe(id);
    expect(Number(expiry)).toBeGreaterThanOrEqual(now + 600 - 2);
    expect(Number(expiry)).toBeLessThanOrEqual(now + 600 + 2);
    expect(coturnAccepts(TURN.TURN_SECRET, username, server.credential as string, now)).toBe(true);
    // The same credential is worthless against a TURN server with another secret, or with another user name.
    expect(coturnAccepts('another-secret', username, server.credential as string, now)).toBe(false);
    expect(coturnAccepts(TURN.TURN_SECRET, `${expiry}:c-${'0'.repeat(32)}`, server.credential as string, now)).toBe(false);
  });

  it('does not put arbitrary text from the request into the TURN user name', async () => {
    const broker = await startBroker({ env: TURN });
    for (const query of ['', '?id=alice', `?id=${encodeURIComponent('c-1:2 evil')}`, '?id[]=x']) {
      const body = (await (await broker.http(`/api/ice${query}`)).json()) as IceConfig;
      expect(body.iceServers[0]?.username).toMatch(/^\d+:anonymous$/);
    }
  });

  it('refuses TURN settings that would hand out broken credentials', () => {
    expect(() => loadConfig({ TURN_URLS: 'turn:127.0.0.1:3478' })).toThrow(/TURN_SECRET/);
    expect(() => loadConfig({ TURN_URLS: 'stun:stun.l.google.com:19302', TURN_SECRET: TURN.TURN_SECRET })).toThrow(/turn: or turns:/);
    expect(() => loadConfig({ ...TURN, TURN_TTL: '5' })).toThrow(/TURN_TTL/);
  });

  it('refuses a TURN secret shorter than 16 characters, says how to make one, and never echoes it', () => {
    for (const env of [{ ...TURN, TURN_SECRET: 'testsecret' }, { TURN_SECRET: '0123456789abcde' }]) {
      let message = '';
      try {
        loadConfig(env);
      } catch (err) {
        message = (err as Error).message;
      }
      expect(message).toMatch(/TURN_SECRET is shorter than 16 characters.*openssl rand -hex 32/);
      expect(message).not.toContain(env.TURN_SECRET);
    }
    expect(loadConfig({ ...TURN, TURN_SECRET: '0123456789abcdef' }).turn?.secret).toBe('0123456789abcdef');
  });
});
