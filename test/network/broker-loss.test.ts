/**
 * The broker (the server process) dies mid-call, and a console reloads while
 * the broker still holds its old socket: calls go on, screens say what is
 * happening, and everyone is reachable again without help.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { CONNECTED, openCitizen, openConsole, ringItems, tapCallBfp } from '../e2e/screens/app.ts';
import { brokerState, bytesIn, callStates, connectedCall, expectBytesGrow, phase, waitForBroker, waitForPhase } from './calls.ts';
import { startNetHarness, type NetHarness } from './harness.ts';

describe('broker loss', () => {
  let h: NetHarness;

  beforeAll(async () => {
    h = await startNetHarness();
  });
  afterEach(({ task }) => h?.endTest(task.result?.state === 'fail'));
  afterAll(() => h?.close());

  it('keeps the call’s audio flowing while the broker is killed, shows it offline, and both re-register by themselves when it is back', async () => {
    const call = await connectedCall(h);
    const pages = { citizen: call.citizen.page, console: call.console.page };

    const killedAt = Date.now();
    await h.server.kill('SIGKILL');

    // Both screens say the broker is gone.
    await Promise.all([waitForBroker(pages.citizen, 'offline', 10_000), waitForBroker(pages.console, 'offline', 10_000)]);
    console.log(`[net] broker SIGKILL: both offline after ${Date.now() - killedAt} ms`);

    // Audio keeps flowing for at least 10 s with the broker down: inbound bytes grow every 2 s on both sides.
    let last = { citizen: await bytesIn(pages.citizen), console: await bytesIn(pages.console) };
    const first = { ...last };
    while (Date.now() - killedAt < 12_000) {
      await pages.citizen.waitForTimeout(2000);
      const now = { citizen: await bytesIn(pages.citizen), console: await bytesIn(pages.console) };
      expect(now.citizen, `citizen inbound bytes stalled with the broker down (${await callStates(pages.citizen)})`).toBeGreaterThan(last.citizen);
      expect(now.console, `console inbound bytes stalled with the broker down (${await callStates(pages.console)})`).toBeGreaterThan(last.console);
      last = now;
    }
    // About 32 kbps for 12 s: far more than a trickle.
    expect(last.citizen - first.citizen).toBeGreaterThan(10_000);
    expect(last.console - first.console).toBeGreaterThan(10_000);
    expect(await phase(pages.citizen).innerText()).toMatch(CONNECTED);
    expect(await phase(pages.console).innerText()).toMatch(CONNECTED);
    expect(await brokerState(pages.citizen)).toBe('offline');
    expect(await brokerState(pages.console)).toBe('offline');

    // Back on the same port with the same data folder: both re-register on their own (backoff ≤ 5 s).
    const restartedAt = Date.now();
    await h.server.restart();
    const upAfter = Date.now() - restartedAt;
    await Promise.all([waitForBroker(pages.citizen, 'online', 15_000), waitForBroker(pages.console, 'online', 15_000)]);
    console.log(`[net] broker restarted: server up after ${upAfter} ms, both clients online ${Date.now() - restartedAt} ms after the restart began (down ${restartedAt - killedAt} ms)`);

    // Hang up the old call; a new call between them goes through the new broker.
    await pages.citizen.getByRole('button', { name: 'Hang up' }).click();
    await waitForPhase(pages.console, 'Call ended', 5000);
    await waitForPhase(pages.citizen, 'Call ended', 5000);
    await tapCallBfp(pages.citizen);
    await ringItems(pages.console).first().getByRole('button', { name: 'Answer' }).click();
    await waitForPhase(pages.citizen, CONNECTED, 20_000);
    await waitForPhase(pages.console, CONNECTED, 20_000);
    await expectBytesGrow(pages.citizen, 10_000);
    await expectBytesGrow(pages.console, 10_000);
  });

  it('brings a reloaded console back online and reachable within 5 s while the broker still holds its old socket', async () => {
    const citizen = await openCitizen(h);
    // Mark the console's broker WebSocket (its upgrade request carries its id: &id=st-qc-central-…), and only that.
    const stopMarking = h.firewall.markWebSockets(h.server.port, '&id=st-qc-central-', 0x7);
    const console_ = await openConsole(h, 'qc-central');
    await waitForBroker(console_.page, 'online', 10_000);
    // A plain request carrying the same id on a keep-alive connection (as the ICE fetch does) must stay unmarked,
    // or the reload below could ride that connection and hang.
    await console_.page.evaluate(() => fetch('/api/ice?id=st-qc-central-probe').then((r) => r.text()));
    stopMarking();
    // Its packets vanish from now on: the close frame and FIN of the reload never reach the broker, which keeps the old socket.
    h.firewall.dropMarked(0x7);
    const consoleId = await console_.page.evaluate(() => (window as unknown as { bfp: { link: { credentials: { id: string } } } }).bfp.link.credentials.id);

    const reloadAt = Date.now();
    await console_.page.reload();
    // The reloaded page has not gone online yet, and the broker still lists the old socket's console.
    const presence = (await (await fetch(`${h.origin}/api/presence`)).json()) as { stations: Record<string, string[]> };
    expect(presence.stations['qc-central'], 'the broker should still hold the old socket').toContain(consoleId);
    await console_.page.getByRole('button', { name: 'Start shift' }).click();
    await waitForBroker(console_.page, 'online', 10_000);
    const onlineAfter = Date.now() - reloadAt;
    expect(onlineAfter, 'online again within 5 s of the reload').toBeLessThan(5000);
    expect(h.firewall.droppedPackets(), 'the old socket’s goodbye should have been dropped').toBeGreaterThan(0);

    // Reachable as soon as it shows online: a call placed now rings it.
    const tappedAt = Date.now();
    await tapCallBfp(citizen.page);
    await ringItems(console_.page).first().waitFor({ timeout: 5000 });
    const ringingAfter = Date.now() - tappedAt;
    console.log(`[net] console reload with the old socket held: online ${onlineAfter} ms after the reload; a call placed then rang it ${ringingAfter} ms later (${Date.now() - reloadAt} ms after the reload)`);
    await ringItems(console_.page).first().getByRole('button', { name: 'Answer' }).click();
    await waitForPhase(citizen.page, CONNECTED, 20_000);
    await expectBytesGrow(console_.page, 10_000);
  });
});
