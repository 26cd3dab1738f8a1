/**
 * Cluster mode's side of the guard: the shared registry (one holder per id
 * in the whole cluster), routing to the node that holds a peer, and the
 * queue for peers that are briefly absent, all in Redis.
 */
import { randomBytes } from 'node:crypto';
import type { RawData } from 'ws';
import type { Logger } from 'pino';
import type { Limits } from '../config.ts';
import type { Registry, Session } from '../broker/registry.ts';
import type { RemoteFrame, RemoteOutcome, RemotePeers } from '../broker/remote.ts';
import type { RedisPair } from './connect.ts';
import type { Keys } from './keys.ts';
import type { NodeBook } from './nodes.ts';
import type { ClusterCommands } from './scripts.ts';
import { WIRE_VERSION, decode, encode, encodeRelay, peerFrame, type ExpireMessage, type KickMessage, type RelayMessage, type RouteMessage } from './wire.ts';

/** How often a node extends its registry entries: PeerJS's heartbeat. */
export const REFRESH_MS = 5000;
/** An entry outlives three missed refreshes. */
export const CLAIM_TTL_MS = 3 * REFRESH_MS;
const REFRESH_BATCH = 500;
/** A frame that followed a stale route is forwarded at most this often. */
const MAX_HOPS = 2;
const MAX_ROUTES = 50_000;
/** One EXPIRE per sender and unreachable peer in this window, not one per frame of a call. */
const EXPIRE_QUIET_MS = 1000;

export interface ClusterPeersDeps {
  redis: RedisPair;
  commands: ClusterCommands;
  keys: Keys;
  book: NodeBook;
  registry: Registry;
  limits: Limits;
  expireTimeoutMs: number;
  log: Logger;
}

function payloadOf(raw: RawData): unknown {
  const text = Buffer.isBuffer(raw) ? raw.toString('utf8') : Array.isArray(raw) ? Buffer.concat(raw).toString('utf8') : Buffer.from(raw).toString('utf8');
  return (JSON.parse(text) as { payload?: unknown }).payload;
}

export class ClusterPeers implements RemotePeers {
  private readonly self: string;
  private readonly conns = new WeakMap<Session, string>();
  /** Claimed here but not yet registered by the guard: counted in this node's snapshot. */
  readonly pending = new Set<Session>();
  /** Where a peer was last seen: dst → node. */
  private readonly routes = new Map<string, string>();
  private readonly lookups = new Map<string, Promise<string | null>>();
  private readonly expired = new Map<string, number>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private refreshTimer: NodeJS.Timeout | null = null;
  private refreshing: Promise<void> | null = null;
  private refreshAgain: Promise<void> | null = null;

  constructor(private readonly deps: ClusterPeersDeps) {
    this.self = deps.book.self;
  }

  async start(): Promise<void> {
    const { subscriber, commands } = this.deps.redis;
    subscriber.on('message', (_channel: string, message: string) => this.receive(message));
    await subscriber.subscribe(this.deps.keys.channel(this.self));
    // After Redis comes back (possibly empty): claim again what this node holds, resolve duplicates,
    // and hand over what was queued meanwhile. Either connection may be the last one back.
    for (const client of [commands, subscriber]) client.on('ready', () => void this.refresh());
    this.refreshTimer = setInterval(() => void this.refresh(), REFRESH_MS);
    this.refreshTimer.unref();
  }

  stop(): void {
    if (this.refreshTimer) clearInterval(this.refreshTimer);
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
  }

  private entry(session: Session): string {
    return `${this.self}|${this.conns.get(session) ?? ''}|${session.identity.owner}`;
  }

  async claim(session: Session): Promise<string | null> {
    this.conns.set(session, `${session.connectedAt.toString(36)}${randomBytes(4).toString('hex')}`);
    this.pending.add(session);
    const { id } = session.identity;
    this.routes.delete(id);
    // Without Redis only the local rules apply; the next refresh resolves any duplicate.
    if (!this.deps.redis.ready()) return null;
    try {
      const [taken, node, conn] = await this.deps.commands.claim(this.deps.keys.peer(id), this.entry(session), session.identity.owner, CLAIM_TTL_MS);
      if (!taken) {
        this.pending.delete(session);
        return 'This id is already in use by another device.';
      }
      if (node && node !== this.self && conn) this.send(node, encode({ v: WIRE_VERSION, k: 'kick', id, conn } satisfies KickMessage));
      await this.deps.book.publish();
    } catch (err) {
      this.deps.log.debug({ err: String(err) }, 'claim without redis');
    }
    return null;
  }

  arrived(session: Session): void {
    this.pending.delete(session);
    if (!this.deps.redis.ready()) return;
    const { keys, commands } = this.deps;
    const { id } = session.identity;
    commands.take(keys.queue(id), keys.queued).then(
      (entries) => {
        for (const entry of entries) {
          if (session.socket.readyState === session.socket.OPEN) session.socket.send(entry.slice(entry.indexOf('\n') + 1));
        }
      },
      (err: unknown) => this.deps.log.debug({ err: String(err) }, 'queue not taken'),
    );
  }

  release(session: Session): void {
    this.pending.delete(session);
    if (!this.deps.redis.ready()) return;
    this.deps.commands.release(this.deps.keys.peer(session.identity.id), this.entry(session)).catch(() => undefined);
    void this.deps.book.publish();
  }

  relay(session: Session, frame: RemoteFrame, raw: RawData): Promise<RemoteOutcome> {
    const src = session.identity.id;
    const payload = 'payload' in frame ? frame.payload : payloadOf(raw);
    return this.route({ from: this.self, hops: 0, src, dst: frame.dst, type: frame.type, frame: peerFrame(frame.type, src, frame.dst, payload) });
  }

  /** Sends a frame from `src` (on node `from`) towards `dst`, wherever it is. */
  private async route(message: Omit<RelayMessage, 'k'>): Promise<RemoteOutcome> {
    const { src, from, dst } = message;
    if (!this.deps.redis.ready()) return this.refuse(src, from, dst);
    try {
      let node = this.routes.get(dst);
      if (node !== undefined && !this.deps.book.isLive(node)) {
        this.routes.delete(dst);
        node = undefined;
      }
      node ??= (await this.lookup(dst)) ?? undefined;
      if (node !== undefined && node !== this.self) {
        const receivers = await this.deps.redis.commands.publish(this.deps.keys.channel(node), encodeRelay(message));
        if (receivers > 0) return 'delivered';
        // Nobody listens on that node's channel: it is gone.
        this.routes.delete(dst);
      }
      return await this.absent(message);
    } catch (err) {
      this.deps.log.debug({ err: String(err) }, 'cross-node relay failed');
      return this.refuse(src, from, dst);
    }
  }

  /** The live node holding `dst`, from the registry; one lookup at a time per peer keeps frames in order. */
  private lookup(dst: string): Promise<string | null> {
    let pending = this.lookups.get(dst);
    if (!pending) {
      pending = this.deps.redis.commands
        .get(this.deps.keys.peer(dst))
        .then((entry) => {
          const node = entry?.slice(0, entry.indexOf('|')) ?? null;
          if (node === null || !this.deps.book.isLive(node)) return null;
          if (node !== this.self) {
            if (this.routes.size >= MAX_ROUTES) this.routes.clear();
            this.routes.set(dst, node);
          }
          return node;
        })
        .finally(() => this.lookups.delete(dst));
      this.lookups.set(dst, pending);
    }
    return pending;
  }

  /** `dst` is on no live node: hold the frame for it in Redis, within the same bounds as on one node. */
  private async absent({ src, from, dst, type, frame }: Omit<RelayMessage, 'k'>): Promise<RemoteOutcome> {
    if (type === 'LEAVE') return 'unreachable';
    const { keys, commands, limits, expireTimeoutMs } = this.deps;
    const id = randomBytes(8).toString('hex');
    const entry = `${id}\n${frame}`;
    const queued = await commands.enqueue(keys.queue(dst), keys.queued, entry, id, limits.queuePerPeer, limits.queueTotal, expireTimeoutMs * 2);
    if (!queued) return this.refuse(src, from, dst, 'queue-full');
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      // Still waiting, so nobody took it: the sender hears that the peer is unavailable.
      commands.withdraw(keys.queue(dst), keys.queued, entry, id).then(
        (n) => {
          if (n > 0) this.tellExpired(src, from, dst);
        },
        () => undefined,
      );
    }, expireTimeoutMs);
    timer.unref();
    this.timers.add(timer);
    return 'queued';
  }

  private refuse(src: string, from: string, dst: string, why: 'queue-full' | 'unreachable' = 'unreachable'): RemoteOutcome {
    this.tellExpired(src, from, dst);
    return why;
  }

  private tellExpired(src: string, from: string, dst: string): void {
    const key = `${src}>${dst}`;
    const now = Date.now();
    if (now - (this.expired.get(key) ?? -Infinity) < EXPIRE_QUIET_MS) return;
    if (this.expired.size >= 10_000) this.expired.clear();
    this.expired.set(key, now);
    if (from === this.self) {
      const session = this.deps.registry.get(src);
      if (session?.socket.readyState === session?.socket.OPEN) session?.socket.send(JSON.stringify({ type: 'EXPIRE', src: dst, dst: src }));
    } else {
      this.send(from, encode({ v: WIRE_VERSION, k: 'expire', src, dst } satisfies ExpireMessage));
    }
  }

  private send(node: string, message: string): void {
    if (!this.deps.redis.ready()) return;
    this.deps.redis.commands.publish(this.deps.keys.channel(node), message).catch(() => undefined);
  }

  private receive(textMessage: string): void {
    const message = decode(textMessage);
    if (!message) {
      this.deps.log.warn('dropped a message from another node in an unknown format');
      return;
    }
    switch (message.k) {
      case 'relay': {
        const session = this.deps.registry.get(message.dst);
        if (session && session.socket.readyState === session.socket.OPEN) session.socket.send(message.frame);
        else void this.reroute(message);
        return;
      }
      case 'expire':
        this.tellExpired(message.src, this.self, message.dst);
        return;
      case 'kick': {
        const session = this.deps.registry.get(message.id);
        if (session && this.conns.get(session) === message.conn) session.socket.terminate();
        return;
      }
      case 'route':
        if (message.node === null) this.routes.delete(message.id);
        else this.routes.set(message.id, message.node);
        return;
    }
  }

  /** A frame reached this node after its peer left: find where the peer is now and tell the sender's node. */
  private async reroute(message: RelayMessage): Promise<void> {
    const { dst } = message;
    this.routes.delete(dst);
    try {
      const node = this.deps.redis.ready() ? await this.lookup(dst) : null;
      if (message.from !== this.self) this.send(message.from, encode({ v: WIRE_VERSION, k: 'route', id: dst, node: node === this.self ? null : node } satisfies RouteMessage));
      if (node !== null && node !== this.self && message.hops < MAX_HOPS) {
        await this.route({ ...message, hops: message.hops + 1 });
        return;
      }
      await this.absent(message);
    } catch {
      this.refuse(message.src, message.from, dst);
    }
  }

  /** Gives up every id this node holds (a clean shutdown), so their owners' next claim finds them free. */
  async releaseAll(): Promise<void> {
    if (!this.deps.redis.ready()) return;
    const { keys, commands } = this.deps;
    await Promise.allSettled([...this.deps.registry.sessions()].map((s) => commands.release(keys.peer(s.identity.id), this.entry(s))));
  }

  /**
   * Extends this node's entries in batches; closes sockets whose id someone else holds now, and
   * delivers what was queued for the peers still here. A call while one runs is not lost: it runs
   * once more afterwards (the one running may have started before Redis was back).
   */
  refresh(): Promise<void> {
    if (this.refreshing) {
      this.refreshAgain ??= this.refreshing.then(() => {
        this.refreshAgain = null;
        return this.refresh();
      });
      return this.refreshAgain;
    }
    this.refreshing = this.refreshNow().finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async refreshNow(): Promise<void> {
    if (!this.deps.redis.ready()) return;
    const { keys, commands, log } = this.deps;
    const sessions = [...this.deps.registry.sessions()].filter((s) => this.conns.has(s));
    for (let start = 0; start < sessions.length; start += REFRESH_BATCH) {
      const batch = sessions.slice(start, start + REFRESH_BATCH);
      try {
        const { lost, taken } = await commands.refresh(
          batch.map((s) => keys.peer(s.identity.id)),
          batch.map((s) => keys.queue(s.identity.id)),
          keys.queued,
          CLAIM_TTL_MS,
          batch.map((s) => this.entry(s)),
        );
        for (const position of lost) {
          const session = batch[position];
          if (!session) continue;
          log.info({ peer: session.identity.id }, 'id held elsewhere now; closing the stale socket');
          session.socket.close(1008, 'This id is in use on another connection.');
        }
        for (const [position, entry] of taken) {
          const socket = batch[position]?.socket;
          if (socket && socket.readyState === socket.OPEN) socket.send(entry.slice(entry.indexOf('\n') + 1));
        }
      } catch (err) {
        log.debug({ err: String(err) }, 'refresh failed');
        return;
      }
    }
    await this.deps.book.publish();
  }
}
