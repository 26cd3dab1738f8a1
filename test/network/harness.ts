/**
 * The network-fault harness: the real server as a child process (so it can be
 * SIGKILLed and restarted on the same port with the same data folder), a real
 * coturn on 127.0.0.1, and iptables rules that break the network on purpose.
 *
 * Every test of this project runs inside a loopback-only network namespace
 * (`unshare -n`, see scripts/test.mjs and ./global-setup.ts): the iptables
 * rules made here touch nobody else's network. The firewall refuses to add a
 * rule anywhere else.
 *
 *   let h: NetHarness;
 *   beforeAll(async () => { h = await startNetHarness({ env: { TURN_URLS: …, TURN_SECRET: … } }); });
 *   afterEach(() => h.firewall.reset());
 *   afterAll(() => h?.close());
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import dgram from 'node:dgram';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { Browser } from 'playwright-core';
import { ROOT, launchBrowser, sitePeople, type Site } from '../e2e/harness.ts';
import { pageReport, recorderScript } from './calls.ts';

/** The interfaces of this process's network namespace (from /proc/self/net/dev, which follows the namespace). */
export function interfaces(): string[] {
  return fs
    .readFileSync('/proc/self/net/dev', 'utf8')
    .split('\n')
    .slice(2)
    .map((line) => line.split(':')[0]?.trim() ?? '')
    .filter(Boolean);
}

export const NAMESPACE_HINT = "run `npm test` or `npm run test:network` as root (they wrap vitest in: unshare -n sh -c 'ip link set lo up && exec npx vitest run --project network')";

/** Throws unless this process sits in a network namespace whose only interface is `lo`. */
export function assertLoopbackOnly(): void {
  const found = interfaces();
  if (found.length !== 1 || found[0] !== 'lo') {
    throw new Error(`network tests must run in a loopback-only network namespace, but this one has: ${found.join(', ')} — ${NAMESPACE_HINT}`);
  }
}

function canListen(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const probe = net.createServer();
    probe.unref();
    probe.once('error', () => resolve(false));
    probe.listen(port, '127.0.0.1', () => probe.close(() => resolve(true)));
  });
}

/**
 * A TCP port nobody listens on right now, below Linux's ephemeral range
 * (32768+): a server restarted on it after a SIGKILL never finds it taken by
 * some browser's outgoing connection.
 */
export async function freePort(): Promise<number> {
  for (let i = 0; i < 50; i++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (await canListen(port)) return port;
  }
  throw new Error('no free port between 20000 and 32000');
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Children still running: killed when this worker exits, so a crashed run leaves no server or relay behind. */
const live = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of live) child.kill('SIGKILL');
});

function adopt(child: ChildProcess): ChildProcess {
  live.add(child);
  child.once('exit', () => live.delete(child));
  return child;
}

/** Keeps the last `max` characters a child wrote, for error messages. */
function tail(child: ChildProcess, max = 8000): () => string {
  let text = '';
  const keep = (chunk: Buffer) => {
    text = (text + chunk.toString()).slice(-max);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  return () => text;
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once('exit', () => resolve()));
}

/** Sends SIGTERM, then SIGKILL if the child is still there after `graceMs`. */
async function terminate(child: ChildProcess, graceMs = 3000): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited(child);
  clearTimeout(timer);
}

// ---------------------------------------------------------------------------
// The server, as a child process

export interface ServerProcess {
  port: number;
  origin: string;
  dataDir: string;
  /** The current child's pid (changes on restart). */
  readonly pid: number | undefined;
  readonly running: boolean;
  /** Kills the process at once (no shutdown code runs) and waits until it is gone. */
  kill(signal?: NodeJS.Signals): Promise<void>;
  /** Starts it again: same port, same data folder, same environment. */
  restart(): Promise<void>;
  /** What the process wrote last (stdout and stderr). */
  output(): string;
  /** Stops it (SIGTERM, then SIGKILL). */
  stop(): Promise<void>;
}

export interface ServerProcessOptions {
  /** Extra environment: TURN_URLS, TURN_SECRET, LIMIT_*, … */
  env?: Record<string, string>;
  port?: number;
  dataDir?: string;
}

const SERVER_MAIN = path.join(ROOT, 'build', 'server', 'peer-server', 'main.js');

/** `node build/server/peer-server/main.js` on 127.0.0.1:<port>, serving dist/, ready when /api/health answers. */
export async function startServerProcess(options: ServerProcessOptions = {}): Promise<ServerProcess> {
  if (!fs.existsSync(SERVER_MAIN)) throw new Error(`${SERVER_MAIN} is missing: run npm run build`);
  const port = options.port ?? (await freePort());
  const dataDir = options.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'bfp-net-'));
  const origin = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: process.env.HOME ?? os.tmpdir(),
    HOST: '127.0.0.1',
    PORT: String(port),
    DATA_DIR: dataDir,
    DIST_DIR: path.join(ROOT, 'dist'),
    LOG_LEVEL: 'warn',
    ...options.env,
  };
  let child: ChildProcess | null = null;
  let output: () => string = () => '';

  const spawnOnce = async () => {
    const proc = adopt(spawn(process.execPath, [SERVER_MAIN], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] }));
    child = proc;
    output = tail(proc);
    const deadline = Date.now() + 20_000;
    for (;;) {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        throw new Error(`the server exited (${proc.exitCode ?? proc.signalCode}) before it was ready:\n${output()}`);
      }
      try {
        const res = await fetch(`${origin}/api/health`, { signal: AbortSignal.timeout(1000) });
        if (res.ok) return;
      } catch {
        // Not listening yet.
      }
      if (Date.now() > deadline) {
        proc.kill('SIGKILL');
        throw new Error(`the server did not answer ${origin}/api/health within 20 s:\n${output()}`);
      }
      await sleep(100);
    }
  };

  await spawnOnce();
  return {
    port,
    origin,
    dataDir,
    get pid() {
      return child?.pid;
    },
    get running() {
      return child !== null && child.exitCode === null && child.signalCode === null;
    },
    async kill(signal: NodeJS.Signals = 'SIGKILL') {
      if (!child) return;
      child.kill(signal);
      await exited(child);
    },
    async restart() {
      if (child && child.exitCode === null && child.signalCode === null) throw new Error('restart: the server is still running');
      await spawnOnce();
    },
    output: () => output(),
    async stop() {
      if (child) await terminate(child);
    },
  };
}

// ---------------------------------------------------------------------------
// coturn

export interface Coturn {
  port: number;
  /** For TURN_URLS. */
  url: string;
  secret: string;
  realm: string;
  output(): string;
  stop(): Promise<void>;
}

/** A STUN binding request answered on 127.0.0.1:port: the relay is up. */
function stunAnswers(port: number, timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = dgram.createSocket('udp4');
    const request = Buffer.alloc(20);
    request.writeUInt16BE(0x0001, 0); // Binding request
    request.writeUInt16BE(0, 2);
    request.writeUInt32BE(0x2112a442, 4); // magic cookie
    randomBytes(12).copy(request, 8);
    const done = (ok: boolean) => {
      clearTimeout(timer);
      socket.close();
      resolve(ok);
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on('message', (msg) => done(msg.length >= 20 && msg.readUInt16BE(0) === 0x0101 && msg.subarray(8, 20).equals(request.subarray(8, 20))));
    socket.on('error', () => done(false));
    socket.send(request, port, '127.0.0.1');
  });
}

/**
 * coturn on 127.0.0.1 with the flags TESTING.md found working: a small relay
 * port range, loopback peers allowed (tests only), time-limited credentials
 * from the shared secret, no TLS/DTLS/CLI, fingerprints.
 */
export async function startCoturn(options: { secret?: string; realm?: string } = {}): Promise<Coturn> {
  const port = await freePort();
  const secret = options.secret ?? randomBytes(16).toString('hex');
  const realm = options.realm ?? 'bfp.test';
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'bfp-coturn-'));
  // A relay range of its own, away from the listening port.
  const minPort = 40_000 + Math.floor(Math.random() * 400) * 50;
  const args = [
    '-n',
    '--listening-ip=127.0.0.1',
    '--relay-ip=127.0.0.1',
    `--listening-port=${port}`,
    `--min-port=${minPort}`,
    `--max-port=${minPort + 49}`,
    `--realm=${realm}`,
    '--use-auth-secret',
    `--static-auth-secret=${secret}`,
    '--no-tls',
    '--no-dtls',
    '--no-cli',
    '--fingerprint',
    '--allow-loopback-peers',
    '--verbose',
    '--log-file=stdout',
    '--simple-log',
    `--pidfile=${path.join(dir, 'turnserver.pid')}`,
    `--userdb=${path.join(dir, 'turndb')}`,
  ];
  const child = adopt(spawn('turnserver', args, { stdio: ['ignore', 'pipe', 'pipe'] }));
  const output = tail(child, 20_000);
  const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
  const stop = async () => {
    await terminate(child);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const deadline = Date.now() + 10_000;
  for (;;) {
    const failed = await Promise.race([spawnError, sleep(0).then(() => null)]);
    if (failed) throw new Error(`could not start turnserver (apt-get install -y coturn): ${failed.message}`);
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`turnserver exited (${child.exitCode ?? child.signalCode}):\n${output()}`);
    if (await stunAnswers(port)) break;
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`turnserver did not answer STUN on 127.0.0.1:${port} within 10 s:\n${output()}`);
    }
    await sleep(100);
  }
  return { port, url: `turn:127.0.0.1:${port}?transport=udp`, secret, realm, output, stop };
}

// ---------------------------------------------------------------------------
// iptables

/**
 * iptables rules in this namespace's filter table. Each rule added is
 * remembered and `reset()` removes them all (and flushes whatever is left),
 * so an afterEach leaves a clean network even when a test failed half-way.
 */
export class Firewall {
  private readonly rules: { table: 'filter' | 'mangle'; rule: string[] }[] = [];

  private iptables(args: string[]): string {
    // Never touch a namespace that is not the private, loopback-only one.
    assertLoopbackOnly();
    try {
      return execFileSync('iptables', ['-w', ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(`iptables ${args.join(' ')} failed: ${e.stderr?.trim() || e.message}`, { cause: err });
    }
  }

  /** Appends one rule to the filter table, e.g. add('INPUT', '-p', 'udp', '-j', 'DROP'). */
  add(chain: 'INPUT' | 'OUTPUT', ...spec: string[]): void {
    this.addTo('filter', [chain, ...spec]);
  }

  private addTo(table: 'filter' | 'mangle', rule: string[]): void {
    this.iptables(['-t', table, '-A', ...rule]);
    this.rules.push({ table, rule });
  }

  private remove(table: 'filter' | 'mangle', rule: string[]): void {
    const i = this.rules.findIndex((r) => r.table === table && r.rule.join(' ') === rule.join(' '));
    if (i >= 0) this.rules.splice(i, 1);
    this.iptables(['-t', table, '-D', ...rule]);
  }

  /** Every UDP packet dropped, both ways: the media path is cut, the broker's WebSocket (TCP) keeps working. */
  dropAllUdp(): void {
    this.add('INPUT', '-p', 'udp', '-j', 'DROP');
    this.add('OUTPUT', '-p', 'udp', '-j', 'DROP');
  }

  /** Lets UDP through again (the rules of dropAllUdp removed). */
  allowUdp(): void {
    this.remove('filter', ['INPUT', '-p', 'udp', '-j', 'DROP']);
    this.remove('filter', ['OUTPUT', '-p', 'udp', '-j', 'DROP']);
  }

  /** Every UDP packet from or to these ports dropped: an address that is gone for good (a phone that changed networks). */
  dropUdpPorts(ports: number[]): void {
    for (const port of ports) {
      this.add('INPUT', '-p', 'udp', '--sport', String(port), '-j', 'DROP');
      this.add('INPUT', '-p', 'udp', '--dport', String(port), '-j', 'DROP');
    }
  }

  /**
   * Each UDP packet dropped with `probability` (the statistic match). On
   * loopback every packet crosses INPUT exactly once, so this is the loss
   * each direction of a call sees.
   */
  udpLoss(probability: number): void {
    this.add('INPUT', '-p', 'udp', '-m', 'statistic', '--mode', 'random', '--probability', String(probability), '-j', 'DROP');
  }

  /**
   * From now on, marks (conntrack) every WebSocket to `serverPort` whose
   * upgrade request contains `text` — e.g. the broker socket's `&id=st-…`.
   * Only the upgrade request can match: a plain HTTP request that happens to
   * carry the same text (the ICE fetch's `?id=st-…`) travels on a keep-alive
   * connection the browser may reuse for the next page load, and must not be
   * swallowed with the socket. Returns a function that stops marking new ones.
   */
  markWebSockets(serverPort: number, text: string, mark: number): () => void {
    const rule = [
      'OUTPUT', '-p', 'tcp', '--dport', String(serverPort),
      '-m', 'string', '--algo', 'bm', '--string', text,
      '-m', 'string', '--algo', 'bm', '--icase', '--string', 'upgrade: websocket',
      '-j', 'CONNMARK', '--set-mark', String(mark),
    ];
    this.addTo('mangle', rule);
    return () => this.remove('mangle', rule);
  }

  /** Drops every packet, both ways, of the connections marked with `mark`: their far end never hears them close. */
  dropMarked(mark: number): void {
    this.add('INPUT', '-m', 'connmark', '--mark', String(mark), '-j', 'DROP');
  }

  /** Packets the DROP rules in force dropped so far. */
  droppedPackets(): number {
    let total = 0;
    for (const chain of ['INPUT', 'OUTPUT']) {
      const lines = this.iptables(['-L', chain, '-n', '-v', '-x']).split('\n').slice(2);
      for (const line of lines) {
        const fields = line.trim().split(/\s+/);
        if (fields[2] === 'DROP') total += Number(fields[0]) || 0;
      }
    }
    return total;
  }

  /** Removes every rule this firewall added; flushes anything left over. */
  reset(): void {
    for (const { table, rule } of this.rules.splice(0).reverse()) {
      try {
        this.iptables(['-t', table, '-D', ...rule]);
      } catch {
        // Flushed below.
      }
    }
    for (const table of ['filter', 'mangle']) {
      if (this.iptables(['-t', table, '-S']).split('\n').some((line) => line.startsWith('-A '))) this.iptables(['-t', table, '-F']);
    }
  }

  /** The rules now in force, for error messages. */
  list(): string {
    return ['filter', 'mangle'].map((table) => this.iptables(['-t', table, '-S']).trim()).join('\n');
  }
}

// ---------------------------------------------------------------------------
// The whole set

export interface NetHarness extends Site {
  server: ServerProcess;
  browser: Browser;
  firewall: Firewall;
  /**
   * For afterEach: lifts every fault (firewall rules; a killed server is
   * started again), prints what each page showed over time when the test
   * failed, and closes every person's context.
   */
  endTest(failed: boolean): Promise<void>;
  close(): Promise<void>;
}

export interface NetHarnessOptions {
  /** Extra server environment (TURN_URLS, TURN_SECRET, …). */
  env?: Record<string, string>;
  chromiumArgs?: string[];
}

export async function startNetHarness(options: NetHarnessOptions = {}): Promise<NetHarness> {
  assertLoopbackOnly();
  const cleanups: (() => Promise<unknown> | unknown)[] = [];
  const firewall = new Firewall();
  const close = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) {
      try {
        await cleanup();
      } catch (err) {
        console.warn('network teardown:', err);
      }
    }
  };
  try {
    cleanups.push(() => firewall.reset());
    const server = await startServerProcess(options.env ? { env: options.env } : {});
    cleanups.push(() => fs.rmSync(server.dataDir, { recursive: true, force: true }));
    cleanups.push(() => server.stop());
    const browser = await launchBrowser(options.chromiumArgs);
    cleanups.push(() => browser.close());
    const people = sitePeople(browser, server.origin, server.dataDir);
    const newContext: Site['newContext'] = async (contextOptions) => {
      const context = await people.newContext(contextOptions);
      // Every page notes what it shows over time, for the failure report (see recorderScript).
      await context.addInitScript(recorderScript);
      return context;
    };
    const endTest = async (failed: boolean) => {
      firewall.reset();
      const contexts = browser.contexts();
      if (failed) {
        const reports = await Promise.all(contexts.flatMap((c) => c.pages()).map((page) => pageReport(page)));
        console.log(`[net] what each page showed (the test failed):\n${reports.join('\n')}\n[net] server output:\n${server.output()}`);
      }
      await Promise.all(contexts.map((c) => c.close().catch(() => undefined)));
      if (!server.running) await server.restart();
    };
    return { server, browser, firewall, origin: server.origin, ...people, newContext, endTest, close };
  } catch (err) {
    await close();
    throw err;
  }
}
