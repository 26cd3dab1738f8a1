/**
 * An SOS written with no way to reach a station: kept on the phone through
 * reloads, shown as waiting, and delivered exactly once, with the console's
 * acknowledgement, as soon as a console can be reached — whether the phone's
 * network or the broker was down.
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../../peer-server/config.ts';
import { loadOrCreateSecret } from '../../../peer-server/secret.ts';
import { startServer, type RunningServer } from '../../../peer-server/server.ts';
import { mintToken } from '../../../peer-server/tokens.ts';
import { CHROMIUM_ARGS, DEFAULT_POSITION, ROOT, chromiumPath } from '../harness.ts';
import { NEAR_CENTRAL } from '../screens/app.ts';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as net.AddressInfo;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

describe('SOS sent while no station can be reached', () => {
  let browser: Browser;
  let dataDir: string;
  let port: number;
  let server: RunningServer | null = null;
  const origin = () => `http://127.0.0.1:${port}`;
  const start = async () => {
    server = await startServer(loadConfig({ HOST: '127.0.0.1', PORT: String(port), DATA_DIR: dataDir, DIST_DIR: path.join(ROOT, 'dist'), LOG_LEVEL: 'warn' }, ROOT));
  };
  const stop = async () => {
    await server?.close();
    server = null;
  };

  beforeAll(async () => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'bfp-sos-'));
    port = await freePort();
    await start();
    browser = await chromium.launch({ executablePath: chromiumPath(), args: CHROMIUM_ARGS });
  });
  afterAll(async () => {
    await browser?.close();
    await stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  async function citizenReadyOffline() {
    const context = await browser.newContext({ permissions: ['microphone', 'geolocation'], geolocation: { ...NEAR_CENTRAL } });
    const page = await context.newPage();
    await page.goto(`${origin()}/`);
    await page.getByLabel('Your name').fill('Nena Garcia');
    await page.getByLabel('Your phone number').fill('+63 918 222 3333');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByText('Connected to BFP').waitFor();
    await page.getByText(/Your location is known/).waitFor();
    // The service worker installs once the page is idle; the next start then works offline.
    await page.waitForFunction(() => navigator.serviceWorker.controller !== null, undefined, { timeout: 30_000 });
    return { context, page };
  }

  async function tapAndExpectQueued(page: Page) {
    await page.getByRole('button', { name: /Call BFP/ }).click();
    const hotlines = page.getByRole('region', { name: 'Hotlines' });
    await hotlines.getByRole('link', { name: /Quezon City Central Fire Station.*\+63 2 8000 0001/ }).waitFor();
    expect(await hotlines.getByRole('link', { name: /Quezon City Central/ }).first().getAttribute('href')).toBe('tel:+63280000001');
    const reports = page.getByRole('list', { name: 'Your SOS reports' }).getByRole('listitem');
    await reports.first().getByText('Waiting to be sent').waitFor();
    return reports;
  }

  async function consoleOnline() {
    const token = await mintToken(loadOrCreateSecret(dataDir), { role: 'station', sub: 'qc-central', station: 'qc-central', name: 'QC Central dispatcher', days: 1 });
    const context = await browser.newContext({ permissions: ['microphone', 'geolocation'], geolocation: DEFAULT_POSITION });
    const page = await context.newPage();
    await page.goto(`${origin()}/station#token=${token}`);
    await page.getByRole('button', { name: 'Start shift' }).click();
    await page.getByText('Connected to BFP').waitFor();
    return { context, page };
  }

  it('with the network cut: queued, kept through an offline reload, then delivered once to the console', async () => {
    const citizen = await citizenReadyOffline();
    await citizen.context.setOffline(true);
    // setOffline does not cut an open WebSocket: a reload really loses the broker.
    const offline = await citizen.page.reload();
    expect(offline?.fromServiceWorker()).toBe(true);
    let reports = await tapAndExpectQueued(citizen.page);
    await citizen.page.reload();
    reports = citizen.page.getByRole('list', { name: 'Your SOS reports' }).getByRole('listitem');
    await reports.first().getByText('Waiting to be sent').waitFor();
    expect(await reports.count()).toBe(1);

    const console_ = await consoleOnline();
    await citizen.context.setOffline(false);
    await reports.first().getByText(/Delivered to Quezon City Central/).waitFor({ timeout: 30_000 });
    const received = console_.page.getByRole('list', { name: 'Offline reports' }).getByRole('listitem');
    await received.first().getByText('Nena Garcia').waitFor();
    expect(await received.first().innerText()).toContain(`${NEAR_CENTRAL.latitude.toFixed(5)}, ${NEAR_CENTRAL.longitude.toFixed(5)}`);
    // Another start of the citizen's app sends nothing again.
    await citizen.page.reload();
    await citizen.page.getByText('Connected to BFP').waitFor();
    await citizen.page.waitForTimeout(6000);
    expect(await received.count()).toBe(1);
    await Promise.all([citizen.context.close(), console_.context.close()]);
  });

  it('with the broker stopped: queued, kept through a reload, then delivered once when it is back', async () => {
    const citizen = await citizenReadyOffline();
    await stop();
    const reloaded = await citizen.page.reload();
    expect(reloaded?.fromServiceWorker()).toBe(true);
    await tapAndExpectQueued(citizen.page);
    await citizen.page.reload();
    const reports = citizen.page.getByRole('list', { name: 'Your SOS reports' }).getByRole('listitem');
    await reports.first().getByText('Waiting to be sent').waitFor();

    await start();
    const console_ = await consoleOnline();
    // The app reconnects by itself (backoff capped at 5 s) and delivers.
    await reports.first().getByText(/Delivered to Quezon City Central/).waitFor({ timeout: 40_000 });
    const received = console_.page.getByRole('list', { name: 'Offline reports' }).getByRole('listitem');
    await received.filter({ hasText: 'Nena Garcia' }).first().waitFor();
    await citizen.page.waitForTimeout(6000);
    expect(await received.count()).toBe(1);
    await Promise.all([citizen.context.close(), console_.context.close()]);
  });

  it('adds a later note to the SOS still waiting, and the console gets both notes in one report', async () => {
    const context = await browser.newContext({ permissions: ['microphone', 'geolocation'], geolocation: { ...NEAR_CENTRAL } });
    const page = await context.newPage();
    await page.goto(`${origin()}/`);
    await page.getByLabel('Your name').fill('Lito Cruz');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByText('Connected to BFP').waitFor();
    await stop();
    await tapAndExpectQueued(page);
    for (const note of ['Smoke from the kitchen', 'Two children still inside']) {
      await page.getByRole('textbox', { name: /What is happening/ }).fill(note);
      await page.getByRole('button', { name: 'Send SOS when back online' }).click();
      await expect.poll(() => page.getByRole('textbox', { name: /What is happening/ }).inputValue()).toBe('');
    }
    const reports = page.getByRole('list', { name: 'Your SOS reports' }).getByRole('listitem');
    expect(await reports.count()).toBe(1);
    expect(await reports.first().innerText()).toMatch(/Smoke from the kitchen\nTwo children still inside/);

    await start();
    const console_ = await consoleOnline();
    await reports.first().getByText(/Delivered to Quezon City Central/).waitFor({ timeout: 40_000 });
    const received = console_.page.getByRole('list', { name: 'Offline reports' }).getByRole('listitem').filter({ hasText: 'Lito Cruz' });
    await received.first().waitFor();
    expect(await received.count()).toBe(1);
    expect(await received.first().innerText()).toMatch(/Smoke from the kitchen\nTwo children still inside/);
    await Promise.all([context.close(), console_.context.close()]);
  });

  it('says so when the phone cannot store the SOS, keeps the typed note, and still shows the hotlines', async () => {
    const context = await browser.newContext({ permissions: ['microphone', 'geolocation'], geolocation: { ...NEAR_CENTRAL } });
    // This phone's storage refuses new SOS reports (full, or broken).
    await context.addInitScript(() => {
      const put = IDBObjectStore.prototype.put;
      IDBObjectStore.prototype.put = function (this: IDBObjectStore, ...args: Parameters<IDBObjectStore['put']>) {
        if (this.name === 'outbox') throw new DOMException('The quota has been exceeded.', 'QuotaExceededError');
        return put.apply(this, args);
      };
    });
    const page = await context.newPage();
    await page.goto(`${origin()}/`);
    await page.getByLabel('Your name').fill('Rosa Lim');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByText('Connected to BFP').waitFor();
    await stop();
    await page.getByRole('button', { name: /Call BFP/ }).click();
    await page.getByRole('alert').filter({ hasText: 'Your SOS could not be saved on this phone' }).waitFor();
    await page.getByRole('region', { name: 'Hotlines' }).getByRole('link', { name: /Quezon City Central/ }).first().waitFor();
    await page.getByRole('textbox', { name: /What is happening/ }).fill('Fire next door');
    await page.getByRole('button', { name: 'Send SOS when back online' }).click();
    await page.waitForTimeout(500);
    expect(await page.getByRole('textbox', { name: /What is happening/ }).inputValue()).toBe('Fire next door');
    expect(await page.getByRole('list', { name: 'Your SOS reports' }).count()).toBe(0);
    await start();
    await context.close();
  });
});
