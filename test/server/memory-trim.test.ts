/**
 * After a surge of phones leaves, the broker hands the memory they used back
 * to the operating system; while peers come and go as usual, it leaves
 * malloc alone.
 */
import fs from 'node:fs';
import v8 from 'node:v8';
import vm from 'node:vm';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { TrimPolicy, loadMallocTrim, startMemoryTrim } from '../../peer-server/memory-trim.ts';

describe('when to trim', () => {
  it('trims once the peers fall to three quarters of their peak, and keeps trimming for two minutes', () => {
    const policy = new TrimPolicy();
    expect(policy.check(100, 0)).toBe(false);
    expect(policy.check(10_000, 10_000)).toBe(false);
    expect(policy.check(8_000, 20_000)).toBe(false);
    expect(policy.check(7_400, 30_000)).toBe(true);
    // Still falling: the two minutes count from the last drop.
    expect(policy.check(0, 40_000)).toBe(true);
    expect(policy.check(0, 160_000)).toBe(true);
    expect(policy.check(0, 160_001)).toBe(false);
  });

  it('leaves malloc alone while a few peers come and go', () => {
    const policy = new TrimPolicy();
    const counts = [40, 12, 55, 3, 120, 0, 150, 20];
    expect(counts.map((n, i) => policy.check(n, i * 10_000))).toEqual(counts.map(() => false));
  });

  it('measures the next surge from where the last one ended', () => {
    const policy = new TrimPolicy({ windowMs: 0 });
    policy.check(5_000, 0);
    expect(policy.check(1_000, 1)).toBe(true);
    expect(policy.check(1_000, 2)).toBe(false);
    policy.check(3_000, 3);
    expect(policy.check(2_300, 4)).toBe(false);
    expect(policy.check(2_200, 5)).toBe(true);
  });
});

function residentBytes(): number {
  return Number(/VmRSS:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'))?.[1]) * 1024;
}

describe('the trimmer', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  it('checks every 10 s and calls the trim after a surge, and never once stopped', () => {
    vi.useFakeTimers();
    let peers = 0;
    const trim = vi.fn();
    const stop = startMemoryTrim({ peers: () => peers, trim });
    peers = 5_000;
    vi.advanceTimersByTime(10_000);
    expect(trim).not.toHaveBeenCalled();
    peers = 0;
    vi.advanceTimersByTime(10_000);
    expect(trim).toHaveBeenCalledTimes(1);
    vi.advanceTimersByTime(30_000);
    expect(trim).toHaveBeenCalledTimes(4);
    stop();
    vi.advanceTimersByTime(60_000);
    expect(trim).toHaveBeenCalledTimes(4);
  });

  it('finds malloc_trim on Linux with glibc, and it gives freed memory back', () => {
    const glibc = (process.report.getReport() as { header?: { glibcVersionRuntime?: string } }).header?.glibcVersionRuntime;
    const trim = loadMallocTrim();
    if (process.platform !== 'linux' || !glibc) {
      expect(trim).toBeNull();
      return;
    }
    expect(trim).toBeTypeOf('function');
    v8.setFlagsFromString('--expose-gc');
    const gc = vm.runInNewContext('gc') as () => void;
    // 32 MiB of buffers, then one small one after them that outlives them: glibc keeps the
    // freed 32 MiB resident below it, as it keeps the buffers of peers that left.
    let garbage: Buffer[] | null = Array.from({ length: 2048 }, () => Buffer.alloc(16 * 1024, 1));
    const survivor = Buffer.alloc(512, 1);
    garbage = null;
    gc();
    gc();
    const before = residentBytes();
    trim!();
    const after = residentBytes();
    expect(garbage).toBeNull();
    expect(survivor[0]).toBe(1);
    expect(before - after).toBeGreaterThan(16 * 1024 * 1024);
  });
});
