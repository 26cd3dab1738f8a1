/**
 * Abuse limits. Counters come from rate-limiter-flexible, so a shared store
 * (several broker nodes) can replace the memory one behind the same methods.
 */
import { RateLimiterMemory, RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';
import type { Limits } from '../config.ts';
import type { Identity } from './identity.ts';

export interface LimitCounters {
  /** True while the remote address may open another WebSocket. */
  connection(ip: string): Promise<boolean>;
  /** True while this peer may start another call or data connection. */
  offer(identity: Identity): Promise<boolean>;
  /** True while this connection's malformed frames stay under the cut-off. */
  malformed(connectionKey: string): Promise<boolean>;
  /** True while a call or data connection may be offered again (renegotiated) on the same connection id. */
  renegotiation(offerKey: string): Promise<boolean>;
}

/**
 * PeerJS 1.5 sends one OFFER per connection; a renegotiation (the same connection
 * id to the same peer again) is rare, so a few a minute is plenty. Without a cap,
 * repeating one connection id would skip the new-connection limit and the audit log.
 */
export const RENEGOTIATIONS_PER_MINUTE = 5;

/** Takes one point; false once the key has none left (a limiter error is not a refusal: it is thrown). */
export async function take(limiter: RateLimiterAbstract, key: string): Promise<boolean> {
  try {
    await limiter.consume(key);
    return true;
  } catch (err) {
    if (err instanceof RateLimiterRes) return false;
    throw err;
  }
}

export function memoryLimits(limits: Limits): LimitCounters {
  const perMinute = (points: number, keyPrefix: string) => new RateLimiterMemory({ points, duration: 60, keyPrefix });
  const connections = perMinute(limits.connectionsPerIpPerMinute, 'conn');
  const citizenOffers = perMinute(limits.offersPerCitizenPerMinute, 'offer-c');
  const staffOffers = perMinute(limits.offersPerStaffPerMinute, 'offer-s');
  const malformed = perMinute(limits.malformedPerMinute, 'bad');
  const renegotiations = perMinute(RENEGOTIATIONS_PER_MINUTE, 'reoffer');
  return {
    connection: (ip) => take(connections, ip),
    offer: (identity) => take(identity.role === 'citizen' ? citizenOffers : staffOffers, identity.owner),
    malformed: (key) => take(malformed, key),
    renegotiation: (key) => take(renegotiations, key),
  };
}

/**
 * Bounds what the broker holds for peers that are not connected. Stock
 * PeerServer queues without limit; this counts what was let through to its
 * queue and refuses more once a peer's or the total bound is reached.
 */
export class AbsentQueueBound {
  private readonly held = new Map<string, { count: number; since: number }>();
  private total = 0;

  constructor(
    private readonly perPeer: number,
    private readonly totalMax: number,
    private readonly holdMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Reserves room for one message to `dst`; false when it must be refused. */
  admit(dst: string): boolean {
    const entry = this.held.get(dst);
    if (entry && this.now() - entry.since > this.holdMs) this.release(dst);
    const current = this.held.get(dst);
    if ((current?.count ?? 0) >= this.perPeer || this.total >= this.totalMax) return false;
    if (current) current.count += 1;
    else this.held.set(dst, { count: 1, since: this.now() });
    this.total += 1;
    return true;
  }

  /** The peer arrived, or its queue expired: its messages are no longer held. */
  release(dst: string): void {
    const entry = this.held.get(dst);
    if (!entry) return;
    this.total -= entry.count;
    this.held.delete(dst);
  }

  /** Drops entries older than the hold time; the broker has expired them by then. */
  sweep(): void {
    const now = this.now();
    for (const [dst, entry] of this.held) if (now - entry.since > this.holdMs) this.release(dst);
  }

  heldTotal(): number {
    return this.total;
  }
}
