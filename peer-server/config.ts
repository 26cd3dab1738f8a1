/**
 * Server configuration from the environment. Every setting has an embedded
 * default so `npm start` works with none; the README's table mirrors this file.
 */
import path from 'node:path';
import { tileTemplateProblem } from '../src/shared/map-tiles.ts';

export interface Limits {
  /** WebSocket connection attempts per remote address per minute. */
  connectionsPerIpPerMinute: number;
  /** New calls or data connections (OFFERs with a new connection id) per citizen per minute. */
  offersPerCitizenPerMinute: number;
  /** The same for staff, who call many people in a shift. */
  offersPerStaffPerMinute: number;
  /** Largest WebSocket frame accepted, in bytes. */
  maxFrameBytes: number;
  /** Messages held for one absent peer. */
  queuePerPeer: number;
  /** Messages held for all absent peers together. */
  queueTotal: number;
  /** Peers connected at once. */
  concurrentPeers: number;
  /** Malformed frames one connection may send per minute before it is cut off. */
  malformedPerMinute: number;
}

export interface Config {
  host: string;
  port: number;
  dataDir: string;
  distDir: string;
  /** Public origin used in printed sign-in links, e.g. https://station.lan:8443. */
  publicUrl: string | null;
  tls: { cert: string; key: string } | null;
  turn: { urls: string[]; secret: string; ttl: number } | null;
  trustProxy: boolean;
  limits: Limits;
  /** Seconds a staff token minted without --days stays valid. */
  tokenDays: number;
  /** Milliseconds without a heartbeat before the broker drops a peer (PeerJS pings every 5 s). */
  aliveTimeoutMs: number;
  /** Milliseconds a message waits for an absent peer before its sender is told it expired. */
  expireTimeoutMs: number;
  /** Size of the audit log before it is rotated, and how many rotated files are kept. */
  auditMaxBytes: number;
  auditKeep: number;
  logLevel: string;
  /** Map tile URL template ({z}/{x}/{y}) the console's map draws behind positions; null: a plain map. */
  mapTileUrl: string | null;
  /** Cluster mode: several broker nodes share peers, routes and limits through this Redis. Null: one process. */
  redis: { url: string; prefix: string } | null;
  /** Hand memory freed after a surge of peers back to the operating system (glibc's malloc_trim). */
  memoryTrim: boolean;
}

export const DEFAULT_LIMITS: Limits = {
  connectionsPerIpPerMinute: 120,
  offersPerCitizenPerMinute: 30,
  offersPerStaffPerMinute: 240,
  maxFrameBytes: 64 * 1024,
  queuePerPeer: 64,
  queueTotal: 10_000,
  concurrentPeers: 20_000,
  malformedPerMinute: 20,
};

type Env = Record<string, string | undefined>;

/** Shortest TURN_SECRET the broker and `npm run turn:config` accept. */
export const MIN_TURN_SECRET_LENGTH = 16;

/** Why a TURN_SECRET is unsafe, or null. The message never contains the secret. */
export function turnSecretProblem(secret: string): string | null {
  if (secret.length >= MIN_TURN_SECRET_LENGTH) return null;
  return `TURN_SECRET is shorter than ${MIN_TURN_SECRET_LENGTH} characters: anyone who guesses it can mint TURN credentials. Use a long random string, e.g. TURN_SECRET="$(openssl rand -hex 32)", and give coturn the same one.`;
}

function int(env: Env, name: string, fallback: number, min = 0): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min) throw new Error(`${name} must be an integer of at least ${min}, got "${raw}"`);
  return n;
}

export function loadConfig(env: Env = process.env, cwd = process.cwd()): Config {
  const tlsCert = env.TLS_CERT;
  const tlsKey = env.TLS_KEY;
  if (Boolean(tlsCert) !== Boolean(tlsKey)) throw new Error('TLS_CERT and TLS_KEY must be set together');
  const turnUrls = (env.TURN_URLS ?? '').split(',').map((u) => u.trim()).filter(Boolean);
  if (turnUrls.length > 0 && !env.TURN_SECRET) throw new Error('TURN_URLS is set but TURN_SECRET is not');
  for (const url of turnUrls) {
    if (!/^turns?:/.test(url)) throw new Error(`TURN_URLS entries must start with turn: or turns:, got "${url}"`);
  }
  // A secret set without TURN_URLS is refused too: it is meant for a relay that will be turned on.
  const secretProblem = env.TURN_SECRET ? turnSecretProblem(env.TURN_SECRET) : null;
  if (secretProblem) throw new Error(secretProblem);
  const mapTileUrl = env.MAP_TILE_URL?.trim() || null;
  const tileProblem = mapTileUrl === null ? null : tileTemplateProblem(mapTileUrl);
  const redisUrl = env.REDIS_URL?.trim() || null;
  if (redisUrl && !/^rediss?:\/\//.test(redisUrl)) throw new Error(`REDIS_URL must start with redis:// or rediss://, got "${redisUrl}"`);
  if (tileProblem) throw new Error(`MAP_TILE_URL ${tileProblem}, e.g. https://tiles.example.lan/{z}/{x}/{y}.png; got "${mapTileUrl}"`);
  return {
    host: env.HOST || '::',
    port: int(env, 'PORT', 8080),
    dataDir: path.resolve(cwd, env.DATA_DIR || 'data'),
    distDir: path.resolve(cwd, env.DIST_DIR || 'dist'),
    publicUrl: env.PUBLIC_URL ? env.PUBLIC_URL.replace(/\/+$/, '') : null,
    tls: tlsCert && tlsKey ? { cert: tlsCert, key: tlsKey } : null,
    turn: turnUrls.length > 0 && env.TURN_SECRET ? { urls: turnUrls, secret: env.TURN_SECRET, ttl: int(env, 'TURN_TTL', 3600, 60) } : null,
    trustProxy: env.TRUST_PROXY === '1' || env.TRUST_PROXY === 'true',
    limits: {
      connectionsPerIpPerMinute: int(env, 'LIMIT_CONNECTIONS_PER_IP', DEFAULT_LIMITS.connectionsPerIpPerMinute, 1),
      offersPerCitizenPerMinute: int(env, 'LIMIT_OFFERS_PER_CITIZEN', DEFAULT_LIMITS.offersPerCitizenPerMinute, 1),
      offersPerStaffPerMinute: int(env, 'LIMIT_OFFERS_PER_STAFF', DEFAULT_LIMITS.offersPerStaffPerMinute, 1),
      maxFrameBytes: int(env, 'LIMIT_FRAME_BYTES', DEFAULT_LIMITS.maxFrameBytes, 1024),
      queuePerPeer: int(env, 'LIMIT_QUEUE_PER_PEER', DEFAULT_LIMITS.queuePerPeer, 1),
      queueTotal: int(env, 'LIMIT_QUEUE_TOTAL', DEFAULT_LIMITS.queueTotal, 1),
      concurrentPeers: int(env, 'LIMIT_PEERS', DEFAULT_LIMITS.concurrentPeers, 1),
      malformedPerMinute: int(env, 'LIMIT_MALFORMED_PER_MINUTE', DEFAULT_LIMITS.malformedPerMinute, 1),
    },
    tokenDays: int(env, 'TOKEN_DAYS', 30, 1),
    aliveTimeoutMs: int(env, 'ALIVE_TIMEOUT_MS', 60_000, 1000),
    expireTimeoutMs: int(env, 'EXPIRE_TIMEOUT_MS', 5000, 100),
    auditMaxBytes: int(env, 'AUDIT_MAX_BYTES', 10 * 1024 * 1024, 1024),
    auditKeep: int(env, 'AUDIT_KEEP', 5, 1),
    logLevel: env.LOG_LEVEL || 'info',
    mapTileUrl,
    redis: redisUrl ? { url: redisUrl, prefix: env.REDIS_PREFIX || 'bfp:' } : null,
    memoryTrim: env.MEMORY_TRIM !== '0' && env.MEMORY_TRIM !== 'false',
  };
}
