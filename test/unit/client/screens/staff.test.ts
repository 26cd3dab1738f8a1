/**
 * Signing in on a shared tablet with a link, as the staff member sees it: a
 * link the broker refuses never locks out the sign-in that works, and a
 * link that signs in someone else leaves nothing of the last person behind.
 * Then a console left open for a shift keeps its directory up to date.
 *
 * The database is an in-memory IndexedDB; the broker link is faked, and the
 * test says when the broker accepts or refuses.
 */
import 'fake-indexeddb/auto';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { Directory } from '../../../../src/shared/directory.ts';
import type { BrokerStatus, LinkHandlers } from '../../../../src/client/peer/link.ts';
import { getSetting, isString, openDb, setSetting } from '../../../../src/client/store/db.ts';
import { listCalls, saveCall } from '../../../../src/client/store/history.ts';
import { StaffScreen } from '../../../../src/client/screens/staff.ts';

const fake = vi.hoisted(() => ({
  links: [] as { handlers: LinkHandlers; retries: number }[],
  directory: { version: 1 } as unknown,
  syncs: 0,
}));

vi.mock('../../../../src/client/peer/link.ts', () => ({
  PeerLink: class {
    retries = 0;
    constructor(
      readonly credentials: unknown,
      readonly handlers: LinkHandlers,
    ) {
      fake.links.push(this);
    }
    start(): void {}
    stop(): void {}
    retryNow(): void {
      this.retries += 1;
    }
  },
}));
vi.mock('../../../../src/client/call/phone.ts', () => ({ Phone: class {} }));
vi.mock('../../../../src/client/api.ts', () => ({
  cachedDirectory: async () => null,
  syncDirectory: async () => {
    fake.syncs += 1;
    return fake.directory;
  },
}));

class Screen extends StaffScreen {
  async start(): Promise<void> {
    await this.signIn({ onChange: () => {} });
  }
}

/** A staff token as the admin command lays it out (the broker, not the app, checks the signature). */
function token(claims: { role?: string; sub: string; station: string; name: string }, signature = 'c2lnbmF0dXJl'): string {
  const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const exp = Math.floor(Date.now() / 1000) + 86_400;
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part({ role: 'station', exp, ...claims })}.${signature}`;
}

const CENTRAL = token({ sub: 'qc-central', station: 'qc-central', name: 'QC Central console' });
const CUBAO = token({ sub: 'qc-cubao', station: 'qc-cubao', name: 'Cubao console' });
const NOT_SIGNED_HERE = token({ sub: 'qc-central', station: 'qc-central', name: 'QC Central console' }, 'Zm9yZ2Vk');
const REFUSAL = 'Your sign-in link is not valid for this server. Ask the station administrator for a new one.';

let win: EventTarget;
let doc: EventTarget & { visibilityState: DocumentVisibilityState };

/** Opens the console, with a sign-in link when `fromLink` is given. */
async function openConsole(fromLink?: string): Promise<Screen> {
  const hash = fromLink ? `#token=${fromLink}` : '';
  vi.stubGlobal('location', { hash, pathname: '/station', search: '', replace: vi.fn() });
  const screen = new Screen('station');
  await screen.start();
  return screen;
}

function broker(status: BrokerStatus): void {
  fake.links.at(-1)?.handlers.onStatus(status);
}

const savedToken = () => getSetting('staff-token:station', isString);

async function callOf(scope: string, id: string): Promise<void> {
  await saveCall({ id, scope, peer: 'c-1', peerName: 'Carlo Reyes', role: 'citizen', direction: 'in', startedAt: 1, durationMs: 0, outcome: 'hangup', lastPosition: null, notes: '', chat: [], quality: null });
}

/** Lets the screen finish writing to the database. */
const settle = () => new Promise((r) => setTimeout(r, 20));

beforeEach(async () => {
  win = new EventTarget();
  doc = Object.assign(new EventTarget(), { visibilityState: 'visible' as DocumentVisibilityState });
  vi.stubGlobal('window', win);
  vi.stubGlobal('document', doc);
  vi.stubGlobal('navigator', {});
  vi.stubGlobal('history', { replaceState: vi.fn() });
  fake.links.length = 0;
  fake.syncs = 0;
  const db = await openDb();
  for (const store of ['settings', 'history', 'reports', 'recordings'] as const) await db.clear(store);
});

afterEach(() => {
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

describe('a sign-in link on a tablet that is already signed in', () => {
  it('a link the broker refuses does not replace the saved sign-in: the screen says so, and a reload signs in as before', async () => {
    await setSetting('staff-token:station', CENTRAL);
    const screen = await openConsole(NOT_SIGNED_HERE);
    expect(await savedToken()).toBe(CENTRAL);
    broker({ name: 'refused', message: REFUSAL });
    await settle();
    expect(screen.broker).toEqual({ name: 'refused', message: expect.stringContaining(REFUSAL) });
    expect(screen.broker.name === 'refused' && screen.broker.message).toMatch(/already saved on this device is kept.*reload/);
    expect(await savedToken()).toBe(CENTRAL);

    const reloaded = await openConsole();
    expect(reloaded.signInError).toBeNull();
    expect(reloaded.claims?.name).toBe('QC Central console');
  });

  it('a link that is never accepted (the broker cannot be reached) is not saved either', async () => {
    await setSetting('staff-token:station', CENTRAL);
    await openConsole(CUBAO);
    broker({ name: 'offline', retryAt: Date.now() + 1000 });
    await settle();
    expect(await savedToken()).toBe(CENTRAL);
  });

  it('another person’s link, once accepted, replaces the sign-in and removes the last person’s history', async () => {
    await setSetting('staff-token:station', CENTRAL);
    await callOf('station:qc-central', 'old-call');
    const screen = await openConsole(CUBAO);
    expect(await listCalls('station:qc-central')).toHaveLength(1);
    broker({ name: 'online' });
    await settle();
    expect(screen.broker).toEqual({ name: 'online' });
    expect(await savedToken()).toBe(CUBAO);
    expect(await listCalls('station:qc-central')).toEqual([]);
  });

  it('a new link for the same person, once accepted, keeps their history', async () => {
    const renewed = token({ sub: 'qc-central', station: 'qc-central', name: 'QC Central console' }, 'bmV3ZXI');
    await setSetting('staff-token:station', CENTRAL);
    await callOf('station:qc-central', 'old-call');
    await openConsole(renewed);
    broker({ name: 'online' });
    await settle();
    expect(await savedToken()).toBe(renewed);
    expect(await listCalls('station:qc-central')).toHaveLength(1);
  });

  it('the link is taken out of the address bar', async () => {
    await openConsole(CUBAO);
    expect(history.replaceState).toHaveBeenCalledWith(null, '', '/station');
  });
});

describe('a sign-in link on a tablet with no sign-in saved', () => {
  it('a refused link shows the broker’s reason as it is', async () => {
    const screen = await openConsole(NOT_SIGNED_HERE);
    broker({ name: 'refused', message: REFUSAL });
    expect(screen.broker).toEqual({ name: 'refused', message: REFUSAL });
    await settle();
    expect(await savedToken()).toBeUndefined();
  });

  it('an accepted link is saved, and signing out removes it again', async () => {
    const screen = await openConsole(CENTRAL);
    broker({ name: 'online' });
    await screen.signOut();
    expect(await savedToken()).toBeUndefined();
    expect(location.replace).toHaveBeenCalledWith('/station');
  });
});

describe('the directory on a console left open for a shift', () => {
  it('checks for a changed directory every 10 minutes while the screen is shown', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    const screen = await openConsole(CENTRAL);
    expect(fake.syncs).toBe(1);
    await vi.advanceTimersByTimeAsync(9 * 60_000);
    expect(fake.syncs).toBe(1);
    fake.directory = { version: 2 } as unknown as Directory;
    await vi.advanceTimersByTimeAsync(60_000);
    expect(fake.syncs).toBe(2);
    expect(screen.directory).toEqual({ version: 2 });
    screen.stop();
    await vi.advanceTimersByTimeAsync(30 * 60_000);
    expect(fake.syncs).toBe(2);
  });

  it('a hidden screen waits, and checks as soon as it is shown again', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval', 'Date'] });
    await openConsole(CENTRAL);
    doc.visibilityState = 'hidden';
    await vi.advanceTimersByTimeAsync(30 * 60_000);
    expect(fake.syncs).toBe(1);
    doc.visibilityState = 'visible';
    doc.dispatchEvent(new Event('visibilitychange'));
    expect(fake.syncs).toBe(2);
  });

  it('checks when the network comes back, and reconnects to the broker at once', async () => {
    await openConsole(CENTRAL);
    await settle();
    win.dispatchEvent(new Event('online'));
    expect(fake.syncs).toBe(2);
    expect(fake.links[0]?.retries).toBe(1);
  });

  it('checks when the broker is back after an outage, not on the first connection', async () => {
    await openConsole(CENTRAL);
    await settle();
    broker({ name: 'online' });
    expect(fake.syncs).toBe(1);
    broker({ name: 'offline', retryAt: Date.now() + 1000 });
    broker({ name: 'online' });
    expect(fake.syncs).toBe(2);
  });
});
