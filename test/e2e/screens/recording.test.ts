/**
 * A dispatcher records a call: the caller is told first and sees the notice
 * while it runs (recording starts once the caller's app shows it); every
 * recording of the call is kept with its history entry, plays back for as
 * long as it ran, and goes when the entry is deleted or the dispatcher signs out.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../harness.ts';
import { DB_NAME, dumpDb } from '../store/idb.ts';
import { CONNECTED, expectAudioFlowing, openCitizen, openConsole, ringItems, tapCallBfp, trackPeople } from './app.ts';

const NOTICE = 'This call is being recorded by the station';

interface StoredRecording {
  id: string;
  callId: string;
  scope: string;
  mimeType: string;
  durationMs: number;
  size: number;
  createdAt: number;
}

async function storedRecordings(page: Page): Promise<StoredRecording[]> {
  const db = await dumpDb(page);
  expect(db.version).toBe(4);
  return (db.stores.recordings ?? []).map((r) => r.value as StoredRecording);
}

/**
 * Plays the stored recording `id` as a listener would (a fresh Audio
 * element on the stored file) and reports its length in seconds, the length
 * its header states (-1 when none: WebM from MediaRecorder reports Infinity
 * until seeked to the end) and how far playback got.
 */
async function playBack(page: Page, id: string): Promise<{ duration: number; headerDuration: number; played: number }> {
  return page.evaluate(
    async ({ name, id }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open(name);
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      const record = await new Promise<{ audio: Blob }>((resolve, reject) => {
        const req = db.transaction('recordings').objectStore('recordings').get(id);
        req.onsuccess = () => resolve(req.result as { audio: Blob });
        req.onerror = () => reject(req.error);
      });
      db.close();
      const audio = new Audio(URL.createObjectURL(record.audio));
      audio.muted = true;
      const once = (type: string) => new Promise<void>((resolve) => audio.addEventListener(type, () => resolve(), { once: true }));
      await once('loadedmetadata');
      const headerDuration = Number.isFinite(audio.duration) ? audio.duration : -1;
      await audio.play();
      const started = performance.now();
      while (audio.currentTime < 0.5 && performance.now() - started < 5000) await new Promise((r) => setTimeout(r, 50));
      const played = audio.currentTime;
      audio.pause();
      if (!Number.isFinite(audio.duration)) {
        const known = once('durationchange');
        audio.currentTime = 1e9;
        await known;
      }
      return { duration: audio.duration, headerDuration, played };
    },
    { name: DB_NAME, id },
  );
}

/** RMS level of the stored recording `id`, decoded (0 is silence; the fake microphone's tone is far above 0.01). */
async function loudness(page: Page, id: string): Promise<number> {
  return page.evaluate(
    async ({ name, id }) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open(name);
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      const record = await new Promise<{ audio: Blob }>((resolve, reject) => {
        const req = db.transaction('recordings').objectStore('recordings').get(id);
        req.onsuccess = () => resolve(req.result as { audio: Blob });
        req.onerror = () => reject(req.error);
      });
      db.close();
      const context = new AudioContext();
      const decoded = await context.decodeAudioData(await record.audio.arrayBuffer());
      const samples = decoded.getChannelData(0);
      let sum = 0;
      for (const x of samples) sum += x * x;
      void context.close();
      return Math.sqrt(sum / samples.length);
    },
    { name: DB_NAME, id },
  );
}

describe('call recording', () => {
  let h: Harness;
  const track = trackPeople();

  beforeAll(async () => (h = await startHarness()));
  afterAll(() => h?.close());

  async function answeredCall(name: string) {
    const console_ = track(await openConsole(h, 'qc-central'));
    const citizen = track(await openCitizen(h, { name }));
    await tapCallBfp(citizen.page);
    await ringItems(console_.page).first().getByRole('button', { name: 'Answer' }).click();
    const call = console_.page.locator('.active-call').first();
    await call.locator('.phase', { hasText: CONNECTED }).waitFor();
    await expectAudioFlowing(console_.page);
    return { console_, citizen, call };
  }

  it('tells the caller, keeps every recording of the call (one of at least 3 s that plays back), and removes them with its history entry', async () => {
    const { console_, citizen, call } = await answeredCall('Ana Cruz');

    const notice = citizen.page.getByRole('status').filter({ hasText: NOTICE });
    async function record(ms: number) {
      await call.getByRole('button', { name: 'Record', exact: true }).click();
      await notice.waitFor({ timeout: 3000 });
      await call.getByText(/Recording \d\d:\d\d/).waitFor();
      await console_.page.waitForTimeout(ms);
      await call.getByRole('button', { name: 'Stop recording' }).click();
      await notice.waitFor({ state: 'detached', timeout: 3000 });
    }
    await record(3600);
    // Recorded again: the first recording stays.
    await record(1200);
    expect(await call.locator('.phase').innerText()).toMatch(CONNECTED);
    await call.getByRole('button', { name: 'Hang up' }).click();

    const entry = console_.page.getByRole('list', { name: 'Call history' }).getByRole('listitem').filter({ hasText: 'Ana Cruz' });
    const players = entry.getByLabel('Recording of the call with Ana Cruz');
    await expect.poll(() => players.count()).toBe(2);
    const player = players.first();
    expect(await player.evaluate((el) => el.tagName)).toBe('AUDIO');
    const downloads = await Promise.all((await entry.getByRole('link', { name: 'Download recording' }).all()).map((a) => a.getAttribute('download')));
    expect(downloads).toHaveLength(2);
    for (const name of downloads) expect(name).toMatch(/\.webm$/);
    expect(new Set(downloads).size).toBe(2);

    const historyId = await console_.page.evaluate(() => (window as unknown as { bfp: { history: { id: string; peerName: string }[] } }).bfp.history.find((r) => r.peerName === 'Ana Cruz')?.id);
    const [stored, again] = (await storedRecordings(console_.page)).sort((a, b) => a.createdAt - b.createdAt);
    for (const r of [stored, again]) {
      expect(r).toMatchObject({ callId: historyId, mimeType: expect.stringMatching(/^audio\/webm/) as unknown as string });
      expect(r!.scope).toMatch(/^station:/);
    }
    expect(stored!.durationMs).toBeGreaterThanOrEqual(3000);
    expect(stored!.size).toBeGreaterThan(1000);
    expect(again!.durationMs).toBeGreaterThanOrEqual(1000);
    expect(again!.durationMs).toBeLessThan(stored!.durationMs);

    const playback = await playBack(console_.page, stored!.id);
    expect(playback.duration).toBeGreaterThanOrEqual(3);
    expect(playback.duration).toBeLessThan(10);
    expect(playback.played).toBeGreaterThan(0);
    // The length is written into the file, so players show it without seeking, the one on screen too.
    expect(playback.headerDuration).toBeGreaterThanOrEqual(3);
    await expect.poll(() => player.evaluate((el) => (el as HTMLAudioElement).duration)).toBeGreaterThanOrEqual(3);

    await entry.getByRole('button', { name: /^Delete the call with Ana Cruz/ }).click();
    await entry.waitFor({ state: 'detached' });
    expect(await console_.page.getByLabel(/^Recording of the call/).count()).toBe(0);
    expect(await storedRecordings(console_.page)).toEqual([]);
    expect((await dumpDb(console_.page)).stores.history!.some((r) => r.key === historyId)).toBe(false);
  });

  it('records the caller\'s side, stops when the call ends, and signing out removes the recording', async () => {
    const { console_, citizen, call } = await answeredCall('Jose Ramos');

    // The dispatcher's microphone is muted: what the recording holds is the caller's side.
    await call.getByRole('button', { name: 'Mute' }).click();
    await call.getByRole('button', { name: 'Record', exact: true }).click();
    await citizen.page.getByRole('status').filter({ hasText: NOTICE }).waitFor({ timeout: 3000 });
    await console_.page.waitForTimeout(3600);
    await citizen.page.getByRole('button', { name: 'Hang up' }).click();

    const entry = console_.page.getByRole('list', { name: 'Call history' }).getByRole('listitem').filter({ hasText: 'Jose Ramos' });
    await entry.getByLabel('Recording of the call with Jose Ramos').waitFor();
    const [stored] = await storedRecordings(console_.page);
    expect(stored!.durationMs).toBeGreaterThanOrEqual(3000);
    expect(await loudness(console_.page, stored!.id)).toBeGreaterThan(0.01);

    await console_.page.getByRole('button', { name: 'Sign out' }).click();
    await console_.page.getByText('Open the sign-in link your station administrator gave you.').waitFor();
    expect(await storedRecordings(console_.page)).toEqual([]);
  });
});
