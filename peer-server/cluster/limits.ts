/**
 * Limits shared by every node, in rate-limiter-flexible's Redis store, so a
 * client cannot multiply them by spreading over nodes. While Redis is away
 * each node counts on its own (the insurance limiter). Malformed frames and
 * renegotiations are counted per connection, which lives on one node: those
 * stay in memory.
 */
import type { Redis } from 'ioredis';
import { RateLimiterMemory, RateLimiterRedis } from 'rate-limiter-flexible';
import type { Limits } from '../config.ts';
import { memoryLimits, take, type LimitCounters } from '../broker/limits.ts';
import type { Keys } from './keys.ts';

export function sharedLimits(limits: Limits, redis: Redis, keys: Keys): LimitCounters {
  const perMinute = (points: number, name: string) =>
    new RateLimiterRedis({
      storeClient: redis,
      points,
      duration: 60,
      keyPrefix: keys.limiter(name),
      rejectIfRedisNotReady: true,
      insuranceLimiter: new RateLimiterMemory({ points, duration: 60, keyPrefix: `local-${name}` }),
    });
  const connections = perMinute(limits.connectionsPerIpPerMinute, 'conn');
  const citizenOffers = perMinute(limits.offersPerCitizenPerMinute, 'offer-c');
  const staffOffers = perMinute(limits.offersPerStaffPerMinute, 'offer-s');
  const local = memoryLimits(limits);
  return {
    connection: (ip) => take(connections, ip),
    offer: (identity) => take(identity.role === 'citizen' ? citizenOffers : staffOffers, identity.owner),
    malformed: (key) => local.malformed(key),
    renegotiation: (key) => local.renegotiation(key),
  };
}
