/**
 * The broker of `npm run bench:load`, in its own process: this project's
 * startServer with the configuration from the environment (loadConfig), from
 * the compiled peer-server in BENCH_SERVER_DIR, run as plain JavaScript like
 * `npm start` runs it (no TypeScript loader whose own heap would blur RSS).
 * Its log goes to BENCH_BROKER_LOG. Answers over IPC:
 *   mem       memory after a full GC (with --expose-gc), or as it is (gc: false)
 *   stats     peers held, event-loop delay since the last reset, active handles
 *   snapshot  a V8 heap snapshot to the given file (investigation only)
 * Exits when the bench goes away.
 */
import fs from 'node:fs';
import { PerformanceObserver, constants, monitorEventLoopDelay } from 'node:perf_hooks';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import v8 from 'node:v8';
import pino from 'pino';
import { serveRpc } from './ipc.ts';

export interface BrokerMem {
  /** VmRSS from /proc/self/status, bytes. */
  rss: number;
  heapTotal: number;
  heapUsed: number;
  external: number;
  arrayBuffers: number;
  /** V8 heap spaces: committed bytes by name. */
  spaces: Record<string, number>;
  /** Resident bytes by kind of mapping (/proc/self/smaps): malloc's main heap, other anonymous memory, files. */
  maps: { brkHeap: number; anonymous: number; files: number };
}

/** Resident memory by mapping kind: [heap] is glibc malloc's main arena; V8's pages and other arenas are anonymous. */
function residentByMapping(): BrokerMem['maps'] {
  const maps = { brkHeap: 0, anonymous: 0, files: 0 };
  let kind: keyof typeof maps = 'anonymous';
  for (const line of fs.readFileSync('/proc/self/smaps', 'utf8').split('\n')) {
    const head = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ (\d+)\s*(.*)$/.exec(line);
    if (head) {
      const name = head[2] ?? '';
      kind = name === '[heap]' ? 'brkHeap' : name.startsWith('/') ? 'files' : 'anonymous';
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) maps[kind] += Number(rss[1]) * 1024;
  }
  return maps;
}

export interface BrokerStats {
  peers: number;
  /** Garbage-collection pauses since the last reset: count, total and longest (ms), the longest full (mark-compact) one. */
  gc: { count: number; totalMs: number; maxMs: number; maxMajorMs: number };
  /** Event-loop delay since the last reset, ms. */
  eld: { p50: number; p99: number; max: number; count: number };
  handles: number;
}

interface ProjectServer {
  loadConfig(env: Record<string, string | undefined>): { logLevel: string };
  startServer(config: unknown, options: { log: unknown }): Promise<{ port: number; registry: { size(): number } }>;
}

const gc = (globalThis as { gc?: () => void }).gc;
const dir = process.env.BENCH_SERVER_DIR;
if (!dir) throw new Error('BENCH_SERVER_DIR is not set');
const { loadConfig } = (await import(pathToFileURL(path.join(dir, 'peer-server/config.js')).href)) as Pick<ProjectServer, 'loadConfig'>;
const { startServer } = (await import(pathToFileURL(path.join(dir, 'peer-server/server.js')).href)) as Pick<ProjectServer, 'startServer'>;
const config = loadConfig(process.env);
const logFile = process.env.BENCH_BROKER_LOG;
const log = logFile ? pino({ level: config.logLevel, base: null }, pino.destination({ dest: logFile, sync: false, mkdir: true })) : pino({ level: config.logLevel, base: null });
const running = await startServer(config, { log });

const eld = monitorEventLoopDelay({ resolution: 5 });
eld.enable();
let gcStats: BrokerStats['gc'] = { count: 0, totalMs: 0, maxMs: 0, maxMajorMs: 0 };
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gcStats.count++;
    gcStats.totalMs += entry.duration;
    gcStats.maxMs = Math.max(gcStats.maxMs, entry.duration);
    if ((entry as unknown as { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MAJOR) gcStats.maxMajorMs = Math.max(gcStats.maxMajorMs, entry.duration);
  }
}).observe({ entryTypes: ['gc'] });

function vmRss(): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  return m ? Number(m[1]) * 1024 : process.memoryUsage().rss;
}

async function mem(args: Record<string, unknown>): Promise<BrokerMem> {
  if (args.gc !== false) {
    for (let i = 0; i < 3; i++) {
      gc?.();
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
  const { heapTotal, heapUsed, external, arrayBuffers } = process.memoryUsage();
  const spaces = Object.fromEntries(v8.getHeapSpaceStatistics().map((s) => [s.space_name, s.physical_space_size]));
  return { rss: vmRss(), heapTotal, heapUsed, external, arrayBuffers, spaces, maps: residentByMapping() };
}

function stats(args: Record<string, unknown>): BrokerStats {
  const ms = (ns: number) => (Number.isFinite(ns) ? ns / 1e6 : 0);
  const result: BrokerStats = {
    peers: running.registry.size(),
    gc: gcStats,
    eld: { p50: ms(eld.percentile(50)), p99: ms(eld.percentile(99)), max: ms(eld.max), count: eld.count },
    handles: (process as unknown as { _getActiveHandles(): unknown[] })._getActiveHandles().length,
  };
  if (args.reset) {
    eld.reset();
    gcStats = { count: 0, totalMs: 0, maxMs: 0, maxMajorMs: 0 };
  }
  return result;
}

function snapshot(args: Record<string, unknown>): { file: string } {
  gc?.();
  return { file: v8.writeHeapSnapshot(String(args.file)) };
}

serveRpc({ mem, stats, snapshot }, { port: running.port, pid: process.pid });
