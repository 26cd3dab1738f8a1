/**
 * A real redis-server for the cluster tests: on a free loopback port, with no
 * persistence, in its own temporary folder. Never skipped: without the
 * program the tests fail with a one-line instruction.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

export const REDIS_HINT = 'redis-server is not installed: run `apt-get install -y redis-server` (Debian), or set REDIS_SERVER_PATH';

/** $REDIS_SERVER_PATH, else redis-server on the PATH; throws the one-line instruction when there is none. */
export function findRedisServer(env: NodeJS.ProcessEnv = process.env): string {
  const candidates = [env.REDIS_SERVER_PATH, ...(env.PATH ?? '').split(':').map((dir) => path.join(dir, 'redis-server')), '/usr/bin/redis-server', '/usr/sbin/redis-server'];
  for (const candidate of candidates) {
    if (!candidate) continue;
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // Not this one.
    }
  }
  throw new Error(REDIS_HINT);
}

/** A port nobody listens on now, below Linux's ephemeral range, so a restart on it finds it free. */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    const free = await new Promise<boolean>((resolve) => {
      const probe = net.createServer();
      probe.unref();
      probe.once('error', () => resolve(false));
      probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error('no free port between 20000 and 32000');
}

export interface RedisServer {
  url: string;
  port: number;
  /** The process id of the running server (for CPU readings). */
  readonly pid: number | undefined;
  readonly running: boolean;
  /** Stops it at once (SIGKILL: all data is gone, as after a crash) and waits until it has exited. */
  kill(): Promise<void>;
  /** Starts it again on the same port, empty. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

export async function startRedis(): Promise<RedisServer> {
  const program = findRedisServer();
  const port = await freePort();
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bfp-redis-'));
  let child: ChildProcess | null = null;
  let log = '';

  const start = async () => {
    const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir, '--daemonize', 'no', '--protected-mode', 'yes', '--loglevel', 'warning'];
    const proc = spawn(program, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    live.add(proc);
    proc.once('exit', () => live.delete(proc));
    proc.stdout?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
    proc.stderr?.on('data', (chunk: Buffer) => (log = (log + chunk.toString()).slice(-4000)));
    child = proc;
    const deadline = Date.now() + 10_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`redis-server exited with ${proc.exitCode}: ${log}`);
      const up = await new Promise<boolean>((resolve) => {
        const socket = net.connect(port, '127.0.0.1');
        socket.once('connect', () => {
          socket.write('PING\r\n');
        });
        socket.once('data', (data) => {
          socket.destroy();
          resolve(data.toString().startsWith('+PONG'));
        });
        socket.once('error', () => resolve(false));
      });
      if (up) return;
      if (Date.now() > deadline) throw new Error(`redis-server did not answer on port ${port}: ${log}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  };

  const exited = () =>
    new Promise<void>((resolve) => {
      if (!child || child.exitCode !== null || child.signalCode !== null) resolve();
      else child.once('exit', () => resolve());
    });

  await start();
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    get pid() {
      return child?.pid;
    },
    get running() {
      return child !== null && child.exitCode === null && child.signalCode === null;
    },
    async kill() {
      child?.kill('SIGKILL');
      await exited();
    },
    start,
    async stop() {
      child?.kill('SIGKILL');
      await exited();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}
