/**
 * Service-worker helpers for the PWA tests: waiting for control, a private
 * copy of the built app a test can redeploy, and asking the controlling
 * worker which build it is.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { ROOT } from '../harness.ts';

/** Waits until a service worker controls the page (no reload needed, thanks to clientsClaim). */
export async function waitForControl(page: Page, timeout = 20_000): Promise<void> {
  await page.waitForFunction(() => navigator.serviceWorker.controller !== null, null, { timeout, polling: 100 });
}

/** A copy of dist/ in a temporary folder, for `startHarness({ env: { DIST_DIR } })`. */
export function copyDist(): { dir: string; remove: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bfp-e2e-dist-'));
  fs.cpSync(path.join(ROOT, 'dist'), dir, { recursive: true });
  return { dir, remove: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

/**
 * Deploys a new version of the service worker into `distDir`: the same
 * precache, plus an answer to "build?" so a test can tell the versions apart.
 */
export function deployWorkerBuild(distDir: string, build: string): void {
  const file = path.join(distDir, 'sw.js');
  const marker = '// e2e build answer';
  const original = fs.readFileSync(file, 'utf8').split(`\n${marker}`)[0];
  const answer = `self.addEventListener('message', (e) => { if (e.data === 'build?') e.ports[0]?.postMessage(${JSON.stringify(build)}); });`;
  fs.writeFileSync(file, `${original}\n${marker}\n${answer}\n`);
}

/** The build the controlling worker answers with, or null for the first build (which does not answer). */
export async function controllingBuild(page: Page): Promise<string | null> {
  return page.evaluate(
    () =>
      new Promise<string | null>((resolve) => {
        const controller = navigator.serviceWorker.controller;
        if (!controller) return resolve(null);
        const channel = new MessageChannel();
        channel.port1.onmessage = (e) => resolve(typeof e.data === 'string' ? e.data : null);
        setTimeout(() => resolve(null), 1000);
        controller.postMessage('build?', [channel.port2]);
      }),
  );
}

/** Asks the browser to look for a new service worker now (as it does on navigations and every day). */
export async function checkForUpdate(page: Page): Promise<void> {
  await page.evaluate(async () => {
    const registration = await navigator.serviceWorker.getRegistration();
    await registration?.update();
  });
}

/** Whether the registration has a new worker installed and waiting. */
export async function hasWaitingWorker(page: Page): Promise<boolean> {
  return page.evaluate(async () => (await navigator.serviceWorker.getRegistration())?.waiting != null);
}

/** Set on the window of the page as first loaded: gone once the page reloads. */
export async function markPage(page: Page): Promise<void> {
  await page.evaluate(() => ((window as unknown as { firstLoad?: boolean }).firstLoad = true));
}

export async function stillFirstLoad(page: Page): Promise<boolean> {
  return page.evaluate(() => (window as unknown as { firstLoad?: boolean }).firstLoad === true).catch(() => false);
}

/**
 * "Update now" on a marked page in a call: nothing reloads while the call
 * (`connected`) lasts and `firstBuild` stays in control; after the caller
 * hangs up, the page reloads onto `build`.
 */
export async function expectUpdateAfterHangUp(page: Page, connected: Locator, firstBuild: string | null, build: string): Promise<void> {
  await page.getByRole('button', { name: 'Update now' }).click();
  await page.getByText('The update will be applied when the call ends').waitFor();

  // Long enough for a reload to have happened, were one coming.
  await page.waitForTimeout(2000);
  expect(await stillFirstLoad(page)).toBe(true);
  expect(await connected.count()).toBe(1);
  expect(await hasWaitingWorker(page)).toBe(true);
  expect(await controllingBuild(page)).toBe(firstBuild);

  await page.getByRole('button', { name: 'Hang up' }).click();
  await expect.poll(() => stillFirstLoad(page), { timeout: 15_000 }).toBe(false);
  await page.getByRole('button', { name: /Call BFP/ }).waitFor();
  expect(await controllingBuild(page)).toBe(build);
}
