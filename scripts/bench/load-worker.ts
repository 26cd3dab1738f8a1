/**
 * A load-generator process of `npm run bench:load` (never the broker's
 * process). Clients are plain `ws` sockets speaking the PeerJS protocol, bound
 * to a loopback source address each (`localAddress`), so the broker's per-IP
 * limits see them as coming from different networks. One role per process:
 *
 *   idle   connected citizens that only send {"type":"HEARTBEAT"} every 4 s, as the app's PeerJS does
 *          (the broker answers each one: the app's watchdog listens for that answer)
 *   calls  station consoles and citizens; call setups at a fixed rate: the citizen's OFFER and
 *          CANDIDATEs to a console, the console's ANSWER and CANDIDATEs back. Both ends live in
 *          this process, so one clock times every relayed frame (one-way) and every setup
 *   abuse  abusive clients: malformed frames, over-limit and forbidden OFFERs, oversized frames,
 *          reconnecting when cut off (with a new identity for some), counting what comes back
 *
 * Every loop is bounded and stops on the bench's command; the process exits when the bench goes away.
 */
import { createHash, randomBytes } from 'node:crypto';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import WebSocket from 'ws';
import { serveRpc } from './ipc.ts';
// The app's own heartbeat interval: the idle peers send what its PeerJS sends.
import { PING_INTERVAL_MS } from '../../src/client/peer/watchdog.ts';

export type Role = 'idle' | 'calls' | 'abuse';

export interface Summary {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface OpenResult {
  opened: number;
  failed: number;
  firstError: string;
  ms: number;
}

/** What well-behaved peers saw that they should not have. */
export interface Unexpected {
  /** Frames other than the ones a call produces, by type (EXPIRE, ERROR…). */
  frames: Record<string, number>;
  /** Sockets closed while they should have stayed, by close code. */
  closes: Record<string, number>;
  /** Frames from abusive clients that reached a citizen (must be 0: citizens may only signal consoles). */
  abuseToCitizens: number;
  /** CANDIDATEs of refused abusive OFFERs that reached a console (must be 0). */
  abuseCandidatesLeaked: number;
}

export interface CallsResult {
  started: number;
  completed: number;
  timedOut: number;
  setup: Summary;
  relay: Summary;
  relayByType: Record<string, Summary>;
  /** Abusive OFFERs delivered to the consoles during this run (within the per-citizen limit). */
  abuseOffersDelivered: number;
  /** Event-loop delay of this load generator during the run (ms): how much of the latency is ours. */
  eld: Summary;
  cpuMicros: number;
  ms: number;
}

export interface AbuseCounters {
  clients: number;
  byBehaviour: Record<string, number>;
  connections: { attempts: number; opened: number; refused: Record<string, number>; failed: Record<string, number> };
  sent: { malformed: number; oversize: number; offersToConsoles: number; offersForbidden: number; candidates: number; skippedBackpressure: number };
  received: {
    expireFromConsoles: number;
    expireForbidden: number;
    errorMalformed: number;
    cutMalformed: number;
    errorOther: Record<string, number>;
    other: Record<string, number>;
  };
  closes: Record<string, number>;
}

const role = process.argv[2] as Role;
const port = Number(process.env.BENCH_PORT);
if (!['idle', 'calls', 'abuse'].includes(role) || !port) throw new Error('usage: load-worker.ts idle|calls|abuse with BENCH_PORT set');

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const HEARTBEAT = JSON.stringify({ type: 'HEARTBEAT' });

function citizen(): { id: string; token: string } {
  const token = randomBytes(18).toString('base64url');
  return { id: `c-${createHash('sha256').update(token).digest('hex').slice(0, 32)}`, token };
}

function summarize(values: number[]): Summary {
  const sorted = Float64Array.from(values).sort();
  const at = (p: number) => (sorted.length ? (sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] as number) : NaN);
  return { count: sorted.length, p50: at(50), p90: at(90), p99: at(99), max: sorted.length ? (sorted[sorted.length - 1] as number) : NaN };
}

function bump(record: Record<string, number>, key: string, n = 1): void {
  record[key] = (record[key] ?? 0) + n;
}

/* ------------------------------------------------------------------ */
/* Connecting                                                          */
/* ------------------------------------------------------------------ */

interface Conn {
  id: string;
  ws: WebSocket;
  /** Set once OPEN arrived; cleared by the bench when it closes the socket on purpose. */
  expected: boolean;
}

type Refusal = { kind: 'refused'; reason: string } | { kind: 'failed'; reason: string };

/**
 * Opens a PeerJS connection from `localAddress`; resolves on the broker's OPEN, rejects with a
 * Refusal (an ERROR frame before OPEN, a close, a socket error or a timeout).
 */
function connect(id: string, token: string, localAddress: string, onFrame: (data: Buffer) => void, onClose: (code: number) => void, timeoutMs = 15_000): Promise<Conn> {
  const url = `ws://127.0.0.1:${port}/broker/peerjs?key=peerjs&id=${encodeURIComponent(id)}&token=${encodeURIComponent(token)}`;
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false, localAddress, handshakeTimeout: timeoutMs });
    const conn: Conn = { id, ws, expected: false };
    let settled = false;
    const fail = (r: Refusal) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      ws.terminate();
      reject(r);
    };
    const timer = setTimeout(() => fail({ kind: 'failed', reason: 'no OPEN in time' }), timeoutMs);
    ws.on('message', (data: Buffer) => {
      if (settled) {
        onFrame(data);
        return;
      }
      const text = data.toString();
      if (text.startsWith('{"type":"OPEN"')) {
        settled = true;
        clearTimeout(timer);
        conn.expected = true;
        resolve(conn);
        return;
      }
      let msg = text.slice(0, 80);
      try {
        msg = (JSON.parse(text) as { payload?: { msg?: string } }).payload?.msg ?? msg;
      } catch {
        // Keep the raw start.
      }
      fail({ kind: 'refused', reason: msg });
    });
    ws.on('error', (err) => {
      if (settled) return;
      // A refusal before the upgrade (HTTP 429 once an address has been told it is over its limit).
      const status = /Unexpected server response: (\d+)/.exec(err.message)?.[1];
      if (status) fail({ kind: 'refused', reason: `HTTP ${status} before the upgrade` });
      else fail({ kind: 'failed', reason: err.message.replace(/\d+\.\d+\.\d+\.\d+:\d+/g, '<addr>') });
    });
    ws.on('close', (code) => {
      if (!settled) fail({ kind: 'failed', reason: `closed ${code} before OPEN` });
      else onClose(code);
    });
  });
}

async function openMany<T>(count: number, concurrency: number, make: (i: number) => Promise<T>): Promise<{ made: T[]; failed: number; firstError: string }> {
  const made: T[] = [];
  let failed = 0;
  let firstError = '';
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const i = next++;
      try {
        made.push(await make(i));
      } catch (err) {
        failed++;
        firstError ||= (err as Refusal).reason ?? String(err);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, lane));
  return { made, failed, firstError };
}

/** Heartbeats at the app's interval per connection, spread evenly (PeerJS starts its timer at its own open). */
const beating: Conn[] = [];
let beatAt = 0;
const BEAT_TICK_MS = 100;
const heartbeats = setInterval(() => {
  const slice = Math.ceil(beating.length / (PING_INTERVAL_MS / BEAT_TICK_MS));
  for (let i = 0; i < slice && beating.length > 0; i++) {
    beatAt = (beatAt + 1) % beating.length;
    const conn = beating[beatAt] as Conn;
    if (conn.ws.readyState === WebSocket.OPEN) conn.ws.send(HEARTBEAT);
  }
}, BEAT_TICK_MS);

/** The broker's answer to a heartbeat: expected, counted, and not a relayed frame. */
let heartbeatAnswers = 0;
function isHeartbeatAnswer(data: Buffer): boolean {
  if (data.length !== HEARTBEAT.length || data.toString('latin1') !== HEARTBEAT) return false;
  heartbeatAnswers++;
  return true;
}
heartbeats.unref();

const unexpected: Unexpected = { frames: {}, closes: {}, abuseToCitizens: 0, abuseCandidatesLeaked: 0 };

function frameType(data: Buffer): string {
  const m = /^\{"type":"([A-Z-]{1,12})"/.exec(data.subarray(0, 24).toString('latin1'));
  return m ? (m[1] as string) : '?';
}

function closeAll(conns: Conn[]): number {
  for (const c of conns) {
    c.expected = false;
    c.ws.terminate();
  }
  beating.length = 0;
  return conns.length;
}

/* ------------------------------------------------------------------ */
/* idle                                                                */
/* ------------------------------------------------------------------ */

const idle: Conn[] = [];

function watchWellBehaved(conn: () => Conn | undefined, isCitizen: boolean) {
  return {
    onFrame: (data: Buffer) => {
      if (isHeartbeatAnswer(data)) return;
      const type = frameType(data);
      if (isCitizen && data.includes('"connectionId":"ab_')) unexpected.abuseToCitizens++;
      else bump(unexpected.frames, type);
    },
    onClose: (code: number) => {
      if (conn()?.expected) bump(unexpected.closes, String(code));
    },
  };
}

async function openIdle(args: Record<string, unknown>): Promise<OpenResult> {
  const count = Number(args.count);
  const addresses = args.addresses as string[];
  const started = performance.now();
  const result = await openMany(count, 48, async (i) => {
    const c = citizen();
    const ref: { conn?: Conn } = {};
    const w = watchWellBehaved(() => ref.conn, true);
    ref.conn = await connect(c.id, c.token, addresses[i % addresses.length] as string, w.onFrame, w.onClose);
    return ref.conn;
  });
  idle.push(...result.made);
  beating.push(...result.made);
  return { opened: result.made.length, failed: result.failed, firstError: result.firstError, ms: performance.now() - started };
}

/* ------------------------------------------------------------------ */
/* calls                                                               */
/* ------------------------------------------------------------------ */

// Sizes as a browser's: an Opus-only offer with a data channel is ~2.5 KB, the answer ~1.8 KB, a candidate ~300 B.
const OFFER_SDP = `v=0\r\no=- 4611731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n${'a=x-pad:offer-body-of-a-realistic-size\r\n'.repeat(60)}`;
const ANSWER_SDP = `v=0\r\no=- 7301731400430051336 2 IN IP4 127.0.0.1\r\ns=-\r\nt=0 0\r\n${'a=x-pad:answer-body-realistic-size\r\n'.repeat(45)}`;
const CANDIDATE = {
  candidate: 'candidate:1467250027 1 udp 2122260223 192.168.10.196 46243 typ host generation 0 ufrag Xv9q network-id 1 network-cost 10',
  sdpMid: '0',
  sdpMLineIndex: 0,
  usernameFragment: 'Xv9q',
};
const CANDIDATES_PER_SIDE = 3;
const SETUP_TIMEOUT_MS = 5000;

interface Pending {
  start: number;
  answered: boolean;
  atCitizen: number;
  atConsole: number;
}

const consoles: Conn[] = [];
const callers: Conn[] = [];
const pending = new Map<string, Pending>();
/** Abusive connection ids whose OFFER reached a console (bounded: cleared when large). */
const abuseDelivered = new Set<string>();
let abuseOffersDelivered = 0;
let setupSamples: number[] = [];
let relaySamples: Record<string, number[]> = {};
let completed = 0;
let timedOut = 0;

function parseT(data: Buffer): { type: string; src: string; connectionId: string; t: number } | null {
  try {
    const m = JSON.parse(data.toString()) as { type: string; src: string; payload?: { connectionId?: string; t?: number } };
    return { type: m.type, src: m.src, connectionId: m.payload?.connectionId ?? '', t: m.payload?.t ?? NaN };
  } catch {
    return null;
  }
}

function complete(connectionId: string, p: Pending, now: number): void {
  if (p.answered && p.atCitizen >= CANDIDATES_PER_SIDE && p.atConsole >= CANDIDATES_PER_SIDE) {
    setupSamples.push(now - p.start);
    completed++;
    pending.delete(connectionId);
  }
}

function send(conn: Conn, message: object): void {
  if (conn.ws.readyState === WebSocket.OPEN) conn.ws.send(JSON.stringify(message));
}

function onConsoleFrame(self: () => Conn | undefined) {
  return (data: Buffer) => {
    const now = performance.now();
    if (isHeartbeatAnswer(data)) return;
    const f = parseT(data);
    if (!f) return bump(unexpected.frames, 'not JSON');
    if (f.connectionId.startsWith('ab_')) {
      if (f.type === 'OFFER') {
        abuseOffersDelivered++;
        if (abuseDelivered.size > 100_000) abuseDelivered.clear();
        abuseDelivered.add(f.connectionId);
      } else if (!abuseDelivered.has(f.connectionId)) unexpected.abuseCandidatesLeaked++;
      return;
    }
    const p = pending.get(f.connectionId);
    if (f.type !== 'OFFER' && f.type !== 'CANDIDATE') return bump(unexpected.frames, f.type);
    (relaySamples[f.type] ??= []).push(now - f.t);
    if (!p) return;
    const me = self() as Conn;
    if (f.type === 'OFFER') {
      const t = performance.now();
      send(me, { type: 'ANSWER', dst: f.src, payload: { type: 'media', connectionId: f.connectionId, sdp: { type: 'answer', sdp: ANSWER_SDP }, t } });
      for (let i = 0; i < CANDIDATES_PER_SIDE; i++) send(me, { type: 'CANDIDATE', dst: f.src, payload: { type: 'media', connectionId: f.connectionId, candidate: CANDIDATE, t } });
    } else {
      p.atConsole++;
      complete(f.connectionId, p, now);
    }
  };
}

function onCallerFrame(data: Buffer): void {
  const now = performance.now();
  if (isHeartbeatAnswer(data)) return;
  if (data.includes('"connectionId":"ab_')) {
    unexpected.abuseToCitizens++;
    return;
  }
  const f = parseT(data);
  if (!f) return bump(unexpected.frames, 'not JSON');
  if (f.type !== 'ANSWER' && f.type !== 'CANDIDATE') return bump(unexpected.frames, f.type);
  (relaySamples[f.type] ??= []).push(now - f.t);
  const p = pending.get(f.connectionId);
  if (!p) return;
  if (f.type === 'ANSWER') p.answered = true;
  else p.atCitizen++;
  complete(f.connectionId, p, now);
}

async function openCalls(args: Record<string, unknown>): Promise<OpenResult> {
  const started = performance.now();
  const addresses = args.addresses as string[];
  const list = args.consoles as { id: string; token: string }[];
  const c = await openMany(list.length, 16, async (i) => {
    const ref: { conn?: Conn } = {};
    const w = watchWellBehaved(() => ref.conn, false);
    ref.conn = await connect((list[i] as { id: string }).id, (list[i] as { token: string }).token, addresses[i % addresses.length] as string, onConsoleFrame(() => ref.conn), w.onClose);
    return ref.conn;
  });
  consoles.push(...c.made);
  const z = await openMany(Number(args.citizens), 32, async (i) => {
    const who = citizen();
    const ref: { conn?: Conn } = {};
    const w = watchWellBehaved(() => ref.conn, true);
    ref.conn = await connect(who.id, who.token, addresses[(i + list.length) % addresses.length] as string, onCallerFrame, w.onClose);
    return ref.conn;
  });
  callers.push(...z.made);
  beating.push(...c.made, ...z.made);
  return { opened: c.made.length + z.made.length, failed: c.failed + z.failed, firstError: c.firstError || z.firstError, ms: performance.now() - started };
}

/** Call setups at `rate` per second for `ms` (open loop: the schedule does not wait for the broker). */
async function runCalls(args: Record<string, unknown>): Promise<CallsResult> {
  const rate = Number(args.rate);
  const ms = Number(args.ms);
  if (consoles.length === 0 || callers.length === 0) throw new Error('no consoles or callers connected');
  setupSamples = [];
  relaySamples = {};
  completed = 0;
  timedOut = 0;
  abuseOffersDelivered = 0;
  const eld = monitorEventLoopDelay({ resolution: 5 });
  eld.enable();
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  let started = 0;
  let next = 0;
  for (;;) {
    const now = performance.now();
    if (now - start >= ms) break;
    const due = Math.min(Math.floor(((now - start) / 1000) * rate) - started, 50);
    for (let i = 0; i < due; i++) {
      const from = callers[next % callers.length] as Conn;
      const to = consoles[next % consoles.length] as Conn;
      next++;
      started++;
      const connectionId = `mc_${randomBytes(8).toString('hex')}`;
      const t = performance.now();
      pending.set(connectionId, { start: t, answered: false, atCitizen: 0, atConsole: 0 });
      send(from, { type: 'OFFER', dst: to.id, payload: { type: 'media', connectionId, sdp: { type: 'offer', sdp: OFFER_SDP }, metadata: { name: 'Bench caller' }, t } });
      for (let k = 0; k < CANDIDATES_PER_SIDE; k++) send(from, { type: 'CANDIDATE', dst: to.id, payload: { type: 'media', connectionId, candidate: CANDIDATE, t } });
    }
    // Setups that took too long count as failed.
    for (const [id, p] of pending) {
      if (now - p.start <= SETUP_TIMEOUT_MS) continue;
      pending.delete(id);
      timedOut++;
    }
    await sleep(5);
  }
  const cpu = process.cpuUsage(cpu0);
  // Let the last setups finish (bounded).
  const until = performance.now() + SETUP_TIMEOUT_MS;
  while (pending.size > 0 && performance.now() < until) await sleep(20);
  timedOut += pending.size;
  pending.clear();
  eld.disable();
  const ns = (x: number) => x / 1e6;
  return {
    started,
    completed,
    timedOut,
    setup: summarize(setupSamples),
    relay: summarize(Object.values(relaySamples).flat()),
    relayByType: Object.fromEntries(Object.entries(relaySamples).map(([k, v]) => [k, summarize(v)])),
    abuseOffersDelivered,
    eld: { count: eld.count, p50: ns(eld.percentile(50)), p90: ns(eld.percentile(90)), p99: ns(eld.percentile(99)), max: ns(eld.max) },
    cpuMicros: cpu.user + cpu.system,
    ms,
  };
}

/* ------------------------------------------------------------------ */
/* abuse                                                               */
/* ------------------------------------------------------------------ */

const BEHAVIOURS = ['malformed', 'over-limit-offers', 'forbidden-offers', 'rotating-oversize'] as const;
type Behaviour = (typeof BEHAVIOURS)[number];

const abuse: AbuseCounters = {
  clients: 0,
  byBehaviour: {},
  connections: { attempts: 0, opened: 0, refused: {}, failed: {} },
  sent: { malformed: 0, oversize: 0, offersToConsoles: 0, offersForbidden: 0, candidates: 0, skippedBackpressure: 0 },
  received: { expireFromConsoles: 0, expireForbidden: 0, errorMalformed: 0, cutMalformed: 0, errorOther: {}, other: {} },
  closes: {},
};
let abuseRunning = false;
const abuseLoops: Promise<void>[] = [];
const abuseSockets = new Set<WebSocket>();

const JUNK: (string | Buffer)[] = [
  '{"type":"OFFER","dst":"st-',
  'not json at all',
  Buffer.from([0xde, 0xad, 0xbe, 0xef, 0x00, 0x01]),
  '{"type":"NOT-A-TYPE","dst":"st-x-abcd"}',
  '{"type":"OFFER"}',
  '{"type":"OFFER","dst":"st-x-abcd","payload":"not an object"}',
  '[1,2,3]',
  '{"type":"CANDIDATE","dst":""}',
  `[${'['.repeat(1500)}${']'.repeat(1500)}]`,
  `{"type":"OFFER","dst":"st-x-abcd","payload":{"sdp":"${'y'.repeat(4000)}"`,
];
const SDP_JUNK = 'v=0\r\n' + 'a=junk-offer-line-to-look-like-sdp\r\n'.repeat(55);
const OVERSIZE = JSON.stringify({ type: 'OFFER', dst: 'st-x-abcd', payload: { sdp: 'z'.repeat(70 * 1024) } });

async function abuseClient(index: number, behaviour: Behaviour, address: string, rate: number, reconnectMs: number, targets: { consoles: string[]; citizens: string[] }): Promise<void> {
  let identity = citizen();
  let serial = 0;
  while (abuseRunning) {
    if (behaviour === 'rotating-oversize') identity = citizen();
    abuse.connections.attempts++;
    let closed!: () => void;
    const done = new Promise<void>((resolve) => (closed = resolve));
    let conn: Conn;
    try {
      conn = await connect(
        identity.id,
        identity.token,
        address,
        (data) => {
          const type = frameType(data);
          if (type === 'EXPIRE') {
            if (data.includes('"src":"st-')) abuse.received.expireFromConsoles++;
            else abuse.received.expireForbidden++;
          } else if (type === 'ERROR') {
            const text = data.toString();
            if (text.includes('Malformed message')) abuse.received.errorMalformed++;
            else if (text.includes('Too many malformed')) abuse.received.cutMalformed++;
            else bump(abuse.received.errorOther, (/"msg":"([^"]{0,60})/.exec(text)?.[1] ?? text.slice(0, 60)) as string);
          } else bump(abuse.received.other, type);
        },
        (code) => {
          // Closes after the run ended are our own.
          if (abuseRunning) bump(abuse.closes, String(code));
          closed();
        },
        5000,
      );
    } catch (err) {
      const r = err as Refusal;
      bump(r.kind === 'refused' ? abuse.connections.refused : abuse.connections.failed, r.reason);
      await sleep(reconnectMs + Math.random() * reconnectMs);
      continue;
    }
    abuse.connections.opened++;
    abuseSockets.add(conn.ws);
    const ws = conn.ws;
    const perTick = Math.max(1, Math.round(rate / 20));
    let sentOnThis = 0;
    // A CANDIDATE always follows an OFFER sent on this same connection (the guard judges it by that OFFER).
    let lastOffer = '';
    let lastDst = '';
    const frame = (): string | Buffer => {
      serial++;
      const connectionId = `ab_${index}_${serial}`;
      if (behaviour === 'malformed') {
        abuse.sent.malformed++;
        return JUNK[serial % JUNK.length] as string | Buffer;
      }
      // The rotating client floods OFFERs too, then sends one frame over the size cap.
      if (behaviour === 'rotating-oversize' && sentOnThis >= 40) {
        abuse.sent.oversize++;
        return OVERSIZE;
      }
      const forbidden = behaviour === 'forbidden-offers';
      const dst = forbidden ? [targets.citizens[serial % targets.citizens.length], 'of-someone-abcd', 'nobody', 'c-0000'][serial % 4] : targets.consoles[serial % targets.consoles.length];
      if (lastOffer) {
        abuse.sent.candidates++;
        const candidate = JSON.stringify({ type: 'CANDIDATE', dst: lastDst, payload: { type: 'media', connectionId: lastOffer, candidate: CANDIDATE } });
        lastOffer = '';
        return candidate;
      }
      if (forbidden) abuse.sent.offersForbidden++;
      else abuse.sent.offersToConsoles++;
      lastOffer = connectionId;
      lastDst = dst ?? '';
      return JSON.stringify({ type: 'OFFER', dst, payload: { type: 'media', connectionId, sdp: { type: 'offer', sdp: SDP_JUNK }, metadata: { name: 'x'.repeat(40) } } });
    };
    const timer = setInterval(() => {
      if (!abuseRunning || ws.readyState !== WebSocket.OPEN) return;
      // A client that outruns its socket would only measure its own memory: skip, and count it.
      if (ws.bufferedAmount > 1 << 20) {
        abuse.sent.skippedBackpressure += perTick;
        return;
      }
      for (let i = 0; i < perTick && ws.readyState === WebSocket.OPEN; i++) {
        const f = frame();
        sentOnThis++;
        ws.send(f, { binary: Buffer.isBuffer(f) });
      }
    }, 50);
    // Until the broker cuts it off, or the run ends.
    const stopWatch = setInterval(() => {
      if (!abuseRunning) ws.terminate();
    }, 100);
    await done;
    clearInterval(timer);
    clearInterval(stopWatch);
    abuseSockets.delete(ws);
    if (abuseRunning) await sleep(reconnectMs + Math.random() * reconnectMs);
  }
}

function startAbuse(args: Record<string, unknown>): { clients: number } {
  if (abuseRunning) throw new Error('abuse already running');
  const clients = Number(args.clients);
  const addresses = args.addresses as string[];
  const targets = args.targets as { consoles: string[]; citizens: string[] };
  abuseRunning = true;
  abuse.clients = clients;
  for (let i = 0; i < clients; i++) {
    const behaviour = BEHAVIOURS[i % BEHAVIOURS.length] as Behaviour;
    bump(abuse.byBehaviour, behaviour);
    // Stagger the starts over a second.
    abuseLoops.push(sleep((i * 1000) / clients).then(() => abuseClient(i, behaviour, addresses[i % addresses.length] as string, Number(args.rate), Number(args.reconnectMs), targets)));
  }
  return { clients };
}

async function stopAbuse(): Promise<AbuseCounters> {
  abuseRunning = false;
  for (const ws of abuseSockets) ws.terminate();
  await Promise.race([Promise.all(abuseLoops.splice(0)), sleep(10_000)]);
  return abuse;
}

/* ------------------------------------------------------------------ */

/** Some ids of this worker's peers, for the abusive clients to aim at. */
function ids(args: Record<string, unknown>): { consoles: string[]; citizens: string[] } {
  const n = Number(args.max ?? 50);
  return { consoles: consoles.map((c) => c.id), citizens: callers.slice(0, n).map((c) => c.id) };
}

function status(): { unexpected: Unexpected; connected: number; heartbeatAnswers: number } {
  const all = [...idle, ...consoles, ...callers];
  return { unexpected, connected: all.filter((c) => c.ws.readyState === WebSocket.OPEN).length, heartbeatAnswers };
}

function closeWellBehaved(): { closed: number } {
  const n = closeAll([...idle, ...consoles, ...callers]);
  idle.length = 0;
  consoles.length = 0;
  callers.length = 0;
  return { closed: n };
}

serveRpc(
  {
    openIdle,
    openCalls,
    runCalls,
    startAbuse,
    stopAbuse,
    status,
    ids,
    closeWellBehaved,
    cpu: () => process.cpuUsage(),
  },
  { pid: process.pid, role },
);
