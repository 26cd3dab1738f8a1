/**
 * The caller's side of recording: the console's "recording on/off" message
 * decides whether the caller sees the notice; a malformed one changes nothing.
 */
import { describe, expect, it } from 'vitest';
import type { DataConnection } from 'peerjs';
import { CallSession } from '../../../../src/client/call/session.ts';

function callerSession() {
  const handlers = new Map<string, (arg?: unknown) => void>();
  const conn = {
    peer: 'st-qc-central-aaaa',
    open: true,
    on: (event: string, handler: (arg?: unknown) => void) => handlers.set(event, handler),
    send: () => {},
    close: () => {},
  } as unknown as DataConnection;
  const session = new CallSession('call1', 'out', { bitrate: 32_000, onChange: () => {} });
  session.attach(conn);
  return { session, receive: (m: unknown) => handlers.get('data')?.(m) };
}

describe('recording notice on the caller’s side', () => {
  it('is shown while the console records and gone once it stops', () => {
    const { session, receive } = callerSession();
    expect(session.recordedByRemote).toBe(false);
    receive({ v: 1, type: 'recording', on: true });
    expect(session.recordedByRemote).toBe(true);
    receive({ v: 1, type: 'recording', on: false });
    expect(session.recordedByRemote).toBe(false);
  });

  it('ignores a malformed recording message', () => {
    const { session, receive } = callerSession();
    receive({ v: 1, type: 'recording', on: true });
    receive({ v: 1, type: 'recording', on: 'no' });
    receive({ v: 1, type: 'recording' });
    expect(session.recordedByRemote).toBe(true);
    expect(session.invalidMessages).toBe(2);
  });
});
