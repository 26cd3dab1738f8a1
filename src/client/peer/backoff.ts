/** Exponential backoff with jitter, capped: 0.5–1× of min(cap, base·2ⁿ). */
export function backoffDelay(attempt: number, random: () => number = Math.random, baseMs = 250, capMs = 5000): number {
  const ceiling = Math.min(capMs, baseMs * 2 ** Math.max(0, attempt));
  return Math.round(ceiling * (0.5 + random() * 0.5));
}
