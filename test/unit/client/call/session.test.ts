/**
 * The "No sound from the microphone" warning as a person on a call sees it.
 * A microphone that is switched off on purpose (mute, hold) is not a fault;
 * one that goes silent while the call is live is.
 *
 * The PeerJS media connection and the RTCPeerConnection are faked: the fake
 * stats report the microphone's energy growing only while its track is
 * enabled, as Chrome's media-source stats do.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DataConnection, MediaConnection } from 'peerjs';
import { CallSession } from '../../../../src/client/call/session.ts';

interface FakeTrack {
  kind: 'audio';
  enabled: boolean;
  stop(): void;
}

function setup(opts: { micWorks?: boolean } = {}) {
  const micWorks = opts.micWorks ?? true;
  const track: FakeTrack = { kind: 'audio', enabled: true, stop: () => {} };
  const stream = { getAudioTracks: () => [track], getTracks: () => [track] } as unknown as MediaStream;
  let energy = 0;
  let bytes = 0;
  const iceListeners: (() => void)[] = [];
  const pc = {
    iceConnectionState: 'connected' as RTCIceConnectionState,
    addEventListener: (type: string, listener: () => void) => {
      if (type === 'iceconnectionstatechange') iceListeners.push(listener);
    },
    getSenders: () => [],
    getStats: async () => {
      if (track.enabled && micWorks) energy += 0.05;
      bytes += 4_000;
      return new Map<string, Record<string, unknown>>([
        ['SA1', { id: 'SA1', type: 'media-source', kind: 'audio', totalAudioEnergy: energy }],
        ['OT1', { id: 'OT1', type: 'outbound-rtp', kind: 'audio', bytesSent: bytes }],
        ['IT1', { id: 'IT1', type: 'inbound-rtp', kind: 'audio', bytesReceived: bytes, packetsReceived: bytes / 80, packetsLost: 0, jitter: 0.004 }],
      ]) as unknown as RTCStatsReport;
    },
  };
  const media = { on: () => media, close: () => {}, peerConnection: pc } as unknown as MediaConnection;
  const dataHandlers = new Map<string, (arg?: unknown) => void>();
  const conn = {
    peer: 'st-qc-central-aaaa',
    open: true,
    on: (event: string, handler: (arg?: unknown) => void) => dataHandlers.set(event, handler),
    send: () => {},
    close: () => {},
  } as unknown as DataConnection;

  const session = new CallSession('call1', 'out', { bitrate: 32_000, now: () => Date.now(), onChange: () => {} });
  session.dispatch({ type: 'dial' });
  session.dispatch({ type: 'ring', target: 'Quezon City Central' });
  session.attach(conn);
  session.dispatch({ type: 'accepted' });
  session.call({ call: () => media }, stream);

  return {
    session,
    track,
    /** A message from the console arriving on the data connection. */
    receive: (m: unknown) => dataHandlers.get('data')?.(m),
    iceChanged: (state: RTCIceConnectionState) => {
      pc.iceConnectionState = state;
      for (const l of iceListeners) l();
    },
  };
}

/** Lets the once-a-second stats sampling run `n` times. */
async function seconds(n: number): Promise<void> {
  for (let i = 0; i < n; i += 1) await vi.advanceTimersByTimeAsync(1_000);
}

beforeEach(() => {
  vi.useFakeTimers({ now: 1_760_000_000_000 });
});

afterEach(() => {
  vi.useRealTimers();
});

describe('the silent-microphone warning', () => {
  it('a live call with a working microphone shows no warning', async () => {
    const { session } = setup();
    expect(session.state.name).toBe('connected');
    await seconds(3);
    expect(session.quality?.micActive).toBe(true);
    expect(session.warnings).toEqual([]);
    session.hangUp();
  });

  it('a microphone that produces nothing while the call is live is reported', async () => {
    const { session } = setup({ micWorks: false });
    await seconds(3);
    expect(session.warnings).toContain('no-mic');
    session.hangUp();
  });

  it('muting is not reported as a silent microphone', async () => {
    const { session, track } = setup();
    session.setMuted(true);
    expect(track.enabled).toBe(false);
    await seconds(3);
    expect(session.warnings).not.toContain('no-mic');
    session.hangUp();
  });

  it('putting the caller on hold is not reported as a silent microphone', async () => {
    const { session, track } = setup();
    await seconds(2);
    session.setHold(true);
    expect(track.enabled).toBe(false);
    await seconds(3);
    expect(session.warnings).not.toContain('no-mic');
    session.hangUp();
  });

  it('a caller whom the dispatcher puts on hold is not told their microphone is silent', async () => {
    const { session, receive, track } = setup();
    await seconds(2);
    receive({ v: 1, type: 'hold', on: true });
    expect(session.state.name === 'connected' && session.state.hold.remote).toBe(true);
    expect(track.enabled).toBe(false);
    await seconds(3);
    expect(session.warnings).not.toContain('no-mic');
    session.hangUp();
  });

  it('a muted call that is reconnecting is not reported as a silent microphone', async () => {
    const { session, iceChanged } = setup();
    session.setMuted(true);
    await seconds(2);
    iceChanged('disconnected');
    expect(session.state.name).toBe('reconnecting');
    await seconds(3);
    expect(session.warnings).not.toContain('no-mic');
    session.hangUp();
  });
});
