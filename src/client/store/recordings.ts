/**
 * Call recordings on the console's device, one per call, keyed like the
 * call's history entry so both go together (see deleteCall and deleteScope).
 */
import { openDb, type RecordingRecord, type Scope } from './db.ts';

export async function saveRecording(record: RecordingRecord): Promise<void> {
  await (await openDb()).put('recordings', record);
}

/** Every recording a scope owns, by call id. */
export async function listRecordings(scope: Scope): Promise<Map<string, RecordingRecord>> {
  const all = await (await openDb()).getAllFromIndex('recordings', 'scope', scope);
  return new Map(all.map((r) => [r.callId, r]));
}
