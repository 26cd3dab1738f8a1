/**
 * The update prompt's rules, with calls, the waiting worker and the reload
 * faked: a new version is never applied in the middle of a call.
 */
import { describe, expect, it } from 'vitest';
import { AppUpdates, type CallActivity } from '../../../src/pwa/updates.ts';

class FakeCalls implements CallActivity {
  private active = 0;
  private idle: (() => void)[] = [];
  callsActive(): boolean {
    return this.active > 0;
  }
  whenIdle(): Promise<void> {
    if (this.active === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }
  set(count: number): void {
    this.active = count;
    if (count === 0) for (const resolve of this.idle.splice(0)) resolve();
  }
}

function setup({ shownBefore = false } = {}) {
  const calls = new FakeCalls();
  const log: string[] = [];
  let shown = shownBefore;
  const updates = new AppUpdates({
    calls,
    offlineReadyShown: { seen: () => shown, remember: () => void (shown = true) },
    reload: () => log.push('reload'),
  });
  const worker = { skipWaiting: () => log.push('skip-waiting') };
  return { calls, log, updates, worker, wasShown: () => shown };
}

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('app updates', () => {
  it('offers a waiting version, and "Update now" with no call lets it take over, then reloads', async () => {
    const { updates, worker, log } = setup();
    expect(updates.update).toBe('none');
    updates.newVersionWaiting(worker);
    expect(updates.update).toBe('available');

    await updates.applyUpdate();
    expect(updates.update).toBe('applying');
    expect(log).toEqual(['skip-waiting']);
    updates.newVersionInControl();
    await settle();
    expect(log).toEqual(['skip-waiting', 'reload']);
  });

  it('"Update now" during a call says it waits, and does nothing until the hang-up', async () => {
    const { updates, worker, log, calls } = setup();
    calls.set(1);
    updates.newVersionWaiting(worker);
    const applying = updates.applyUpdate();
    expect(updates.update).toBe('deferred');
    await settle();
    expect(log).toEqual([]);

    calls.set(0);
    await applying;
    expect(log).toEqual(['skip-waiting']);
    updates.newVersionInControl();
    await settle();
    expect(log).toEqual(['skip-waiting', 'reload']);
  });

  it('a call that starts while the new version takes over delays the reload until it ends', async () => {
    const { updates, worker, log, calls } = setup();
    updates.newVersionWaiting(worker);
    await updates.applyUpdate();
    calls.set(1);
    updates.newVersionInControl();
    await settle();
    expect(log).toEqual(['skip-waiting']);
    calls.set(0);
    await settle();
    expect(log).toEqual(['skip-waiting', 'reload']);
  });

  it('a version another tab activated is offered here too, and "Update now" just reloads', async () => {
    const { updates, log } = setup();
    updates.newVersionInControl();
    expect(updates.update).toBe('available');
    expect(log).toEqual([]);
    await updates.applyUpdate();
    await settle();
    expect(log).toEqual(['reload']);
  });

  it('says "ready to work offline" once per device', () => {
    const first = setup();
    first.updates.installedFirstTime();
    expect(first.updates.offlineReady).toBe(true);
    expect(first.wasShown()).toBe(true);
    first.updates.dismissOfflineReady();
    expect(first.updates.offlineReady).toBe(false);

    const again = setup({ shownBefore: true });
    again.updates.installedFirstTime();
    expect(again.updates.offlineReady).toBe(false);
  });

  it('tells the screen each time the state changes', async () => {
    const { updates, worker } = setup();
    let renders = 0;
    updates.subscribe(() => (renders += 1));
    updates.newVersionWaiting(worker);
    await updates.applyUpdate();
    expect(renders).toBe(2);
  });
});
