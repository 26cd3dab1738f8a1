/**
 * Gives the memory freed after a surge back to the operating system.
 *
 * glibc's malloc returns only the top of its heap; the socket buffers of
 * thousands of phones that have left stay resident between the few
 * allocations that outlive them (measured: +40 MiB for good after 10,000
 * peers, with V8's own heap back where it started). Once the peers connected
 * fall well below their recent peak, `malloc_trim(0)` hands the free pages
 * back, a few times over the following minutes while the garbage collector
 * frees what they left behind. Linux with glibc only, through koffi; elsewhere
 * it does nothing.
 */
import { createRequire } from 'node:module';

export interface TrimPolicyOptions {
  /** A drop to this share of the peak (or lower) counts as the end of a surge. */
  dropTo?: number;
  /** Smaller drops than this many peers are ordinary coming and going. */
  minDrop?: number;
  /** After a surge, trim on every check for this long. */
  windowMs?: number;
}

/** Decides, from the number of connected peers seen at each check, when to trim. */
export class TrimPolicy {
  private peak = 0;
  private trimUntil = -Infinity;
  private readonly dropTo: number;
  private readonly minDrop: number;
  private readonly windowMs: number;

  constructor(options: TrimPolicyOptions = {}) {
    this.dropTo = options.dropTo ?? 0.75;
    this.minDrop = options.minDrop ?? 200;
    this.windowMs = options.windowMs ?? 120_000;
  }

  /** True when memory should be trimmed now. */
  check(peers: number, now: number): boolean {
    this.peak = Math.max(this.peak, peers);
    if (this.peak - peers >= this.minDrop && peers <= this.peak * this.dropTo) {
      this.trimUntil = now + this.windowMs;
      this.peak = peers;
    }
    return now <= this.trimUntil;
  }
}

/** `malloc_trim(0)` of the C library, or null where there is none to call (not glibc, no koffi). */
export function loadMallocTrim(): (() => void) | null {
  const report = process.report?.getReport() as { header?: { glibcVersionRuntime?: string } } | undefined;
  if (process.platform !== 'linux' || !report?.header?.glibcVersionRuntime) return null;
  try {
    const koffi = createRequire(import.meta.url)('koffi') as typeof import('koffi');
    const trim = koffi.load('libc.so.6').func('int malloc_trim(size_t pad)') as (pad: number) => number;
    return () => void trim(0);
  } catch {
    return null;
  }
}

export interface MemoryTrimOptions extends TrimPolicyOptions {
  peers(): number;
  trim: (() => void) | null;
  everyMs?: number;
}

/** Checks every `everyMs` (10 s); returns a function that stops it. */
export function startMemoryTrim(options: MemoryTrimOptions): () => void {
  const { trim } = options;
  if (!trim) return () => {};
  const policy = new TrimPolicy(options);
  const timer = setInterval(() => {
    if (policy.check(options.peers(), Date.now())) trim();
  }, options.everyMs ?? 10_000);
  timer.unref();
  return () => clearInterval(timer);
}
