/**
 * A new build deployed while people use the app: the update prompt shows,
 * and the page reloads onto the new version only when nobody is in a call.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startHarness, type Harness } from '../harness.ts';
import { CONNECTED, openCitizen, openConsole, ringItems, tapCallBfp, trackPeople } from '../screens/app.ts';
import { checkForUpdate, controllingBuild, copyDist, deployWorkerBuild, expectUpdateAfterHangUp, hasWaitingWorker, markPage, stillFirstLoad, waitForControl } from './sw.ts';

describe('updating the app', () => {
  let h: Harness;
  let dist: ReturnType<typeof copyDist>;
  let builds = 1;
  const track = trackPeople();

  beforeAll(async () => {
    // A private copy of the built app, so the test can deploy new builds into it.
    dist = copyDist();
    h = await startHarness({ env: { DIST_DIR: dist.dir } });
  });
  afterAll(async () => {
    await h?.close();
    dist?.remove();
  });

  /** Deploys a new service worker and has the page look for it: "Update available" shows. */
  async function deployAndDiscover(page: Page): Promise<string> {
    const build = `build-${++builds}`;
    deployWorkerBuild(dist.dir, build);
    await checkForUpdate(page);
    await page.getByText('Update available').waitFor();
    return build;
  }

  it('a new build deployed while a call is active: the prompt shows, nothing reloads until the call ends', async () => {
    const console_ = track(await openConsole(h, 'qc-central'));
    const citizen = track(await openCitizen(h));
    await waitForControl(citizen.page);
    const firstBuild = await controllingBuild(citizen.page);
    await markPage(citizen.page);

    await tapCallBfp(citizen.page);
    await ringItems(console_.page).first().getByRole('button', { name: 'Answer' }).click();
    const connected = citizen.page.locator('.phase', { hasText: CONNECTED });
    await connected.waitFor();

    const build = await deployAndDiscover(citizen.page);
    await expectUpdateAfterHangUp(citizen.page, connected, firstBuild, build);
    expect(await hasWaitingWorker(citizen.page)).toBe(false);
    expect(await citizen.page.getByText('Update available').count()).toBe(0);
  }, 120_000);

  it('"Update now" with no call in progress reloads onto the new build at once', async () => {
    const citizen = track(await openCitizen(h));
    await waitForControl(citizen.page);
    await markPage(citizen.page);

    const build = await deployAndDiscover(citizen.page);
    const update = citizen.page.getByRole('button', { name: 'Update now' });
    const box = await update.boundingBox();
    expect(box?.height).toBeGreaterThanOrEqual(48);
    expect(await citizen.page.getByRole('status').filter({ hasText: 'Update available' }).count()).toBe(1);
    await update.click();

    await expect.poll(() => stillFirstLoad(citizen.page), { timeout: 15_000 }).toBe(false);
    await citizen.page.getByRole('button', { name: /Call BFP/ }).waitFor();
    expect(await controllingBuild(citizen.page)).toBe(build);
  });
});
