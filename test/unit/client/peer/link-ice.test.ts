/**
 * The relay (TURN) credentials of a console that runs for a whole shift: one
 * failed renewal must not leave it ringing out later with expired ones.
 *
 * PeerJS is faked (the broker opens when the test says so) and /api/ice is a
 * stub the test turns on and off; the clock is fake.
 */
import { EventEmitter } from 'node:events';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PeerLink } from '../../../../src/client/peer/link.ts';

const peers = vi.hoisted(() => [] as EventEmitter[]);

vi.mock('peerjs', async () => {
  const { EventEmitter } = await import('node:events');
  return {
    Peer: class extends EventEmitter {
      socket = new EventEmitter();
      options = {};
      disconnected = false;
      destroyed = false;
      constructor() {
        super();
        peers.push(this);
      }
      destroy(): void {
        this.destroyed = true;
      }
      disconnect(): void {
        this.disconnected = true;
      }
      reconnect(): void {
        this.disconnected = false;
      }
    },
  };
});

const TTL_S = 3600;
const TURN = [{ urls: 'turn:turn.example.ph:3478', username: 'u', credential: 'c' }];

/** Whether /api/ice answers, and when it was asked. */
const ice = { up: true, asked: [] as number[] };

function fakeFetch(): Promise<Response> {
  ice.asked.push(Date.now());
  if (!ice.up) return Promise.reject(new TypeError('Failed to fetch'));
  return Promise.resolve(new Response(JSON.stringify({ iceServers: TURN, ttl: TTL_S })));
}

function newLink(): PeerLink {
  const link = new PeerLink({ id: 'st-qc-central-aaaa', token: 'x.y.z' }, { onStatus: () => {}, onConnection: () => {}, onCall: () => {}, onUnavailable: () => {} });
  links.push(link);
  return link;
}

const links: PeerLink[] = [];

beforeEach(() => {
  vi.useFakeTimers({ now: 1_760_000_000_000 });
  vi.stubGlobal('location', { protocol: 'https:', port: '', hostname: 'bfp.example.ph' });
  vi.stubGlobal('fetch', vi.fn(fakeFetch));
  ice.up = true;
  ice.asked = [];
  peers.length = 0;
});

afterEach(() => {
  for (const link of links.splice(0)) link.stop();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('renewing the relay credentials', () => {
  it('after a failed renewal, tries again within 5 s instead of giving up', async () => {
    ice.up = false;
    newLink().start();
    await vi.advanceTimersByTimeAsync(0);
    expect(ice.asked).toHaveLength(1);
    ice.up = true;
    await vi.advanceTimersByTimeAsync(5000);
    expect(ice.asked).toHaveLength(2);
  });

  it('waits longer after each failure, but never more than a minute', async () => {
    ice.up = false;
    newLink().start();
    await vi.advanceTimersByTimeAsync(30 * 60_000);
    const gaps = ice.asked.slice(1).map((t, i) => t - ice.asked[i]!);
    expect(gaps.length).toBeGreaterThan(20);
    expect(Math.max(...gaps)).toBeLessThanOrEqual(60_000);
    expect(gaps.at(-1)).toBeGreaterThan(gaps[0]!);
  });

  it('once renewed, goes back to renewing well before they expire', async () => {
    ice.up = false;
    newLink().start();
    await vi.advanceTimersByTimeAsync(0);
    ice.up = true;
    await vi.advanceTimersByTimeAsync(5000);
    const renewedAt = ice.asked.at(-1)!;
    await vi.advanceTimersByTimeAsync(TTL_S * 1000);
    expect(ice.asked.at(-1)! - renewedAt).toBeLessThan(TTL_S * 1000);
    expect(ice.asked.at(-1)! - renewedAt).toBeGreaterThanOrEqual(0.8 * TTL_S * 1000 - 1);
  });

  it('a call after a long outage starts with fresh credentials, not the expired ones', async () => {
    const link = newLink();
    link.start();
    await vi.advanceTimersByTimeAsync(0);
    ice.up = false;
    await vi.advanceTimersByTimeAsync(2 * TTL_S * 1000);
    ice.up = true;
    const before = ice.asked.length;
    await link.ensureIce();
    expect(ice.asked.length).toBe(before + 1);
    expect(await link.refreshIce()).toEqual(TURN);
  });

  it('when the broker is back and the credentials are about to expire, renews them at once', async () => {
    const link = newLink();
    link.start();
    await vi.advanceTimersByTimeAsync(0);
    ice.up = false;
    // Retries keep failing while the network is down...
    await vi.advanceTimersByTimeAsync(TTL_S * 1000 - 30_000);
    ice.up = true;
    const before = ice.asked.length;
    // ...and the broker answering again is the first sign it is back.
    peers.at(-1)!.emit('open', 'st-qc-central-aaaa');
    await vi.advanceTimersByTimeAsync(0);
    expect(ice.asked.length).toBe(before + 1);
  });

  it('when the broker is back and the credentials are still good, does not ask again', async () => {
    newLink().start();
    await vi.advanceTimersByTimeAsync(0);
    const before = ice.asked.length;
    peers.at(-1)!.emit('open', 'st-qc-central-aaaa');
    await vi.advanceTimersByTimeAsync(0);
    expect(ice.asked.length).toBe(before);
  });

  it('a stopped link asks no more', async () => {
    ice.up = false;
    const link = newLink();
    link.start();
    await vi.advanceTimersByTimeAsync(0);
    link.stop();
    await vi.advanceTimersByTimeAsync(10 * 60_000);
    expect(ice.asked).toHaveLength(1);
  });
});
