/**
 * Offline SOS reports: the citizen's outbox, and what a console received.
 */
import type { Report } from '../../shared/protocol.ts';
import { openDb, type OutboxRecord, type ReceivedReport, type Scope } from './db.ts';

export async function queueReport(report: Report): Promise<void> {
  await (await openDb()).put('outbox', { report, status: 'waiting', deliveredAt: null, deliveredTo: null, attempts: 0 });
}

export async function listOutbox(): Promise<OutboxRecord[]> {
  const all = await (await openDb()).getAll('outbox');
  return all.sort((a, b) => b.report.createdAt - a.report.createdAt);
}

export async function markAttempt(id: string): Promise<void> {
  const db = await openDb();
  const record = await db.get('outbox', id);
  if (record) await db.put('outbox', { ...record, attempts: record.attempts + 1 });
}

export async function markDelivered(id: string, to: string, at = Date.now()): Promise<void> {
  const db = await openDb();
  const record = await db.get('outbox', id);
  if (record && record.status !== 'delivered') await db.put('outbox', { ...record, status: 'delivered', deliveredAt: at, deliveredTo: to });
}

/** Stores a delivered report once; false when this console already has it. */
export async function receiveReport(report: Report, scope: Scope, from: string): Promise<boolean> {
  const db = await openDb();
  const tx = db.transaction('reports', 'readwrite');
  const exists = await tx.store.get(report.id);
  if (!exists) await tx.store.put({ report, scope, from, receivedAt: Date.now() } satisfies ReceivedReport);
  await tx.done;
  return !exists;
}

export async function listReceived(scope: Scope): Promise<ReceivedReport[]> {
  const all = await (await openDb()).getAllFromIndex('reports', 'scope', scope);
  return all.sort((a, b) => b.receivedAt - a.receivedAt);
}
