/**
 * The Lua scripts that keep the shared registry and the absent-peer queue
 * atomic. A registry entry is "node|conn|owner": the node holding the socket,
 * that connection's own id, and the owner (device secret or staff identity).
 */
import type { Redis } from 'ioredis';

const PARSE = `local function holder(v) return string.match(v, '^([^|]*)|([^|]*)|(.*)$') end`;

/** KEYS: peer key. ARGV: entry, owner, ttl ms. {1, oldNode, oldConn} when taken, {0, node} when another owner holds it. */
const CLAIM = `${PARSE}
local cur = redis.call('GET', KEYS[1])
if cur then
  local node, conn, owner = holder(cur)
  if owner ~= ARGV[2] then return {0, node} end
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
  return {1, node, conn}
end
redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[3])
return {1}`;

/** KEYS: peer key. ARGV: entry. Deletes it only while this connection still holds it. */
const RELEASE = `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0`;

/**
 * KEYS: n peer keys, their n queues, the index. ARGV: ttl ms, then one entry per
 * peer key. Extends entries still held, re-creates lost ones (Redis came back
 * empty), and returns {positions (1-based) of entries someone else holds now:
 * those sockets are stale, {position, queued entry, ...} taken from the queues
 * of the peers still held}. A frame is queued when its peer's entry was missing
 * or its node's channel had no listener (both happen while a node reconnects),
 * so the peer may well be connected here: it gets the frame now, not an EXPIRE.
 */
const REFRESH = `${PARSE}
local n = (#KEYS - 1) / 2
local lost, taken = {}, {}
for i = 1, n do
  local key, mine = KEYS[i], ARGV[i + 1]
  local cur = redis.call('GET', key)
  if cur == mine then redis.call('PEXPIRE', key, ARGV[1])
  elseif not cur then redis.call('SET', key, mine, 'PX', ARGV[1])
  else table.insert(lost, i) end
  if cur == mine or not cur then
    local queued = redis.call('LRANGE', KEYS[n + i], 0, -1)
    if #queued > 0 then
      redis.call('DEL', KEYS[n + i])
      for _, v in ipairs(queued) do
        redis.call('ZREM', KEYS[#KEYS], string.match(v, '^([^\\n]*)'))
        table.insert(taken, i)
        table.insert(taken, v)
      end
    end
  end
end
return {lost, taken}`;

/**
 * KEYS: the peer's queue, the index of all queued entries. ARGV: entry, id,
 * per-peer bound, total bound, hold ms. 1 when queued, 0 when a bound is reached.
 */
const ENQUEUE = `local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
redis.call('ZREMRANGEBYSCORE', KEYS[2], '-inf', now - tonumber(ARGV[5]))
if redis.call('LLEN', KEYS[1]) >= tonumber(ARGV[3]) or redis.call('ZCARD', KEYS[2]) >= tonumber(ARGV[4]) then return 0 end
redis.call('RPUSH', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[5])
redis.call('ZADD', KEYS[2], now, ARGV[2])
return 1`;

/** KEYS: the peer's queue, the index. Takes every entry, oldest first. */
const TAKE = `local all = redis.call('LRANGE', KEYS[1], 0, -1)
if #all == 0 then return all end
redis.call('DEL', KEYS[1])
for _, v in ipairs(all) do redis.call('ZREM', KEYS[2], string.match(v, '^([^\\n]*)')) end
return all`;

/** KEYS: the peer's queue, the index. ARGV: entry, id. 1 when it was still waiting (so nobody got it). */
const WITHDRAW = `local n = redis.call('LREM', KEYS[1], 1, ARGV[1])
redis.call('ZREM', KEYS[2], ARGV[2])
return n`;

export interface Refreshed {
  /** Positions (0-based) of entries someone else holds now. */
  lost: number[];
  /** Frames that waited for peers this node holds, oldest first: [position (0-based), entry]. */
  taken: [number, string][];
}

export interface ClusterCommands {
  claim(key: string, entry: string, owner: string, ttlMs: number): Promise<[number, string?, string?]>;
  release(key: string, entry: string): Promise<number>;
  refresh(keys: string[], queues: string[], index: string, ttlMs: number, entries: string[]): Promise<Refreshed>;
  enqueue(queue: string, index: string, entry: string, id: string, perPeer: number, total: number, holdMs: number): Promise<number>;
  take(queue: string, index: string): Promise<string[]>;
  withdraw(queue: string, index: string, entry: string, id: string): Promise<number>;
}

/** Registers the scripts on a client (ioredis runs them by SHA and loads them when Redis lost them). */
export function defineScripts(redis: Redis): ClusterCommands {
  redis.defineCommand('bfpClaim', { numberOfKeys: 1, lua: CLAIM });
  redis.defineCommand('bfpRelease', { numberOfKeys: 1, lua: RELEASE });
  redis.defineCommand('bfpRefresh', { lua: REFRESH });
  redis.defineCommand('bfpEnqueue', { numberOfKeys: 2, lua: ENQUEUE });
  redis.defineCommand('bfpTake', { numberOfKeys: 2, lua: TAKE });
  redis.defineCommand('bfpWithdraw', { numberOfKeys: 2, lua: WITHDRAW });
  type Call = (...args: (string | number)[]) => Promise<unknown>;
  const call = (name: string): Call => (redis as unknown as Record<string, Call>)[name] as Call;
  return {
    claim: (key, entry, owner, ttlMs) => call('bfpClaim').call(redis, key, entry, owner, ttlMs) as Promise<[number, string?, string?]>,
    release: (key, entry) => call('bfpRelease').call(redis, key, entry) as Promise<number>,
    refresh: async (keys, queues, index, ttlMs, entries) => {
      const [lost, flat] = (await call('bfpRefresh').call(redis, keys.length * 2 + 1, ...keys, ...queues, index, ttlMs, ...entries)) as [number[], (number | string)[]];
      const taken: [number, string][] = [];
      for (let i = 0; i + 1 < flat.length; i += 2) taken.push([Number(flat[i]) - 1, String(flat[i + 1])]);
      return { lost: lost.map((position) => position - 1), taken };
    },
    enqueue: (queue, index, entry, id, perPeer, total, holdMs) => call('bfpEnqueue').call(redis, queue, index, entry, id, perPeer, total, holdMs) as Promise<number>,
    take: (queue, index) => call('bfpTake').call(redis, queue, index) as Promise<string[]>,
    withdraw: (queue, index, entry, id) => call('bfpWithdraw').call(redis, queue, index, entry, id) as Promise<number>,
  };
}
