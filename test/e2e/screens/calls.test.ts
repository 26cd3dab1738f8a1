/**
 * A citizen calls BFP from the app and a station console answers: what each of
 * them sees and hears, in real Chromium against the real broker.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../harness.ts';
import {
  CENTRAL,
  CONNECTED,
  CUBAO,
  NEAR_CENTRAL,
  expectAudioFlowing,
  openCitizen,
  openConsole,
  openOfficer,
  ringItems,
  tapCallBfp,
  trackPeople,
} from './app.ts';

describe('calling BFP from the citizen screen', () => {
  let h: Harness;
  const track = trackPeople();

  beforeAll(async () => (h = await startHarness()));
  afterAll(() => h?.close());

  it('rings the nearest station with the caller’s name and position before anyone answers, and not a farther one', async () => {
    const central = track(await openConsole(h, 'qc-central'));
    const cubao = track(await openConsole(h, 'qc-cubao'));
    const citizen = track(await openCitizen(h, { name: 'Maria Santos', phone: '+63 917 555 0101' }));

    await tapCallBfp(citizen.page);

    const ring = ringItems(central.page).first();
    await ring.waitFor();
    await expect.poll(() => ring.innerText()).toContain('Maria Santos');
    const text = await ring.innerText();
    expect(text).toContain('+63 917 555 0101');
    expect(text).toContain(`${NEAR_CENTRAL.latitude.toFixed(5)}, ${NEAR_CENTRAL.longitude.toFixed(5)}`);
    expect(text).toMatch(/±12 m/);
    await expect.poll(() => citizen.page.locator('.phase').innerText()).toBe(`Ringing ${CENTRAL}…`);
    expect(await ringItems(cubao.page).count()).toBe(0);
  });

  it('places the call when tapped while the app is still connecting to BFP, instead of keeping an offline SOS', async () => {
    const console_ = track(await openConsole(h, 'qc-central'));
    const context = await h.newContext({ geolocation: NEAR_CENTRAL, permissions: ['microphone', 'geolocation'] });
    const page = await context.newPage();
    track({ context, page });
    // The broker's socket is held back, as on a slow network just after the app opens.
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    await page.routeWebSocket(/\/broker/, async (ws) => {
      await released;
      ws.connectToServer();
    });
    await page.goto(`${h.origin}/`);
    await page.getByLabel('Your name').fill('Maria Santos');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByText(/Your location is known/).waitFor();
    expect(await page.getByText('Connected to BFP').count()).toBe(0);

    await tapCallBfp(page);
    await page.getByText('Finding the nearest station…').waitFor();
    await page.waitForTimeout(1000);
    release();

    await ringItems(console_.page).first().waitFor({ timeout: 5000 });
    await expect.poll(() => page.locator('.phase').innerText()).toBe(`Ringing ${CENTRAL}…`);
    expect(await page.getByRole('list', { name: 'Your SOS reports' }).count()).toBe(0);
  });

  it('places the call from a phone whose storage does not work at all', async () => {
    const console_ = track(await openConsole(h, 'qc-central'));
    const context = await h.newContext({ geolocation: NEAR_CENTRAL, permissions: ['microphone', 'geolocation'] });
    // A broken or locked-down browser profile: IndexedDB cannot even be opened.
    await context.addInitScript(() => {
      IDBFactory.prototype.open = () => {
        throw new DOMException('The storage is broken.', 'UnknownError');
      };
    });
    const page = await context.newPage();
    track({ context, page });
    await page.goto(`${h.origin}/`);
    await page.getByLabel('Your name').fill('Maria Santos');
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByText('Connected to BFP').waitFor();

    await tapCallBfp(page);
    const ring = ringItems(console_.page).first();
    await ring.waitFor();
    await expect.poll(() => ring.innerText()).toContain('Maria Santos');
    await ring.getByRole('button', { name: 'Answer' }).click();
    await page.locator('.phase', { hasText: CONNECTED }).waitFor();
    await expectAudioFlowing(page);
  });

  it('rings both consoles of the station; the first to answer takes the call, the other stops ringing, and audio flows both ways', async () => {
    const first = track(await openConsole(h, 'qc-central'));
    const second = track(await openConsole(h, 'qc-central'));
    const citizen = track(await openCitizen(h));

    await tapCallBfp(citizen.page);
    await ringItems(first.page).first().waitFor();
    await ringItems(second.page).first().waitFor();

    await ringItems(first.page).first().getByRole('button', { name: 'Answer' }).click();
    await ringItems(second.page).first().waitFor({ state: 'detached' });
    await first.page.locator('.phase', { hasText: CONNECTED }).waitFor();
    await citizen.page.locator('.phase', { hasText: CONNECTED }).waitFor();

    await expectAudioFlowing(first.page);
    await expectAudioFlowing(citizen.page);
    expect(await second.page.locator('.active-call .phase', { hasText: CONNECTED }).count()).toBe(0);
  });

  it('follows the caller as they move, carries chat both ways with delivery marks, and ends on both sides when the caller hangs up', async () => {
    const console_ = track(await openConsole(h, 'qc-central'));
    const citizen = track(await openCitizen(h));
    await tapCallBfp(citizen.page);
    await ringItems(console_.page).first().getByRole('button', { name: 'Answer' }).click();
    await citizen.page.locator('.phase', { hasText: CONNECTED }).waitFor();

    await citizen.context.setGeolocation({ latitude: 14.66021, longitude: 121.05512, accuracy: 8 });
    await console_.page.getByText(/Position: 14\.66021, 121\.05512 \(±8 m\)/).waitFor({ timeout: 2000 });

    await citizen.page.getByRole('textbox', { name: 'Message' }).fill('Smoke on the second floor');
    await citizen.page.getByRole('button', { name: 'Send' }).click();
    await console_.page.getByText('Smoke on the second floor').waitFor();
    await citizen.page.getByText('✓ Delivered').waitFor();
    await console_.page.getByRole('textbox', { name: 'Message' }).fill('Leave the building now');
    await console_.page.getByRole('button', { name: 'Send' }).click();
    await citizen.page.getByText('Leave the building now').waitFor();
    await console_.page.getByText('✓ Delivered').waitFor();

    await citizen.page.getByRole('button', { name: 'Hang up' }).click();
    await console_.page.locator('.active-call .phase', { hasText: 'Call ended' }).waitFor({ timeout: 1000 });
    await citizen.page.locator('.phase', { hasText: 'Call ended' }).waitFor({ timeout: 1000 });
  });

  it('ends on both sides within a second when the console hangs up', async () => {
    const console_ = track(await openConsole(h, 'qc-central'));
    const citizen = track(await openCitizen(h));
    await tapCallBfp(citizen.page);
    await ringItems(console_.page).first().getByRole('button', { name: 'Answer' }).click();
    await console_.page.locator('.active-call .phase', { hasText: CONNECTED }).waitFor();

    await console_.page.getByRole('button', { name: 'Hang up' }).click();
    await citizen.page.locator('.phase', { hasText: 'Call ended' }).waitFor({ timeout: 1000 });
    await console_.page.locator('.active-call .phase', { hasText: 'Call ended' }).waitFor({ timeout: 1000 });
  });

  it('moves on to the next-nearest station when nobody answers in time', async () => {
    const central = track(await openConsole(h, 'qc-central'));
    const cubao = track(await openConsole(h, 'qc-cubao'));
    const citizen = track(await openCitizen(h, { query: '?ringTimeout=3000' }));

    await tapCallBfp(citizen.page);
    await ringItems(central.page).first().waitFor();
    expect(await ringItems(cubao.page).count()).toBe(0);

    await ringItems(cubao.page).first().waitFor({ timeout: 8000 });
    await ringItems(central.page).first().waitFor({ state: 'detached' });
    await expect.poll(() => citizen.page.locator('.phase').innerText()).toBe(`Ringing ${CUBAO}…`);
  });

  it('moves on to the next station at once when the console declines', async () => {
    const central = track(await openConsole(h, 'qc-central'));
    const cubao = track(await openConsole(h, 'qc-cubao'));
    const citizen = track(await openCitizen(h));

    await tapCallBfp(citizen.page);
    await ringItems(central.page).first().getByRole('button', { name: 'Decline' }).click();
    // Far sooner than the 20 s ring timeout.
    await ringItems(cubao.page).first().waitFor({ timeout: 5000 });
    await expect.poll(() => citizen.page.locator('.phase').innerText()).toBe(`Ringing ${CUBAO}…`);
  });

  it('places the call with location denied, and the console says the location is unavailable', async () => {
    const console_ = track(await openConsole(h, 'qc-central'));
    const citizen = track(await openCitizen(h, { denyLocation: true }));
    await citizen.page.getByText(/Location is off/).waitFor();

    await tapCallBfp(citizen.page);
    const ring = ringItems(console_.page).first();
    await ring.waitFor();
    expect(await ring.innerText()).toContain('location unavailable');
  });

  it('ignores malformed data messages from the caller and the call goes on', async () => {
    const console_ = track(await openConsole(h, 'qc-central'));
    const citizen = track(await openCitizen(h));
    await tapCallBfp(citizen.page);
    await ringItems(console_.page).first().getByRole('button', { name: 'Answer' }).click();
    await console_.page.locator('.active-call .phase', { hasText: CONNECTED }).waitFor();

    await citizen.page.evaluate(() => {
      type Conn = { send(data: unknown): void };
      const app = (window as unknown as { bfp: { phone: { sessions: { conn: Conn | null }[] } } }).bfp;
      const conn = app.phone.sessions.find((s) => s.conn)?.conn;
      if (!conn) throw new Error('no data connection');
      conn.send('not a message');
      conn.send({ v: 1, type: 'position', seq: 1, position: { lat: Number.NaN, lng: 0, accuracy: 5, heading: null, speed: null, fixTime: 1 } });
      conn.send({ v: 99, type: 'chat', id: 'x', text: 'future', sentAt: 1 });
      conn.send({ v: 1, type: 'take-over-the-console' });
    });
    await console_.page.getByText('4 invalid message(s) ignored').waitFor();

    await citizen.page.getByRole('textbox', { name: 'Message' }).fill('Still here');
    await citizen.page.getByRole('button', { name: 'Send' }).click();
    await console_.page.getByText('Still here').waitFor();
    expect(await console_.page.locator('.active-call .phase').innerText()).toMatch(CONNECTED);
    await expectAudioFlowing(console_.page);
  });

  it('lists an officer on duty with their position; the console calls them, they answer, and audio flows', async () => {
    const console_ = track(await openConsole(h, 'qc-central'));
    const officer = track(await openOfficer(h, 'reyes', 'qc-central', 'FO1 Ana Reyes', { latitude: 14.6401, longitude: 121.0402, accuracy: 20 }));

    const entry = console_.page.getByRole('list', { name: 'Officers' }).getByRole('listitem').filter({ hasText: 'FO1 Ana Reyes' });
    // Signed in but not yet on duty: listed as such, not as a bare "Online".
    await entry.getByText('Off duty').waitFor({ timeout: 10_000 });
    await officer.page.getByRole('radio', { name: 'Available' }).check();
    await entry.getByText('14.64010, 121.04020 (±20 m)').waitFor({ timeout: 10_000 });
    expect(await entry.innerText()).toContain('Available');

    await entry.getByRole('button', { name: 'Call FO1 Ana Reyes' }).click();
    await officer.page.getByRole('button', { name: 'Answer' }).click();
    await officer.page.locator('.phase', { hasText: CONNECTED }).waitFor();
    await expectAudioFlowing(officer.page);
    await expectAudioFlowing(console_.page);

    await officer.page.getByRole('radio', { name: 'Responding' }).check();
    await entry.getByText('Responding').waitFor();
  });
});
