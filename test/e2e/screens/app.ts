/**
 * People using the real app screens in the browser: a citizen, a station
 * console, an officer, each in its own context.
 */
import type { BrowserContext, Page } from 'playwright-core';
import { afterEach, expect } from 'vitest';
import type { Site } from '../harness.ts';

/** Demo directory positions (see peer-server/demo-directory.ts). */
export const NEAR_CENTRAL = { latitude: 14.6516, longitude: 121.0494, accuracy: 12 };
export const NEAR_CUBAO = { latitude: 14.6197, longitude: 121.0536, accuracy: 12 };
export const CENTRAL = 'Quezon City Central Fire Station (demo)';
export const CUBAO = 'Cubao Fire Sub-Station (demo)';

export interface Person {
  context: BrowserContext;
  page: Page;
}

async function open(h: Site, url: string, geolocation = NEAR_CENTRAL, permissions = ['microphone', 'geolocation']): Promise<Person> {
  const context = await h.newContext({ geolocation, permissions });
  const page = await context.newPage();
  await page.goto(url);
  return { context, page };
}

/** A console of `station`, shift started and online. */
export async function openConsole(h: Site, station: string, query = ''): Promise<Person> {
  const token = await h.stationToken(station, `${station} dispatcher`);
  const person = await open(h, `${h.origin}/station${query}#token=${token}`);
  await person.page.getByRole('button', { name: 'Start shift' }).click();
  await person.page.getByText('Connected to BFP').waitFor();
  return person;
}

/** A citizen past the first-run form, online, with a position (unless location is denied). */
export async function openCitizen(
  h: Site,
  opts: { name?: string; phone?: string; geolocation?: typeof NEAR_CENTRAL; denyLocation?: boolean; denyMicrophone?: boolean; query?: string } = {},
): Promise<Person> {
  const permissions = [...(opts.denyMicrophone ? [] : ['microphone']), ...(opts.denyLocation ? [] : ['geolocation'])];
  const person = await open(h, `${h.origin}/${opts.query ?? ''}`, opts.geolocation ?? NEAR_CENTRAL, permissions);
  const { page } = person;
  await page.getByLabel('Your name').fill(opts.name ?? 'Maria Santos');
  await page.getByLabel('Your phone number').fill(opts.phone ?? '+63 917 555 0101');
  await page.getByRole('button', { name: 'Continue' }).click();
  await page.getByText('Connected to BFP').waitFor();
  if (!opts.denyLocation) await page.getByText(/Your location is known/).waitFor();
  return person;
}

export async function openOfficer(h: Site, officer: string, station: string, name: string, geolocation = NEAR_CENTRAL): Promise<Person> {
  const token = await h.officerToken(officer, station, name);
  const person = await open(h, `${h.origin}/officer#token=${token}`, geolocation);
  await person.page.getByText('Connected to BFP').waitFor();
  return person;
}

export function incomingList(page: Page) {
  return page.getByRole('list', { name: 'Incoming calls' });
}

export function ringItems(page: Page) {
  return incomingList(page).getByRole('listitem');
}

export async function tapCallBfp(page: Page): Promise<void> {
  await page.getByRole('button', { name: /Call BFP/ }).click();
}

export const CONNECTED = /^Connected \d\d:\d\d/;

/** Inbound and outbound audio counters of the page's first call with an audio connection. */
export async function audioStats(page: Page): Promise<{ bytesIn: number; bytesOut: number; codec: string | null; ice: string } | null> {
  return page.evaluate(async () => {
    type S = { media: { peerConnection: RTCPeerConnection } | null };
    const app = (window as unknown as { bfp?: { phone?: { sessions: S[] } } }).bfp;
    const session = app?.phone?.sessions.find((s) => s.media?.peerConnection);
    const pc = session?.media?.peerConnection;
    if (!pc) return null;
    const report = await pc.getStats();
    let bytesIn = 0;
    let bytesOut = 0;
    let codecId: string | null = null;
    const codecs = new Map<string, string>();
    report.forEach((s: Record<string, unknown>) => {
      if (s.type === 'codec') codecs.set(String(s.id), String(s.mimeType));
      if (s.type === 'inbound-rtp' && s.kind === 'audio') {
        bytesIn += Number(s.bytesReceived ?? 0);
        codecId = String(s.codecId);
      }
      if (s.type === 'outbound-rtp' && s.kind === 'audio') bytesOut += Number(s.bytesSent ?? 0);
    });
    return { bytesIn, bytesOut, codec: codecId ? (codecs.get(codecId) ?? null) : null, ice: pc.iceConnectionState };
  });
}

/** Waits until inbound audio bytes grow on this page: audio really flows, not just a described stream. */
export async function expectAudioFlowing(page: Page, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let first: number | null = null;
  for (;;) {
    const s = await audioStats(page);
    if (s && (s.ice === 'connected' || s.ice === 'completed')) {
      if (first === null) first = s.bytesIn;
      else if (s.bytesIn > first) {
        expect(s.codec?.toLowerCase()).toBe('audio/opus');
        return;
      }
    }
    if (Date.now() > deadline) throw new Error(`no inbound audio on ${page.url()} (last stats: ${JSON.stringify(s)})`);
    await page.waitForTimeout(250);
  }
}

export async function closeAll(...people: (Person | undefined)[]): Promise<void> {
  await Promise.all(people.map((p) => p?.context.close().catch(() => undefined)));
}

/** Keeps the people a test opens and closes them after it: `track(await openCitizen(h))`. */
export function trackPeople(): <T extends Person>(person: T) => T {
  const people: Person[] = [];
  afterEach(async () => {
    await closeAll(...people.splice(0));
  });
  return (person) => (people.push(person), person);
}
