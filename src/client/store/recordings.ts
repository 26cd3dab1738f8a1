/**
 * Call recordings on the console's device. A call may be recorded several
 * times; every recording goes with the call's history entry (see deleteCall
 * and deleteScope).
 */
import { openDb, type RecordingRecord, type Scope } from './db.ts';

/** Keeps a new recording beside any earlier ones of the same call. */
export async function saveRecording(record: Omit<RecordingRecord, 'id'>): Promise<RecordingRecord> {
  const stored = { ...record, id: `${record.callId}-${record.createdAt.toString(36)}${Math.random().toString(36).slice(2, 8)}` };
  await (await openDb()).add('recordings', stored);
  return stored;
}

/** Every recording a scope owns, by call id, oldest first. */
export async function listRecordings(scope: Scope): Promise<Map<string, RecordingRecord[]>> {
  const all = await (await openDb()).getAllFromIndex('recordings', 'scope', scope);
  const byCall = new Map<string, RecordingRecord[]>();
  for (const record of all.sort((a, b) => a.createdAt - b.createdAt)) {
    const list = byCall.get(record.callId);
    if (list) list.push(record);
    else byCall.set(record.callId, [record]);
  }
  return byCall;
}
