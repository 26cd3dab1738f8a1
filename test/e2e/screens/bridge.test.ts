/**
 * A conference on the console: the dispatcher adds an officer to a citizen's
 * call and all three hear each other, mixed on the console.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../harness.ts';
import { CONNECTED, expectAudioFlowing, openCitizen, openConsole, openOfficer, ringItems, tapCallBfp, trackPeople } from './app.ts';

/** Total inbound audio energy over every call on the page. */
async function heardEnergy(page: Page): Promise<number> {
  return page.evaluate(async () => {
    type S = { media: { peerConnection: RTCPeerConnection } | null; state: { name: string } };
    const sessions = (window as unknown as { bfp: { phone: { sessions: S[] } } }).bfp.phone.sessions.filter((s) => s.media && s.state.name === 'connected');
    let energy = 0;
    for (const s of sessions) {
      (await s.media!.peerConnection.getStats()).forEach((r: Record<string, unknown>) => {
        if (r.type === 'inbound-rtp' && r.kind === 'audio') energy += Number(r.totalAudioEnergy ?? 0);
      });
    }
    return energy;
  });
}

/** How much `page` hears over `ms`. */
async function energyOver(page: Page, ms: number): Promise<number> {
  const before = await heardEnergy(page);
  await page.waitForTimeout(ms);
  return (await heardEnergy(page)) - before;
}

async function setMuted(button: ReturnType<Page['getByRole']>, muted: boolean): Promise<void> {
  if ((await button.getAttribute('aria-pressed')) !== String(muted)) await button.click();
}

describe('conference bridge', () => {
  let h: Harness;
  const track = trackPeople();

  beforeAll(async () => (h = await startHarness()));
  afterAll(() => h?.close());

  it('lets citizen, console and officer hear each other, and dropping the officer keeps the citizen connected', async () => {
    const console_ = track(await openConsole(h, 'qc-central'));
    const officer = track(await openOfficer(h, 'cruz', 'qc-central', 'FO3 Dan Cruz'));
    await officer.page.getByRole('radio', { name: 'Available' }).check();
    await console_.page.getByRole('list', { name: 'Officers' }).getByText('FO3 Dan Cruz').waitFor({ timeout: 10_000 });
    const citizen = track(await openCitizen(h, { name: 'Ella Tan' }));

    await tapCallBfp(citizen.page);
    await ringItems(console_.page).first().getByRole('button', { name: 'Answer' }).click();
    const citizenCall = console_.page.getByRole('article', { name: 'Call with Ella Tan' });
    await citizenCall.locator('.phase', { hasText: CONNECTED }).waitFor();

    await citizenCall.getByRole('button', { name: 'Add officer to this call' }).click();
    await officer.page.getByRole('button', { name: 'Answer' }).click();
    const officerCall = console_.page.getByRole('article', { name: 'Call with FO3 Dan Cruz' });
    await citizenCall.getByText('In a conference call').waitFor();
    await officerCall.getByText('In a conference call').waitFor();
    await expectAudioFlowing(officer.page);

    // Only the citizen's microphone plays: the dispatcher and the officer are muted.
    const consoleMutes = console_.page.locator('.active-call').getByRole('button', { name: /^(Mute|Unmute)$/ });
    for (let i = 0; i < (await consoleMutes.count()); i++) await setMuted(consoleMutes.nth(i), true);
    const officerMute = officer.page.getByRole('button', { name: /^(Mute|Unmute)$/ });
    const citizenMute = citizen.page.getByRole('button', { name: /^(Mute|Unmute)$/ });

    // Nobody plays: the baseline.
    await setMuted(officerMute, true);
    await setMuted(citizenMute, true);
    await officer.page.waitForTimeout(1000);
    const [officerQuiet, citizenQuiet] = await Promise.all([energyOver(officer.page, 3000), energyOver(citizen.page, 3000)]);
    await setMuted(citizenMute, false);
    await officer.page.waitForTimeout(1000);
    const officerHearsCitizen = await energyOver(officer.page, 3000);
    expect(officerHearsCitizen).toBeGreaterThan(officerQuiet * 5 + 1e-4);

    await setMuted(citizenMute, true);
    await setMuted(officerMute, false);
    await citizen.page.waitForTimeout(1000);
    const citizenHearsOfficer = await energyOver(citizen.page, 3000);
    expect(citizenHearsOfficer).toBeGreaterThan(citizenQuiet * 5 + 1e-4);

    // The console hears both directly.
    await expectAudioFlowing(console_.page);

    await officerCall.getByRole('button', { name: /Remove .* from the call/ }).click();
    await officer.page.locator('.phase', { hasText: 'Call ended' }).waitFor();
    await citizenCall.getByText('In a conference call').waitFor({ state: 'detached' });
    expect(await citizenCall.locator('.phase').innerText()).toMatch(CONNECTED);
    expect(await citizen.page.locator('.phase').innerText()).toMatch(CONNECTED);
    await setMuted(consoleMutes.first(), false);
    await expectAudioFlowing(citizen.page);
  }, 150_000);
});
