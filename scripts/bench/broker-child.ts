/**
 * One broker in its own process, so its RSS and CPU time are its own:
 *   project  — this project's server: startServer with the configuration from the environment,
 *              from the compiled peer-server in BENCH_SERVER_DIR (see compile.ts)
 *   stock    — stock `peer` 1.0.2, PeerServer with default options
 *   socketio — the seed guide's Socket.io relay
 * Answers `mem` (after a full GC) and `cpu` over IPC; exits when the bench goes away.
 * The bench runs it compiled to JavaScript, without a TypeScript loader (see compile.ts).
 */
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { PeerServer } from 'peer';
import { serveRpc } from './ipc.ts';
import { startSeedRelay } from './socketio-relay.ts';

export type BrokerKind = 'project' | 'stock' | 'socketio';

export interface MemReading {
  rss: number;
  heapUsed: number;
}

export interface CpuReading {
  /** Microseconds of user + system time since the process started. */
  cpuMicros: number;
  systemMicros: number;
  /** performance.now() of the broker at the reading, in ms. */
  at: number;
}

const gc = (globalThis as { gc?: () => void }).gc;

/** What the bench uses of peer-server/config.ts and peer-server/server.ts (loaded at run time from BENCH_SERVER_DIR). */
interface ProjectServer {
  loadConfig(env: Record<string, string | undefined>): unknown;
  startServer(config: unknown): Promise<{ port: number }>;
}

async function start(kind: BrokerKind): Promise<number> {
  if (kind === 'project') {
    const dir = process.env.BENCH_SERVER_DIR;
    if (!dir) throw new Error('BENCH_SERVER_DIR is not set');
    const { loadConfig } = (await import(pathToFileURL(path.join(dir, 'peer-server/config.js')).href)) as Pick<ProjectServer, 'loadConfig'>;
    const { startServer } = (await import(pathToFileURL(path.join(dir, 'peer-server/server.js')).href)) as Pick<ProjectServer, 'startServer'>;
    const running = await startServer(loadConfig(process.env));
    return running.port;
  }
  if (kind === 'stock') {
    return new Promise<number>((resolve) => {
      const broker = PeerServer({ port: 0, host: '127.0.0.1' }, (server) => resolve((server.address() as AddressInfo).port));
      // Stock default options; only keep a stray client error from ending the bench with a stack trace.
      broker.on('error', (err: unknown) => console.error('stock peer error:', err instanceof Error ? err.message : err));
    });
  }
  const relay = await startSeedRelay(0, '127.0.0.1');
  return relay.port;
}

/** RSS and heap after full collections, once RSS has settled (V8 returns freed pages from background threads). */
async function mem(): Promise<MemReading> {
  let last = -1;
  for (let i = 0; i < 12; i++) {
    gc?.();
    await new Promise((resolve) => setTimeout(resolve, 100));
    const { rss } = process.memoryUsage();
    if (i >= 2 && Math.abs(rss - last) < 64 * 1024) break;
    last = rss;
  }
  const { rss, heapUsed } = process.memoryUsage();
  return { rss, heapUsed };
}

function cpu(): CpuReading {
  const usage = process.cpuUsage();
  return { cpuMicros: usage.user + usage.system, systemMicros: usage.system, at: performance.now() };
}

const kind = process.argv[2] as BrokerKind;
if (kind !== 'project' && kind !== 'stock' && kind !== 'socketio') throw new Error(`unknown broker kind ${String(kind)}`);
const port = await start(kind);
serveRpc({ mem, cpu }, { port, pid: process.pid });
