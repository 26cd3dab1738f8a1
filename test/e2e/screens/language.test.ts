/**
 * Every screen in Filipino: a person switches the language on the citizen
 * screen, the station console and the officer screen, goes through each
 * screen's main states, and no English from the catalogues is left in what
 * the screen shows or what a screen reader is told. The choice survives a
 * reload, and a phone set to Filipino starts the citizen screen in Filipino.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fil } from '../../../src/ui/i18n/fil.ts';
import { staffFil } from '../../../src/ui/i18n/staff-fil.ts';
import { startHarness, type Harness } from '../harness.ts';
import { CONNECTED, NEAR_CENTRAL, openCitizen, openConsole, openOfficer, ringItems, tapCallBfp, trackPeople, type Person } from './app.ts';
import { englishLeft, expectNoEnglish, stringsIn } from './untranslated.ts';

const CITIZEN = 'Maria Santos';
const PHONE = '+63 917 555 0101';
const DISPATCHER = 'Dispatcher Luz Bautista';
const OFFICER = 'FO2 Ben Santos';

/** A message's words before its first placeholder: what a screen shows of it whatever fills the rest. */
const lead = (message: string) => message.split('{')[0]?.trim() ?? message;
const CONNECTED_FIL = new RegExp(`^${lead(fil['call.connected'])} \\d\\d:\\d\\d`);

describe('Filipino on every screen', () => {
  let h: Harness;
  /** Names, the station directory and what people type: data that stays as it was written. */
  let data: string[] = [];
  const track = trackPeople();

  beforeAll(async () => {
    h = await startHarness();
    const directory: unknown = await (await fetch(`${h.origin}/api/directory`)).json();
    data = [...stringsIn(directory), CITIZEN, PHONE, DISPATCHER, OFFICER, 'qc-central dispatcher'];
  });
  afterAll(() => h?.close());

  async function openPage(path: string, options: Parameters<Harness['newContext']>[0] = {}): Promise<Person> {
    const context = await h.newContext({ geolocation: NEAR_CENTRAL, ...options });
    const page = await context.newPage();
    await page.goto(`${h.origin}${path}`);
    return track({ context, page });
  }

  async function chooseFilipino(page: Page): Promise<void> {
    await page.getByLabel('Language').selectOption('fil');
    await page.getByLabel(fil['language.label']).waitFor();
  }

  it('the citizen screen: first run, idle, ringing, connected with chat and a recording notice, the call history', async () => {
    const console_ = track(await openConsole(h, 'qc-central'));
    const { page } = await openPage('/');
    await page.getByLabel('Your name').waitFor();
    // The check sees English where there is English.
    expect(await englishLeft(page, data)).toContainEqual(expect.stringMatching(/^"Your name" \(profile.name\)/));
    await chooseFilipino(page);
    await page.getByLabel(fil['profile.name']).waitFor();
    await expectNoEnglish(page, 'citizen first run', data);

    await page.getByLabel(fil['profile.name']).fill(CITIZEN);
    await page.getByLabel(fil['profile.phone']).fill(PHONE);
    await page.getByRole('button', { name: fil['profile.continue'] }).click();
    await page.getByText(fil['broker.online']).waitFor();
    await page.getByText(lead(fil['citizen.locationKnown'])).waitFor();
    await expectNoEnglish(page, 'citizen idle', data);

    await page.getByRole('button', { name: fil['citizen.callBfpLabel'] }).click();
    const ring = ringItems(console_.page).first();
    await ring.waitFor();
    await page.locator('.phase', { hasText: lead(fil['call.ringingOut']) }).waitFor();
    await expectNoEnglish(page, 'citizen ringing', data);

    await ring.getByRole('button', { name: 'Answer' }).click();
    await page.locator('.phase', { hasText: CONNECTED_FIL }).waitFor();
    const call = console_.page.locator('.active-call').first();
    await page.getByRole('textbox', { name: fil['chat.message'] }).fill('May usok sa kusina');
    await page.getByRole('button', { name: fil['chat.send'] }).click();
    await call.getByText('May usok sa kusina').waitFor();
    await page.getByText(fil['chat.delivered']).waitFor();
    await call.getByRole('textbox', { name: 'Message' }).fill('Lumabas na po kayo ng bahay');
    await call.getByRole('button', { name: 'Send' }).click();
    await page.getByText('Lumabas na po kayo ng bahay').waitFor();
    await call.getByRole('button', { name: 'Record' }).click();
    await page.getByText(fil['call.recorded']).waitFor();
    await expectNoEnglish(page, 'citizen connected', [...data, 'May usok sa kusina', 'Lumabas na po kayo ng bahay']);

    await page.getByRole('button', { name: fil['call.hangUp'] }).click();
    await page.locator('.phase', { hasText: fil['ended.hangup'] }).waitFor();
    await page.getByText(fil['citizen.myCalls']).click();
    await page.getByRole('list', { name: fil['history.label'] }).getByRole('listitem').first().waitFor();
    await expectNoEnglish(page, 'citizen after the call', [...data, 'May usok sa kusina', 'Lumabas na po kayo ng bahay']);

    await page.reload();
    await page.getByText(fil['broker.online']).waitFor();
    await expectNoEnglish(page, 'citizen after a reload', [...data, 'May usok sa kusina', 'Lumabas na po kayo ng bahay']);
  });

  it('the station console: before the shift, idle, a ringing call, a call with its tools, the history', async () => {
    const officer = track(await openOfficer(h, 'santos', 'qc-central', OFFICER));
    await officer.page.getByRole('radio', { name: 'Responding' }).check();
    // A second console of the station: the call can be transferred to it.
    track(await openConsole(h, 'qc-central'));
    const token = await h.stationToken('qc-central', DISPATCHER);
    const { page } = await openPage(`/station#token=${token}`);
    await chooseFilipino(page);
    await page.getByRole('button', { name: staffFil['station.startShift'] }).waitFor();
    await expectNoEnglish(page, 'console before the shift', data);

    await page.getByRole('button', { name: staffFil['station.startShift'] }).click();
    await page.getByText(fil['broker.online']).waitFor();
    await page.getByRole('list', { name: staffFil['officers.title'] }).getByText(OFFICER).waitFor({ timeout: 10_000 });
    await expectNoEnglish(page, 'console idle', data);

    const citizen = track(await openCitizen(h, { name: CITIZEN, phone: PHONE }));
    await tapCallBfp(citizen.page);
    const ring = page.getByRole('list', { name: staffFil['incoming.title'] }).getByRole('listitem').first();
    await ring.getByText(CITIZEN).waitFor();
    await ring.locator('.caller-distance').waitFor();
    await expectNoEnglish(page, 'console ringing', data);

    await ring.getByRole('button', { name: fil['call.answer'] }).click();
    const call = page.locator('.active-call').first();
    await call.locator('.phase', { hasText: CONNECTED_FIL }).waitFor();
    await call.locator('.live-position', { hasText: lead(staffFil['active.position']) }).waitFor();
    await citizen.page.getByRole('textbox', { name: 'Message' }).fill('Nasusunog ang kusina');
    await citizen.page.getByRole('button', { name: 'Send' }).click();
    await call.getByText('Nasusunog ang kusina').waitFor();
    await call.getByRole('button', { name: staffFil['record.start'] }).click();
    await call.getByRole('button', { name: staffFil['record.stop'] }).waitFor();
    await call.getByRole('button', { name: staffFil['transfer.submit'] }).waitFor({ timeout: 10_000 });
    await call.getByRole('button', { name: staffFil['conference.add'] }).waitFor();
    await call.getByText(staffFil['assign.summary']).click();
    await call.getByRole('checkbox', { name: OFFICER }).check();
    await call.getByLabel(staffFil['assign.address'], { exact: true }).fill('12 Kalayaan Ave, Diliman');
    await call.getByLabel(staffFil['assign.note']).fill('Dalawang tao sa loob');
    await call.getByRole('button', { name: staffFil['assign.send'] }).click();
    await call.getByText(staffFil['assign.waiting'].replace('{name}', OFFICER)).waitFor();
    await call.getByLabel(staffFil['active.notes']).fill('Ikalawang palapag');
    const typed = [...data, 'Nasusunog ang kusina', '12 Kalayaan Ave, Diliman', 'Dalawang tao sa loob', 'Ikalawang palapag'];
    await expectNoEnglish(page, 'console in a call', typed);

    await call.getByRole('button', { name: staffFil['active.hold'] }).click();
    await call.locator('.phase', { hasText: lead(fil['call.onHold']) }).waitFor();
    await officer.page.getByRole('button', { name: 'Acknowledge' }).click();
    await call.getByText(new RegExp(`${OFFICER}: ${lead(staffFil['assign.acked'].replace('{name}: ', ''))}`)).waitFor();
    await expectNoEnglish(page, 'console with the caller on hold', typed);

    await call.getByRole('button', { name: staffFil['record.stop'] }).click();
    await call.getByRole('button', { name: fil['call.hangUp'] }).click();
    const history = page.getByRole('list', { name: fil['history.label'] });
    await history.getByRole('link', { name: fil['recording.download'] }).waitFor();
    await expectNoEnglish(page, 'console after the call', typed);

    await page.reload();
    await page.getByRole('button', { name: staffFil['station.startShift'] }).waitFor();
    await expectNoEnglish(page, 'console after a reload', typed);
  });

  it('the officer screen: off and on duty, an assignment acknowledged, a call from the station', async () => {
    const console_ = track(await openConsole(h, 'qc-central'));
    const token = await h.officerToken('santos', 'qc-central', OFFICER);
    const { page } = await openPage(`/officer#token=${token}`);
    await chooseFilipino(page);
    await page.getByText(fil['broker.online']).waitFor();
    await expectNoEnglish(page, 'officer off duty', data);

    await page.getByRole('radio', { name: staffFil['status.responding'] }).check();
    await page.getByText(lead(staffFil['officer.sharing'])).waitFor();
    await expectNoEnglish(page, 'officer on duty', data);

    const citizen = track(await openCitizen(h, { name: CITIZEN }));
    await tapCallBfp(citizen.page);
    await ringItems(console_.page).first().getByRole('button', { name: 'Answer' }).click();
    const call = console_.page.locator('.active-call').first();
    await call.locator('.phase', { hasText: CONNECTED }).waitFor();
    await call.getByText('Send to officers').click();
    await call.getByRole('checkbox', { name: OFFICER }).check();
    await call.getByLabel('Address').fill('12 Kalayaan Ave, Diliman');
    await call.getByLabel('Note for the officers').fill('Dalawang tao sa loob');
    await call.getByRole('button', { name: 'Send assignment' }).click();
    const item = page.getByRole('list', { name: staffFil['assignments.title'] }).getByRole('listitem').first();
    await item.getByText('12 Kalayaan Ave, Diliman', { exact: false }).waitFor();
    const typed = [...data, '12 Kalayaan Ave, Diliman', 'Dalawang tao sa loob'];
    await expectNoEnglish(page, 'officer with an assignment', typed);

    await item.getByRole('button', { name: staffFil['assignments.ack'] }).click();
    await item.getByText(lead(staffFil['assignments.acked'])).waitFor();
    await expectNoEnglish(page, 'officer after acknowledging', typed);

    await call.getByRole('button', { name: 'Hang up' }).click();
    await console_.page.getByRole('button', { name: `Call ${OFFICER}` }).click();
    await page.getByRole('button', { name: fil['call.answer'] }).waitFor();
    await expectNoEnglish(page, 'officer called by the station', typed);

    await page.getByRole('button', { name: fil['call.answer'] }).click();
    await page.locator('.phase', { hasText: CONNECTED_FIL }).waitFor();
    await expectNoEnglish(page, 'officer in a call', typed);

    await page.getByRole('button', { name: fil['call.hangUp'] }).click();
    await page.reload();
    await page.getByText(fil['broker.online']).waitFor();
    await expectNoEnglish(page, 'officer after a reload', typed);
  });

  it('starts the citizen screen in Filipino on a phone set to Filipino', async () => {
    const { page } = await openPage('/', { locale: 'fil-PH' });
    expect(await page.evaluate(() => navigator.languages)).toContain('fil-PH');
    await page.getByLabel(fil['profile.name']).waitFor();
    await expectNoEnglish(page, 'citizen first run on a Filipino phone', data);
  });
});
