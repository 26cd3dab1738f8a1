/**
 * A bare page running the real PeerJS client (node_modules/peerjs) against our
 * broker, for broker-level browser tests without the app's UI.
 *
 * The page is a real document of the server's origin that runs no app code
 * (`/api/health`), so the broker is same-origin as it is for the app. PeerJS is
 * not part of dist/, and the server's strict CSP (`script-src 'self'`) forbids
 * injected scripts, so these contexts are created with `bypassCSP: true`.
 * (A page fulfilled by Playwright's `route` does not work: Chromium's Local
 * Network Access checks then block the WebSocket to 127.0.0.1 with
 * ERR_BLOCKED_BY_LOCAL_NETWORK_ACCESS_CHECKS, since such a page has no address.)
 *
 * Everything a peer sees (open, errors, connections, data, close) is recorded in
 * the page as an event; `next(match)` takes the first recorded event that
 * matches, or waits for one, so tests await events instead of sleeping.
 */
import path from 'node:path';
import type { BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import type { Peer, PeerOptions } from 'peerjs';
import { ROOT, type Harness } from './harness.ts';

const PEERJS_BUNDLE = path.join(ROOT, 'node_modules/peerjs/dist/peerjs.min.js');
/** A page our server serves that runs no script of its own. */
const BLANK_PATH = '/api/health';

/** Generous for a loaded 2-core machine; loopback normally takes tens of milliseconds. */
export const EVENT_TIMEOUT_MS = 20_000;

export interface PeerEvent {
  /** open | error | connection | conn-open | data | conn-close | conn-error | disconnected | close */
  kind: string;
  /** Which data connection: the label given to connect(), or the connectionId of an incoming one. */
  label?: string;
  /** The remote peer of a connection event. */
  peer?: string;
  /** PeerJS's error type, e.g. peer-unavailable. */
  type?: string;
  message?: string;
  data?: unknown;
  metadata?: unknown;
  at: number;
}

export interface PeerState {
  id: string | null;
  open: boolean;
  disconnected: boolean;
  destroyed: boolean;
}

interface Driver {
  start(id: string, token: string, options: PeerOptions): Promise<string>;
  connect(to: string, label: string, metadata?: unknown): void;
  send(label: string, data: unknown): void;
  next(match: Partial<PeerEvent>, timeoutMs: number): Promise<PeerEvent>;
  seen(match: Partial<PeerEvent>): PeerEvent[];
  state(): PeerState;
  destroy(): void;
}

declare global {
  interface Window {
    Peer: typeof Peer;
    e2e: Driver;
  }
}

/**
 * Runs in the page (serialised by Playwright): keep it self-contained.
 * page.evaluate is not subject to the page's CSP; inline scripts would be.
 */
function installDriver(): void {
  const history: PeerEvent[] = [];
  const unread: PeerEvent[] = [];
  const waiters: { match: Partial<PeerEvent>; resolve: (event: PeerEvent) => void }[] = [];
  const connections = new Map<string, ReturnType<Peer['connect']>>();
  let peer: Peer | null = null;

  const matches = (event: PeerEvent, match: Partial<PeerEvent>) =>
    Object.entries(match).every(([key, value]) => (event as unknown as Record<string, unknown>)[key] === value);

  const record = (event: Omit<PeerEvent, 'at'>) => {
    const full = { ...event, at: performance.now() } as PeerEvent;
    history.push(full);
    const waiter = waiters.findIndex((w) => matches(full, w.match));
    if (waiter >= 0) waiters.splice(waiter, 1)[0]!.resolve(full);
    else unread.push(full);
  };

  const watch = (label: string, conn: ReturnType<Peer['connect']>) => {
    connections.set(label, conn);
    conn.on('open', () => record({ kind: 'conn-open', label, peer: conn.peer }));
    conn.on('data', (data) => record({ kind: 'data', label, peer: conn.peer, data }));
    conn.on('close', () => record({ kind: 'conn-close', label, peer: conn.peer }));
    conn.on('error', (err) => record({ kind: 'conn-error', label, peer: conn.peer, type: err.type, message: err.message }));
  };

  const requirePeer = () => {
    if (!peer) throw new Error('start() first');
    return peer;
  };

  window.e2e = {
    start(id, token, options) {
      const p = new window.Peer(id, { ...options, token });
      peer = p;
      p.on('open', (openId) => record({ kind: 'open', peer: openId }));
      p.on('error', (err) => record({ kind: 'error', type: err.type, message: err.message }));
      p.on('disconnected', () => record({ kind: 'disconnected' }));
      p.on('close', () => record({ kind: 'close' }));
      p.on('connection', (conn) => {
        record({ kind: 'connection', label: conn.connectionId, peer: conn.peer, metadata: conn.metadata });
        watch(conn.connectionId, conn);
      });
      return new Promise((resolve, reject) => {
        p.once('open', resolve);
        p.once('error', (err) => reject(new Error(`${id} could not reach the broker: ${err.type}: ${err.message}`)));
      });
    },
    connect(to, label, metadata) {
      watch(label, requirePeer().connect(to, { reliable: true, metadata }));
    },
    send(label, data) {
      const conn = connections.get(label);
      if (!conn) throw new Error(`no data connection "${label}"`);
      void conn.send(data);
    },
    next(match, timeoutMs) {
      const index = unread.findIndex((event) => matches(event, match));
      if (index >= 0) return Promise.resolve(unread.splice(index, 1)[0]!);
      return new Promise((resolve, reject) => {
        const waiter = {
          match,
          resolve: (event: PeerEvent) => {
            clearTimeout(timer);
            resolve(event);
          },
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(new Error(`no event ${JSON.stringify(match)} within ${timeoutMs} ms; events: ${JSON.stringify(history)}`));
        }, timeoutMs);
        waiters.push(waiter);
      });
    },
    seen: (match) => history.filter((event) => matches(event, match)),
    state() {
      const p = requirePeer();
      return { id: p.id, open: p.open, disconnected: p.disconnected, destroyed: p.destroyed };
    },
    destroy: () => peer?.destroy(),
  };
}

/** One person's PeerJS client, in a page of its own browser context. */
export class PeerPage {
  private readonly problems: string[] = [];

  private constructor(
    readonly context: BrowserContext,
    readonly page: Page,
    readonly id: string,
  ) {
    page.on('pageerror', (err) => this.problems.push(`page error: ${err.message}`));
    page.on('console', (msg) => {
      if (msg.type() === 'error') this.problems.push(`console: ${msg.text()}`);
    });
  }

  /**
   * A new person (browser context) whose PeerJS client connects to the broker as
   * `id` with `token`; resolves once the broker has sent OPEN, rejects with
   * PeerJS's error (e.g. `server-error: <the broker's reason>`) otherwise.
   */
  static async open(h: Harness, id: string, token: string, contextOptions: BrowserContextOptions = {}): Promise<PeerPage> {
    const context = await h.newContext({ ...contextOptions, bypassCSP: true });
    const page = await context.newPage();
    const peerPage = new PeerPage(context, page, id);
    await page.goto(`${h.origin}${BLANK_PATH}`);
    await page.addScriptTag({ path: PEERJS_BUNDLE });
    await page.evaluate(installDriver);
    await peerPage.explain(page.evaluate(({ id: i, token: t, options }) => window.e2e.start(i, t, options), { id, token, options: h.broker }));
    return peerPage;
  }

  /** Opens a data connection; then await next({ kind: 'conn-open', label }) or an error. */
  connect(to: string, label: string, metadata?: unknown): Promise<void> {
    return this.explain(this.page.evaluate(({ to: dst, label: l, metadata: m }) => window.e2e.connect(dst, l, m), { to, label, metadata }));
  }

  send(label: string, data: unknown): Promise<void> {
    return this.explain(this.page.evaluate(({ label: l, data: d }) => window.e2e.send(l, d), { label, data }));
  }

  /** The first unread event matching `match`, waiting up to `timeoutMs` for it. */
  next(match: Partial<PeerEvent>, timeoutMs = EVENT_TIMEOUT_MS): Promise<PeerEvent> {
    return this.explain(this.page.evaluate(({ match: m, timeoutMs: t }) => window.e2e.next(m, t), { match, timeoutMs }));
  }

  /** Every event so far (read or not) matching `match`. */
  seen(match: Partial<PeerEvent>): Promise<PeerEvent[]> {
    return this.explain(this.page.evaluate((m) => window.e2e.seen(m), match));
  }

  state(): Promise<PeerState> {
    return this.explain(this.page.evaluate(() => window.e2e.state()));
  }

  /** Adds what the page logged to an error, which is usually where the cause is. */
  private async explain<T>(promise: Promise<T>): Promise<T> {
    try {
      return await promise;
    } catch (err) {
      const detail = this.problems.length > 0 ? `\n${this.id} page problems:\n  ${this.problems.join('\n  ')}` : '';
      throw new Error(`${this.id}: ${(err as Error).message}${detail}`, { cause: err });
    }
  }
}
