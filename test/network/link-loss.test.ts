/**
 * The media path between the two browsers is cut (every UDP packet dropped;
 * the broker's WebSocket is TCP and keeps working): a short cut recovers the
 * same call by itself, a long one is reported lost on both sides and the
 * console calls back.
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CONNECTED, callStates, chat, connectedCall, expectAudioFlowing, expectBytesGrow, liveCallIds, localUdpPorts, pathInfo, phase, timerSeconds, until, waitForPhase } from './calls.ts';
import { startNetHarness, type NetHarness } from './harness.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Milliseconds (from `since`) until the page's phase reads `text`; throws after `timeoutMs`. */
async function seen(page: Page, text: string | RegExp, since: number, timeoutMs: number): Promise<number> {
  await waitForPhase(page, text, timeoutMs);
  return Date.now() - since;
}

describe('link loss (UDP cut between the two browsers)', () => {
  let h: NetHarness;

  beforeAll(async () => {
    h = await startNetHarness();
  });
  afterEach(({ task }) => h?.endTest(task.result?.state === 'fail'));
  afterAll(() => h?.close());

  it('cut for 8 s: both sides show "Reconnecting…", then the same call carries on by itself (timer, chat, audio)', async () => {
    const call = await connectedCall(h);
    const { citizen, console: console_ } = { citizen: call.citizen.page, console: call.console.page };

    await chat(citizen, console_, 'Fire in the kitchen, second floor');
    await chat(console_, citizen, 'Units on the way');
    await sleep(1000);
    // Each side's own timer: the console's started when it answered, a second or so after the caller's.
    const timerBefore = timerSeconds(await phase(citizen).innerText());
    const consoleTimerBefore = timerSeconds(await phase(console_).innerText());
    expect(timerBefore).not.toBeNull();
    expect(consoleTimerBefore).not.toBeNull();
    const callIds = { citizen: await liveCallIds(citizen), console: await liveCallIds(console_) };
    expect(callIds.citizen).toHaveLength(1);
    expect(callIds.console).toEqual(callIds.citizen);

    const cutAt = Date.now();
    h.firewall.dropAllUdp();
    const [citizenReconnecting, consoleReconnecting] = await Promise.all([
      seen(citizen, 'Reconnecting…', cutAt, 15_000),
      seen(console_, 'Reconnecting…', cutAt, 15_000),
    ]).catch(async (err: unknown) => {
      throw new Error(`no "Reconnecting…" within 15 s of the cut — citizen: ${await callStates(citizen)}; console: ${await callStates(console_)}`, { cause: err });
    });
    // The cut lasts 8 s — longer only when a side took longer than that to notice it (ICE needs 5–8 s on a busy machine).
    await sleep(Math.max(0, 8000 - (Date.now() - cutAt)));
    const restoredAt = Date.now();
    h.firewall.allowUdp();

    await Promise.all([waitForPhase(citizen, CONNECTED, 20_000), waitForPhase(console_, CONNECTED, 20_000)]).catch(async (err: unknown) => {
      throw new Error(`not Connected again within 20 s of the link coming back — citizen: ${await callStates(citizen)}; console: ${await callStates(console_)}`, { cause: err });
    });
    const recoveredAfter = Date.now() - restoredAt;
    console.log(
      `[net] ${restoredAt - cutAt} ms UDP cut: Reconnecting… on citizen after ${citizenReconnecting} ms, console after ${consoleReconnecting} ms; ` +
        `Connected again ${recoveredAfter} ms after the link came back — citizen: ${await callStates(citizen)}; console: ${await callStates(console_)}`,
    );

    // The same call: still the one call on each side, and its timer carried on through the cut (a new call would start at 00:00).
    expect(await liveCallIds(citizen)).toEqual(callIds.citizen);
    expect(await liveCallIds(console_)).toEqual(callIds.console);
    const timerAfter = timerSeconds(await phase(citizen).innerText());
    const consoleTimer = timerSeconds(await phase(console_).innerText());
    expect(timerAfter).not.toBeNull();
    expect(timerAfter as number).toBeGreaterThanOrEqual((timerBefore as number) + 8);
    expect(consoleTimer as number).toBeGreaterThanOrEqual((consoleTimerBefore as number) + 8);
    // Audio flows again, both ways.
    await expectAudioFlowing(citizen, 10_000);
    await expectAudioFlowing(console_, 10_000);
    await expectBytesGrow(citizen);
    await expectBytesGrow(console_);
    // The same incident: the chat from before the cut is still there, and new lines go through.
    await chat(citizen, console_, 'We are outside now');
    await chat(console_, citizen, 'Stay clear of the entrance');
    for (const page of [citizen, console_]) {
      for (const line of ['Fire in the kitchen, second floor', 'Units on the way', 'We are outside now', 'Stay clear of the entrance']) {
        expect(await page.getByText(line).count(), `${line} on ${page.url()}`).toBe(1);
      }
    }
  });

  it('the caller’s network changes (its old address is gone for good): a new path carries the same call', async () => {
    const call = await connectedCall(h);
    const { citizen, console: console_ } = { citizen: call.citizen.page, console: call.console.page };
    await chat(citizen, console_, 'Smoke in the stairwell');
    await sleep(1000);
    const timerBefore = timerSeconds(await phase(citizen).innerText());
    const consoleTimerBefore = timerSeconds(await phase(console_).innerText());
    const oldPath = await pathInfo(citizen);
    const oldPorts = await localUdpPorts(citizen);
    expect(oldPorts.length).toBeGreaterThan(0);

    const cutAt = Date.now();
    // Nothing reaches the phone's old sockets again (audio and data); new ones work: the old path cannot come back.
    h.firewall.dropUdpPorts(oldPorts);
    const [citizenReconnecting, consoleReconnecting] = await Promise.all([seen(citizen, 'Reconnecting…', cutAt, 12_000), seen(console_, 'Reconnecting…', cutAt, 12_000)]);
    await Promise.all([waitForPhase(citizen, CONNECTED, 25_000), waitForPhase(console_, CONNECTED, 25_000)]).catch(async (err: unknown) => {
      throw new Error(`not Connected again over a new path within 25 s — citizen: ${await callStates(citizen)}; console: ${await callStates(console_)}`, { cause: err });
    });
    const recoveredAfter = Date.now() - cutAt;
    const newPath = await pathInfo(citizen);
    console.log(
      `[net] network change: Reconnecting… after ${citizenReconnecting}/${consoleReconnecting} ms, Connected over a new path ${recoveredAfter} ms after the change ` +
        `(citizen port ${oldPath?.localPort} → ${newPath?.localPort}) — citizen: ${await callStates(citizen)}; console: ${await callStates(console_)}`,
    );
    expect(oldPorts).not.toContain(newPath?.localPort);
    expect(timerSeconds(await phase(citizen).innerText()) as number).toBeGreaterThanOrEqual((timerBefore as number) + 5);
    expect(timerSeconds(await phase(console_).innerText()) as number).toBeGreaterThanOrEqual((consoleTimerBefore as number) + 5);
    await expectAudioFlowing(citizen, 10_000);
    await expectAudioFlowing(console_, 10_000);
    // The incident goes on over the new data connection: old lines kept, new ones delivered both ways.
    await chat(citizen, console_, 'Everyone is out');
    await chat(console_, citizen, 'Good, stay there');
    await citizen.getByText('✓ Delivered').first().waitFor({ timeout: 5000 });
    for (const page of [citizen, console_]) expect(await page.getByText('Smoke in the stairwell').count()).toBe(1);
  });

  it('cut for 40 s: both sides show the call lost; once the link is back, "Call back" on the console reaches the citizen', async () => {
    const call = await connectedCall(h);
    const { citizen, console: console_ } = { citizen: call.citizen.page, console: call.console.page };

    const cutAt = Date.now();
    h.firewall.dropAllUdp();
    const lost = 'Call lost — the connection could not be restored';
    const [citizenReconnecting, consoleReconnecting] = await Promise.all([seen(citizen, 'Reconnecting…', cutAt, 15_000), seen(console_, 'Reconnecting…', cutAt, 15_000)]);
    const [citizenLost, consoleLost] = await Promise.all([seen(citizen, lost, cutAt, 40_000), seen(console_, lost, cutAt, 40_000)]).catch(async (err: unknown) => {
      throw new Error(`the call was not reported lost within 40 s — citizen: ${await callStates(citizen)}; console: ${await callStates(console_)}`, { cause: err });
    });
    console.log(`[net] 40 s UDP cut: Reconnecting… after ${citizenReconnecting}/${consoleReconnecting} ms, call lost after ${citizenLost}/${consoleLost} ms (citizen/console)`);
    // About 30 s after the path dropped, not before.
    expect(citizenLost - citizenReconnecting).toBeGreaterThanOrEqual(29_000);
    expect(consoleLost - consoleReconnecting).toBeGreaterThanOrEqual(29_000);

    await sleep(Math.max(0, 40_000 - (Date.now() - cutAt)));
    h.firewall.allowUdp();
    const callBack = console_.locator('.active-call').getByRole('button', { name: 'Call back' });
    expect(await callBack.count()).toBe(1);
    const tappedAt = Date.now();
    await callBack.click();

    await waitForPhase(citizen, /^Incoming call from /, 10_000);
    const rangAfter = Date.now() - tappedAt;
    await citizen.getByRole('button', { name: 'Answer' }).click();
    await waitForPhase(citizen, CONNECTED, 20_000);
    await until(
      async () => (await console_.locator('.active-call .phase').allInnerTexts()).some((t) => CONNECTED.test(t)),
      Boolean,
      20_000,
      'the console shows the call back connected',
    );
    console.log(`[net] call back: citizen rang ${rangAfter} ms after the tap, connected ${Date.now() - tappedAt} ms after it`);
    await expectAudioFlowing(citizen, 15_000);
    await expectAudioFlowing(console_, 15_000);
  });
});
