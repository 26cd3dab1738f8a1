/**
 * Calls through a real coturn on 127.0.0.1 with relay-only ICE (`?relay=1`),
 * using the short-lived credentials /api/ice hands out — and what people see
 * when the broker's TURN secret does not match the relay's.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { openCitizen, openConsole, ringItems, tapCallBfp } from '../e2e/screens/app.ts';
import { CONNECTED, callStates, connectedCall, expectBytesGrow, pathInfo, waitForPhase } from './calls.ts';
import { startCoturn, startNetHarness, type Coturn, type NetHarness } from './harness.ts';

let coturn: Coturn;

beforeAll(async () => {
  coturn = await startCoturn();
});
afterAll(() => coturn?.stop());

describe('TURN through coturn, relay only', () => {
  let h: NetHarness;

  beforeAll(async () => {
    h = await startNetHarness({ env: { TURN_URLS: coturn.url, TURN_SECRET: coturn.secret } });
  });
  afterEach(({ task }) => h?.endTest(task.result?.state === 'fail'));
  afterAll(() => h?.close());

  it('connects a citizen to the console through the relay: the selected pair is relay on both sides and audio flows', async () => {
    const started = Date.now();
    const call = await connectedCall(h, { citizenQuery: '?relay=1', consoleQuery: '?relay=1' });
    console.log(`[net] relay call connected in ${Date.now() - started} ms (pages opened included)`);

    for (const [who, page] of [['citizen', call.citizen.page], ['console', call.console.page]] as const) {
      const info = await pathInfo(page);
      expect(info, `${who}: no audio path`).not.toBeNull();
      expect({ who, ice: info?.ice, local: info?.local, remote: info?.remote }).toMatchObject({ who, local: 'relay', remote: 'relay' });
      expect(['connected', 'completed']).toContain(info?.ice);
      await expectBytesGrow(page);
    }
    // The relay really carried it: coturn logged allocations for this call.
    expect(coturn.output()).toMatch(/ALLOCATE|allocation/i);
  });
});

describe('TURN with a wrong secret on the broker', () => {
  let h: NetHarness;

  beforeAll(async () => {
    // coturn keeps the right secret; the broker signs credentials with another one.
    h = await startNetHarness({ env: { TURN_URLS: coturn.url, TURN_SECRET: `${coturn.secret}-wrong` } });
  });
  afterEach(({ task }) => h?.endTest(task.result?.state === 'fail'));
  afterAll(() => h?.close());

  it('fails the call with a clear message on both screens instead of hanging', async () => {
    const console_ = await openConsole(h, 'qc-central', '?relay=1');
    const citizen = await openCitizen(h, { query: '?relay=1' });

    const tapped = Date.now();
    await tapCallBfp(citizen.page);

    const alert = citizen.page.getByRole('alert');
    await alert.waitFor({ timeout: 45_000 });
    const took = Date.now() - tapped;
    const text = await alert.innerText();
    console.log(`[net] wrong TURN secret: citizen alert after ${took} ms: ${JSON.stringify(text)}; citizen ${await callStates(citizen.page)}`);
    expect(text).toContain('relay server refused our credentials (TURN)');
    // Not after the 20 s ring timeout: a relay that refused us counts as no answer at once.
    expect(took).toBeLessThan(15_000);
    expect(await citizen.page.locator('.phase').innerText()).not.toMatch(CONNECTED);

    // The ring itself travels through the broker, so the console learns of the call; its own relay refuses
    // it too, and it says so rather than ringing (or connecting) until a timer gives up.
    const consoleAlert = console_.page.locator('.active-call').getByRole('alert');
    await consoleAlert.waitFor({ timeout: 45_000 - (Date.now() - tapped) });
    const consoleTook = Date.now() - tapped;
    const consoleText = await consoleAlert.innerText();
    console.log(`[net] wrong TURN secret: console alert after ${consoleTook} ms: ${JSON.stringify(consoleText)}`);
    expect(consoleText).toContain('relay server refused our credentials (TURN)');
    expect(consoleTook).toBeLessThan(15_000);
    await waitForPhase(console_.page, /Call failed/, 5000);
    expect(await ringItems(console_.page).count()).toBe(0);
  });
});
