/**
 * What the station console and the officer screen share: signing in from the
 * link, the cached directory, the Peer and its calls, and signing out.
 */
import type { Directory, Station } from '../../shared/directory.ts';
import { cachedDirectory, syncDirectory } from '../api.ts';
import { Phone, type PhoneOptions } from '../call/phone.ts';
import { forgetStaff, staffCredentials, type SignInProblem, type StaffClaims } from '../peer/credentials.ts';
import { PeerLink, type BrokerStatus } from '../peer/link.ts';
import { deleteScope } from '../store/history.ts';
import { linkOptions, readSettings } from './settings.ts';
import { Observable } from './store.ts';

export abstract class StaffScreen extends Observable {
  claims: StaffClaims | null = null;
  signInError: SignInProblem | null = null;
  broker: BrokerStatus = { name: 'connecting' };
  directory: Directory | null = null;
  phone: Phone | null = null;
  protected link: PeerLink | null = null;
  protected token = '';
  protected readonly settings = readSettings();

  constructor(readonly role: 'station' | 'officer') {
    super();
  }

  /** Signs in and, where the screen goes online by itself, connects. */
  abstract start(): Promise<void>;

  /** Whose records these are on this device: signing out removes them. */
  scope(): string {
    return `${this.role}:${this.claims?.sub ?? ''}`;
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
    this.directory = await cachedDirectory();
    void syncDirectory().then((d) => {
      if (d) this.directory = d;
      this.notify();
    });
    this.link = new PeerLink(
      result.credentials,
      {
        onStatus: (status) => {
          this.broker = status;
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
    window.addEventListener('online', () => this.link?.retryNow());
    return true;
  }

  /** A shared tablet: nothing of this person's stays behind. */
  async signOut(): Promise<void> {
    this.stop();
    await deleteScope(this.scope());
    await forgetStaff(this.role);
    location.replace(`/${this.role}`);
  }

  stop(): void {
    this.link?.stop();
  }
}
