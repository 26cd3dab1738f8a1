/**
 * The app's IndexedDB: one typed schema, upgraded version by version, so a
 * device that last ran any earlier version keeps everything it stored.
 */
import { openDB, type DBSchema, type IDBPDatabase, type IDBPTransaction, type StoreNames } from 'idb';
import type { Directory } from '../../shared/directory.ts';
import type { EndReason, Position, Report } from '../../shared/protocol.ts';

/** Whose data a record is: the citizen on this device, or a staff member signed in here. */
export type Scope = string;

export interface CachedDirectory {
  etag: string | null;
  version: number;
  directory: Directory;
  fetchedAt: number;
}

export interface ChatRecord {
  from: 'me' | 'them';
  text: string;
  sentAt: number;
  acked: boolean;
}

export interface QualitySummary {
  samples: number;
  maxRttMs: number | null;
  maxJitterMs: number | null;
  maxLossPct: number | null;
  avgInKbps: number | null;
  warnings: string[];
}

export interface CallRecord {
  id: string;
  scope: Scope;
  peer: string;
  peerName: string;
  role: string;
  direction: 'in' | 'out';
  startedAt: number;
  /** Talk time, 0 when the call never connected. */
  durationMs: number;
  outcome: EndReason;
  lastPosition: Position | null;
  notes: string;
  chat: ChatRecord[];
  quality: QualitySummary | null;
}

export interface OutboxRecord {
  report: Report;
  status: 'waiting' | 'delivered';
  deliveredAt: number | null;
  deliveredTo: string | null;
  attempts: number;
}

export interface ReceivedReport {
  report: Report;
  scope: Scope;
  from: string;
  receivedAt: number;
}

/** A call recorded on this console (audio of both sides, mixed), kept with the call's history entry. */
export interface RecordingRecord {
  id: string;
  /** The call's id: the key of its history entry. A call may have several recordings. */
  callId: string;
  scope: Scope;
  mimeType: string;
  durationMs: number;
  /** Bytes. */
  size: number;
  createdAt: number;
  audio: Blob;
}

export interface BfpSchema extends DBSchema {
  /** Small values by name: credentials, profile, preferences. */
  settings: { key: string; value: unknown };
  /** The station directory and hotlines as last fetched (key 'current'). */
  directory: { key: string; value: CachedDirectory };
  history: { key: string; value: CallRecord; indexes: { scope: Scope } };
  /** SOS reports written while no station could be reached (citizen). */
  outbox: { key: string; value: OutboxRecord; indexes: { status: string } };
  /** Offline reports delivered to this console. */
  reports: { key: string; value: ReceivedReport; indexes: { scope: Scope } };
  /** Call recordings made on this console. */
  recordings: { key: string; value: RecordingRecord; indexes: { scope: Scope; callId: string } };
}

export const DB_NAME = 'bfp-emergency-voice';
export const DB_VERSION = 4;

type UpgradeTx = IDBPTransaction<BfpSchema, StoreNames<BfpSchema>[], 'versionchange'>;

/** Each step takes the database from version n-1 to n. */
const UPGRADES: ((db: IDBPDatabase<BfpSchema>, tx: UpgradeTx) => Promise<void> | void)[] = [
  // 1: settings only.
  (db) => {
    db.createObjectStore('settings');
  },
  // 2: the directory gets its own store (moved out of settings), plus history and reports.
  async (db, tx) => {
    db.createObjectStore('directory');
    db.createObjectStore('history', { keyPath: 'id' }).createIndex('scope', 'scope');
    db.createObjectStore('outbox', { keyPath: 'report.id' }).createIndex('status', 'status');
    db.createObjectStore('reports', { keyPath: 'report.id' }).createIndex('scope', 'scope');
    const old = (await tx.objectStore('settings').get('directory')) as { etag?: string | null; directory?: Directory } | undefined;
    if (old?.directory && typeof old.directory.version === 'number') {
      await tx.objectStore('directory').put({ etag: old.etag ?? null, version: old.directory.version, directory: old.directory, fetchedAt: 0 }, 'current');
    }
    await tx.objectStore('settings').delete('directory');
  },
  // 3: call recordings.
  (db) => {
    db.createObjectStore('recordings', { keyPath: 'callId' }).createIndex('scope', 'scope');
  },
  // 4: several recordings per call: keyed by their own id, found by call id. Each kept one takes its call's id.
  async (db, tx) => {
    const kept = (await tx.objectStore('recordings').getAll()) as Omit<RecordingRecord, 'id'>[];
    db.deleteObjectStore('recordings');
    const store = db.createObjectStore('recordings', { keyPath: 'id' });
    store.createIndex('scope', 'scope');
    store.createIndex('callId', 'callId');
    for (const record of kept) await store.put({ ...record, id: record.callId });
  },
];

let opening: Promise<IDBPDatabase<BfpSchema>> | null = null;

/** Opens (and on first use creates or upgrades) the database. */
export function openDb(): Promise<IDBPDatabase<BfpSchema>> {
  // A failure (storage broken, or refused) is a rejected promise, never a throw, and is tried again next time.
  opening ??= Promise.resolve()
    .then(() => open())
    .catch((err: unknown) => {
      opening = null;
      throw err;
    });
  return opening;
}

function open(): Promise<IDBPDatabase<BfpSchema>> {
  return openDB<BfpSchema>(DB_NAME, DB_VERSION, {
    async upgrade(db, oldVersion, newVersion, tx) {
      for (let v = oldVersion; v < (newVersion ?? DB_VERSION); v++) await UPGRADES[v]?.(db, tx);
    },
    blocking() {
      // Another tab needs a newer schema: let it have the database.
      void opening?.then((db) => db.close());
      opening = null;
    },
  }).then((db) => {
    void navigator.storage?.persist?.().catch(() => false);
    return db;
  });
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
