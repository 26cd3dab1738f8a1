/**
 * Offline SOS reports: the citizen's outbox, and what a console received.
 *
 * Every change is one read-and-write transaction: a note saved while a
 * delivery is marking its attempt must not be written over with the old text.
 */
import type { Report } from '../../shared/protocol.ts';
import { openDb, type OutboxRecord, type ReceivedReport, type Scope } from './db.ts';

/** A report still waiting this long after it was written takes new notes; older ones start a new report. */
const AMEND_WINDOW_MS = 30 * 60_000;
const NOTE_MAX = 1000;

export interface SosDraft {
  id: string;
  name: string;
  phone: string;
  position: Report['position'];
  note: string;
  createdAt: number;
}

/**
 * Keeps an SOS until a console acknowledges it. While one is still waiting, a
 * new tap or note goes into it (the note added below the earlier ones, the
 * position updated) instead of making a second report.
 */
export async function queueSos(draft: SosDraft): Promise<Report> {
  const db = await openDb();
  const tx = db.transaction('outbox', 'readwrite');
  const waiting = (await tx.store.index('status').getAll('waiting'))
    .filter((r) => draft.createdAt - r.report.createdAt < AMEND_WINDOW_MS)
    .sort((a, b) => b.report.createdAt - a.report.createdAt)[0];
  const note = draft.note.trim();
  const report: Report = waiting
    ? {
        ...waiting.report,
        note: [waiting.report.note, note].filter(Boolean).join('\n').slice(0, NOTE_MAX),
        position: draft.position ?? waiting.report.position,
      }
    : { ...draft, note: note.slice(0, NOTE_MAX) };
  await tx.store.put(waiting ? { ...waiting, report } : { report, status: 'waiting', deliveredAt: null, deliveredTo: null, attempts: 0 });
  await tx.done;
  return report;
}

export async function listOutbox(): Promise<OutboxRecord[]> {
  const all = await (await openDb()).getAll('outbox');
  return all.sort((a, b) => b.report.createdAt - a.report.createdAt);
}

export async function markAttempt(id: string): Promise<void> {
  const tx = (await openDb()).transaction('outbox', 'readwrite');
  const record = await tx.store.get(id);
  if (record) await tx.store.put({ ...record, attempts: record.attempts + 1 });
  await tx.done;
}

/**
 * Marks a report delivered once a console acknowledged `sent`. If it was
 * changed meanwhile (a note added during the delivery), it stays waiting, so
 * the new text is delivered too; true when it was marked.
 */
export async function markDelivered(sent: Report, to: string, at = Date.now()): Promise<boolean> {
  const tx = (await openDb()).transaction('outbox', 'readwrite');
  const record = await tx.store.get(sent.id);
  const current = record?.status === 'waiting' && sameReport(record.report, sent);
  if (record && current) await tx.store.put({ ...record, status: 'delivered', deliveredAt: at, deliveredTo: to });
  await tx.done;
  return current;
}

/**
 * Stores a delivered report: 'new' the first time, 'updated' when the same
 * sender delivers it again with more in it (one list item per report, showing
 * the latest), 'duplicate' otherwise — also when someone else reuses its id.
 */
export async function receiveReport(report: Report, scope: Scope, from: string): Promise<'new' | 'updated' | 'duplicate'> {
  const tx = (await openDb()).transaction('reports', 'readwrite');
  const existing = await tx.store.get(report.id);
  let outcome: 'new' | 'updated' | 'duplicate' = 'duplicate';
  if (!existing) {
    await tx.store.put({ report, scope, from, receivedAt: Date.now() } satisfies ReceivedReport);
    outcome = 'new';
  } else if (existing.from === from && existing.scope === scope && !sameReport(existing.report, report)) {
    await tx.store.put({ ...existing, report });
    outcome = 'updated';
  }
  await tx.done;
  return outcome;
}

export async function listReceived(scope: Scope): Promise<ReceivedReport[]> {
  const all = await (await openDb()).getAllFromIndex('reports', 'scope', scope);
  return all.sort((a, b) => b.receivedAt - a.receivedAt);
}

function sameReport(a: Report, b: Report): boolean {
  return a.note === b.note && a.name === b.name && a.phone === b.phone && JSON.stringify(a.position) === JSON.stringify(b.position);
}
