/**
 * The guard around stock PeerServer: it owns the WebSocket server (noServer),
 * authenticates every upgrade before PeerServer sends OPEN, and checks every
 * frame (shape, authorization, limits) before PeerServer relays it.
 */
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import type { Logger } from 'pino';
import { roleOfId } from '../../src/shared/ids.ts';
import type { Limits } from '../config.ts';
import type { Audit } from './audit.ts';
import { checkFrame, type ClientFrame } from './frames.ts';
import { identify, type Identity } from './identity.ts';
import { AbsentQueueBound, type LimitCounters } from './limits.ts';
import { mayRelay } from './policy.ts';
import type { Registry, Session } from './registry.ts';
import type { RemotePeers } from './remote.ts';

export interface GuardDeps {
  secret: Uint8Array;
  key: string;
  limits: Limits;
  counters: LimitCounters;
  registry: Registry;
  audit: Audit;
  log: Logger;
  expireTimeoutMs: number;
  now?: () => number;
  /** Peers on the other broker nodes (cluster mode). */
  remote?: RemotePeers;
}

interface GuardedSession extends Session {
  /** Connection ids of OFFERs already counted against the limit. */
  offers: Set<string>;
  /** Connection ids whose OFFER was refused: their CANDIDATEs are dropped. */
  refused: Set<string>;
  /** Frames waiting while an earlier one is checked, so order is kept. */
  backlog: [RawData, boolean][] | null;
}

const MAX_BACKLOG = 256;
const HEARTBEAT_REPLY = JSON.stringify({ type: 'HEARTBEAT' });
const MAX_TRACKED_CONNECTIONS = 512;
/**
 * After an address has been told in an ERROR frame that it is over its connection limit, its
 * further attempts for this long get a bare HTTP 429 before any WebSocket upgrade: about a
 * third of the CPU of an upgrade, an ERROR frame and a close (measured with npm run bench:load).
 */
const OVER_LIMIT_QUIET_MS = 10_000;

export function remoteAddress(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = req.headers['x-forwarded-for'];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
    if (first) return first;
  }
  return req.socket.remoteAddress ?? 'unknown';
}

export function createGuard(deps: GuardDeps, trustProxy = false) {
  const { registry, audit, log, counters, limits } = deps;
  const now = deps.now ?? Date.now;
  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxFrameBytes, perMessageDeflate: false });
  const queueBound = new AbsentQueueBound(limits.queuePerPeer, limits.queueTotal, deps.expireTimeoutMs * 2, now);
  const sweep = setInterval(() => queueBound.sweep(), deps.expireTimeoutMs);
  sweep.unref();

  function sendJson(ws: WebSocket, message: object): void {
    if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(message));
  }

  function refuse(ws: WebSocket, msg: string): void {
    sendJson(ws, { type: 'ERROR', payload: { msg } });
    ws.close(1008, msg.slice(0, 120));
  }

  function expire(session: Session, dst: string): void {
    sendJson(session.socket, { type: 'EXPIRE', src: dst, dst: session.identity.id });
  }

  async function authenticate(req: IncomingMessage, ip: string): Promise<{ ok: true; identity: Identity } | { ok: false; reason: string; id: string; overLimit?: true }> {
    const params = new URL(req.url ?? '', 'http://broker').searchParams;
    const id = params.get('id') ?? '';
    const token = params.get('token') ?? '';
    if (!(await counters.connection(ip))) return { ok: false, id, reason: 'Too many connection attempts from this network. Wait a minute and try again.', overLimit: true };
    if (!id || !token || !params.get('key')) return { ok: false, id, reason: 'No id, token, or key supplied to websocket server' };
    if (params.get('key') !== deps.key) return { ok: false, id, reason: 'Invalid key provided' };
    if (registry.size() >= limits.concurrentPeers && !registry.get(id)) {
      return { ok: false, id, reason: 'The emergency line is at capacity. Call the hotline numbers shown in the app.' };
    }
    const result = await identify(deps.secret, id, token);
    return result.ok ? result : { ...result, id };
  }

  /** Makes room for `identity`: a stale socket of the same owner is closed first, anyone else is refused. */
  async function claim(identity: Identity): Promise<string | null> {
    for (let attempt = 0; attempt < 3; attempt++) {
      const holder = registry.get(identity.id);
      if (!holder) return null;
      if (holder.identity.owner !== identity.owner) return 'This id is already in use by another device.';
      // The owner is back while the broker still holds its old socket: drop the old one so
      // PeerServer registers the new socket and sends OPEN (stock PeerServer would not).
      const closed = once(holder.socket, 'close');
      holder.socket.terminate();
      await Promise.race([closed, new Promise((r) => setTimeout(r, 1000))]);
      registry.delete(holder);
    }
    return 'This id is busy. Try again in a moment.';
  }

  /** Addresses refused for too many connection attempts, and when they were last told so in an ERROR frame. */
  const toldOverLimit = new Map<string, number>();

  function rememberOverLimit(ip: string): void {
    if (toldOverLimit.size >= 10_000) {
      for (const [key, at] of toldOverLimit) if (now() - at >= OVER_LIMIT_QUIET_MS) toldOverLimit.delete(key);
      if (toldOverLimit.size >= 10_000) toldOverLimit.clear();
    }
    toldOverLimit.set(ip, now());
  }

  function handleUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer): void {
    socket.on('error', () => socket.destroy());
    const ip = remoteAddress(req, trustProxy);
    const told = toldOverLimit.get(ip);
    if (told !== undefined && now() - told < OVER_LIMIT_QUIET_MS) {
      socket.end(`HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nRetry-After: ${OVER_LIMIT_QUIET_MS / 1000}\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    void (async () => {
      let auth = await authenticate(req, ip);
      if (auth.ok) {
        const holder = registry.get(auth.identity.id);
        if (holder && holder.identity.owner !== auth.identity.owner) auth = { ok: false, reason: 'This id is already in use by another device.', id: auth.identity.id };
      }
      if (socket.destroyed) return;
      wss.handleUpgrade(req, socket, head, (ws) => {
        ws.on('error', (err) => log.debug({ err: err.message }, 'socket error'));
        if (!auth.ok) {
          if (auth.overLimit) rememberOverLimit(ip);
          audit.record({ event: 'connect', src: auth.id.slice(0, 80), srcRole: roleOfId(auth.id), ip, allowed: false, reason: auth.reason });
          refuse(ws, auth.reason);
          return;
        }
        admit(ws, auth.identity, ip).catch((err: unknown) => {
          log.error({ err }, 'admit failed');
          ws.terminate();
        });
      });
    })().catch((err: unknown) => {
      log.error({ err }, 'upgrade failed');
      socket.destroy();
    });
  }

  async function admit(ws: WebSocket, identity: Identity, ip: string): Promise<void> {
    // Another socket of the same owner may have been admitted while this one awaited: the newest wins.
    const problem = await claim(identity);
    if (problem || ws.readyState !== ws.OPEN) {
      refuse(ws, problem ?? 'closed');
      return;
    }
    const session: GuardedSession = { identity, socket: ws, ip, connectedAt: now(), offers: new Set(), refused: new Set(), backlog: null };
    const { remote } = deps;
    // Cluster mode: the id must also be free (or this owner's) on every other node.
    const elsewhere = remote ? await remote.claim(session) : null;
    if (elsewhere || ws.readyState !== ws.OPEN) {
      if (!elsewhere) remote?.release(session);
      refuse(ws, elsewhere ?? 'closed');
      return;
    }
    registry.set(session);
    queueBound.release(identity.id);
    ws.on('close', () => {
      registry.delete(session);
      remote?.release(session);
    });
    interceptFrames(session);
    // PeerServer takes over from here: it registers the client and sends OPEN.
    wss.emit('connection', ws, { url: `/?id=${encodeURIComponent(identity.id)}&token=${session.connectedAt}-${Math.random()}&key=${encodeURIComponent(deps.key)}`, headers: {} });
    remote?.arrived(session);
  }

  function interceptFrames(session: GuardedSession): void {
    const ws = session.socket;
    const deliver = ws.emit.bind(ws) as (event: string, ...args: unknown[]) => boolean;
    const pass = (data: RawData, isBinary: boolean) => deliver('message', data, isBinary);
    (ws as unknown as { emit: typeof deliver }).emit = (event: string, ...args: unknown[]) => {
      if (event !== 'message') return deliver(event, ...args);
      const [data, isBinary] = args as [RawData, boolean];
      if (session.backlog) {
        if (session.backlog.length >= MAX_BACKLOG) refuse(ws, 'Too many messages at once.');
        else session.backlog.push([data, isBinary]);
        return true;
      }
      void process(session, data, isBinary, pass);
      return true;
    };
  }

  /**
   * Checks one frame; while an async check runs, later frames wait in the backlog and
   * are checked in arrival order once it is done, so frames are relayed in the order sent.
   */
  async function process(session: GuardedSession, data: RawData, isBinary: boolean, pass: (data: RawData, isBinary: boolean) => void): Promise<void> {
    try {
      let verdict = inspect(session, data, isBinary);
      if (verdict === 'pass') pass(data, isBinary);
      if (verdict === 'pass' || verdict === 'drop') return;
      const backlog: [RawData, boolean][] = [];
      session.backlog = backlog;
      for (;;) {
        if (await verdict) pass(data, isBinary);
        // Frames that arrived meanwhile, up to the next one that needs an async check.
        let next: [RawData, boolean] | undefined;
        while ((next = backlog.shift())) {
          [data, isBinary] = next;
          verdict = inspect(session, data, isBinary);
          if (verdict === 'pass') pass(data, isBinary);
          else if (verdict !== 'drop') break;
        }
        if (!next) return;
      }
    } catch (err) {
      // Never let one client's message take the broker down.
      log.error({ err }, 'frame check failed');
      refuse(session.socket, 'The broker could not check a message.');
    } finally {
      session.backlog = null;
    }
  }

  function inspect(session: GuardedSession, data: RawData, isBinary: boolean): 'pass' | 'drop' | Promise<boolean> {
    const checked = checkFrame(data as Buffer, isBinary);
    if (!checked.ok) return malformed(session, checked.reason);
    const frame = checked.frame;
    if (frame.type === 'HEARTBEAT') {
      // The app's watchdog hears from the broker on every heartbeat: a silent broker is a hung one.
      if (session.socket.readyState === session.socket.OPEN) session.socket.send(HEARTBEAT_REPLY);
      return 'pass';
    }
    if (frame.dst === undefined) {
      session.socket.close(1000, 'left');
      return 'drop';
    }
    return relay(session, frame as Extract<ClientFrame, { dst: string }>, data);
  }

  async function malformed(session: GuardedSession, reason: string): Promise<boolean> {
    log.debug({ peer: session.identity.id, reason }, 'malformed frame');
    if (await counters.malformed(`${session.identity.id}@${session.connectedAt}`)) {
      sendJson(session.socket, { type: 'ERROR', payload: { msg: `Malformed message: ${reason}` } });
    } else {
      refuse(session.socket, 'Too many malformed messages; disconnected.');
    }
    return false;
  }

  function relay(session: GuardedSession, frame: Extract<ClientFrame, { dst: string }>, data: RawData): 'pass' | 'drop' | Promise<boolean> {
    const { identity } = session;
    const isNewOffer = frame.type === 'OFFER' && (frame.connectionId === null || !session.offers.has(frame.connectionId));
    if (frame.connectionId !== null && session.refused.has(frame.connectionId)) return 'drop';
    const decision = mayRelay(identity, frame.dst);
    if (!decision.allowed) {
      if (frame.type === 'OFFER') denyOffer(session, frame, decision.reason);
      return 'drop';
    }
    // Cluster mode: a peer that is not here is reached through its node (or queued in Redis) by the cluster.
    const remote = deps.remote && !registry.get(frame.dst) ? deps.remote : null;
    if (!isNewOffer) {
      if (!remote) return room(session, frame) ? 'pass' : 'drop';
      void remote.relay(session, frame, data);
      return 'drop';
    }
    return counters.offer(identity).then(async (allowed) => {
      if (!allowed) {
        denyOffer(session, frame, 'offer-rate-limit');
        return false;
      }
      if (remote) {
        const outcome = await remote.relay(session, frame, data);
        const allowed = outcome === 'delivered' || outcome === 'queued';
        if (frame.connectionId !== null) remember(allowed ? session.offers : session.refused, frame.connectionId);
        audit.record({ event: 'offer', src: identity.id, dst: frame.dst, srcRole: identity.role, dstRole: roleOfId(frame.dst), ip: session.ip, allowed, reason: outcome });
        return false;
      }
      if (!room(session, frame)) {
        denyOffer(session, frame, 'queue-full');
        return false;
      }
      if (frame.connectionId !== null) remember(session.offers, frame.connectionId);
      audit.record({ event: 'offer', src: identity.id, dst: frame.dst, srcRole: identity.role, dstRole: roleOfId(frame.dst), ip: session.ip, allowed: true, reason: registry.get(frame.dst) ? 'delivered' : 'queued' });
      return true;
    });
  }

  /** A message for a peer that is not connected waits in PeerServer's queue, within bounds. */
  function room(session: GuardedSession, frame: Extract<ClientFrame, { dst: string }>): boolean {
    if (registry.get(frame.dst)) return true;
    if (frame.type === 'LEAVE') return false;
    return queueBound.admit(frame.dst) || (log.debug({ src: session.identity.id, dst: frame.dst }, 'queue full'), false);
  }

  function denyOffer(session: GuardedSession, frame: Extract<ClientFrame, { dst: string }>, reason: string): void {
    if (frame.connectionId !== null) remember(session.refused, frame.connectionId);
    audit.record({ event: 'offer', src: session.identity.id, dst: frame.dst, srcRole: session.identity.role, dstRole: roleOfId(frame.dst), ip: session.ip, allowed: false, reason });
    // EXPIRE, not ERROR: PeerJS reports it as peer-unavailable and stays connected.
    expire(session, frame.dst);
  }

  function remember(set: Set<string>, connectionId: string): void {
    if (set.size >= MAX_TRACKED_CONNECTIONS) set.clear();
    set.add(connectionId);
  }

  function close(): void {
    clearInterval(sweep);
    for (const client of wss.clients) client.close(1001, 'server shutting down');
  }

  return { wss, handleUpgrade, close };
}

export type Guard = ReturnType<typeof createGuard>;
