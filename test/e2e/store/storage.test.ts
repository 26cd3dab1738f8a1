/**
 * What the app keeps on the device: the directory (synced only when it
 * changed), data from an older schema, and nothing of a staff member after
 * they sign out of a shared tablet.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { importDirectory } from '../../../peer-server/directory-store.ts';
import { ROOT, startHarness, type Harness } from '../harness.ts';
import { CONNECTED, openCitizen, openConsole, ringItems, tapCallBfp, trackPeople } from '../screens/app.ts';
import { describeStore, dumpDb, writeV1, writeV2, writeV3 } from './idb.ts';

describe('storage on the device', () => {
  let h: Harness;
  const track = trackPeople();

  beforeAll(async () => (h = await startHarness()));
  afterAll(() => h?.close());

  it('picks up a changed directory, keeps it when unchanged (304), and keeps the cached copy when the answer is broken', async () => {
    const citizen = track(await openCitizen(h));
    const hotlines = citizen.page.getByRole('region', { name: 'Hotlines' });
    await hotlines.getByText(/Quezon City Central Fire Station/).first().waitFor();

    const file = path.join(h.dataDir, 'next-directory.json');
    const current = JSON.parse(fs.readFileSync(path.join(h.dataDir, 'directory.json'), 'utf8')) as { stations: { name: string }[] };
    current.stations[0]!.name = 'Renamed Central Fire Station';
    fs.writeFileSync(file, JSON.stringify(current));
    importDirectory(h.dataDir, file);
    // The server re-reads the file within about a second.
    await expect.poll(async () => (await fetch(`${h.origin}/api/directory`).then((r) => r.text())).includes('Renamed'), { timeout: 5000 }).toBe(true);

    await citizen.page.reload();
    await hotlines.getByText(/Renamed Central Fire Station/).first().waitFor();

    const statuses: number[] = [];
    citizen.page.on('response', (r) => {
      if (r.url().endsWith('/api/directory')) statuses.push(r.status());
    });
    await citizen.page.reload();
    await expect.poll(() => statuses).toContain(304);
    await hotlines.getByText(/Renamed Central Fire Station/).first().waitFor();

    await citizen.page.route('**/api/directory', (route) => route.fulfill({ status: 200, contentType: 'application/json', body: '{"version": "broken", "stations": [' }));
    await citizen.page.reload();
    await citizen.page.getByText('Connected to BFP').waitFor();
    await hotlines.getByText(/Renamed Central Fire Station/).first().waitFor();
    expect(await hotlines.innerText()).toContain('911');
  });

  it('upgrades a database written by the first schema version (through every later one) with its data intact', async () => {
    const fixture = JSON.parse(fs.readFileSync(path.join(ROOT, 'test/e2e/fixtures/db-v1.json'), 'utf8')) as {
      settings: Record<string, unknown>;
      expectedCitizenId: string;
    };
    const context = await h.newContext();
    const page = await context.newPage();
    track({ context, page });
    // Same origin, without the app running yet.
    await page.goto(`${h.origin}/api/health`);
    await writeV1(page, fixture.settings);

    await page.goto(`${h.origin}/?`);
    // The profile from version 1 is there: no first-run form.
    await page.getByText('Connected to BFP').waitFor();
    await page.getByRole('button', { name: 'Edit my name and phone' }).waitFor();
    const id = await page.evaluate(() => (window as unknown as { bfp: { link: { credentials: { id: string } } } }).bfp.link.credentials.id);
    expect(id).toBe(fixture.expectedCitizenId);

    const db = await dumpDb(page);
    expect(db.version).toBe(4);
    const settings = new Map(db.stores.settings!.map((r) => [r.key, r.value]));
    expect(settings.get('citizen-secret')).toBe(fixture.settings['citizen-secret']);
    expect(settings.get('profile')).toEqual(fixture.settings.profile);
    expect(settings.has('directory')).toBe(false);
    // The directory moved to its own store; a fresher server copy may have replaced it since.
    expect(db.stores.directory!.map((r) => r.key)).toEqual(['current']);
    for (const store of ['history', 'outbox', 'reports', 'recordings']) expect(db.stores[store]).toEqual([]);
  });

  it('upgrades a version-2 database with its call history intact and a store for recordings', async () => {
    const fixture = JSON.parse(fs.readFileSync(path.join(ROOT, 'test/e2e/fixtures/db-v1.json'), 'utf8')) as { settings: Record<string, unknown> };
    const { directory: _directory, ...settings } = fixture.settings;
    const call = {
      id: 'mg1x2a3b4c',
      scope: 'citizen',
      peer: 'st-qc-central-aaaa',
      peerName: 'Quezon City Central console',
      role: 'outgoing',
      direction: 'out',
      startedAt: 1_760_000_000_000,
      durationMs: 42_000,
      outcome: 'hangup',
      lastPosition: null,
      notes: '',
      chat: [{ from: 'me', text: 'Smoke on the second floor', sentAt: 1_760_000_010_000, acked: true }],
      quality: null,
    };
    const context = await h.newContext();
    const page = await context.newPage();
    track({ context, page });
    await page.goto(`${h.origin}/api/health`);
    await writeV2(page, { settings, history: [call] });

    await page.goto(`${h.origin}/?`);
    await page.getByText('Connected to BFP').waitFor();
    await page.getByText('My calls').click();
    await page.getByRole('list', { name: 'Call history' }).getByText('Quezon City Central console').waitFor();

    const db = await dumpDb(page);
    expect(db.version).toBe(4);
    expect(db.stores.history!.map((r) => r.value)).toEqual([call]);
    expect(db.stores.recordings).toEqual([]);
    expect(await describeStore(page, 'recordings')).toEqual({ keyPath: 'id', indexes: ['callId', 'scope'] });
  });

  it('upgrades a version-3 database with its call recordings intact, each still found by its call', async () => {
    const recording = { callId: 'mg1x2a3b4c', scope: 'station:qc-central', mimeType: 'audio/webm;codecs=opus', durationMs: 4200, size: 11, createdAt: 1_760_000_050_000, audio: 'webm-bytes!' };
    const context = await h.newContext();
    const page = await context.newPage();
    track({ context, page });
    await page.goto(`${h.origin}/api/health`);
    await writeV3(page, { recordings: [recording] });

    await page.goto(`${h.origin}/?`);
    await page.getByLabel('Your name').waitFor();

    const db = await dumpDb(page);
    expect(db.version).toBe(4);
    expect(await describeStore(page, 'recordings')).toEqual({ keyPath: 'id', indexes: ['callId', 'scope'] });
    const { audio: _audio, ...fields } = recording;
    expect(db.stores.recordings!.map((r) => r.key)).toEqual([recording.callId]);
    expect(db.stores.recordings![0]!.value).toMatchObject({ ...fields, id: recording.callId });
    const audio = await page.evaluate(async (callId) => {
      const db = await new Promise<IDBDatabase>((resolve, reject) => {
        const req = indexedDB.open('bfp-emergency-voice');
        req.onsuccess = () => resolve(req.result);
        req.onerror = () => reject(req.error);
      });
      const record = await new Promise<{ audio: Blob }>((resolve, reject) => {
        const req = db.transaction('recordings').objectStore('recordings').index('callId').get(callId);
        req.onsuccess = () => resolve(req.result as { audio: Blob });
        req.onerror = () => reject(req.error);
      });
      db.close();
      return record.audio.text();
    }, recording.callId);
    expect(audio).toBe(recording.audio);
  });

  it('asks the browser to keep its storage (persistent), so the directory and a queued SOS survive eviction', async () => {
    const context = await h.newContext();
    // Headless Chromium answers false; what matters is that the app asked.
    await context.addInitScript(() => {
      const w = window as unknown as { persistAsked: number };
      w.persistAsked = 0;
      navigator.storage.persist = () => {
        w.persistAsked += 1;
        return Promise.resolve(false);
      };
    });
    const page = await context.newPage();
    track({ context, page });
    await page.goto(`${h.origin}/`);
    await page.getByLabel('Your name').waitFor();
    await expect.poll(() => page.evaluate(() => (window as unknown as { persistAsked: number }).persistAsked)).toBeGreaterThan(0);
  });

  it('leaves no staff credentials or staff data on a shared tablet after sign out', async () => {
    const console_ = track(await openConsole(h, 'qc-central'));
    const citizen = track(await openCitizen(h));
    await tapCallBfp(citizen.page);
    await ringItems(console_.page).first().getByRole('button', { name: 'Answer' }).click();
    await console_.page.locator('.active-call .phase', { hasText: CONNECTED }).waitFor();
    await console_.page.getByRole('button', { name: 'Hang up' }).click();
    const history = console_.page.getByRole('list', { name: 'Call history' });
    await history.getByRole('listitem').first().waitFor();

    const before = await dumpDb(console_.page);
    expect(before.stores.settings!.some((r) => r.key === 'staff-token:station')).toBe(true);
    expect(before.stores.history!.length).toBeGreaterThan(0);

    await console_.page.getByRole('button', { name: 'Sign out' }).click();
    await console_.page.getByText('Open the sign-in link your station administrator gave you.').waitFor();
    const after = await dumpDb(console_.page);
    const keys = after.stores.settings!.map((r) => String(r.key));
    expect(keys.filter((k) => k.startsWith('staff-token') || k.startsWith('device-tag'))).toEqual([]);
    expect(after.stores.history!.filter((r) => String((r.value as { scope: string }).scope).startsWith('station:'))).toEqual([]);
    expect(after.stores.reports).toEqual([]);
    expect(after.stores.recordings).toEqual([]);
    expect(JSON.stringify(after)).not.toContain('eyJ');
  });
});
