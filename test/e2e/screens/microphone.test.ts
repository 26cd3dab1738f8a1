/**
 * A caller whose browser blocks the microphone still reaches the station with
 * position and chat, and is told plainly that they cannot be heard.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../harness.ts';
import { closeAll, openCitizen, openConsole, ringItems, tapCallBfp, type Person } from './app.ts';

describe('microphone blocked', () => {
  let h: Harness;
  let people: Person[] = [];

  beforeAll(async () => {
    h = await startHarness();
  });
  afterAll(async () => {
    await closeAll(...people);
    await h?.close();
  });

  it('tells the caller they cannot be heard, and the call still rings the station with their position and carries chat', async () => {
    const console_ = await openConsole(h, 'qc-central');
    const citizen = await openCitizen(h, { denyMicrophone: true });
    people = [console_, citizen];

    await tapCallBfp(citizen.page);
    const alert = citizen.page.getByRole('alert').filter({ hasText: 'Microphone access is blocked' });
    await alert.waitFor();
    expect(await alert.innerText()).toMatch(/cannot hear you/);

    const ring = ringItems(console_.page).first();
    await ring.waitFor();
    expect(await ring.innerText()).toContain('Maria Santos');
    await ring.getByRole('button', { name: 'Answer' }).click();
    await console_.page.locator('.active-call .phase').filter({ hasText: /^Connected/ }).waitFor();

    await citizen.page.getByRole('textbox', { name: 'Message' }).fill('I cannot talk, smoke in the hallway');
    await citizen.page.getByRole('button', { name: 'Send' }).click();
    await console_.page.getByText('I cannot talk, smoke in the hallway').waitFor();
    // The console's own microphone works: no warning there.
    expect(await console_.page.getByText('Microphone access is blocked').count()).toBe(0);
  });
});
