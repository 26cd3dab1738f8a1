/**
 * A console's call recordings on an in-memory IndexedDB: every recording of
 * a call is kept and listed, and all of them go with the call's history entry
 * or when the dispatcher signs out.
 */
import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { openDb, type CallRecord, type RecordingRecord } from '../../../../src/client/store/db.ts';
import { deleteCall, deleteScope, saveCall } from '../../../../src/client/store/history.ts';
import { listRecordings, saveRecording } from '../../../../src/client/store/recordings.ts';

const SCOPE = 'station:qc-central';

function recording(callId: string, createdAt: number, scope = SCOPE): Omit<RecordingRecord, 'id'> {
  return { callId, scope, mimeType: 'audio/webm;codecs=opus', durationMs: 4000, size: 3, createdAt, audio: new Blob([String(createdAt)]) };
}

function call(id: string, scope = SCOPE): CallRecord {
  return {
    id,
    scope,
    peer: 'c-0123456789abcdef0123456789abcdef',
    peerName: 'Ana Cruz',
    role: 'citizen',
    direction: 'in',
    startedAt: 1_760_000_000_000,
    durationMs: 60_000,
    outcome: 'hangup',
    lastPosition: null,
    notes: '',
    chat: [],
    quality: null,
  };
}

const createdTimes = async (callId: string) => ((await listRecordings(SCOPE)).get(callId) ?? []).map((r) => r.createdAt);

beforeEach(async () => {
  vi.stubGlobal('navigator', { ...globalThis.navigator });
  const db = await openDb();
  await db.clear('history');
  await db.clear('recordings');
});

describe('recordings of a call on the console', () => {
  it('keeps the first recording when the same call is recorded again, and lists both, oldest first', async () => {
    await saveRecording(recording('call1', 2000));
    await saveRecording(recording('call1', 1000));
    expect(await createdTimes('call1')).toEqual([1000, 2000]);
    const [first] = (await listRecordings(SCOPE)).get('call1')!;
    expect(await first!.audio.text()).toBe('1000');
  });

  it('gives each recording its own id', async () => {
    const a = await saveRecording(recording('call1', 1000));
    const b = await saveRecording(recording('call1', 1000));
    expect(a.id).not.toBe(b.id);
    expect(await createdTimes('call1')).toEqual([1000, 1000]);
  });

  it('lists only the scope’s own recordings', async () => {
    await saveRecording(recording('call1', 1000));
    await saveRecording(recording('call2', 1000, 'station:cubao'));
    expect([...(await listRecordings(SCOPE)).keys()]).toEqual(['call1']);
  });

  it('removes every recording of a call with its history entry, and no other call’s', async () => {
    await saveCall(call('call1'));
    await saveCall(call('call2'));
    await saveRecording(recording('call1', 1000));
    await saveRecording(recording('call1', 2000));
    await saveRecording(recording('call2', 3000));

    await deleteCall('call1');
    const left = await listRecordings(SCOPE);
    expect(left.has('call1')).toBe(false);
    expect(left.get('call2')?.map((r) => r.createdAt)).toEqual([3000]);
    expect(await (await openDb()).getAllKeys('history')).toEqual(['call2']);
  });

  it('removes all of a dispatcher’s recordings when they sign out, and keeps another scope’s', async () => {
    await saveRecording(recording('call1', 1000));
    await saveRecording(recording('call1', 2000));
    await saveRecording(recording('call9', 3000, 'station:cubao'));
    await deleteScope(SCOPE);
    expect((await listRecordings(SCOPE)).size).toBe(0);
    expect((await listRecordings('station:cubao')).get('call9')).toHaveLength(1);
  });
});
