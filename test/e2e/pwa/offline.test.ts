/**
 * Offline after one visit: the service worker controls the very first visit
 * (clientsClaim), and every screen reloads from it with no network.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../harness.ts';
import { openCitizen, trackPeople, type Person } from '../screens/app.ts';
import { waitForControl } from './sw.ts';

describe('working offline', () => {
  let h: Harness;
  const track = trackPeople();

  beforeAll(async () => (h = await startHarness()));
  afterAll(() => h?.close());

  async function visit(url: string): Promise<Person> {
    const context = await h.newContext();
    const page = await context.newPage();
    await page.goto(url);
    return track({ context, page });
  }

  it('the service worker takes control on the first visit, without a reload', async () => {
    const { context, page } = await visit('/');
    const worker = context.serviceWorkers()[0] ?? (await context.waitForEvent('serviceworker'));
    expect(new URL(worker.url()).pathname).toBe('/sw.js');
    await waitForControl(page);
    expect(await page.evaluate(() => performance.getEntriesByType('navigation').length)).toBe(1);
  });

  it('says "Ready to work offline" on the first install, and not again on this device', async () => {
    const { page } = await visit('/');
    const note = page.getByText('Ready to work offline');
    await note.waitFor();
    await page.getByRole('button', { name: 'Dismiss: ready to work offline' }).click();
    await note.waitFor({ state: 'detached' });

    // A fresh install on the same device (the worker and its caches gone, the note remembered).
    await page.evaluate(async () => {
      for (const registration of await navigator.serviceWorker.getRegistrations()) await registration.unregister();
      for (const key of await caches.keys()) await caches.delete(key);
    });
    await page.reload();
    await waitForControl(page);
    await page.waitForTimeout(500);
    expect(await note.count()).toBe(0);
  });

  it('the citizen screen reloads offline from the service worker and still offers "Call BFP"', async () => {
    const citizen = track(await openCitizen(h));
    await waitForControl(citizen.page);
    await citizen.context.setOffline(true);

    const response = await citizen.page.reload();
    expect(response?.fromServiceWorker()).toBe(true);
    const call = citizen.page.getByRole('button', { name: /Call BFP/ });
    await call.waitFor();
    expect(await call.isEnabled()).toBe(true);
  });

  for (const screen of ['station', 'officer'] as const) {
    it(`/${screen} reloads offline from the service worker and shows its screen`, async () => {
      const token = screen === 'station' ? await h.stationToken('qc-central') : await h.officerToken('dela-cruz', 'qc-central');
      const { context, page } = await visit(`/${screen}#token=${token}`);
      const heading = page.getByRole('heading', { level: 1 });
      await heading.waitFor();
      await waitForControl(page);
      await context.setOffline(true);

      const response = await page.reload();
      expect(response?.fromServiceWorker()).toBe(true);
      await heading.waitFor();
      expect(await page.getByText('This screen could not be loaded').count()).toBe(0);
      // And a screen never opened online comes from the precache too.
      const other = screen === 'station' ? '/officer' : '/station';
      const otherResponse = await page.goto(other);
      expect(otherResponse?.fromServiceWorker()).toBe(true);
      await heading.waitFor();
      expect(await page.getByText('This screen could not be loaded').count()).toBe(0);
    });
  }

  it('never answers the broker or the API with the app page', async () => {
    const { page } = await visit('/');
    await waitForControl(page);
    for (const path of ['/api/health', '/broker/peerjs/id']) {
      const response = await page.goto(path);
      expect(response?.fromServiceWorker(), path).toBe(false);
      expect(await page.locator('#app').count(), path).toBe(0);
    }
  });
});
