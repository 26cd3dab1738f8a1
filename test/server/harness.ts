/**
 * Shared harness for the broker tests: a real server on an ephemeral port and
 * real `ws` clients that speak the PeerJS wire protocol.
 *
 * `startBroker` is the only place a test gets a server. Tests talk to the
 * broker through the returned `Broker` (its `nodes`, `wsUrl`, `http`), so the
 * same suite runs against several nodes: with BROKER_TEST_NODES=2 (the
 * `cluster` vitest project) every broker is two nodes in cluster mode on a
 * fresh real redis-server, and clients are spread over them round robin.
 */
import { execFile } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket, type RawData } from 'ws';
import { afterAll, afterEach } from 'vitest';
import { loadConfig, type Config } from '../../peer-server/config.ts';
import { loadOrCreateSecret } from '../../peer-server/secret.ts';
import { startServer, type RunningServer, type ServerOptions } from '../../peer-server/server.ts';
import { mintToken, type StaffRole } from '../../peer-server/tokens.ts';
import { startRedis } from './cluster/redis-server.ts';

export const BROKER_WS_PATH = '/broker/peerjs';
export const DEFAULT_WAIT_MS = 3000;

/* ------------------------------------------------------------------ */
/* Broker                                                              */
/* ------------------------------------------------------------------ */

export interface BrokerNode {
  running: RunningServer;
  /** http://127.0.0.1:<port> */
  httpUrl: string;
  /** ws://127.0.0.1:<port> */
  wsBase: string;
}

export interface Broker {
  config: Config;
  dataDir: string;
  distDir: string;
  /** The token secret the server signs and checks staff tokens with. */
  secret: Uint8Array;
  nodes: BrokerNode[];
  /** The first node's HTTP origin. */
  httpUrl: string;
  /** The WebSocket URL a PeerJS client would open. `node` picks the node (default: round robin). */
  wsUrl(params: { id: string; token: string; key?: string }, node?: number): string;
  /** fetch() against a node (default the first). */
  http(pathname: string, init?: RequestInit, node?: number): Promise<Response>;
  /** Flushes every node's audit log to disk. */
  flushAudit(): Promise<void>;
  close(): Promise<void>;
}

export interface StartOptions {
  /** Environment overrides, as the server would read them (LIMIT_*, TURN_*, ...). */
  env?: Record<string, string>;
  server?: ServerOptions;
  /** Reuse a data folder (a restart); by default every broker gets a fresh one. */
  dataDir?: string;
}

const brokers = new Set<Broker>();
const clients = new Set<PeerClient>();
const tempDirs: string[] = [];

/** A fresh temporary folder, removed after the test file. */
export function tempDir(prefix = 'bfp-broker-'): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

/** A fake built app: enough for the static-file tests. */
function fakeDist(): string {
  const dir = tempDir('bfp-dist-');
  fs.mkdirSync(path.join(dir, 'assets'));
  fs.writeFileSync(path.join(dir, 'index.html'), '<!doctype html><title>BFP Emergency Voice</title><div id="app"></div>\n');
  fs.writeFileSync(path.join(dir, 'assets', 'x-abc.js'), 'console.log("x");\n');
  fs.writeFileSync(path.join(dir, 'sw.js'), 'self.addEventListener("install", () => {});\n');
  fs.writeFileSync(path.join(dir, 'manifest.webmanifest'), '{"name":"BFP Emergency Voice"}\n');
  return dir;
}

/** Broker nodes per broker: 1, or more in cluster mode (BROKER_TEST_NODES). */
export const NODES = Number(process.env.BROKER_TEST_NODES || '1');

/** Starts a real broker on an ephemeral loopback port, with a fresh data folder and a fake built app. */
export async function startBroker(options: StartOptions = {}): Promise<Broker> {
  const dataDir = options.dataDir ?? tempDir('bfp-data-');
  const distDir = fakeDist();
  const redis = NODES > 1 ? await startRedis() : null;
  const config = loadConfig(
    { PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, DIST_DIR: distDir, LOG_LEVEL: 'silent', ...(redis ? { REDIS_URL: redis.url } : {}), ...options.env },
    process.cwd(),
  );
  // Nodes of one cluster share the data folder: its secret exists before they start.
  loadOrCreateSecret(dataDir);
  const nodes: BrokerNode[] = [];
  for (let n = 0; n < NODES; n++) {
    const running = await startServer(config, options.server);
    nodes.push({ running, httpUrl: `http://127.0.0.1:${running.port}`, wsBase: `ws://127.0.0.1:${running.port}` });
  }
  const node = nodes[0] as BrokerNode;
  let turn = 0;
  const pick = (n?: number): BrokerNode => nodes[(n ?? turn++) % nodes.length] as BrokerNode;
  let closed: Promise<void> | null = null;
  const broker: Broker = {
    config,
    dataDir,
    distDir,
    secret: loadOrCreateSecret(dataDir),
    nodes,
    httpUrl: node.httpUrl,
    wsUrl({ id, token, key = 'peerjs' }, n) {
      const q = new URLSearchParams({ key, id, token });
      return `${pick(n).wsBase}${BROKER_WS_PATH}?${q.toString()}`;
    },
    http(pathname, init, n = 0) {
      return fetch(`${pick(n).httpUrl}${pathname}`, init);
    },
    async flushAudit() {
      await Promise.all(nodes.map((x) => x.running.audit.flush()));
    },
    close() {
      closed ??= (async () => {
        brokers.delete(broker);
        await Promise.all(nodes.map((x) => x.running.close()));
        await redis?.stop();
      })();
      return closed;
    },
  };
  brokers.add(broker);
  return broker;
}

/** Closes every client and broker a test left open. Registered once per test file. */
export async function teardown(): Promise<void> {
  for (const c of clients) c.terminate();
  clients.clear();
  await Promise.all([...brokers].map((b) => b.close()));
}

afterEach(async () => {
  await teardown();
});

afterAll(async () => {
  await teardown();
  for (const dir of tempDirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

/* ------------------------------------------------------------------ */
/* Identities                                                          */
/* ------------------------------------------------------------------ */

export interface Credentials {
  id: string;
  token: string;
}

/** A new citizen device: a random secret and the id derived from it. */
export function citizenCredentials(secret = randomBytes(18).toString('base64url')): Credentials {
  return { id: `c-${createHash('sha256').update(secret).digest('hex').slice(0, 32)}`, token: secret };
}

export function deviceTag(): string {
  return randomBytes(4).toString('hex');
}

export async function staffToken(
  broker: Pick<Broker, 'secret'>,
  role: StaffRole,
  opts: { sub: string; station: string; name?: string; days?: number },
): Promise<string> {
  return mintToken(broker.secret, { role, sub: opts.sub, station: opts.station, name: opts.name ?? `${role} ${opts.sub}`, days: opts.days ?? 1 });
}

export async function stationCredentials(broker: Pick<Broker, 'secret'>, station = 'qc-central', tag = deviceTag()): Promise<Credentials> {
  return { id: `st-${station}-${tag}`, token: await staffToken(broker, 'station', { sub: station, station }) };
}

export async function officerCredentials(broker: Pick<Broker, 'secret'>, sub = 'juan-dela-cruz', station = 'qc-central', tag = deviceTag()): Promise<Credentials> {
  return { id: `of-${sub}-${tag}`, token: await staffToken(broker, 'officer', { sub, station }) };
}

/* ------------------------------------------------------------------ */
/* PeerJS wire-protocol client                                         */
/* ------------------------------------------------------------------ */

export interface ServerMessage {
  type: string;
  src?: string;
  dst?: string;
  payload?: { msg?: string; connectionId?: string; [key: string]: unknown };
}

export interface CloseInfo {
  code: number;
  reason: string;
}

export class PeerClient {
  readonly messages: ServerMessage[] = [];
  readonly closed: Promise<CloseInfo>;
  private consumed = new WeakSet<ServerMessage>();
  private waiters = new Set<() => void>();
  private closeInfo: CloseInfo | null = null;
  private seq = 0;

  private constructor(
    readonly ws: WebSocket,
    readonly id: string,
    readonly token: string,
  ) {
    clients.add(this);
    ws.on('error', () => {
      /* a refused or cut-off client sees errors; the close event tells the story */
    });
    ws.on('message', (data: RawData, isBinary: boolean) => {
      let message: ServerMessage;
      try {
        message = JSON.parse(isBinary ? '"binary"' : Buffer.from(data as Buffer).toString('utf8')) as ServerMessage;
      } catch {
        message = { type: '(not JSON)' };
      }
      this.messages.push(message);
      this.wake();
    });
    this.closed = new Promise((resolve) => {
      ws.once('close', (code, reason) => {
        this.closeInfo = { code, reason: reason.toString() };
        clients.delete(this);
        this.wake();
        resolve(this.closeInfo);
      });
    });
  }

  /** Opens the socket (it may still be refused after the upgrade: see `opened`/`refused`). */
  static async connect(broker: Pick<Broker, 'wsUrl'>, creds: Credentials, opts: { key?: string; headers?: Record<string, string>; node?: number } = {}): Promise<PeerClient> {
    const ws = new WebSocket(broker.wsUrl({ ...creds, ...(opts.key === undefined ? {} : { key: opts.key }) }, opts.node), {
      ...(opts.headers ? { headers: opts.headers } : {}),
      perMessageDeflate: false,
    });
    const client = new PeerClient(ws, creds.id, creds.token);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => reject(new Error(`upgrade refused with HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
    return client;
  }

  get isOpen(): boolean {
    return this.ws.readyState === WebSocket.OPEN;
  }

  get closeCode(): number | null {
    return this.closeInfo?.code ?? null;
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  /** Waits for the next not yet consumed message of this type (and matching `where`), and consumes it. */
  next(type: string, opts: { where?: (m: ServerMessage) => boolean; timeoutMs?: number } = {}): Promise<ServerMessage> {
    const { where = () => true, timeoutMs = DEFAULT_WAIT_MS } = opts;
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.messages.find((m) => m.type === type && !this.consumed.has(m) && where(m));
        if (found) {
          this.consumed.add(found);
          done();
          resolve(found);
        } else if (this.closeInfo) {
          done();
          reject(new Error(`${this.id} was closed (${this.closeInfo.code} ${this.closeInfo.reason}) before a ${type} arrived; got ${this.describe()}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`${this.id}: no ${type} within ${timeoutMs} ms; got ${this.describe()}`));
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      this.waiters.add(check);
      check();
    });
  }

  /** Messages received so far of a type (consumed or not). */
  received(type?: string, where: (m: ServerMessage) => boolean = () => true): ServerMessage[] {
    return this.messages.filter((m) => (type === undefined || m.type === type) && where(m));
  }

  describe(): string {
    return JSON.stringify(this.messages.map((m) => (m.type === 'ERROR' ? `ERROR:${m.payload?.msg ?? ''}` : m.type)));
  }

  /** Resolves once the socket has taken the data (or rejects when it could not). */
  sendRaw(data: string | Buffer, binary = false): Promise<void> {
    return new Promise((resolve, reject) => {
      if (this.ws.readyState !== WebSocket.OPEN) {
        reject(new Error('socket is not open'));
        return;
      }
      this.ws.send(data, { binary }, (err) => (err ? reject(err) : resolve()));
    });
  }

  send(message: object): Promise<void> {
    return this.sendRaw(JSON.stringify(message));
  }

  newConnectionId(prefix = 'mc'): string {
    return `${prefix}_${this.id.slice(-6)}${(this.seq++).toString(36)}${randomBytes(3).toString('hex')}`;
  }

  /** Sends an OFFER the way PeerJS does for a media call; returns its connection id. */
  async offer(dst: string, opts: { connectionId?: string; sdp?: string; metadata?: unknown } = {}): Promise<string> {
    const connectionId = opts.connectionId ?? this.newConnectionId();
    await this.send({
      type: 'OFFER',
      dst,
      payload: { sdp: { type: 'offer', sdp: opts.sdp ?? 'v=0\r\n' }, type: 'media', connectionId, metadata: opts.metadata ?? null },
    });
    return connectionId;
  }

  answer(dst: string, connectionId: string): Promise<void> {
    return this.send({ type: 'ANSWER', dst, payload: { sdp: { type: 'answer', sdp: 'v=0\r\n' }, type: 'media', connectionId } });
  }

  candidate(dst: string, connectionId: string, n = 0): Promise<void> {
    return this.send({
      type: 'CANDIDATE',
      dst,
      payload: { candidate: { candidate: `candidate:${n} 1 udp 2122260223 127.0.0.1 ${50000 + n} typ host`, sdpMid: '0', sdpMLineIndex: 0 }, type: 'media', connectionId },
    });
  }

  heartbeat(): Promise<void> {
    return this.send({ type: 'HEARTBEAT' });
  }

  close(): Promise<CloseInfo> {
    this.ws.close(1000);
    return this.closed;
  }

  /** Drops the TCP connection without a closing handshake, as a phone losing signal would. */
  terminate(): void {
    this.ws.terminate();
  }
}

/** Connects and waits for the broker's OPEN. */
export async function openPeer(broker: Pick<Broker, 'wsUrl'>, creds: Credentials, opts: { headers?: Record<string, string>; node?: number } = {}): Promise<PeerClient> {
  const client = await PeerClient.connect(broker, creds, opts);
  await client.next('OPEN');
  return client;
}

export async function openCitizen(broker: Pick<Broker, 'wsUrl'>, creds = citizenCredentials(), opts: { headers?: Record<string, string>; node?: number } = {}): Promise<PeerClient> {
  return openPeer(broker, creds, opts);
}

export async function openStation(broker: Broker, station = 'qc-central', tag?: string): Promise<PeerClient> {
  return openPeer(broker, await stationCredentials(broker, station, tag));
}

export async function openOfficer(broker: Broker, sub = 'juan-dela-cruz', station = 'qc-central', tag?: string): Promise<PeerClient> {
  return openPeer(broker, await officerCredentials(broker, sub, station, tag));
}

export interface Refusal {
  /** The message of the ERROR frame the broker sent, if any. */
  error: string | null;
  /** The close code. */
  code: number;
  /** Every message that arrived before the close (an OPEN here would be a failure). */
  messages: ServerMessage[];
}

/** Connects with credentials the broker must refuse; resolves with what the client saw. */
export async function connectRefused(broker: Pick<Broker, 'wsUrl'>, creds: Credentials, opts: { key?: string; headers?: Record<string, string>; node?: number } = {}): Promise<Refusal> {
  const client = await PeerClient.connect(broker, creds, opts);
  const { code } = await Promise.race([
    client.closed,
    sleep(DEFAULT_WAIT_MS).then(() => {
      throw new Error(`the broker did not close ${creds.id}; got ${client.describe()}`);
    }),
  ]);
  const error = client.received('ERROR')[0]?.payload?.msg ?? null;
  return { error, code, messages: client.messages };
}

/**
 * A short grace for "nothing arrived" checks. Use it after a sync point (a later
 * message from the same sender has arrived), so the broker has already handled
 * the frame in question and only loopback delivery is left to wait for.
 */
export async function settle(ms = 50): Promise<void> {
  await sleep(ms);
}

type Truthy<T> = Exclude<T, false | null | undefined | 0 | ''>;

/** Polls `check` until it returns a truthy value, and returns that value. */
export async function eventually<T>(check: () => T | Promise<T>, timeoutMs = DEFAULT_WAIT_MS, what = 'condition'): Promise<Truthy<T>> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value) return value as Truthy<T>;
    } catch (err) {
      last = err;
    }
    if (Date.now() > deadline) throw new Error(`${what} not reached within ${timeoutMs} ms${last ? `: ${String(last)}` : ''}`);
    await sleep(20);
  }
}

/* ------------------------------------------------------------------ */
/* Audit log                                                           */
/* ------------------------------------------------------------------ */

export interface AuditLine {
  time: string;
  event: 'offer' | 'connect';
  src: string;
  dst?: string;
  srcRole: string | null;
  dstRole?: string | null;
  ip: string;
  allowed: boolean;
  reason: string;
}

export function readAudit(dataDir: string, file = 'audit.log'): AuditLine[] {
  const full = path.join(dataDir, file);
  if (!fs.existsSync(full)) return [];
  return fs
    .readFileSync(full, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AuditLine);
}

/** Flushes and polls the audit log until a line matches. */
export async function auditLine(broker: Broker, where: (line: AuditLine) => boolean, what = 'audit line'): Promise<AuditLine> {
  return eventually(
    async () => {
      await broker.flushAudit();
      return readAudit(broker.dataDir).find(where);
    },
    DEFAULT_WAIT_MS,
    what,
  );
}

/* ------------------------------------------------------------------ */
/* Admin commands                                                      */
/* ------------------------------------------------------------------ */

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs an admin command the way `npm run <script>` does (tsx on the TypeScript
 * entry), in the repository, with the given environment added.
 */
export function runCli(entry: string, args: string[], env: Record<string, string>): Promise<CliResult> {
  return new Promise((resolve) => {
    execFile(process.execPath, ['--import', 'tsx', entry, ...args], { cwd: process.cwd(), env: { ...process.env, ...env }, timeout: 30_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof err.code === 'number' ? err.code : -1) : 0;
      resolve({ code, stdout, stderr });
    });
  });
}

/* ------------------------------------------------------------------ */
/* Seeded randomness                                                   */
/* ------------------------------------------------------------------ */

/** mulberry32: a small seeded PRNG, so a failing run can be replayed. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
