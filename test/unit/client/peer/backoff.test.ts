/**
 * Reconnecting to the broker: waits grow exponentially, never pass 5 s, and are
 * spread by jitter so a station's tablets do not all retry at the same moment.
 */
import { describe, expect, it } from 'vitest';
import { backoffDelay } from '../../../../src/client/peer/backoff.ts';

const LOWEST = () => 0;
const HIGHEST = () => 0.999_999_9;
const MIDDLE = () => 0.5;

describe('backoffDelay', () => {
  it('grows exponentially from 250 ms', () => {
    expect([0, 1, 2, 3, 4].map((n) => backoffDelay(n, HIGHEST))).toEqual([250, 500, 1000, 2000, 4000]);
  });

  it('doubles from one attempt to the next at the same jitter', () => {
    for (let n = 0; n < 4; n += 1) expect(backoffDelay(n + 1, LOWEST)).toBe(2 * backoffDelay(n, LOWEST));
  });

  it('never waits more than 5 s, however many attempts failed', () => {
    for (const n of [5, 6, 10, 30, 100, 1024, 1_000_000]) {
      const d = backoffDelay(n, HIGHEST);
      expect(d, `attempt ${n}`).toBeLessThanOrEqual(5000);
      expect(d, `attempt ${n}`).toBeGreaterThanOrEqual(4999);
    }
  });

  it('with Math.random, every delay stays within 50–100 % of its ceiling', () => {
    for (let n = 0; n < 12; n += 1) {
      const ceiling = Math.min(5000, 250 * 2 ** n);
      for (let i = 0; i < 100; i += 1) {
        const d = backoffDelay(n);
        expect(d).toBeGreaterThanOrEqual(Math.round(ceiling / 2));
        expect(d).toBeLessThanOrEqual(ceiling);
      }
    }
  });

  it('jitter takes the delay down to half its ceiling at the lowest', () => {
    expect(backoffDelay(0, LOWEST)).toBe(125);
    expect(backoffDelay(3, LOWEST)).toBe(1000);
    expect(backoffDelay(50, LOWEST)).toBe(2500);
    expect(backoffDelay(3, MIDDLE)).toBe(1500);
  });

  it('spreads retries: different random draws give different delays', () => {
    const draws = [0, 0.2, 0.4, 0.6, 0.8].map((r) => backoffDelay(6, () => r));
    expect(new Set(draws).size).toBe(draws.length);
  });

  it('a negative attempt count is treated as the first attempt', () => {
    expect(backoffDelay(-3, HIGHEST)).toBe(250);
  });

  it('honours another base and cap', () => {
    expect(backoffDelay(2, HIGHEST, 100, 300)).toBe(300);
    expect(backoffDelay(1, HIGHEST, 100, 300)).toBe(200);
  });

  it('is a whole number of milliseconds', () => {
    for (let i = 0; i < 50; i += 1) expect(Number.isInteger(backoffDelay(i % 8))).toBe(true);
  });
});
