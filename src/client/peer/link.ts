/**
 * The Peer's life against this project's broker: never the PeerJS cloud,
 * only the ICE servers /api/ice hands out, and reconnection with capped
 * backoff after the broker is lost.
 */
import { Peer, type DataConnection, type MediaConnection, type PeerError } from 'peerjs';
import type { IceConfig } from '../../shared/presence.ts';
import { backoffDelay } from './backoff.ts';
import type { Credentials } from './credentials.ts';
import { PING_INTERVAL_MS, Watchdog } from './watchdog.ts';

export type BrokerStatus =
  | { name: 'connecting' }
  | { name: 'online' }
  | { name: 'offline'; retryAt: number }
  /** The broker refused us for good (e.g. an expired sign-in link): retrying will not help. */
  | { name: 'refused'; message: string };

export interface LinkHandlers {
  onStatus(status: BrokerStatus): void;
  onConnection(conn: DataConnection): void;
  onCall(call: MediaConnection): void;
  /** The broker could not deliver to this peer (refused, over a limit, or gone). */
  onUnavailable(peerId: string): void;
}

export interface LinkOptions {
  /** Overrides for tests: force relay-only ICE, etc. */
  iceTransportPolicy?: RTCIceTransportPolicy;
}

/** After a failed /api/ice: the first retry within 5 s, doubling to at most a minute. */
const ICE_RETRY_MS = 5000;
const ICE_RETRY_CAP_MS = 60_000;

const REFUSALS = [/expired/i, /not valid/i, /does not allow/i, /does not match/i, /sign-in/i, /in use by another/i];

export class PeerLink {
  peer: Peer | null = null;
  status: BrokerStatus = { name: 'connecting' };
  private attempt = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private iceServers: RTCIceServer[] = [];
  private iceExpiresAt = 0;
  private iceTimer: ReturnType<typeof setTimeout> | null = null;
  private iceFailures = 0;
  private iceFetch: Promise<RTCIceServer[]> | null = null;
  /** Moves to another broker when this one falls silent (hung, or cut off with the socket half-open). */
  private readonly watchdog = new Watchdog(() => this.onSilent());

  constructor(
    readonly credentials: Credentials,
    private readonly handlers: LinkHandlers,
    private readonly options: LinkOptions = {},
  ) {}

  start(): void {
    this.stopped = false;
    this.create();
    void this.refreshIce();
  }

  /** Fetches the ICE servers to use for the next call; keeps the last good list on failure. */
  refreshIce(): Promise<RTCIceServer[]> {
    this.iceFetch ??= this.fetchIce().finally(() => {
      this.iceFetch = null;
    });
    return this.iceFetch;
  }

  private async fetchIce(): Promise<RTCIceServer[]> {
    let fresh = false;
    try {
      const res = await fetch(`/api/ice?id=${encodeURIComponent(this.credentials.id)}`, { cache: 'no-store' });
      if (res.ok) {
        const body = (await res.json()) as IceConfig;
        if (Array.isArray(body.iceServers)) {
          this.iceServers = body.iceServers;
          this.iceExpiresAt = Date.now() + Math.max(60, Number(body.ttl) || 0) * 1000;
          fresh = true;
        }
      }
    } catch {
      // Offline: a LAN call needs no ICE servers at all.
    }
    this.applyIce();
    this.scheduleIceRefresh(fresh);
    return this.iceServers;
  }

  /**
   * Renews well before the credentials expire, so a call never starts with
   * stale ones; after a failure, tries again soon (a console runs for a whole
   * shift, and its next call may need the relay).
   */
  private scheduleIceRefresh(fresh: boolean): void {
    if (this.iceTimer) clearTimeout(this.iceTimer);
    this.iceTimer = null;
    if (this.stopped) return;
    this.iceFailures = fresh ? 0 : this.iceFailures + 1;
    const delay = fresh
      ? Math.max(30_000, (this.iceExpiresAt - Date.now()) * 0.8)
      : backoffDelay(this.iceFailures - 1, Math.random, ICE_RETRY_MS, ICE_RETRY_CAP_MS);
    this.iceTimer = setTimeout(() => void this.refreshIce(), delay);
  }

  /** Whether the ICE credentials are gone or about to go (within a minute). */
  private iceExpiring(): boolean {
    return Date.now() >= this.iceExpiresAt - 60_000;
  }

  /** Before each call: fresh ICE servers, without waiting when the current ones are still good. */
  ensureIce(maxWaitMs = 1000): Promise<void> {
    if (!this.iceExpiring()) return Promise.resolve();
    return Promise.race([this.refreshIce().then(() => undefined), new Promise<void>((r) => setTimeout(r, maxWaitMs))]);
  }

  private applyIce(): void {
    const config: RTCConfiguration = { iceServers: this.iceServers };
    if (this.options.iceTransportPolicy) config.iceTransportPolicy = this.options.iceTransportPolicy;
    // PeerJS reads options.config when it creates each RTCPeerConnection.
    if (this.peer) (this.peer.options as { config: RTCConfiguration }).config = config;
  }

  private setStatus(status: BrokerStatus): void {
    this.status = status;
    this.handlers.onStatus(status);
  }

  private create(): void {
    const secure = location.protocol === 'https:';
    const port = Number(location.port) || (secure ? 443 : 80);
    this.setStatus({ name: 'connecting' });
    const peer = new Peer(this.credentials.id, {
      host: location.hostname,
      port,
      secure,
      path: '/broker',
      key: 'peerjs',
      token: this.credentials.token,
      config: { iceServers: this.iceServers },
      debug: 0,
      pingInterval: PING_INTERVAL_MS,
    });
    this.peer = peer;
    this.applyIce();
    peer.socket.on('message', () => this.watchdog.heard());
    this.watchdog.start();
    peer.on('open', () => {
      this.watchdog.heard();
      this.attempt = 0;
      // Back after a long outage: the retries may have failed all along.
      if (this.iceExpiring()) void this.refreshIce();
      this.setStatus({ name: 'online' });
    });
    peer.on('connection', (conn) => this.handlers.onConnection(conn));
    peer.on('call', (call) => this.handlers.onCall(call));
    peer.on('disconnected', () => this.scheduleReconnect());
    peer.on('close', () => this.scheduleReconnect());
    peer.on('error', (err: PeerError<string>) => this.onError(err));
  }

  private onError(err: PeerError<string>): void {
    if (err.type === 'peer-unavailable') {
      const m = /peer (\S+)$/.exec(err.message);
      if (m?.[1]) this.handlers.onUnavailable(m[1]);
      return;
    }
    if (err.type === 'server-error' && REFUSALS.some((r) => r.test(err.message))) {
      this.stop();
      this.setStatus({ name: 'refused', message: err.message });
      return;
    }
    if (err.type === 'unavailable-id') {
      // Our own id is still held by a stale socket of ours; the broker hands it back on retry.
      this.scheduleReconnect();
      return;
    }
    if (['network', 'server-error', 'socket-error', 'socket-closed', 'disconnected'].includes(err.type)) this.scheduleReconnect();
  }

  /** The broker went quiet: drop the socket (PeerJS then reports 'disconnected') and reconnect. */
  private onSilent(): void {
    const peer = this.peer;
    if (this.stopped) return;
    if (peer && !peer.destroyed && !peer.disconnected) peer.disconnect();
    else this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    this.watchdog.stop();
    if (this.stopped || this.timer) return;
    const delay = backoffDelay(this.attempt++);
    this.setStatus({ name: 'offline', retryAt: Date.now() + delay });
    this.timer = setTimeout(() => {
      this.timer = null;
      if (this.stopped) return;
      const peer = this.peer;
      if (peer && !peer.destroyed && peer.disconnected) {
        this.setStatus({ name: 'connecting' });
        this.watchdog.start();
        peer.reconnect();
      } else if (!peer || peer.destroyed) {
        this.create();
      }
    }, delay);
  }

  /** Reconnects now instead of waiting for the backoff (e.g. the browser is back online). */
  retryNow(): void {
    if (this.status.name !== 'offline') return;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.attempt = 0;
    this.scheduleReconnect();
  }

  stop(): void {
    this.stopped = true;
    this.watchdog.stop();
    if (this.timer) clearTimeout(this.timer);
    if (this.iceTimer) clearTimeout(this.iceTimer);
    this.timer = null;
    this.iceTimer = null;
    this.peer?.destroy();
  }
}
