/**
 * A dispatcher hands a caller to a colleague's console: the call, its
 * position updates and its chat continue there; a declined transfer leaves
 * the call where it was.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../harness.ts';
import { CONNECTED, expectAudioFlowing, openCitizen, openConsole, ringItems, tapCallBfp, trackPeople } from './app.ts';

describe('transfer to another console', () => {
  let h: Harness;
  const track = trackPeople();

  beforeAll(async () => (h = await startHarness()));
  afterAll(() => h?.close());

  async function answeredCall() {
    const first = track(await openConsole(h, 'qc-central'));
    const second = track(await openConsole(h, 'qc-central'));
    const citizen = track(await openCitizen(h, { name: 'Carlo Reyes' }));
    await tapCallBfp(citizen.page);
    await ringItems(first.page).first().getByRole('button', { name: 'Answer' }).click();
    await ringItems(second.page).first().waitFor({ state: 'detached' });
    const call = first.page.locator('.active-call').first();
    await call.locator('.phase', { hasText: CONNECTED }).waitFor();
    await citizen.page.getByRole('textbox', { name: 'Message' }).fill('Third floor, room 301');
    await citizen.page.getByRole('button', { name: 'Send' }).click();
    await call.getByText('Third floor, room 301').waitFor();
    await call.getByLabel('Notes').fill('Caller trapped, smoke in hallway');
    // The console learns of its colleagues from presence, every 5 s.
    await call.getByRole('button', { name: 'Transfer' }).waitFor({ timeout: 10_000 });
    return { first, second, citizen, call };
  }

  it('continues the call with the second console, which gets the incident so far; the first console is free', async () => {
    const { first, second, citizen, call } = await answeredCall();

    await call.getByRole('button', { name: 'Transfer' }).click();
    const ring = ringItems(second.page).first();
    await ring.getByText(/Transfer from/).waitFor();
    expect(await ring.innerText()).toContain('Carlo Reyes');
    await ring.getByRole('button', { name: 'Answer' }).click();

    const moved = second.page.locator('.active-call').first();
    await moved.locator('.phase', { hasText: CONNECTED }).waitFor();
    await call.locator('.phase', { hasText: 'Transferred to another console' }).waitFor();
    await expectAudioFlowing(second.page);
    await expectAudioFlowing(citizen.page);
    expect(await citizen.page.locator('.phase').innerText()).toMatch(CONNECTED);

    // The incident came along: earlier chat and the notes.
    await moved.getByText('Third floor, room 301').waitFor();
    expect(await moved.getByLabel('Notes').inputValue()).toBe('Caller trapped, smoke in hallway');
    // And keeps flowing to the new console.
    await citizen.context.setGeolocation({ latitude: 14.65321, longitude: 121.04876, accuracy: 9 });
    await moved.getByText(/Position: 14\.65321, 121\.04876/).waitFor({ timeout: 3000 });
    await citizen.page.getByRole('textbox', { name: 'Message' }).fill('The door is blocked');
    await citizen.page.getByRole('button', { name: 'Send' }).click();
    await moved.getByText('The door is blocked').waitFor();
    expect(await first.page.getByText('The door is blocked').count()).toBe(0);
  });

  it('keeps the call with the first console when the second declines', async () => {
    const { second, citizen, call } = await answeredCall();

    await call.getByRole('button', { name: 'Transfer' }).click();
    await ringItems(second.page).first().getByRole('button', { name: 'Decline' }).click();
    await call.getByText('Transfer declined: the call stays with you.').waitFor();
    expect(await call.locator('.phase').innerText()).toMatch(CONNECTED);
    await citizen.page.getByRole('textbox', { name: 'Message' }).fill('Still with you?');
    await citizen.page.getByRole('button', { name: 'Send' }).click();
    await call.getByText('Still with you?').waitFor();
    expect(await second.page.locator('.active-call .phase', { hasText: CONNECTED }).count()).toBe(0);
  });
});
