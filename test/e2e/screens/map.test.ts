/**
 * The incident map on the station console: after a call is answered it shows
 * the station and the caller with an accuracy circle that follows the
 * caller's reported accuracy, and a scale bar, on a plain background when no
 * tile server is configured. With a tile server (MAP_TILE_URL) the tiles are
 * drawn behind, allowed by the CSP; when they fail, the plain map remains.
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Locator, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { startHarness, type Harness } from '../harness.ts';
import { CENTRAL, CONNECTED, closeAll, openCitizen, openConsole, ringItems, tapCallBfp, type Person } from './app.ts';

/** About 1.3 km north-east of the demo Quezon City Central station, still nearest to it. */
const CALLER = { latitude: 14.6600, longitude: 121.0580, accuracy: 15 };

/** The console's map: its section (headed "Map") and the drawing in it. */
function consoleMap(page: Page): { section: Locator; svg: Locator } {
  const section = page.getByRole('region', { name: 'Map' });
  return { section, svg: section.getByRole('img', { name: /^Map: / }) };
}

/** A caller rings qc-central and the console answers. */
async function answeredCall(h: Harness, track: (p: Person) => Person): Promise<{ console_: Person; citizen: Person }> {
  const console_ = track(await openConsole(h, 'qc-central'));
  const citizen = track(await openCitizen(h, { name: 'Maria Santos', geolocation: CALLER }));
  await tapCallBfp(citizen.page);
  await ringItems(console_.page).first().getByRole('button', { name: 'Answer' }).click();
  await console_.page.locator('.active-call').first().locator('.phase', { hasText: CONNECTED }).waitFor();
  return { console_, citizen };
}

function numberAttr(locator: Locator, name: string): Promise<number> {
  return locator.getAttribute(name).then(Number);
}

describe('the incident map', () => {
  let h: Harness;
  let people: Person[] = [];
  const track = (p: Person): Person => (people.push(p), p);

  beforeAll(async () => {
    h = await startHarness();
  });
  afterEach(async () => {
    await closeAll(...people);
    people = [];
  });
  afterAll(() => h?.close());

  it('shows the station and the answered caller, an accuracy circle that grows with the reported accuracy, and a scale bar, on a plain background', async () => {
    const { console_, citizen } = await answeredCall(h, track);
    const { section, svg } = consoleMap(console_.page);
    await svg.waitFor();

    // What the map says it shows, and the same facts as text for screen readers.
    await expect.poll(() => svg.getAttribute('aria-label')).toBe(`Map: ${CENTRAL}, caller Maria Santos 1.3 km north-east, no officer positions`);
    const details = section.getByRole('list', { name: 'Map details' });
    await expect.poll(() => details.innerText()).toContain('Caller Maria Santos: 1.3 km north-east of the station, accurate to ±15 m');
    expect(await details.innerText()).toContain(`Station: ${CENTRAL}`);

    // Markers: labelled with text and a <title>.
    const station = svg.locator('.map-marker[data-kind="station"]');
    const caller = svg.locator('.map-marker[data-kind="caller"]');
    await expect.poll(() => station.count()).toBe(1);
    await expect.poll(() => caller.count()).toBe(1);
    expect(await station.locator('text').textContent()).toBe(CENTRAL);
    expect(await station.locator('title').textContent()).toBe(`Station: ${CENTRAL}`);
    expect(await caller.locator('text').textContent()).toBe('Maria Santos');
    expect(await caller.locator('title').textContent()).toBe('Caller: Maria Santos, ±15 m');

    // The caller is drawn north-east of the station (up and to the right).
    const at = async (marker: Locator) => (await marker.locator('.map-symbol').boundingBox())!;
    const [s, c] = [await at(station), await at(caller)];
    expect(c.x).toBeGreaterThan(s.x);
    expect(c.y).toBeLessThan(s.y);

    // The accuracy circle follows what the caller's phone reports.
    const circle = svg.locator('.map-accuracy[data-kind="caller"]');
    await expect.poll(() => circle.getAttribute('data-metres')).toBe('15');
    const small = await numberAttr(circle, 'r');
    expect(small).toBeGreaterThan(0);
    await citizen.context.setGeolocation({ latitude: CALLER.latitude, longitude: CALLER.longitude, accuracy: 900 });
    await expect.poll(() => circle.getAttribute('data-metres'), { timeout: 10_000 }).toBe('900');
    const large = await numberAttr(circle, 'r');
    expect(large).toBeGreaterThan(small * 2);
    await expect.poll(() => details.innerText()).toContain('accurate to ±900 m');

    // A scale bar with a round length, and no tiles: the plain background.
    const scale = svg.locator('.map-scale');
    expect(await scale.locator('text').textContent()).toMatch(/^(1|2|5)0* (m|km)$/);
    const metres = await numberAttr(scale, 'data-metres');
    expect(String(metres)).toMatch(/^(1|2|5)0*$/);
    expect(await svg.getAttribute('data-tiles')).toBe('off');
    expect(await svg.locator('image').count()).toBe(0);
    expect(await svg.locator('.map-ground').count()).toBe(1);
    expect(await section.getByRole('list', { name: 'Legend' }).innerText()).toMatch(/Station[\s\S]*Caller[\s\S]*Officer[\s\S]*GPS accuracy/);
  });

  it('drops the caller from the map when the call ends', async () => {
    const { console_, citizen } = await answeredCall(h, track);
    const { svg } = consoleMap(console_.page);
    await expect.poll(() => svg.locator('.map-marker[data-kind="caller"]').count()).toBe(1);
    await citizen.page.getByRole('button', { name: /Hang up/ }).click();
    await expect.poll(() => svg.locator('.map-marker[data-kind="caller"]').count()).toBe(0);
    expect(await svg.getAttribute('aria-label')).toBe(`Map: ${CENTRAL}, no active caller, no officer positions`);
    expect(await svg.locator('.map-marker[data-kind="station"]').count()).toBe(1);
  });
});

/** A tiny tile server on its own origin: answers every z/x/y with a PNG, or with 503 when `down`. */
async function startTileServer(): Promise<{ origin: string; requests: string[]; setDown(down: boolean): void; close(): Promise<void> }> {
  const png = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z/C/HgAGgwJ/lK3Q6wAAAABJRU5ErkJggg==', 'base64');
  const requests: string[] = [];
  let down = false;
  const server = http.createServer((req, res) => {
    requests.push(req.url ?? '');
    if (down || !/^\/\d+\/\d+\/\d+\.png$/.test(req.url ?? '')) {
      res.writeHead(down ? 503 : 404).end();
      return;
    }
    res.writeHead(200, { 'Content-Type': 'image/png', 'Cache-Control': 'no-store' }).end(png);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    requests,
    setDown: (value) => {
      down = value;
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

describe('the incident map with a tile server (MAP_TILE_URL)', () => {
  let h: Harness;
  let tiles: Awaited<ReturnType<typeof startTileServer>>;
  let people: Person[] = [];
  const track = (p: Person): Person => (people.push(p), p);

  beforeAll(async () => {
    tiles = await startTileServer();
    h = await startHarness({ env: { MAP_TILE_URL: `${tiles.origin}/{z}/{x}/{y}.png` } });
  });
  afterEach(async () => {
    await closeAll(...people);
    people = [];
    tiles.setDown(false);
  });
  afterAll(async () => {
    await h?.close();
    await tiles?.close();
  });

  it('draws the tiles behind the markers, allowed by the Content-Security-Policy', async () => {
    const console_ = track(await openConsole(h, 'qc-central'));
    const violations: string[] = [];
    console_.page.on('console', (m) => {
      if (/Content Security Policy/i.test(m.text())) violations.push(m.text());
    });
    const { section, svg } = consoleMap(console_.page);
    await expect.poll(() => svg.getAttribute('data-tiles')).toBe('on');
    const images = svg.locator('image.map-tile');
    await expect.poll(() => images.count()).toBeGreaterThan(0);
    const href = (await images.first().getAttribute('href')) ?? '';
    expect(href).toMatch(new RegExp(`^${tiles.origin}/\\d+/\\d+/\\d+\\.png$`));
    // The browser fetched every tile drawn, none failed, and the markers are drawn over them.
    const drawn = await images.count();
    await expect.poll(() => new Set(tiles.requests).size).toBeGreaterThanOrEqual(drawn);
    expect(await images.count()).toBe(drawn);
    expect(await section.getByText(/Map tiles are unavailable/).count()).toBe(0);
    const order = await svg.evaluate((el) => [...el.children].map((c) => c.getAttribute('class')));
    expect(order.lastIndexOf('map-tile')).toBeLessThan(order.indexOf('map-marker'));
    expect(violations).toEqual([]);
  });

  it('keeps the plain map with positions and a scale bar when the tiles do not load', async () => {
    tiles.setDown(true);
    const console_ = track(await openConsole(h, 'qc-central'));
    const { section, svg } = consoleMap(console_.page);
    await section.getByText('Map tiles are unavailable: positions are shown on a plain background.').waitFor();
    await expect.poll(() => svg.locator('image').count()).toBe(0);
    expect(tiles.requests.length).toBeGreaterThan(0);
    expect(await svg.locator('.map-marker[data-kind="station"]').count()).toBe(1);
    expect(await svg.locator('.map-scale text').textContent()).toMatch(/^(1|2|5)0* (m|km)$/);
  });
});
