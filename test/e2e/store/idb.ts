/** Reading and writing the app's IndexedDB from a test, with the raw browser API. */
import type { Page } from 'playwright-core';

export const DB_NAME = 'bfp-emergency-voice';

/** Every record of every store, by store name, plus the database version. */
export async function dumpDb(page: Page): Promise<{ version: number; stores: Record<string, { key: unknown; value: unknown }[]> }> {
  return page.evaluate(async (name) => {
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const req = indexedDB.open(name);
      req.onsuccess = () => resolve(req.result);
      req.onerror = () => reject(req.error);
    });
    const stores: Record<string, { key: unknown; value: unknown }[]> = {};
    for (const store of Array.from(db.objectStoreNames)) {
      stores[store] = await new Promise((resolve, reject) => {
        const out: { key: unknown; value: unknown }[] = [];
        const req = db.transaction(store).objectStore(store).openCursor();
        req.onsuccess = () => {
          const cursor = req.result;
          if (!cursor) return resolve(out);
          out.push({ key: cursor.key, value: cursor.value });
          cursor.continue();
        };
        req.onerror = () => reject(req.error);
      });
    }
    const version = db.version;
    db.close();
    return { version, stores };
  }, DB_NAME);
}

/** Writes a version-1 database (settings only), as the first release left it. */
export async function writeV1(page: Page, settings: Record<string, unknown>): Promise<void> {
  await page.evaluate(
    async ({ name, settings }) => {
      await new Promise<void>((resolve, reject) => {
        const req = indexedDB.open(name, 1);
        req.onupgradeneeded = () => req.result.createObjectStore('settings');
        req.onsuccess = () => {
          const db = req.result;
          const tx = db.transaction('settings', 'readwrite');
          for (const [key, value] of Object.entries(settings)) tx.objectStore('settings').put(value, key);
          tx.oncomplete = () => {
            db.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
        req.onerror = () => reject(req.error);
      });
    },
    { name: DB_NAME, settings },
  );
}

/** Writes a version-2 database (settings, directory, history, outbox, reports), as the second release left it. */
export async function writeV2(page: Page, data: { settings: Record<string, unknown>; history: { id: string; scope: string }[] }): Promise<void> {
  await page.evaluate(
    async ({ name, data }) => {
      await new Promise<void>((resolve, reject) => {
        const req = indexedDB.open(name, 2);
        req.onupgradeneeded = () => {
          const db = req.result;
          db.createObjectStore('settings');
          db.createObjectStore('directory');
          db.createObjectStore('history', { keyPath: 'id' }).createIndex('scope', 'scope');
          db.createObjectStore('outbox', { keyPath: 'report.id' }).createIndex('status', 'status');
          db.createObjectStore('reports', { keyPath: 'report.id' }).createIndex('scope', 'scope');
        };
        req.onsuccess = () => {
          const db = req.result;
          const tx = db.transaction(['settings', 'history'], 'readwrite');
          for (const [key, value] of Object.entries(data.settings)) tx.objectStore('settings').put(value, key);
          for (const record of data.history) tx.objectStore('history').put(record);
          tx.oncomplete = () => {
            db.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
        req.onerror = () => reject(req.error);
      });
    },
    { name: DB_NAME, data },
  );
}

/** Writes a version-3 database (version 2 plus recordings, one per call, keyed by call id), as the third release left it. */
export async function writeV3(page: Page, data: { recordings: { callId: string; scope: string; mimeType: string; durationMs: number; size: number; createdAt: number; audio: string }[] }): Promise<void> {
  await page.evaluate(
    async ({ name, data }) => {
      await new Promise<void>((resolve, reject) => {
        const req = indexedDB.open(name, 3);
        req.onupgradeneeded = () => {
          const db = req.result;
          db.createObjectStore('settings');
          db.createObjectStore('directory');
          db.createObjectStore('history', { keyPath: 'id' }).createIndex('scope', 'scope');
          db.createObjectStore('outbox', { keyPath: 'report.id' }).createIndex('status', 'status');
          db.createObjectStore('reports', { keyPath: 'report.id' }).createIndex('scope', 'scope');
          db.createObjectStore('recordings', { keyPath: 'callId' }).createIndex('scope', 'scope');
        };
        req.onsuccess = () => {
          const db = req.result;
          const tx = db.transaction('recordings', 'readwrite');
          // The audio is given as text and stored as the Blob the app keeps.
          for (const r of data.recordings) tx.objectStore('recordings').put({ ...r, audio: new Blob([r.audio], { type: r.mimeType }) });
          tx.oncomplete = () => {
            db.close();
            resolve();
          };
          tx.onerror = () => reject(tx.error);
        };
        req.onerror = () => reject(req.error);
      });
    },
    { name: DB_NAME, data },
  );
}

/** Key path and index names of one store, to check an upgrade built it right. */
export async function describeStore(page: Page, store: string): Promise<{ keyPath: string | string[] | null; indexes: string[] }> {
  return page.evaluate(
    async ({ name, store }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open(name);
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      const s = db.transaction(store).objectStore(store);
      const out = { keyPath: s.keyPath, indexes: Array.from(s.indexNames) };
      db.close();
      return out;
    },
    { name: DB_NAME, store },
  );
}
