/**
 * The broker's HTTP API as the app sees it. The directory is kept on the
 * device so hotline numbers work with no network.
 */
import { checkDirectory, type Directory } from '../shared/directory.ts';
import type { Presence } from '../shared/presence.ts';
import { openDb, type CachedDirectory } from './store/db.ts';

/** The stored copy; none when there is none or the phone's storage fails (the network copy is still used). */
async function readCache(): Promise<CachedDirectory | undefined> {
  try {
    const cached = await (await openDb()).get('directory', 'current');
    return cached && checkDirectory(cached.directory).ok ? cached : undefined;
  } catch {
    return undefined;
  }
}

export async function cachedDirectory(): Promise<Directory | null> {
  return (await readCache())?.directory ?? null;
}

/**
 * Fetches the directory if it changed (If-None-Match); offline, a 304 or a
 * broken answer keeps the last good copy.
 */
export async function syncDirectory(): Promise<Directory | null> {
  const cached = await readCache();
  try {
    const res = await fetch('/api/directory', { headers: cached?.etag ? { 'If-None-Match': cached.etag } : {}, cache: 'no-store' });
    if (res.status === 304 && cached) return cached.directory;
    if (!res.ok) return cached?.directory ?? null;
    const checked = checkDirectory(await res.json());
    if (!checked.ok) return cached?.directory ?? null;
    const fresh: CachedDirectory = { etag: res.headers.get('ETag'), version: checked.directory.version, directory: checked.directory, fetchedAt: Date.now() };
    // Kept for offline use if the phone can store it; used now either way.
    await openDb()
      .then((db) => db.put('directory', fresh, 'current'))
      .catch(() => undefined);
    return checked.directory;
  } catch {
    return cached?.directory ?? null;
  }
}

export async function fetchPresence(token?: string): Promise<Presence | null> {
  try {
    const res = await fetch('/api/presence', { cache: 'no-store', headers: token ? { Authorization: `Bearer ${token}` } : {} });
    if (!res.ok) return null;
    const body = (await res.json()) as Presence;
    return typeof body === 'object' && body !== null && typeof body.stations === 'object' ? body : null;
  } catch {
    return null;
  }
}
