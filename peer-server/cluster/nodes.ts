/**
 * Node liveness and what each node holds. Every node keeps one short-lived
 * key, refreshed every second, holding its peer count and its staff (for
 * presence); a node that dies or freezes drops out within LIVENESS_MS, and
 * routing stops sending to it.
 */
import type { Redis } from 'ioredis';
import type { Logger } from 'pino';
import type { Keys } from './keys.ts';

export const LIVENESS_MS = 3000;
const TICK_MS = 1000;
/** A dead node stays listed this long, so every node learns it is dead while registry entries may still name it. */
const FORGET_DEAD_MS = 60_000;

export interface StaffEntry {
  id: string;
  role: 'station' | 'officer';
  station: string;
  name: string;
}

export interface NodeSnapshot {
  peers: number;
  staff: StaffEntry[];
}

export class NodeBook {
  /** Listed nodes whose key was missing at the last tick, and since when. */
  private dead = new Map<string, number>();
  private timer: NodeJS.Timeout | null = null;
  private inflight: Promise<void> | null = null;
  private again: Promise<void> | null = null;

  constructor(
    private readonly redis: Redis,
    private readonly keys: Keys,
    readonly self: string,
    private readonly snapshot: () => NodeSnapshot,
    private readonly log: Logger,
  ) {}

  async start(): Promise<void> {
    await this.tick();
    this.timer = setInterval(() => void this.tick(), TICK_MS);
    this.timer.unref();
  }

  /**
   * False once `node`'s key has expired (as of the last tick). A node that joined
   * since then counts as live: a dead one's channel has no listener, which the
   * sender sees in PUBLISH's answer.
   */
  isLive(node: string): boolean {
    return !this.dead.has(node);
  }

  /** Writes this node's key now (coalesced: callers share a write that includes their change). */
  publish(): Promise<void> {
    if (!this.inflight) {
      this.inflight = this.write().finally(() => {
        this.inflight = null;
      });
      return this.inflight;
    }
    this.again ??= this.inflight.then(() => {
      this.again = null;
      return this.publish();
    });
    return this.again;
  }

  /** Every live node's snapshot, read now; null while Redis is away. */
  async all(): Promise<NodeSnapshot[] | null> {
    try {
      const members = await this.redis.smembers(this.keys.nodes);
      if (members.length === 0) return [];
      const values = await this.redis.mget(members.map((m) => this.keys.node(m)));
      return values.filter((v): v is string => v !== null).map((v) => JSON.parse(v) as NodeSnapshot);
    } catch {
      return null;
    }
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
    await this.redis
      .multi()
      .del(this.keys.node(this.self))
      .srem(this.keys.nodes, this.self)
      .exec()
      .catch(() => undefined);
  }

  private async write(): Promise<void> {
    try {
      await this.redis.set(this.keys.node(this.self), JSON.stringify(this.snapshot()), 'PX', LIVENESS_MS);
    } catch (err) {
      this.log.debug({ err: String(err) }, 'could not write node key');
    }
  }

  private async tick(): Promise<void> {
    try {
      const [, , members] = (await this.redis
        .multi()
        .set(this.keys.node(this.self), JSON.stringify(this.snapshot()), 'PX', LIVENESS_MS)
        .sadd(this.keys.nodes, this.self)
        .smembers(this.keys.nodes)
        .exec()) as [unknown, unknown, [Error | null, string[]]];
      const names = members[1].filter((m) => m !== this.self);
      const alive = names.length === 0 ? [] : await this.redis.mget(names.map((m) => this.keys.node(m)));
      const now = Date.now();
      const dead = new Map<string, number>();
      const forget: string[] = [];
      names.forEach((name, i) => {
        if (alive[i] !== null) return;
        const since = this.dead.get(name) ?? now;
        if (now - since > FORGET_DEAD_MS) forget.push(name);
        else dead.set(name, since);
      });
      this.dead = dead;
      if (forget.length > 0) await this.redis.srem(this.keys.nodes, ...forget);
    } catch (err) {
      this.log.debug({ err: String(err) }, 'liveness tick failed');
    }
  }
}
