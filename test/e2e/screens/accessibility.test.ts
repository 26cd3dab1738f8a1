/**
 * The citizen screen, the station console and the officer screen in each of
 * their main states: no serious or critical axe-core violations, touch targets
 * of at least 48 px, every control reachable with Tab and showing focus, the
 * ring announced to screen readers and shown on screen, and no motion when the
 * device asks for reduced motion.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fil } from '../../../src/ui/i18n/fil.ts';
import { startHarness, type Harness } from '../harness.ts';
import { accessibilityProblems, markLiveRegions, markedLiveTexts, runningMotion } from './a11y.ts';
import { CONNECTED, closeAll, incomingList, openCitizen, openConsole, openOfficer, ringItems, tapCallBfp, trackPeople } from './app.ts';

/** Checks the page in its current state; every problem is reported, not only the first. */
async function expectAccessible(page: Page, state: string): Promise<void> {
  expect.soft(await accessibilityProblems(page, state)).toEqual([]);
}

async function chooseFilipino(page: Page): Promise<void> {
  await page.getByLabel('Language').selectOption('fil');
  await page.getByLabel(fil['language.label']).waitFor();
  expect(await page.evaluate(() => document.documentElement.lang)).toBe('fil');
}

function incomingSection(page: Page) {
  return page.getByRole('region', { name: 'Incoming calls' });
}

/** How the incoming-calls panel looks: what changes when a call rings, apart from sound. */
function panelLook(page: Page): Promise<string> {
  return incomingSection(page).evaluate((el) => {
    const s = getComputedStyle(el);
    return `${s.borderTopWidth} ${s.borderTopColor} ${s.backgroundColor}`;
  });
}

describe('accessibility', () => {
  let h: Harness;
  const track = trackPeople();

  beforeAll(async () => (h = await startHarness()));
  afterAll(() => h?.close());

  it('the citizen screen on first run and when ready to call', async () => {
    const context = await h.newContext();
    const first = track({ context, page: await context.newPage() });
    await first.page.goto(`${h.origin}/`);
    await first.page.getByLabel('Your name').waitFor();
    await expectAccessible(first.page, 'citizen first run');

    const citizen = track(await openCitizen(h));
    await expectAccessible(citizen.page, 'citizen idle');
    // Filipino wording is longer: targets and layout must hold, and the page's language must be declared.
    await chooseFilipino(citizen.page);
    await expectAccessible(citizen.page, 'citizen idle in Filipino');
  });

  it('the station console before the shift and when waiting for calls', async () => {
    const token = await h.stationToken('qc-central', 'qc-central dispatcher');
    const context = await h.newContext();
    const before = track({ context, page: await context.newPage() });
    await before.page.goto(`${h.origin}/station#token=${token}`);
    await before.page.getByRole('button', { name: 'Start shift' }).waitFor();
    await expectAccessible(before.page, 'console before the shift');
    await closeAll(before);

    const console_ = track(await openConsole(h, 'qc-central'));
    await expectAccessible(console_.page, 'console idle');
    await chooseFilipino(console_.page);
    await expectAccessible(console_.page, 'console idle in Filipino');
  });

  it('the console ringing and in a call with the map and dispatcher tools, the citizen in the call, and the officer with an assignment', async () => {
    const console_ = track(await openConsole(h, 'qc-central'));
    const officer = track(await openOfficer(h, 'santos', 'qc-central', 'FO2 Ben Santos'));
    await expectAccessible(officer.page, 'officer signed in');
    await officer.page.getByRole('radio', { name: 'Responding' }).check();
    await console_.page.getByRole('list', { name: 'Officers' }).getByText('FO2 Ben Santos').waitFor({ timeout: 10_000 });

    const citizen = track(await openCitizen(h, { name: 'Maria Santos' }));
    await tapCallBfp(citizen.page);
    await ringItems(console_.page).first().waitFor();
    await expectAccessible(console_.page, 'console ringing');

    await ringItems(console_.page).first().getByRole('button', { name: 'Answer' }).click();
    const call = console_.page.locator('.active-call').first();
    await call.locator('.phase', { hasText: CONNECTED }).waitFor();
    await citizen.page.getByRole('status').filter({ hasText: CONNECTED }).waitFor();
    await citizen.page.getByPlaceholder('Type a message').fill('Smoke in the kitchen');
    await citizen.page.getByRole('button', { name: 'Send' }).click();
    await call.getByText('Smoke in the kitchen').waitFor();
    await expectAccessible(citizen.page, 'citizen in a call');

    await console_.page.getByRole('img', { name: /^Map: / }).waitFor();
    await call.getByText('Send to officers').click();
    await call.getByRole('checkbox', { name: 'FO2 Ben Santos' }).waitFor();
    await expectAccessible(console_.page, 'console in a call with the map');

    await call.getByRole('checkbox', { name: 'FO2 Ben Santos' }).check();
    await call.getByLabel('Address').fill('12 Kalayaan Ave, Diliman');
    await call.getByRole('button', { name: 'Send assignment' }).click();
    const assignment = officer.page.getByRole('list', { name: 'Assignments' }).getByRole('listitem').first();
    await assignment.waitFor();
    await expectAccessible(officer.page, 'officer with an assignment');

    await call.getByRole('button', { name: 'Record', exact: true }).click();
    await call.getByText(/Recording \d\d:\d\d/).waitFor();
    await citizen.page.getByText('This call is being recorded by the station').waitFor();
    await expectAccessible(console_.page, 'console recording a call');
    await expectAccessible(citizen.page, 'citizen told of the recording');
    await call.getByRole('button', { name: 'Stop recording' }).click();

    await citizen.page.getByRole('button', { name: /Hang up/ }).click();
    const entry = console_.page.getByRole('list', { name: 'Call history' }).getByRole('listitem').first();
    await entry.getByLabel('Recording of the call with Maria Santos').waitFor();
    await expectAccessible(console_.page, 'console after the call, with history and a recording');
    await citizen.page.getByText('My calls').click();
    await expectAccessible(citizen.page, 'citizen after the call, with history');
  }, 120_000);

  it('a ringing call is announced through a live region with the caller’s name, and shown on screen', async () => {
    const console_ = track(await openConsole(h, 'qc-central'));
    const idleLook = await panelLook(console_.page);
    // A live region is announced when its text changes: it must be in the page before the ring.
    await markLiveRegions(console_.page);

    const citizen = track(await openCitizen(h, { name: 'Maria Santos' }));
    await tapCallBfp(citizen.page);
    await expect.poll(async () => (await markedLiveTexts(console_.page)).some((t) => t.includes('Maria Santos'))).toBe(true);

    // Seen as well as heard: the caller in the list, and the panel marked.
    expect(await incomingList(console_.page).getByText('Maria Santos').isVisible()).toBe(true);
    expect(await panelLook(console_.page)).not.toBe(idleLook);
  });

  it('with reduced motion asked for, the ring is shown without animation', async () => {
    const console_ = track(await openConsole(h, 'qc-central'));
    const idleLook = await panelLook(console_.page);
    const citizen = track(await openCitizen(h, { name: 'Maria Santos' }));
    await tapCallBfp(citizen.page);
    await ringItems(console_.page).first().waitFor();
    // Without the preference the ring pulses: the check below does see motion.
    await expect.poll(async () => (await runningMotion(console_.page)).length).toBeGreaterThan(0);

    await console_.page.emulateMedia({ reducedMotion: 'reduce' });
    expect(await runningMotion(console_.page)).toEqual([]);
    expect(await incomingList(console_.page).getByText('Maria Santos').isVisible()).toBe(true);
    expect(await panelLook(console_.page)).not.toBe(idleLook);
  });
});
