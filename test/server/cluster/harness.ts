/**
 * Several broker nodes as separate processes (so one can be SIGKILLed or
 * frozen with SIGSTOP), sharing one data folder and one real redis-server.
 * The returned cluster works with the broker harness's clients:
 * `openCitizen(cluster, creds, { node: 2 })`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach } from 'vitest';
import { loadOrCreateSecret } from '../../../peer-server/secret.ts';
import { PING_INTERVAL_MS, Watchdog } from '../../../src/client/peer/watchdog.ts';
import { BROKER_WS_PATH, tempDir, type Broker, type PeerClient } from '../harness.ts';
import { freePort, startRedis, type RedisServer } from './redis-server.ts';

const ROOT = path.resolve(import.meta.dirname, '..', '..', '..');
const MAIN = path.join(ROOT, 'peer-server', 'main.ts');

export interface NodeProcess {
  port: number;
  httpUrl: string;
  readonly running: boolean;
  /** Sends a signal (SIGKILL: gone at once; SIGSTOP/SIGCONT: frozen and thawed). Waits for the exit on SIGKILL. */
  signal(signal: NodeJS.Signals): Promise<void>;
  output(): string;
}

export interface TestCluster extends Pick<Broker, 'secret' | 'wsUrl' | 'dataDir'> {
  redis: RedisServer;
  nodes: NodeProcess[];
  /** fetch() against a node. */
  http(pathname: string, node: number, init?: RequestInit): Promise<Response>;
  close(): Promise<void>;
}

const running = new Set<TestCluster>();
const children = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of children) child.kill('SIGKILL');
});

afterEach(async () => {
  await Promise.all([...running].map((c) => c.close()));
});

function fakeDist(): string {
  const dir = tempDir('bfp-dist-');
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>BFP Emergency Voice</title><div id="app"></div>\n');
  return dir;
}

async function startNode(env: Record<string, string>): Promise<NodeProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: process.env.HOME ?? '/tmp', HOST: '127.0.0.1', PORT: String(port), LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.add(child);
  child.once('exit', () => children.delete(child));
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-8000));
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const httpUrl = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`broker node exited with ${child.exitCode}:\n${output}`);
    const ok = await fetch(`${httpUrl}/api/health`, { signal: AbortSignal.timeout(1000) }).then(
      (res) => res.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) throw new Error(`broker node on ${port} did not answer within 30 s:\n${output}`);
    await sleep(100);
  }
  const exited = () => new Promise<void>((resolve) => (child.exitCode !== null || child.signalCode !== null ? resolve() : child.once('exit', () => resolve())));
  return {
    port,
    httpUrl,
    get running() {
      return child.exitCode === null && child.signalCode === null;
    },
    async signal(signal) {
      child.kill(signal);
      if (signal === 'SIGKILL' || signal === 'SIGTERM') await exited();
    },
    output: () => output,
  };
}

/** Starts redis-server and `count` broker nodes on it (REDIS_URL), each on its own loopback port. */
export async function startCluster(count = 3, env: Record<string, string> = {}): Promise<TestCluster> {
  const redis = await startRedis();
  const dataDir = tempDir('bfp-cluster-');
  const secret = loadOrCreateSecret(dataDir);
  const nodeEnv = { DATA_DIR: dataDir, DIST_DIR: fakeDist(), REDIS_URL: redis.url, ...env };
  const started = await Promise.allSettled(Array.from({ length: count }, () => startNode(nodeEnv)));
  const nodes = started.flatMap((s) => (s.status === 'fulfilled' ? [s.value] : []));
  const failed = started.find((s) => s.status === 'rejected');
  if (failed) {
    for (const node of nodes) await node.signal('SIGKILL');
    await redis.stop();
    throw failed.reason;
  }
  let closed: Promise<void> | null = null;
  const cluster: TestCluster = {
    redis,
    nodes,
    secret,
    dataDir,
    wsUrl({ id, token, key = 'peerjs' }, node = 0) {
      const q = new URLSearchParams({ key, id, token });
      return `ws://127.0.0.1:${(nodes[node] as NodeProcess).port}${BROKER_WS_PATH}?${q.toString()}`;
    },
    http(pathname, node, init) {
      return fetch(`${(nodes[node] as NodeProcess).httpUrl}${pathname}`, init);
    },
    close() {
      closed ??= (async () => {
        running.delete(cluster);
        for (const node of nodes) {
          if (!node.running) continue;
          await node.signal('SIGCONT');
          await node.signal('SIGKILL');
        }
        await redis.stop();
      })();
      return closed;
    },
  };
  running.add(cluster);
  return cluster;
}

/**
 * Keeps a client alive the way the app does: heartbeats every PING_INTERVAL_MS,
 * and the app's own Watchdog on whatever the broker sends back. Resolves when
 * the watchdog finds the broker silent (the client's socket is dropped then).
 */
export function silentBroker(client: PeerClient): { silent: Promise<void>; stop(): void } {
  let stop = () => undefined as void;
  const silent = new Promise<void>((resolve) => {
    const dog = new Watchdog(() => {
      stop();
      client.terminate();
      resolve();
    });
    const onMessage = () => dog.heard();
    client.ws.on('message', onMessage);
    const beat = setInterval(() => void client.heartbeat().catch(() => undefined), PING_INTERVAL_MS);
    dog.start();
    stop = () => {
      clearInterval(beat);
      dog.stop();
      client.ws.off('message', onMessage);
    };
  });
  return { silent, stop: () => stop() };
}
