/**
 * A returning visitor who calls in the first seconds after opening the app:
 * a new build deployed during that call is still announced, and still
 * applied only when the call ends.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../harness.ts';
import { CONNECTED, openCitizen, openConsole, ringItems, trackPeople } from '../screens/app.ts';
import { checkForUpdate, controllingBuild, copyDist, deployWorkerBuild, expectUpdateAfterHangUp, markPage, waitForControl } from './sw.ts';

describe('updating the app on a returning visit', () => {
  let h: Harness;
  let dist: ReturnType<typeof copyDist>;
  const track = trackPeople();

  beforeAll(async () => {
    dist = copyDist();
    h = await startHarness({ env: { DIST_DIR: dist.dir } });
  });
  afterAll(async () => {
    await h?.close();
    dist?.remove();
  });

  it('a call placed right after opening the app: a build deployed during it is announced, and applied when it ends', async () => {
    const console_ = track(await openConsole(h, 'qc-central'));
    const citizen = track(await openCitizen(h));
    await waitForControl(citizen.page);

    // The returning visit: the page opens under its worker and the caller taps at once.
    await citizen.page.reload();
    await citizen.page.getByRole('button', { name: /Call BFP/ }).click();
    const opened = await citizen.page.evaluate(() => performance.now());
    await markPage(citizen.page);
    await ringItems(console_.page).first().getByRole('button', { name: 'Answer' }).click();
    const connected = citizen.page.locator('.phase', { hasText: CONNECTED });
    await connected.waitFor();
    // The call started well inside the first-visit delay (3 s), so only the returning-visit path can announce.
    expect(opened).toBeLessThan(3000);
    const firstBuild = await controllingBuild(citizen.page);

    deployWorkerBuild(dist.dir, 'build-returning');
    await checkForUpdate(citizen.page);
    await citizen.page.getByText('Update available').waitFor();
    await expectUpdateAfterHangUp(citizen.page, connected, firstBuild, 'build-returning');
  }, 120_000);
});
