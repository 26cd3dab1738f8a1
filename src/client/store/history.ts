/**
 * Call history on every screen: who, when, how long, how it ended, where the
 * caller last was, the notes and the chat.
 */
import { openDb, type CallRecord, type Scope } from './db.ts';

export async function saveCall(record: CallRecord): Promise<void> {
  await (await openDb()).put('history', record);
}

/** Newest first. */
export async function listCalls(scope: Scope): Promise<CallRecord[]> {
  const all = await (await openDb()).getAllFromIndex('history', 'scope', scope);
  return all.sort((a, b) => b.startedAt - a.startedAt);
}

/** Removes a history entry and every recording of the call. */
export async function deleteCall(id: string): Promise<void> {
  const tx = (await openDb()).transaction(['history', 'recordings'], 'readwrite');
  await tx.objectStore('history').delete(id);
  let cursor = await tx.objectStore('recordings').index('callId').openCursor(id);
  while (cursor) {
    await cursor.delete();
    cursor = await cursor.continue();
  }
  await tx.done;
}

/** Removes every record a scope owns (signing out a shared tablet). */
export async function deleteScope(scope: Scope): Promise<void> {
  const db = await openDb();
  const tx = db.transaction(['history', 'reports', 'recordings'], 'readwrite');
  for (const store of ['history', 'reports', 'recordings'] as const) {
    let cursor = await tx.objectStore(store).index('scope').openCursor(scope);
    while (cursor) {
      await cursor.delete();
      cursor = await cursor.continue();
    }
  }
  await tx.done;
}

const CSV_COLUMNS = ['id', 'startedAt', 'direction', 'role', 'peer', 'peerName', 'durationSeconds', 'outcome', 'lastLat', 'lastLng', 'lastAccuracy', 'notes', 'chat'] as const;

function csvCell(value: string | number): string {
  const text = String(value);
  // Quote everything that could break a row, and defuse spreadsheet formulas.
  const safe = /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
  return /[",\n\r]/.test(safe) || safe !== text ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function historyCsv(records: CallRecord[]): string {
  const rows = records.map((r) =>
    [
      r.id,
      new Date(r.startedAt).toISOString(),
      r.direction,
      r.role,
      r.peer,
      r.peerName,
      Math.round(r.durationMs / 1000),
      r.outcome,
      r.lastPosition?.lat ?? '',
      r.lastPosition?.lng ?? '',
      r.lastPosition ? Math.round(r.lastPosition.accuracy) : '',
      r.notes,
      r.chat.map((c) => `${c.from === 'me' ? 'Station' : 'Caller'}: ${c.text}`).join(' | '),
    ]
      .map(csvCell)
      .join(','),
  );
  return [CSV_COLUMNS.join(','), ...rows].join('\r\n') + '\r\n';
}

export function historyJson(records: CallRecord[]): string {
  return JSON.stringify({ exportedAt: new Date().toISOString(), calls: records }, null, 2);
}
