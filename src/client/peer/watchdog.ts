/**
 * PeerJS never checks that its broker is still there: a broker that hangs, or
 * whose network path is cut, leaves the socket half-open and the app "online"
 * forever. The broker answers every heartbeat, so silence longer than two
 * missed answers means it is gone, and the link moves (through the balancer,
 * to another node).
 */

/** How often PeerJS sends its heartbeat (PeerJS's own default is 5 s). */
export const PING_INTERVAL_MS = 4000;
/** Two heartbeats without an answer, plus slack for a slow network. */
export const SILENT_AFTER_MS = 10_000;
const CHECK_MS = 1000;

export class Watchdog {
  private lastHeard = 0;
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor(
    private readonly onSilent: () => void,
    private readonly silentAfterMs = SILENT_AFTER_MS,
    private readonly now: () => number = Date.now,
  ) {}

  /** Something arrived from the broker (or a connection attempt starts). */
  heard(): void {
    this.lastHeard = this.now();
  }

  /** Watches from now on; a connection attempt that never opens counts as silence too. */
  start(): void {
    this.heard();
    this.timer ??= setInterval(() => this.check(), CHECK_MS);
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  check(): void {
    if (this.timer === null || this.now() - this.lastHeard <= this.silentAfterMs) return;
    this.stop();
    this.onSilent();
  }
}
