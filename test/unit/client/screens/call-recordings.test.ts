/**
 * The console records a call only after the caller's app has shown the
 * recording notice: it waits for the caller's confirmation, and without one
 * within 5 s it records nothing and tells the dispatcher.
 *
 * The recorder and the store are faked; the call sessions are real, joined
 * by a fake data connection on each side.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { DataConnection } from 'peerjs';
import { CallSession } from '../../../../src/client/call/session.ts';
import type { Message } from '../../../../src/shared/protocol.ts';

const recorders = vi.hoisted(() => ({ started: 0 }));

vi.mock('../../../../src/client/call/recorder.ts', () => ({
  canRecord: () => true,
  callStreams: () => [],
  remoteStream: () => null,
  CallRecorder: class {
    readonly startedAt = Date.now();
    constructor() {
      recorders.started += 1;
    }
    add() {}
    cancel() {}
    stop() {
      return Promise.resolve({ audio: new Blob(['x']), mimeType: 'audio/webm', durationMs: 1000 });
    }
  },
}));

vi.mock('../../../../src/client/store/recordings.ts', () => ({
  saveRecording: vi.fn(() => Promise.resolve()),
  listRecordings: vi.fn(() => Promise.resolve(new Map())),
}));

const { CallRecordings, NOTICE_TIMEOUT_MS } = await import('../../../../src/client/screens/call-recordings.ts');

/** One side of a call over a fake data connection: what it sent, and a way to hand it a message. */
function side(session: CallSession, peer: string) {
  const handlers = new Map<string, (arg?: unknown) => void>();
  const sent: Message[] = [];
  const conn = {
    peer,
    open: true,
    on: (event: string, handler: (arg?: unknown) => void) => handlers.set(event, handler),
    send: (m: Message) => sent.push(m),
    close: () => {},
  } as unknown as DataConnection;
  session.attach(conn);
  return { sent, receive: (m: unknown) => handlers.get('data')?.(m) };
}

function answeredCall() {
  const session = new CallSession('call1', 'in', { bitrate: 32_000, onChange: () => {} });
  session.dispatch({ type: 'incoming', target: 'Maria Santos' });
  session.dispatch({ type: 'accepted' });
  session.dispatch({ type: 'media-up' });
  const consoleSide = side(session, 'c-0123456789abcdef0123456789abcdef');
  const recordings = new CallRecordings(() => 'station:qc-central', () => {});
  const notices = () => consoleSide.sent.filter((m): m is Extract<Message, { type: 'recording' }> => m.type === 'recording');
  return { session, recordings, notices, ...consoleSide };
}

describe('starting a recording on the console', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    recorders.started = 0;
  });
  afterEach(() => vi.useRealTimers());

  it('shows the caller the notice and does not record until their app confirms it is on screen', async () => {
    const { session, recordings, notices, receive } = answeredCall();
    recordings.start(session);

    expect(notices()).toEqual([{ v: 1, type: 'recording', on: true, id: expect.any(String) as unknown as string }]);
    expect(recorders.started).toBe(0);
    expect(recordings.recordingSince(session)).toBeNull();
    expect(recordings.awaitingNotice(session)).toBe(true);

    await vi.advanceTimersByTimeAsync(2000);
    expect(recorders.started).toBe(0);

    receive({ v: 1, type: 'ack', id: notices()[0]!.id });
    await vi.advanceTimersByTimeAsync(0);
    expect(recorders.started).toBe(1);
    expect(recordings.recordingSince(session)).not.toBeNull();
    expect(recordings.awaitingNotice(session)).toBe(false);
    expect(recordings.problem).toBeNull();
  });

  it('records nothing when the caller’s app does not confirm within 5 s, takes the notice back and tells the dispatcher', async () => {
    const { session, recordings, notices } = answeredCall();
    recordings.start(session);
    await vi.advanceTimersByTimeAsync(NOTICE_TIMEOUT_MS - 100);
    expect(recordings.awaitingNotice(session)).toBe(true);

    await vi.advanceTimersByTimeAsync(100);
    expect(recorders.started).toBe(0);
    expect(recordings.recordingSince(session)).toBeNull();
    expect(recordings.awaitingNotice(session)).toBe(false);
    expect(recordings.problem).toBe('notice-unseen');
    expect(notices().map((m) => m.on)).toEqual([true, false]);
  });

  it('does not start on a confirmation that comes after it gave up, nor on one for another notice', async () => {
    const { session, recordings, notices, receive } = answeredCall();
    recordings.start(session);
    receive({ v: 1, type: 'ack', id: 'some-chat-line' });
    await vi.advanceTimersByTimeAsync(NOTICE_TIMEOUT_MS);
    receive({ v: 1, type: 'ack', id: notices()[0]!.id });
    await vi.advanceTimersByTimeAsync(0);
    expect(recorders.started).toBe(0);
    expect(recordings.recordingSince(session)).toBeNull();
  });

  it('lets the dispatcher call it off while waiting: the caller’s notice goes, and a late confirmation records nothing', async () => {
    const { session, recordings, notices, receive } = answeredCall();
    recordings.start(session);
    await recordings.stop(session);
    expect(recordings.awaitingNotice(session)).toBe(false);
    expect(notices().map((m) => m.on)).toEqual([true, false]);

    receive({ v: 1, type: 'ack', id: notices()[0]!.id });
    await vi.advanceTimersByTimeAsync(NOTICE_TIMEOUT_MS);
    expect(recorders.started).toBe(0);
    expect(recordings.problem).toBeNull();
  });

  it('says nothing went wrong when the call ends while waiting', async () => {
    const { session, recordings } = answeredCall();
    recordings.start(session);
    session.hangUp();
    await vi.advanceTimersByTimeAsync(NOTICE_TIMEOUT_MS);
    expect(recorders.started).toBe(0);
    expect(recordings.awaitingNotice(session)).toBe(false);
    expect(recordings.problem).toBeNull();
  });

  it('records once the caller’s app has shown the notice, end to end through both sessions', async () => {
    const { session, recordings, sent, receive } = answeredCall();
    const caller = new CallSession('call1', 'out', { bitrate: 32_000, onChange: () => {} });
    const callerSide = side(caller, 'st-qc-central-aaaa');
    recordings.start(session);
    for (const m of sent.splice(0)) callerSide.receive(m);
    expect(caller.recordedByRemote).toBe(true);
    expect(callerSide.sent).toEqual([]);

    caller.noticeShown();
    for (const m of callerSide.sent.splice(0)) receive(m);
    await vi.advanceTimersByTimeAsync(0);
    expect(recorders.started).toBe(1);
  });
});
