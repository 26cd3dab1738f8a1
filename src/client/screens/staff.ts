/**
 * What the station console and the officer screen share: signing in from the
 * link, the cached directory kept in step with the server, the Peer and its
 * calls, and signing out.
 */
import type { Directory, Station } from '../../shared/directory.ts';
import { cachedDirectory, syncDirectory } from '../api.ts';
import { Phone, type PhoneOptions } from '../call/phone.ts';
import { forgetStaff, keepStaffToken, samePerson, staffCredentials, type SignInProblem, type StaffClaims, type StaffSignIn } from '../peer/credentials.ts';
import { PeerLink, type BrokerStatus } from '../peer/link.ts';
import { deleteScope } from '../store/history.ts';
import { linkOptions, readSettings } from './settings.ts';
import { Observable } from './store.ts';

/** How often a screen left open for a shift checks for a changed directory. */
export const DIRECTORY_SYNC_MS = 10 * 60_000;

/** Added to the broker's refusal of a link's token when the device still has a working sign-in. */
export const KEPT_SIGN_IN = 'The sign-in already saved on this device is kept: reload the page to use it.';

/** The scope a staff member's records on this device are kept under. */
export function staffScope(role: 'station' | 'officer', sub: string): string {
  return `${role}:${sub}`;
}

export abstract class StaffScreen extends Observable {
  claims: StaffClaims | null = null;
  signInError: SignInProblem | null = null;
  broker: BrokerStatus = { name: 'connecting' };
  directory: Directory | null = null;
  phone: Phone | null = null;
  protected link: PeerLink | null = null;
  protected token = '';
  protected readonly settings = readSettings();
  /** A sign-in link's token the broker has not accepted yet. */
  private pending: StaffSignIn['pending'] = null;
  /** Writing an accepted link's sign-in to the device (signing out waits for it). */
  private keeping: Promise<void> = Promise.resolve();
  private directorySync: Promise<void> | null = null;
  private directorySyncedAt = 0;
  private directoryTimer: ReturnType<typeof setInterval> | null = null;
  private wasOnline = false;

  constructor(readonly role: 'station' | 'officer') {
    super();
  }

  /** Signs in and, where the screen goes online by itself, connects. */
  abstract start(): Promise<void>;

  /** Whose records these are on this device: signing out removes them. */
  scope(): string {
    return staffScope(this.role, this.claims?.sub ?? '');
  }

  station(): Station | null {
    return this.directory?.stations.find((s) => s.id === this.claims?.station) ?? null;
  }

  /** Signs in from the link or the stored token and prepares (but does not start) the Peer. */
  protected async signIn(phone: Pick<PhoneOptions, 'onChange' | 'onDutyLink' | 'onReport'>, onOnline?: () => void): Promise<boolean> {
    // A handle for debugging and for tests that read WebRTC stats.
    (window as { bfp?: unknown }).bfp = this;
    const result = await staffCredentials(this.role);
    if ('error' in result) {
      this.signInError = result.error;
      this.notify();
      return false;
    }
    this.claims = result.claims;
    this.token = result.credentials.token;
    this.pending = result.pending;
    this.directory = await cachedDirectory();
    this.syncDirectory();
    this.link = new PeerLink(
      result.credentials,
      {
        onStatus: (status) => {
          this.broker = this.onBrokerStatus(status);
          if (status.name === 'online') onOnline?.();
          this.notify();
        },
        onConnection: (conn) => this.phone?.incoming(conn),
        onCall: (call) => this.phone?.incomingMedia(call),
        onUnavailable: (id) => this.phone?.peerUnavailable(id),
      },
      linkOptions(this.settings),
    );
    this.phone = new Phone(this.link, { bitrate: this.settings.bitrate, ringTimeoutMs: this.settings.ringTimeoutMs, scope: this.scope(), ...phone });
    window.addEventListener('online', this.onBrowserOnline);
    document.addEventListener('visibilitychange', this.syncIfDue);
    this.directoryTimer = setInterval(this.syncIfDue, 60_000);
    return true;
  }

  /** Keeps a link's sign-in once the broker accepts it; says so when it refuses it but the device has another. */
  private onBrokerStatus(status: BrokerStatus): BrokerStatus {
    if (status.name === 'online') {
      if (this.pending) this.keepLinkSignIn(this.pending.previous);
      // The server may have changed the directory while we were away.
      if (this.wasOnline) this.syncDirectory();
      this.wasOnline = true;
    }
    const previous = this.pending?.previous;
    if (status.name === 'refused' && previous && previous.exp * 1000 > Date.now()) {
      return { name: 'refused', message: `${status.message} ${KEPT_SIGN_IN}` };
    }
    return status;
  }

  private keepLinkSignIn(previous: StaffClaims | null): void {
    const claims = this.claims;
    if (!claims) return;
    this.pending = null;
    const token = this.token;
    this.keeping = (async () => {
      // Someone else signs in on this tablet: the last person's records must not stay behind.
      if (previous && !samePerson(previous, claims)) await deleteScope(staffScope(this.role, previous.sub));
      await keepStaffToken(this.role, token);
    })().catch(() => undefined);
  }

  private readonly onBrowserOnline = (): void => {
    this.link?.retryNow();
    this.syncDirectory();
  };

  /** A tablet left open for a shift still sees directory changes; a hidden one waits until it is looked at. */
  private readonly syncIfDue = (): void => {
    if (document.visibilityState === 'visible' && Date.now() - this.directorySyncedAt >= DIRECTORY_SYNC_MS) this.syncDirectory();
  };

  private syncDirectory(): void {
    this.directorySyncedAt = Date.now();
    this.directorySync ??= syncDirectory()
      .then((d) => {
        if (d) this.directory = d;
        this.notify();
      })
      .catch(() => undefined)
      .finally(() => {
        this.directorySync = null;
      });
  }

  /** A shared tablet: nothing of this person's stays behind. */
  async signOut(): Promise<void> {
    this.stop();
    await this.keeping;
    await deleteScope(this.scope());
    await forgetStaff(this.role);
    location.replace(`/${this.role}`);
  }

  stop(): void {
    this.link?.stop();
    if (this.directoryTimer) clearInterval(this.directoryTimer);
    this.directoryTimer = null;
    window.removeEventListener('online', this.onBrowserOnline);
    document.removeEventListener('visibilitychange', this.syncIfDue);
  }
}
