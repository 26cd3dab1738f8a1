/**
 * The app's IndexedDB: one typed schema, upgraded version by version.
 */
import { openDB, type DBSchema, type IDBPDatabase } from 'idb';

export interface BfpSchema extends DBSchema {
  /** Small values by name: credentials, profile, preferences. */
  settings: { key: string; value: unknown };
}

export const DB_NAME = 'bfp-emergency-voice';
export const DB_VERSION = 1;

let opening: Promise<IDBPDatabase<BfpSchema>> | null = null;

/** Opens (and on first use creates or upgrades) the database. */
export function openDb(): Promise<IDBPDatabase<BfpSchema>> {
  opening ??= openDB<BfpSchema>(DB_NAME, DB_VERSION, {
    upgrade(db, oldVersion) {
      if (oldVersion < 1) db.createObjectStore('settings');
    },
  });
  return opening;
}

export async function getSetting<T>(key: string, check: (value: unknown) => value is T): Promise<T | undefined> {
  const value = await (await openDb()).get('settings', key);
  return check(value) ? value : undefined;
}

export async function setSetting(key: string, value: unknown): Promise<void> {
  await (await openDb()).put('settings', value, key);
}

export async function deleteSetting(key: string): Promise<void> {
  await (await openDb()).delete('settings', key);
}

export const isString = (v: unknown): v is string => typeof v === 'string';
