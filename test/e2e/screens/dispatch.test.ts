/**
 * Dispatcher tools: an incident sent from a call to an officer on duty, and
 * the officer's acknowledgement back on the console.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../harness.ts';
import { CONNECTED, NEAR_CENTRAL, openCitizen, openConsole, openOfficer, ringItems, tapCallBfp, trackPeople } from './app.ts';

describe('assignments', () => {
  let h: Harness;
  const track = trackPeople();

  beforeAll(async () => (h = await startHarness()));
  afterAll(() => h?.close());

  it('sends the caller’s position to an officer, who sees it and acknowledges; the console shows it within 2 s', async () => {
    const console_ = track(await openConsole(h, 'qc-central'));
    const officer = track(await openOfficer(h, 'santos', 'qc-central', 'FO2 Ben Santos'));
    await officer.page.getByRole('radio', { name: 'Responding' }).check();
    await console_.page.getByRole('list', { name: 'Officers' }).getByText('FO2 Ben Santos').waitFor({ timeout: 10_000 });

    const citizen = track(await openCitizen(h, { name: 'Rosa Lim' }));
    await tapCallBfp(citizen.page);
    await ringItems(console_.page).first().getByRole('button', { name: 'Answer' }).click();
    const call = console_.page.locator('.active-call').first();
    await call.locator('.phase', { hasText: CONNECTED }).waitFor();

    await call.getByText('Send to officers').click();
    await call.getByRole('checkbox', { name: 'FO2 Ben Santos' }).check();
    await call.getByLabel('Address').fill('12 Kalayaan Ave, Diliman');
    await call.getByLabel('Note for the officers').fill('Smoke from the kitchen, two people inside');
    await call.getByRole('button', { name: 'Send assignment' }).click();
    await call.getByText('FO2 Ben Santos: waiting for acknowledgement').waitFor();

    const item = officer.page.getByRole('list', { name: 'Assignments' }).getByRole('listitem').first();
    await item.waitFor();
    const text = await item.innerText();
    expect(text).toContain('Rosa Lim');
    expect(text).toContain(`${NEAR_CENTRAL.latitude.toFixed(5)}, ${NEAR_CENTRAL.longitude.toFixed(5)}`);
    expect(text).toContain('12 Kalayaan Ave, Diliman');
    expect(text).toContain('Smoke from the kitchen');
    expect(await item.getByRole('link', { name: 'Navigate' }).getAttribute('href')).toMatch(/^geo:14\.6516\d*,121\.0494/);
    expect(await item.getByRole('link', { name: 'Open map' }).getAttribute('href')).toContain('mlat=14.6516');

    await item.getByRole('button', { name: 'Acknowledge' }).click();
    await call.getByText(/FO2 Ben Santos: acknowledged at/).waitFor({ timeout: 2000 });
    await item.getByText(/Acknowledged at/).waitFor();
  });
});
