/** The link's watchdog: silence from the broker past the limit means it is gone; anything heard resets it. */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { SILENT_AFTER_MS, Watchdog } from '../../../../src/client/peer/watchdog.ts';

describe('Watchdog', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('reports a broker silent once after the limit, and not while it keeps answering', () => {
    vi.useFakeTimers();
    const silent = vi.fn();
    const dog = new Watchdog(silent);
    dog.start();
    for (let t = 0; t < 30_000; t += 4000) {
      vi.advanceTimersByTime(4000);
      dog.heard();
    }
    expect(silent).not.toHaveBeenCalled();
    vi.advanceTimersByTime(SILENT_AFTER_MS + 1000);
    expect(silent).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(60_000);
    expect(silent).toHaveBeenCalledTimes(1);
  });

  it('counts a connection attempt that never opens as silence, and nothing once stopped', () => {
    vi.useFakeTimers();
    const silent = vi.fn();
    const dog = new Watchdog(silent);
    dog.start();
    vi.advanceTimersByTime(SILENT_AFTER_MS + 1000);
    expect(silent).toHaveBeenCalledTimes(1);
    dog.start();
    dog.stop();
    vi.advanceTimersByTime(60_000);
    expect(silent).toHaveBeenCalledTimes(1);
  });
});
