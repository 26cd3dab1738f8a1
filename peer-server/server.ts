/**
 * One HTTP(S) server on one port: the app, the JSON API and the broker.
 * Upgrades are routed here: /broker/peerjs goes through the guard to the stock
 * PeerServer; the dev server's hot reload is left to Vite; anything else is refused.
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import express, { type Express } from 'express';
import { ExpressPeerServer } from 'peer';
import pino, { type Logger } from 'pino';
import type { Config } from './config.ts';
import { loadOrCreateSecret } from './secret.ts';
import { openAudit, type Audit } from './broker/audit.ts';
import { createGuard, type Guard } from './broker/guard.ts';
import { memoryLimits, type LimitCounters } from './broker/limits.ts';
import { LocalRegistry, type Registry } from './broker/registry.ts';
import { startCluster, type Cluster } from './cluster/index.ts';
import { loadDirectory, watchDirectory, type StoredDirectory } from './directory-store.ts';
import { directoryHandler } from './api/directory.ts';
import { presenceHandler } from './api/presence.ts';
import { iceHandler } from './api/ice.ts';
import { healthHandler } from './api/health.ts';
import { configHandler } from './api/config.ts';
import { contentSecurityPolicy, serveApp } from './static.ts';
import { loadMallocTrim, startMemoryTrim } from './memory-trim.ts';

export const BROKER_PATH = '/broker';
export const BROKER_KEY = 'peerjs';
const VERSION = '0.1.0';

export interface RunningServer {
  url: string;
  port: number;
  registry: Registry;
  /** Cluster mode's state (REDIS_URL set); null for one process. */
  cluster: Cluster | null;
  audit: Audit;
  log: Logger;
  close(): Promise<void>;
}

export interface ServerOptions {
  /** Adds development middleware (Vite) before the built app is served. */
  beforeStatic?: (app: Express, server: http.Server | https.Server) => Promise<void>;
  /** True when something else (Vite's hot reload) answers some upgrades. */
  sharedUpgrades?: boolean;
  log?: Logger;
  registry?: Registry;
  counters?: LimitCounters;
}

export async function startServer(config: Config, options: ServerOptions = {}): Promise<RunningServer> {
  const log = options.log ?? pino({ level: config.logLevel, base: null });
  const secret = loadOrCreateSecret(config.dataDir);
  const registry = options.registry ?? new LocalRegistry();
  const cluster = config.redis
    ? await startCluster({ ...config.redis, limits: config.limits, expireTimeoutMs: config.expireTimeoutMs, registry, log })
    : null;
  let directory: StoredDirectory = loadDirectory(config.dataDir);
  const stopWatching = watchDirectory(
    config.dataDir,
    (next) => {
      if (next.etag !== directory.etag) log.info({ version: next.directory.version }, 'directory updated');
      directory = next;
    },
    (err) => log.error({ err: String(err) }, 'directory file is broken; still serving the last good one'),
  );
  const audit = openAudit(config.dataDir, config.auditMaxBytes, config.auditKeep);
  const guard: Guard = createGuard(
    {
      secret,
      key: BROKER_KEY,
      limits: config.limits,
      counters: options.counters ?? cluster?.counters ?? memoryLimits(config.limits),
      registry,
      audit,
      log,
      expireTimeoutMs: config.expireTimeoutMs,
      ...(cluster ? { remote: cluster.peers } : {}),
    },
    config.trustProxy,
  );

  const app = express();
  app.disable('x-powered-by');
  if (config.trustProxy) app.set('trust proxy', true);
  const server = config.tls
    ? https.createServer({ cert: fs.readFileSync(config.tls.cert), key: fs.readFileSync(config.tls.key) }, app)
    : http.createServer(app);

  const csp = contentSecurityPolicy(config.mapTileUrl);
  app.use((_req, res, next) => {
    res.setHeader('Content-Security-Policy', csp);
    res.setHeader('X-Content-Type-Options', 'nosniff');
    res.setHeader('Referrer-Policy', 'no-referrer');
    res.setHeader('Permissions-Policy', 'microphone=(self), geolocation=(self), camera=()');
    next();
  });

  const peerServer = ExpressPeerServer(server, {
    key: BROKER_KEY,
    path: '/',
    alive_timeout: config.aliveTimeoutMs,
    expire_timeout: config.expireTimeoutMs,
    // The guard enforces the real limit with a clear message; this is a backstop.
    concurrent_limit: config.limits.concurrentPeers + 1000,
    allow_discovery: false,
    proxied: config.trustProxy,
    corsOptions: { origin: false },
    createWebSocketServer: () => guard.wss,
  });
  peerServer.on('error', (err: Error) => log.warn({ err: err.message }, 'broker error'));
  app.use(BROKER_PATH, peerServer);

  app.get('/api/directory', directoryHandler(() => directory));
  app.get('/api/presence', (req, res, next) => {
    presenceHandler(registry, secret, cluster)(req, res).catch(next);
  });
  app.get('/api/ice', iceHandler(config.turn));
  const health = healthHandler(registry, Date.now(), VERSION, cluster);
  app.get('/api/health', (req, res, next) => {
    health(req, res).catch(next);
  });
  app.get('/api/config', configHandler(config.mapTileUrl));
  app.use('/api', (_req, res) => {
    res.status(404).json({ error: 'No such API endpoint.' });
  });

  if (options.beforeStatic) await options.beforeStatic(app, server);
  serveApp(app, config.distDir);

  const stopTrim = startMemoryTrim({ peers: () => registry.size(), trim: config.memoryTrim ? loadMallocTrim() : null });

  const wsPath = `${BROKER_PATH}/${BROKER_KEY}`;
  server.on('upgrade', (req, socket, head) => {
    const pathname = (req.url ?? '').split('?')[0];
    if (pathname === wsPath) {
      guard.handleUpgrade(req, socket, head);
      return;
    }
    if (options.sharedUpgrades && String(req.headers['sec-websocket-protocol'] ?? '').includes('vite-hmr')) return;
    socket.on('error', () => socket.destroy());
    socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\nContent-Length: 0\r\n\r\n');
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const scheme = config.tls ? 'https' : 'http';
  const url = config.publicUrl ?? `${scheme}://localhost:${port}`;

  let closing: Promise<void> | null = null;
  return {
    url,
    port,
    registry,
    cluster,
    audit,
    log,
    close() {
      closing ??= (async () => {
        stopWatching();
        stopTrim();
        // Hand this node's ids back while Redis is still connected; the clients then reconnect elsewhere.
        await cluster?.close();
        guard.close();
        server.closeAllConnections?.();
        await new Promise<void>((resolve) => server.close(() => resolve()));
        await audit.close();
      })();
      return closing;
    },
  };
}
