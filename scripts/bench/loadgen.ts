/**
 * A load-generator process. It holds the bench's client connections (never a
 * broker process) for one or more brokers ("targets") and runs one phase at a
 * time on the bench's command:
 *   open / closeIdle — N idle connections (they only send PeerJS heartbeats)
 *   openPairs        — N sender/receiver pairs
 *   saturate         — every pair keeps a fixed number of messages in flight; deliveries counted in a window
 *   latency          — a fixed send rate spread over the pairs; one-way latency measured on receipt
 * Peer brokers are driven with the `ws` client speaking the PeerJS protocol
 * (citizen → station console CANDIDATE frames, which the project's broker
 * allows); the Socket.io relay with `socket.io-client` and the seed guide's events.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Socket as NetSocket } from 'node:net';
import WebSocket from 'ws';
import { io, type Socket as IoSocket } from 'socket.io-client';
import type { BrokerKind } from './broker-child.ts';
import { serveRpc } from './ipc.ts';

export interface Target {
  kind: BrokerKind;
  port: number;
}

export interface SaturateResult {
  delivered: number;
  windowMs: number;
  workerCpuMicros: number;
  drained: boolean;
}

export interface LatencyResult {
  samples: number[];
  sentInWindow: number;
  lost: number;
  workerCpuMicros: number;
  windowMs: number;
}

interface Conn {
  /** The address others send to: the peer id, or the Socket.io socket id. */
  id: string;
  /** Sends one relayed message (an ICE candidate) to `dst` carrying send time `t`. */
  send(dst: string, t: number): void;
  /** Sends `count` identical messages with as few writes as the client allows. */
  burst(dst: string, count: number): void;
  /** Called per relayed message received; `t()` reads the send time from it. */
  onRelay: (t: () => number) => void;
  heartbeat(): void;
  close(): void;
}

interface Pair {
  sender: Conn;
  receiver: Conn;
  sent: number;
  received: number;
}

interface State {
  target: Target;
  idle: Conn[];
  pairs: Pair[];
}

const worker = Number(process.argv[2]);
const targets = JSON.parse(process.env.BENCH_TARGETS ?? '[]') as Target[];
const stationToken = process.env.BENCH_STATION_TOKEN || 'stock-peer-accepts-any-token';
const ioPolling = process.env.BENCH_IO_POLLING === '1';
const states = new Map<BrokerKind, State>(targets.map((target) => [target.kind, { target, idle: [], pairs: [] }]));

// What a browser's ICE candidate looks like, so frames have a realistic size (~300 bytes relayed).
const CANDIDATE = {
  candidate: 'candidate:1467250027 1 udp 2122260223 192.168.10.196 46243 typ host generation 0 ufrag Xv9q network-id 1 network-cost 10',
  sdpMid: '0',
  sdpMLineIndex: 0,
  usernameFragment: 'Xv9q',
};
const HEARTBEAT = JSON.stringify({ type: 'HEARTBEAT' });

let errors = 0;
let firstError = '';

function noteError(what: string): void {
  errors++;
  if (!firstError) firstError = what;
}

function state(args: Record<string, unknown>): State {
  const found = states.get(args.kind as BrokerKind);
  if (!found) throw new Error(`no target ${String(args.kind)}`);
  return found;
}

function citizen(): { id: string; token: string } {
  const token = randomBytes(16).toString('base64url');
  return { id: `c-${createHash('sha256').update(token).digest('hex').slice(0, 32)}`, token };
}

function peerFrame(dst: string, t: number, connectionId: string): string {
  return JSON.stringify({ type: 'CANDIDATE', dst, payload: { type: 'data', connectionId, candidate: CANDIDATE, t } });
}

/** A PeerJS-protocol client on a plain `ws` socket; resolves on the broker's OPEN. */
function connectPeer(target: Target, id: string, token: string, timeoutMs: number): Promise<Conn> {
  const path = target.kind === 'project' ? '/broker/peerjs' : '/peerjs';
  const url = `ws://127.0.0.1:${target.port}${path}?key=peerjs&id=${encodeURIComponent(id)}&token=${encodeURIComponent(token)}`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    const timer = setTimeout(() => {
      ws.terminate();
      reject(new Error(`no OPEN for ${id} within ${timeoutMs} ms`));
    }, timeoutMs);
    const connectionId = `dc_${randomBytes(6).toString('hex')}`;
    const burstFrames = new Map<string, string>();
    const conn: Conn = {
      id,
      send(dst, t) {
        ws.send(peerFrame(dst, t, connectionId));
      },
      burst(dst, count) {
        let frame = burstFrames.get(dst);
        if (!frame) burstFrames.set(dst, (frame = peerFrame(dst, 0, connectionId)));
        // One writev for the burst, as a busy browser tab's socket would coalesce them.
        const socket = (ws as unknown as { _socket: NetSocket | null })._socket;
        socket?.cork();
        for (let i = 0; i < count; i++) ws.send(frame);
        socket?.uncork();
      },
      onRelay: () => {},
      heartbeat() {
        if (ws.readyState === ws.OPEN) ws.send(HEARTBEAT);
      },
      close() {
        ws.terminate();
      },
    };
    let open = false;
    ws.on('message', (data: Buffer) => {
      if (open) {
        // Relayed frames start with {"type":"CANDIDATE"; anything else is the broker talking back
        // (this project's broker answers each heartbeat, for the app's watchdog: that is expected).
        if (data[9] === 0x43 /* C */) conn.onRelay(() => (JSON.parse(data.toString()) as { payload: { t: number } }).payload.t);
        else if (data.length !== HEARTBEAT.length || data.toString() !== HEARTBEAT) noteError(`${id} got ${data.toString().slice(0, 160)}`);
        return;
      }
      const message = JSON.parse(data.toString()) as { type: string; payload?: { msg?: string } };
      clearTimeout(timer);
      if (message.type === 'OPEN') {
        open = true;
        resolve(conn);
      } else {
        ws.terminate();
        reject(new Error(`${id}: ${message.type} ${message.payload?.msg ?? ''}`));
      }
    });
    ws.on('error', (err) => {
      clearTimeout(timer);
      if (!open) reject(err);
      else noteError(`${id}: ${err.message}`);
    });
    ws.on('close', () => {
      if (!open) {
        clearTimeout(timer);
        reject(new Error(`${id}: closed before OPEN`));
      }
    });
  });
}

/** A seed-guide client (socket.io-client); resolves once it is on the WebSocket transport. */
function connectIo(target: Target, timeoutMs: number): Promise<Conn> {
  return new Promise((resolve, reject) => {
    // forceNew: one connection per person, as with one browser each (not multiplexed in one process).
    // WebSocket from the start unless asked: the default long-polling handshake and upgrade cost about
    // four more HTTP requests per client, too slow for 2,000 clients here; the server holds the same
    // state once upgraded.
    const socket: IoSocket = io(`http://127.0.0.1:${target.port}`, ioPolling ? { forceNew: true } : { forceNew: true, transports: ['websocket'] });
    const timer = setTimeout(() => {
      socket.disconnect();
      reject(new Error(`socket.io client not connected within ${timeoutMs} ms`));
    }, timeoutMs);
    const conn: Conn = {
      id: '',
      send(dst, t) {
        socket.emit('ice-candidate', { to: dst, candidate: { ...CANDIDATE, t } });
      },
      burst(dst, count) {
        // socket.io-client buffers emits and flushes them together.
        for (let i = 0; i < count; i++) socket.emit('ice-candidate', { to: dst, candidate: CANDIDATE });
      },
      onRelay: () => {},
      heartbeat() {},
      close() {
        socket.io.reconnection(false);
        socket.disconnect();
      },
    };
    socket.on('ice-candidate', (data: { candidate: { t?: number } }) => conn.onRelay(() => data.candidate.t ?? 0));
    socket.on('connect', () => {
      conn.id = socket.id ?? '';
      const done = () => {
        clearTimeout(timer);
        resolve(conn);
      };
      if (socket.io.engine.transport.name === 'websocket') done();
      else socket.io.engine.once('upgrade', done);
    });
  });
}

function connect(target: Target, role: 'citizen' | 'station', index: number, timeoutMs = 20_000): Promise<Conn> {
  if (target.kind === 'socketio') return connectIo(target, timeoutMs);
  if (role === 'station') return connectPeer(target, `st-qc-central-w${worker}p${index}`, stationToken, timeoutMs);
  const c = citizen();
  return connectPeer(target, c.id, c.token, timeoutMs);
}

/** Runs `count` connects, at most `concurrency` at a time. */
async function openMany<T>(count: number, concurrency: number, make: (i: number) => Promise<T>): Promise<T[]> {
  const out = new Array<T>(count);
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      out[i] = await make(i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return out;
}

// PeerJS clients send a heartbeat every 5 s; so do these (the Socket.io engine pings on its own).
const heartbeat = setInterval(() => {
  for (const s of states.values()) {
    for (const conn of s.idle) conn.heartbeat();
    for (const pair of s.pairs) {
      pair.sender.heartbeat();
      pair.receiver.heartbeat();
    }
  }
}, 5000);
heartbeat.unref();

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function cpuMicros(): number {
  const u = process.cpuUsage();
  return u.user + u.system;
}

async function open(args: Record<string, unknown>): Promise<{ opened: number; ms: number }> {
  const s = state(args);
  const started = performance.now();
  const conns = await openMany(Number(args.count), 64, () => connect(s.target, 'citizen', 0));
  s.idle.push(...conns);
  return { opened: conns.length, ms: performance.now() - started };
}

function closeIdle(args: Record<string, unknown>): { closed: number } {
  const s = state(args);
  const n = s.idle.length;
  for (const conn of s.idle.splice(0)) conn.close();
  return { closed: n };
}

async function openPairs(args: Record<string, unknown>): Promise<{ pairs: number }> {
  const s = state(args);
  const made = await openMany(Number(args.count), 16, async (i) => {
    const receiver = await connect(s.target, 'station', i);
    const sender = await connect(s.target, 'citizen', i);
    return { sender, receiver, sent: 0, received: 0 } satisfies Pair;
  });
  s.pairs.push(...made);
  return { pairs: s.pairs.length };
}

async function drain(pairs: Pair[], maxMs: number): Promise<boolean> {
  const until = performance.now() + maxMs;
  while (performance.now() < until) {
    if (pairs.every((p) => p.received >= p.sent)) return true;
    await sleep(20);
  }
  return false;
}

function resetPairs(pairs: Pair[]): void {
  for (const pair of pairs) {
    pair.sent = 0;
    pair.received = 0;
    pair.receiver.onRelay = () => {};
  }
}

async function saturate(args: Record<string, unknown>): Promise<SaturateResult> {
  const { pairs } = state(args);
  const warmupMs = Number(args.warmupMs);
  const windowMs = Number(args.windowMs);
  const inFlight = Number(args.inFlight);
  resetPairs(pairs);
  let running = true;
  let delivered = 0;
  const refillAt = Math.max(1, inFlight >> 2);
  const pump = (pair: Pair) => {
    const room = inFlight - (pair.sent - pair.received);
    // Refill in batches of a quarter window, so a burst costs one write.
    if (!running || room < refillAt) return;
    pair.sent += room;
    pair.sender.burst(pair.receiver.id, room);
  };
  for (const pair of pairs) {
    pair.receiver.onRelay = () => {
      pair.received++;
      delivered++;
      pump(pair);
    };
  }
  for (const pair of pairs) pump(pair);
  await sleep(warmupMs);
  const d0 = delivered;
  const c0 = cpuMicros();
  const t0 = performance.now();
  await sleep(windowMs);
  const d1 = delivered;
  const c1 = cpuMicros();
  const t1 = performance.now();
  running = false;
  const drained = await drain(pairs, 3000);
  resetPairs(pairs);
  return { delivered: d1 - d0, windowMs: t1 - t0, workerCpuMicros: c1 - c0, drained };
}

async function latency(args: Record<string, unknown>): Promise<LatencyResult> {
  const { pairs } = state(args);
  const rate = Number(args.rate); // messages per second from this worker
  const warmupMs = Number(args.warmupMs);
  const windowMs = Number(args.windowMs);
  if (pairs.length === 0) throw new Error('no pairs');
  resetPairs(pairs);
  const samples: number[] = [];
  const start = performance.now();
  const windowStart = start + warmupMs;
  const windowEnd = windowStart + windowMs;
  for (const pair of pairs) {
    pair.receiver.onRelay = (t) => {
      const now = performance.now();
      pair.received++;
      const sentAt = t();
      if (sentAt >= windowStart && sentAt < windowEnd) samples.push(now - sentAt);
    };
  }
  let c0 = 0;
  let sent = 0;
  let sentInWindow = 0;
  let next = 0;
  // Open loop: every tick sends what the clock says is due, round-robin over the pairs.
  for (;;) {
    const now = performance.now();
    if (now >= windowEnd) break;
    if (c0 === 0 && now >= windowStart) c0 = cpuMicros();
    let budget = Math.min(Math.floor(((now - start) / 1000) * rate) - sent, 1000);
    while (budget-- > 0) {
      const t = performance.now();
      if (t >= windowEnd) break;
      const pair = pairs[next]!;
      next = (next + 1) % pairs.length;
      pair.sent++;
      sent++;
      if (t >= windowStart) sentInWindow++;
      pair.sender.send(pair.receiver.id, t);
    }
    await sleep(1);
  }
  const c1 = cpuMicros();
  await drain(pairs, 3000);
  resetPairs(pairs);
  return { samples, sentInWindow, lost: sentInWindow - samples.length, workerCpuMicros: c1 - c0, windowMs };
}

function status(): { errors: number; firstError: string } {
  return { errors, firstError };
}

serveRpc({ open, closeIdle, openPairs, saturate, latency, status }, { pid: process.pid });
