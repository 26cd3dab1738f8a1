/**
 * The update experience as state: a new version found, the user's "Update
 * now", and the reload onto it, which never happens while a call is in
 * progress. Also "ready to work offline", said once per device.
 */
import { Observable } from '../client/screens/store.ts';

export type UpdateState =
  /** Running the newest version known. */
  | 'none'
  /** A new version is installed and waiting: "Update now" applies it. */
  | 'available'
  /** "Update now" was pressed during a call: it is applied when the call ends. */
  | 'deferred'
  /** The new version is taking over; the page reloads onto it. */
  | 'applying';

/** What the updates need to know about calls (src/client/call/activity.ts). */
export interface CallActivity {
  callsActive(): boolean;
  whenIdle(): Promise<void>;
}

/** Whether "ready to work offline" was already shown on this device. */
export interface OnceMemory {
  seen(): boolean;
  remember(): void;
}

/** The one thing asked of the service worker side: let the waiting version take over. */
export interface WaitingWorker {
  skipWaiting(): void;
}

export interface AppUpdatesOptions {
  calls: CallActivity;
  offlineReadyShown: OnceMemory;
  reload: () => void;
}

export class AppUpdates extends Observable {
  update: UpdateState = 'none';
  /** Show "Ready to work offline" (once per device). */
  offlineReady = false;
  private worker: WaitingWorker | null = null;
  /** The new version already controls this page (activated here or by another tab). */
  private tookOver = false;

  constructor(private readonly options: AppUpdatesOptions) {
    super();
  }

  /** The service worker registration: the first install finished, the app works offline now. */
  installedFirstTime(): void {
    if (this.options.offlineReadyShown.seen()) return;
    this.options.offlineReadyShown.remember();
    this.offlineReady = true;
    this.notify();
  }

  /** The service worker registration: a new version installed and waits for `worker.skipWaiting()`. */
  newVersionWaiting(worker: WaitingWorker): void {
    this.worker = worker;
    if (this.update === 'none') this.set('available');
  }

  /**
   * The service worker registration: a new version controls this page now,
   * after "Update now" here or after another tab applied it. This page still
   * runs the old code, so it reloads, once no call is in progress.
   */
  newVersionInControl(): void {
    this.tookOver = true;
    if (this.update === 'applying') this.reloadWhenIdle();
    else if (this.update === 'none') this.set('available');
  }

  /** "Update now": waits for the calls on this page to end, then lets the new version take over and reloads. */
  async applyUpdate(): Promise<void> {
    if (this.update !== 'available') return;
    if (this.options.calls.callsActive()) this.set('deferred');
    await this.options.calls.whenIdle();
    this.set('applying');
    if (this.tookOver) this.reloadWhenIdle();
    else this.worker?.skipWaiting();
  }

  dismissOfflineReady(): void {
    this.offlineReady = false;
    this.notify();
  }

  private reloadWhenIdle(): void {
    // A call may have started between skip-waiting and the takeover: it still wins.
    void this.options.calls.whenIdle().then(() => this.options.reload());
  }

  private set(update: UpdateState): void {
    this.update = update;
    this.notify();
  }
}
