/**
 * The citizen's offline SOS and a console's list of received reports, on an
 * in-memory IndexedDB: nothing a citizen wrote is lost or overwritten.
 */
import 'fake-indexeddb/auto';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { openDb } from '../../../../src/client/store/db.ts';
import { listOutbox, listReceived, markAttempt, markDelivered, queueSos, receiveReport, type SosDraft } from '../../../../src/client/store/reports.ts';

const HERE = { lat: 14.64871, lng: 121.04712, accuracy: 12, heading: null, speed: null, fixTime: 1 };
const draft = (over: Partial<SosDraft> = {}): SosDraft => ({ id: `r-${Math.random().toString(36).slice(2, 10)}`, name: 'Carlo Reyes', phone: '+63 917 555 0101', position: HERE, note: '', createdAt: Date.now(), ...over });

beforeEach(async () => {
  vi.stubGlobal('navigator', { ...globalThis.navigator });
  const db = await openDb();
  await db.clear('outbox');
  await db.clear('reports');
});

describe('the offline SOS on the citizen’s phone', () => {
  it('adds a second note below the first instead of replacing it', async () => {
    await queueSos(draft({ note: 'Fire on the 2nd floor' }));
    await queueSos(draft({ note: 'Two children inside' }));
    const outbox = await listOutbox();
    expect(outbox).toHaveLength(1);
    expect(outbox[0]!.report.note).toBe('Fire on the 2nd floor\nTwo children inside');
  });

  it('keeps the last known position when a later tap has none', async () => {
    await queueSos(draft());
    await queueSos(draft({ position: null, note: 'GPS lost' }));
    expect((await listOutbox())[0]!.report.position).toEqual(HERE);
  });

  it('does not lose a note saved while a delivery attempt is being counted', async () => {
    const first = await queueSos(draft({ note: 'first' }));
    await Promise.all([markAttempt(first.id), queueSos(draft({ note: 'second' })), markAttempt(first.id)]);
    const [record] = await listOutbox();
    expect(record!.report.note).toBe('first\nsecond');
    expect(record!.attempts).toBe(2);
  });

  it('stays waiting when a note was added while the delivered copy was on its way', async () => {
    const sent = await queueSos(draft({ note: 'first' }));
    await queueSos(draft({ note: 'second' }));
    expect(await markDelivered(sent, 'Quezon City Central')).toBe(false);
    const [record] = await listOutbox();
    expect(record!.status).toBe('waiting');

    expect(await markDelivered(record!.report, 'Quezon City Central')).toBe(true);
    expect((await listOutbox())[0]).toMatchObject({ status: 'delivered', deliveredTo: 'Quezon City Central' });
  });

  it('starts a new report once the earlier one was delivered', async () => {
    const sent = await queueSos(draft({ note: 'first' }));
    await markDelivered(sent, 'Cubao');
    await queueSos(draft({ note: 'again' }));
    expect((await listOutbox()).map((r) => [r.report.note, r.status])).toEqual(
      expect.arrayContaining([
        ['first', 'delivered'],
        ['again', 'waiting'],
      ]),
    );
  });
});

describe('the reports a console received', () => {
  const CITIZEN = 'c-0123456789abcdef0123456789abcdef';
  const report = { id: 'rep1', name: 'Carlo Reyes', phone: '', position: null, note: 'smoke', createdAt: 1 };

  it('lists a report once, however often it is delivered', async () => {
    expect(await receiveReport(report, 'station:qc-central', CITIZEN)).toBe('new');
    expect(await receiveReport(report, 'station:qc-central', CITIZEN)).toBe('duplicate');
    expect(await listReceived('station:qc-central')).toHaveLength(1);
  });

  it('shows the latest text when the same caller delivers it again with a note added', async () => {
    await receiveReport(report, 'station:qc-central', CITIZEN);
    expect(await receiveReport({ ...report, note: 'smoke\nfire now' }, 'station:qc-central', CITIZEN)).toBe('updated');
    const list = await listReceived('station:qc-central');
    expect(list.map((r) => r.report.note)).toEqual(['smoke\nfire now']);
  });

  it('ignores someone else reusing a report’s id', async () => {
    await receiveReport(report, 'station:qc-central', CITIZEN);
    expect(await receiveReport({ ...report, note: 'prank' }, 'station:qc-central', 'c-ffffffffffffffffffffffffffffffff')).toBe('duplicate');
    expect((await listReceived('station:qc-central'))[0]!.report.note).toBe('smoke');
  });
});
