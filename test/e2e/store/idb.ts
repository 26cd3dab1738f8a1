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
