/**
 * The guard around stock PeerServer: it owns the WebSocket server (noServer),
 * authenticates every upgrade before PeerServer sends OPEN, and checks every
 * frame (shape, authorization, limits) before it is relayed.
 *
 * PeerServer registers the peers, sends OPEN, keeps them alive by heartbeat and
 * holds messages for absent peers. A checked frame for a connected peer the guard
 * delivers itself, exactly as PeerServer would ({type, src, dst, payload}), so that
 * a frame is parsed once, not once by each.
 */
import { once } from 'node:events';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocket, WebSocketServer, type RawData } from 'ws';
import type { Logger } from 'pino';
import { roleOfId } from '../../src/shared/ids.ts';
import type { Limits } from '../config.ts';
import type { Audit } from './audit.ts';
import { checkFrame, isPlainHeartbeat, type RelayFrame } from './frames.ts';
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
  socket: GuardedSocket;
  /** Connections (destination and connection id) whose OFFER was let through (created on the first). */
  offers: Set<string> | null;
  /** Connections whose OFFER was refused: their CANDIDATEs are dropped (created on the first). */
  refused: Set<string> | null;
  /** Frames waiting while an earlier one is checked, so order is kept. */
  backlog: [RawData, boolean][] | null;
}

/** The server's sockets, as `ws` creates them; the guard's per-socket behaviour lives on the prototype. */
type GuardedSocket = WebSocket & {
  session: GuardedSession | null;
  /** Hands a frame to PeerServer's own listener. */
  toPeerServer(data: RawData, isBinary: boolean): void;
};

const MAX_BACKLOG = 256;
const HEARTBEAT_REPLY = JSON.stringify({ type: 'HEARTBEAT' });
const MAX_TRACKED_CONNECTIONS = 512;
/**
 * After an address has been told in an ERROR frame that it is over its connection limit, its
 * further attempts for this long get a bare HTTP 429 before any WebSocket upgrade: about a
 * third of the CPU of an upgrade, an ERROR frame and a close (measured with npm run bench:load).
 */
const OVER_LIMIT_QUIET_MS = 10_000;

type AuthResult = { ok: true; identity: Identity } | { ok: false; reason: string; id: string; overLimit?: true };

/** Connection ids are chosen by the sender: only together with the destination do they name one connection. */
function connectionKey(dst: string, connectionId: string): string {
  return `${dst.length}:${dst}:${connectionId}`;
}

export function remoteAddress(req: IncomingMessage, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = req.headers['x-forwarded-for'];
    const first = (Array.isArray(forwarded) ? forwarded[0] : forwarded)?.split(',')[0]?.trim();
    if (first) return first;
  }
  return req.socket.remoteAddress ?? 'unknown';
}

// Listeners shared by every socket: a closure per connection would keep the upgrade request alive with it.
function destroyOnError(this: Duplex): void {
  this.destroy();
}

export function createGuard(deps: GuardDeps, trustProxy = false) {
  const { registry, audit, log, counters, limits, remote } = deps;
  const now = deps.now ?? Date.now;

  // Methods, not per-session closures: an idle connection costs little beyond what `ws` needs.
  class GuardedWebSocket extends WebSocket {
    session: GuardedSession | null = null;

    override emit(event: string | symbol, ...args: unknown[]): boolean {
      const { session } = this;
      if (session && event === 'message') {
        onFrame(session, args[0] as RawData, args[1] as boolean);
        return true;
      }
      // Here rather than in a listener of its own: a third 'close' listener costs ~170 bytes per socket.
      if (session && event === 'close') {
        registry.delete(session);
        remote?.release(session);
      }
      return super.emit(event, ...args);
    }

    toPeerServer(data: RawData, isBinary: boolean): void {
      super.emit('message', data, isBinary);
    }
  }

  const wss = new WebSocketServer({ noServer: true, maxPayload: limits.maxFrameBytes, perMessageDeflate: false, WebSocket: GuardedWebSocket });
  const queueBound = new AbsentQueueBound(limits.queuePerPeer, limits.queueTotal, deps.expireTimeoutMs * 2, now);
  const sweep = setInterval(() => queueBound.sweep(), deps.expireTimeoutMs);
  sweep.unref();
  let admitted = 0;

  function logSocketError(err: Error): void {
    log.debug({ err: err.message }, 'socket error');
  }

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

  async function authenticate(req: IncomingMessage, ip: string): Promise<AuthResult> {
    const params = new URL(req.url ?? '', 'http://broker').searchParams;
    // A copy: V8 keeps a substring as a slice of its parent, and the session would keep the
    // whole request URL (token included) alive with the id.
    const id = Buffer.from(params.get('id') ?? '').toString();
    const token = params.get('token') ?? '';
    if (!(await counters.connection(ip))) return { ok: false, id, reason: 'Too many connection attempts from this network. Wait a minute and try again.', overLimit: true };
    if (!id || !token || !params.get('key')) return { ok: false, id, reason: 'No id, token, or key supplied to websocket server' };
    if (params.get('key') !== deps.key) return { ok: false, id, reason: 'Invalid key provided' };
    if (registry.size() >= limits.concurrentPeers && !registry.get(id)) {
      return { ok: false, id, reason: 'The emergency line is at capacity. Call the hotline numbers shown in the app.' };
    }
    const result = await identify(deps.secret, id, token);
    if (!result.ok) return { ...result, id };
    const holder = registry.get(id);
    if (holder && holder.identity.owner !== result.identity.owner) return { ok: false, reason: 'This id is already in use by another device.', id };
    return result;
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
    socket.on('error', destroyOnError);
    const ip = remoteAddress(req, trustProxy);
    const told = toldOverLimit.get(ip);
    if (told !== undefined && now() - told < OVER_LIMIT_QUIET_MS) {
      socket.end(`HTTP/1.1 429 Too Many Requests\r\nConnection: close\r\nRetry-After: ${OVER_LIMIT_QUIET_MS / 1000}\r\nContent-Length: 0\r\n\r\n`);
      return;
    }
    upgrade(req, socket, head, ip).catch((err: unknown) => {
      log.error({ err }, 'upgrade failed');
      socket.destroy();
    });
  }

  async function upgrade(req: IncomingMessage, socket: Duplex, head: Buffer, ip: string): Promise<void> {
    const auth = await authenticate(req, ip);
    if (socket.destroyed) return;
    // `ws` calls back once the handshake is done (and never if it fails).
    const ws = await new Promise<GuardedSocket>((resolve) => wss.handleUpgrade(req, socket, head, (upgraded) => resolve(upgraded as GuardedSocket)));
    // `ws` handles the TCP socket's errors from here.
    socket.off('error', destroyOnError);
    ws.on('error', logSocketError);
    if (!auth.ok) {
      if (auth.overLimit) rememberOverLimit(ip);
      audit.record({ event: 'connect', src: auth.id.slice(0, 80), srcRole: roleOfId(auth.id), ip, allowed: false, reason: auth.reason });
      refuse(ws, auth.reason);
      return;
    }
    try {
      await admit(ws, auth.identity, ip);
    } catch (err) {
      log.error({ err }, 'admit failed');
      ws.terminate();
    }
  }

  async function admit(ws: GuardedSocket, identity: Identity, ip: string): Promise<void> {
    // Another socket of the same owner may have been admitted while this one awaited: the newest wins.
    const problem = await claim(identity);
    if (problem || ws.readyState !== ws.OPEN) {
      refuse(ws, problem ?? 'closed');
      return;
    }
    const session: GuardedSession = { identity, socket: ws, ip, connectedAt: now(), offers: null, refused: null, backlog: null };
    // Cluster mode: the id must also be free (or this owner's) on every other node.
    const elsewhere = remote ? await remote.claim(session) : null;
    if (elsewhere || ws.readyState !== ws.OPEN) {
      if (!elsewhere) remote?.release(session);
      refuse(ws, elsewhere ?? 'closed');
      return;
    }
    registry.set(session);
    queueBound.release(identity.id);
    ws.session = session;
    // PeerServer takes over from here: it registers the client and sends OPEN. A token of its own per
    // socket makes PeerServer refuse (not silently re-attach) a socket it still holds for this id.
    wss.emit('connection', ws, { url: `/?id=${encodeURIComponent(identity.id)}&token=${++admitted}&key=${encodeURIComponent(deps.key)}`, headers: {} });
    // PeerServer listens for this socket's errors now (server.ts logs them).
    ws.off('error', logSocketError);
    remote?.arrived(session);
  }

  /** One frame from a session: checked and handled at once, unless an earlier one is still being checked. */
  function onFrame(session: GuardedSession, data: RawData, isBinary: boolean): void {
    if (session.backlog) {
      if (session.backlog.length >= MAX_BACKLOG) refuse(session.socket, 'Too many messages at once.');
      else session.backlog.push([data, isBinary]);
      return;
    }
    let pending: Promise<void> | undefined;
    try {
      pending = inspect(session, data, isBinary);
    } catch (err) {
      failed(session, err);
    }
    if (pending) void drain(session, pending);
  }

  /**
   * While an asynchronous check runs, later frames wait in the backlog; they are checked
   * in arrival order once it is done, so frames are relayed in the order sent.
   */
  async function drain(session: GuardedSession, pending: Promise<void>): Promise<void> {
    const backlog: [RawData, boolean][] = [];
    session.backlog = backlog;
    try {
      for (let check: Promise<void> | undefined = pending; check; ) {
        await check;
        check = undefined;
        let next: [RawData, boolean] | undefined;
        while (!check && (next = backlog.shift())) check = inspect(session, next[0], next[1]);
      }
    } catch (err) {
      failed(session, err);
    } finally {
      session.backlog = null;
    }
  }

  function failed(session: GuardedSession, err: unknown): void {
    // Never let one client's message take the broker down.
    log.error({ err }, 'frame check failed');
    refuse(session.socket, 'The broker could not check a message.');
  }

  /** Handles one frame; returns a promise while an asynchronous check (a limit) decides it. */
  function inspect(session: GuardedSession, data: RawData, isBinary: boolean): Promise<void> | undefined {
    if (!isBinary && isPlainHeartbeat(data)) {
      heartbeat(session, data);
      return;
    }
    const checked = checkFrame(data, isBinary);
    if (!checked.ok) return malformed(session, checked.reason);
    const frame = checked.frame;
    if (frame.type === 'HEARTBEAT') {
      heartbeat(session, data);
      return;
    }
    if (frame.dst === undefined) {
      session.socket.close(1000, 'left');
      return;
    }
    return relay(session, frame, data);
  }

  function heartbeat(session: GuardedSession, data: RawData): void {
    // The app's watchdog hears from the broker on every heartbeat: a silent broker is a hung one.
    if (session.socket.readyState === WebSocket.OPEN) session.socket.send(HEARTBEAT_REPLY);
    // PeerServer needs the heartbeats too (they keep the peer alive) and parses them itself.
    session.socket.toPeerServer(data, false);
  }

  async function malformed(session: GuardedSession, reason: string): Promise<void> {
    log.debug({ peer: session.identity.id, reason }, 'malformed frame');
    if (await counters.malformed(`${session.identity.id}@${session.connectedAt}`)) {
      sendJson(session.socket, { type: 'ERROR', payload: { msg: `Malformed message: ${reason}` } });
    } else {
      refuse(session.socket, 'Too many malformed messages; disconnected.');
    }
  }

  function relay(session: GuardedSession, frame: RelayFrame, data: RawData): Promise<void> | undefined {
    const { identity } = session;
    // Named only where needed: most frames are CANDIDATEs of connections that were never refused.
    const connection = frame.connectionId !== null && (frame.type === 'OFFER' || session.refused) ? connectionKey(frame.dst, frame.connectionId) : null;
    // A refused connection stays refused: its CANDIDATEs and renegotiations are dropped without another EXPIRE.
    if (connection !== null && session.refused?.has(connection)) return;
    const here = registry.get(frame.dst);
    // A connected peer's role is known; only other ids are parsed.
    const dstRole = here ? here.identity.role : roleOfId(frame.dst);
    const decision = mayRelay(identity, dstRole);
    if (!decision.allowed) {
      if (frame.type === 'OFFER') denyOffer(session, frame, connection, decision.reason);
      return;
    }
    // Cluster mode: a peer that is not here is reached through its node (or queued in Redis) by the cluster.
    const elsewhere = here ? null : remote;
    if (frame.type !== 'OFFER') {
      if (elsewhere) void elsewhere.relay(session, frame, data);
      else forward(session, frame, data);
      return;
    }
    // An OFFER on a connection already let through is a renegotiation; any other (a first one, or
    // the same connection id to another peer) opens a new connection.
    if (connection !== null && session.offers?.has(connection)) {
      return counters.renegotiation(`${identity.id}@${session.connectedAt}>${connection}`).then((allowed) => {
        // The connection itself stays allowed: only this OFFER is refused.
        if (!allowed) return denyOffer(session, frame, null, 'renegotiation-rate-limit');
        if (elsewhere) void elsewhere.relay(session, frame, data);
        else forward(session, frame, data);
      });
    }
    return counters.offer(identity).then(async (allowed) => {
      if (!allowed) return denyOffer(session, frame, connection, 'offer-rate-limit');
      if (elsewhere) {
        const outcome = await elsewhere.relay(session, frame, data);
        const relayed = outcome === 'delivered' || outcome === 'queued';
        track(session, connection, relayed);
        audit.record({ event: 'offer', src: identity.id, dst: frame.dst, srcRole: identity.role, dstRole, ip: session.ip, allowed: relayed, reason: outcome });
        return;
      }
      const reason = registry.get(frame.dst) ? 'delivered' : 'queued';
      if (!forward(session, frame, data)) return denyOffer(session, frame, connection, 'queue-full');
      track(session, connection, true);
      audit.record({ event: 'offer', src: identity.id, dst: frame.dst, srcRole: identity.role, dstRole, ip: session.ip, allowed: true, reason });
    });
  }

  /**
   * Sends a checked frame on: to a connected peer directly, or into PeerServer's queue for an
   * absent one (within bounds). False when there is no room for it.
   */
  function forward(session: GuardedSession, frame: RelayFrame, data: RawData): boolean {
    const target = registry.get(frame.dst);
    if (target?.socket.readyState === WebSocket.OPEN) {
      target.socket.send(JSON.stringify({ type: frame.type, src: session.identity.id, dst: frame.dst, payload: frame.payload }));
      return true;
    }
    // A closing socket: PeerServer decides (it may have dropped the peer already and queue the frame).
    if (target) {
      session.socket.toPeerServer(data, false);
      return true;
    }
    if (frame.type === 'LEAVE') return false;
    if (!queueBound.admit(frame.dst)) {
      log.debug({ src: session.identity.id, dst: frame.dst }, 'queue full');
      return false;
    }
    session.socket.toPeerServer(data, false);
    return true;
  }

  /** Refuses an OFFER; its connection (when given) is remembered as refused, so its CANDIDATEs are dropped. */
  function denyOffer(session: GuardedSession, frame: RelayFrame, connection: string | null, reason: string): void {
    track(session, connection, false);
    audit.record({ event: 'offer', src: session.identity.id, dst: frame.dst, srcRole: session.identity.role, dstRole: roleOfId(frame.dst), ip: session.ip, allowed: false, reason });
    // EXPIRE, not ERROR: PeerJS reports it as peer-unavailable and stays connected.
    expire(session, frame.dst);
  }

  /** Remembers how a connection's first OFFER ended: its later frames are relayed, or dropped. */
  function track(session: GuardedSession, connection: string | null, allowed: boolean): void {
    if (connection === null) return;
    if (allowed) session.offers = remember(session.offers, connection);
    else session.refused = remember(session.refused, connection);
  }

  function remember(set: Set<string> | null, connection: string): Set<string> {
    if (!set || set.size >= MAX_TRACKED_CONNECTIONS) set = new Set();
    set.add(connection);
    return set;
  }

  function close(): void {
    clearInterval(sweep);
    for (const client of wss.clients) client.close(1001, 'server shutting down');
  }

  return { wss, handleUpgrade, close };
}

export type Guard = ReturnType<typeof createGuard>;
