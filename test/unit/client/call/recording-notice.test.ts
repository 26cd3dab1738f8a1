/**
 * The caller's side of recording: the console's "recording on/off" message
 * decides whether the caller sees the notice, and the caller's app confirms
 * the notice only once its screen shows it; a malformed one changes nothing.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { sessionOnFakeConn } from './fake-session.ts';

const callerSession = () => sessionOnFakeConn('out', 'st-qc-central-aaaa');

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

  it('confirms the notice to the console only once the screen has shown it, and only once', () => {
    const { session, sent, receive } = callerSession();
    receive({ v: 1, type: 'recording', on: true, id: 'notice1' });
    expect(sent).toEqual([]);
    session.noticeShown();
    session.noticeShown();
    expect(sent).toEqual([{ v: 1, type: 'ack', id: 'notice1' }]);
  });

  it('shows a notice without an id (from an older console) and confirms nothing', () => {
    const { session, sent, receive } = callerSession();
    receive({ v: 1, type: 'recording', on: true });
    session.noticeShown();
    expect(session.recordedByRemote).toBe(true);
    expect(sent).toEqual([]);
  });

  it('does not confirm a notice the console took back before it was shown', () => {
    const { session, sent, receive } = callerSession();
    receive({ v: 1, type: 'recording', on: true, id: 'notice1' });
    receive({ v: 1, type: 'recording', on: false });
    session.noticeShown();
    expect(sent).toEqual([]);
  });
});

describe('waiting for the other side to acknowledge a message', () => {
  afterEach(() => vi.useRealTimers());

  it('resolves true when the acknowledgement comes, false when it does not come in time or the call ends', async () => {
    vi.useFakeTimers();
    const { session, receive } = callerSession();
    const acked = session.acknowledged('m1', 5000);
    const late = session.acknowledged('m2', 5000);
    receive({ v: 1, type: 'ack', id: 'm1' });
    await vi.advanceTimersByTimeAsync(5000);
    receive({ v: 1, type: 'ack', id: 'm2' });
    expect(await acked).toBe(true);
    expect(await late).toBe(false);

    const ended = session.acknowledged('m3', 5000);
    session.dispatch({ type: 'dial' });
    session.dispatch({ type: 'end', reason: 'hangup' });
    expect(await ended).toBe(false);
  });
});
