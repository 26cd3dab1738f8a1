/**
 * A device that last ran an older schema keeps what it stored: a version-1
 * database (the stored snapshot) and a version-3 one with call recordings
 * (one per call, keyed by call id) both open at the current version intact.
 * Each test starts from an empty in-memory IndexedDB and a fresh database module.
 */
import 'fake-indexeddb/auto';
import fs from 'node:fs';
import path from 'node:path';
import { IDBFactory } from 'fake-indexeddb';
import { beforeEach, describe, expect, it, vi } from 'vitest';

const FIXTURE = path.resolve(import.meta.dirname, '../../../e2e/fixtures/db-v1.json');

beforeEach(() => {
  vi.stubGlobal('navigator', { ...globalThis.navigator });
  vi.stubGlobal('indexedDB', new IDBFactory());
  vi.resetModules();
});

/** Creates the database at `version` with the raw API, as that release left it, and closes it. */
function writeOld(version: number, build: (db: IDBDatabase) => void, fill: (tx: IDBTransaction) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = indexedDB.open('bfp-emergency-voice', version);
    req.onupgradeneeded = () => build(req.result);
    req.onsuccess = () => {
      const db = req.result;
      const tx = db.transaction(Array.from(db.objectStoreNames), 'readwrite');
      fill(tx);
      tx.oncomplete = () => {
        db.close();
        resolve();
      };
      tx.onerror = () => reject(tx.error);
    };
    req.onerror = () => reject(req.error);
  });
}

describe('upgrading the database on the device', () => {
  it('opens the version-1 snapshot at the current version with its settings intact', async () => {
    const fixture = JSON.parse(fs.readFileSync(FIXTURE, 'utf8')) as { settings: Record<string, unknown> };
    await writeOld(
      1,
      (db) => db.createObjectStore('settings'),
      (tx) => {
        for (const [key, value] of Object.entries(fixture.settings)) tx.objectStore('settings').put(value, key);
      },
    );
    const { openDb, DB_VERSION } = await import('../../../../src/client/store/db.ts');
    const db = await openDb();
    expect(db.version).toBe(DB_VERSION);
    expect(await db.get('settings', 'profile')).toEqual(fixture.settings.profile);
    expect(await db.get('settings', 'citizen-secret')).toBe(fixture.settings['citizen-secret']);
    expect(await db.count('recordings')).toBe(0);
    expect([...db.transaction('recordings').store.indexNames].sort()).toEqual(['callId', 'scope']);
  });

  it('keeps the recordings of a version-3 database, each findable by its call, and then keeps a second one of the same call', async () => {
    const old = [
      { callId: 'call1', scope: 'station:qc-central', mimeType: 'audio/webm', durationMs: 4000, size: 5, createdAt: 1000, audio: new Blob(['first']) },
      { callId: 'call2', scope: 'station:qc-central', mimeType: 'audio/webm', durationMs: 9000, size: 6, createdAt: 2000, audio: new Blob(['second']) },
    ];
    await writeOld(
      3,
      (db) => {
        db.createObjectStore('settings');
        db.createObjectStore('directory');
        db.createObjectStore('history', { keyPath: 'id' }).createIndex('scope', 'scope');
        db.createObjectStore('outbox', { keyPath: 'report.id' }).createIndex('status', 'status');
        db.createObjectStore('reports', { keyPath: 'report.id' }).createIndex('scope', 'scope');
        db.createObjectStore('recordings', { keyPath: 'callId' }).createIndex('scope', 'scope');
      },
      (tx) => {
        for (const r of old) tx.objectStore('recordings').put(r);
      },
    );
    const { openDb } = await import('../../../../src/client/store/db.ts');
    const { listRecordings, saveRecording } = await import('../../../../src/client/store/recordings.ts');
    const db = await openDb();
    expect(db.transaction('recordings').store.keyPath).toBe('id');

    const byCall = await listRecordings('station:qc-central');
    expect(byCall.get('call1')).toEqual([{ ...old[0], id: 'call1', audio: expect.any(Blob) as unknown as Blob }]);
    expect(await byCall.get('call2')![0]!.audio.text()).toBe('second');
    expect(await db.getAllKeysFromIndex('recordings', 'callId', 'call1')).toEqual(['call1']);

    await saveRecording({ ...old[0]!, createdAt: 3000 });
    expect((await listRecordings('station:qc-central')).get('call1')!.map((r) => r.createdAt)).toEqual([1000, 3000]);
  });
});
