/**
 * 5 % random UDP packet loss (iptables statistic match) in the middle of a
 * call: the receiving side warns about it, audio keeps flowing, and Opus
 * in-band FEC packets arrive.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CONNECTED, bytesIn, callStates, connectedCall, pathInfo, phase, until } from './calls.ts';
import { startNetHarness, type NetHarness } from './harness.ts';
import { writeSpeechWav } from './speech.ts';

describe('packet loss', () => {
  let h: NetHarness;

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bfp-speech-'));

  beforeAll(async () => {
    // Speech, not the fake beep: Opus codes a steady tone as music (CELT), which has no in-band FEC.
    const wav = path.join(dir, 'speech.wav');
    writeSpeechWav(wav);
    h = await startNetHarness({ chromiumArgs: [`--use-file-for-fake-audio-capture=${wav}`] });
  });
  afterEach(({ task }) => h?.endTest(task.result?.state === 'fail'));
  afterAll(async () => {
    await h?.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('5 % UDP loss: the loss warning shows on the receiving side, audio keeps flowing, and FEC packets arrive', async () => {
    const call = await connectedCall(h);
    const { citizen, console: console_ } = { citizen: call.citizen.page, console: call.console.page };
    const before = { citizen: await pathInfo(citizen), console: await pathInfo(console_) };

    const lossAt = Date.now();
    h.firewall.udpLoss(0.05);

    // The console hears the citizen through the lossy link: its quality line warns (it is always shown there).
    const consoleWarning = console_.locator('.active-call .quality .warnings li[data-warning="loss"]');
    await consoleWarning.waitFor({ timeout: 15_000 });
    const consoleWarnedAfter = Date.now() - lossAt;
    expect(await consoleWarning.innerText()).toBe('Losing audio packets');
    // The citizen hears the console through the same link: the call panel shows the warning while it lasts.
    await citizen.locator('.call .warnings li[data-warning="loss"]').waitFor({ timeout: 15_000 });
    const citizenWarnedAfter = Date.now() - lossAt;

    // Audio keeps flowing under loss: inbound bytes grow every 2 s for 12 s, on both sides.
    let last = { citizen: await bytesIn(citizen), console: await bytesIn(console_) };
    const deadline = lossAt + 14_000;
    while (Date.now() < deadline) {
      await citizen.waitForTimeout(2000);
      const now = { citizen: await bytesIn(citizen), console: await bytesIn(console_) };
      expect(now.citizen, `citizen inbound stalled under loss (${await callStates(citizen)})`).toBeGreaterThan(last.citizen);
      expect(now.console, `console inbound stalled under loss (${await callStates(console_)})`).toBeGreaterThan(last.console);
      last = now;
    }
    expect(await phase(citizen).innerText()).toMatch(CONNECTED);
    expect(await phase(console_).innerText()).toMatch(CONNECTED);

    // The loss was real and Opus in-band FEC was received (the encoder adds it once RTCP reports loss).
    const after = await until(
      async () => ({ citizen: await pathInfo(citizen), console: await pathInfo(console_) }),
      (v) => (v.console?.fecPacketsReceived ?? 0) > 0 && (v.citizen?.fecPacketsReceived ?? 0) > 0,
      10_000,
      'FEC packets received on both sides',
    );
    const lost = (who: 'citizen' | 'console') => (after[who]?.packetsLost ?? 0) - (before[who]?.packetsLost ?? 0);
    const received = (who: 'citizen' | 'console') => (after[who]?.packetsReceived ?? 0) - (before[who]?.packetsReceived ?? 0);
    console.log(
      `[net] 5 % loss: warning on console after ${consoleWarnedAfter} ms, citizen after ${citizenWarnedAfter} ms; ` +
        `console lost ${lost('console')}/${received('console') + lost('console')} packets, FEC ${after.console?.fecPacketsReceived}; ` +
        `citizen lost ${lost('citizen')}/${received('citizen') + lost('citizen')}, FEC ${after.citizen?.fecPacketsReceived}`,
    );
    for (const who of ['citizen', 'console'] as const) {
      const rate = lost(who) / (received(who) + lost(who));
      expect(rate, `${who} loss rate`).toBeGreaterThan(0.01);
      expect(rate, `${who} loss rate`).toBeLessThan(0.15);
    }
  });
});
