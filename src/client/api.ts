/**
 * The broker's HTTP API as the app sees it. The directory is kept on the
 * device so hotline numbers work with no network.
 */
import { checkDirectory, type Directory } from '../shared/directory.ts';
import type { Presence } from '../shared/presence.ts';
import { getSetting, setSetting } from './store/db.ts';

interface CachedDirectory {
  etag: string | null;
  directory: Directory;
}

const isCached = (v: unknown): v is CachedDirectory =>
  typeof v === 'object' && v !== null && 'directory' in v && checkDirectory((v as CachedDirectory).directory).ok;

export async function cachedDirectory(): Promise<Directory | null> {
  return (await getSetting('directory', isCached))?.directory ?? null;
}

/**
 * Fetches the directory if it changed (If-None-Match); offline, a 304 or a
 * broken answer keeps the last good copy.
 */
export async function syncDirectory(): Promise<Directory | null> {
  const cached = await getSetting('directory', isCached);
  try {
    const res = await fetch('/api/directory', { headers: cached?.etag ? { 'If-None-Match': cached.etag } : {}, cache: 'no-store' });
    if (res.status === 304 && cached) return cached.directory;
    if (!res.ok) return cached?.directory ?? null;
    const checked = checkDirectory(await res.json());
    if (!checked.ok) return cached?.directory ?? null;
    await setSetting('directory', { etag: res.headers.get('ETag'), directory: checked.directory } satisfies CachedDirectory);
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
