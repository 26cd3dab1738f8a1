/**
 * The officer's side: duty status, position shared with the station's online
 * consoles while on duty, and calls to and from the station.
 */
import type { DataConnection } from 'peerjs';
import type { Directory, Station } from '../../shared/directory.ts';
import { message, OFFICER_STATUSES, type OfficerStatus } from '../../shared/protocol.ts';
import { cachedDirectory, fetchPresence, syncDirectory } from '../api.ts';
import { isActive } from '../call/machine.ts';
import { Phone } from '../call/phone.ts';
import type { CallSession } from '../call/session.ts';
import { LocationWatch, type LocationState } from '../location/watch.ts';
import { forgetStaff, staffCredentials, type StaffClaims } from '../peer/credentials.ts';
import { PeerLink, type BrokerStatus } from '../peer/link.ts';
import { deleteSetting, getSetting, setSetting } from '../store/db.ts';
import { deleteScope } from '../store/history.ts';
import { linkOptions, readSettings } from './settings.ts';
import { Observable } from './store.ts';

const isStatus = (v: unknown): v is OfficerStatus => OFFICER_STATUSES.includes(v as OfficerStatus);

export class OfficerApp extends Observable {
  claims: StaffClaims | null = null;
  signInError: string | null = null;
  broker: BrokerStatus = { name: 'connecting' };
  status: OfficerStatus = 'off-duty';
  statusChangedAt = Date.now();
  location: LocationState = { position: null, problem: null };
  directory: Directory | null = null;
  phone: Phone | null = null;
  /** Consoles of our station we share our status and position with. */
  readonly consoles = new Map<string, DataConnection>();
  problem: string | null = null;
  private link: PeerLink | null = null;
  private token = '';
  private readonly watch = new LocationWatch();
  private timer: ReturnType<typeof setInterval> | null = null;
  private readonly settings = readSettings(location.search);

  async start(): Promise<void> {
    // A handle for debugging and for tests that read WebRTC stats.
    (window as { bfp?: unknown }).bfp = this;
    const result = await staffCredentials('officer');
    if ('error' in result) {
      this.signInError = result.error;
      this.notify();
      return;
    }
    this.claims = result.claims;
    this.token = result.credentials.token;
    this.status = (await getSetting('officer-status', isStatus)) ?? 'off-duty';
    this.directory = await cachedDirectory();
    void syncDirectory().then((d) => {
      if (d) this.directory = d;
      this.notify();
    });
    this.link = new PeerLink(result.credentials, {
      onStatus: (status) => {
        this.broker = status;
        if (status.name === 'online') void this.linkConsoles();
        this.notify();
      },
      onConnection: (conn) => this.phone?.incoming(conn),
      onCall: (call) => this.phone?.incomingMedia(call),
      onUnavailable: (id) => this.phone?.peerUnavailable(id),
    }, linkOptions(this.settings));
    this.phone = new Phone(this.link, {
      bitrate: this.settings.bitrate,
      ringTimeoutMs: this.settings.ringTimeoutMs,
      scope: this.scope(),
      onChange: () => this.notify(),
    });
    this.link.start();
    this.watch.subscribe((state) => {
      this.location = state;
      this.notify();
    });
    if (this.status !== 'off-duty') this.watch.start();
    this.timer = setInterval(() => {
      void this.linkConsoles();
      this.shareStatus();
    }, 2000);
    window.addEventListener('online', () => this.link?.retryNow());
    this.notify();
  }

  scope(): string {
    return `officer:${this.claims?.sub ?? ''}`;
  }

  station(): Station | null {
    return this.directory?.stations.find((s) => s.id === this.claims?.station) ?? null;
  }

  async setStatus(status: OfficerStatus): Promise<void> {
    if (status === this.status) return;
    this.status = status;
    this.statusChangedAt = Date.now();
    await setSetting('officer-status', status);
    if (status === 'off-duty') this.watch.stop();
    else this.watch.start();
    this.shareStatus();
    void this.linkConsoles();
    this.notify();
  }

  /** While on duty, keeps a duty link open to every online console of our station. */
  private async linkConsoles(): Promise<void> {
    const peer = this.link?.peer;
    if (!peer || peer.disconnected || !this.claims) return;
    if (this.status === 'off-duty' && this.consoles.size === 0) return;
    const presence = await fetchPresence(this.token);
    const consoles = presence?.stations[this.claims.station] ?? [];
    for (const id of consoles) {
      if (this.consoles.has(id)) continue;
      const conn = peer.connect(id, { metadata: { v: 1, type: 'duty', name: this.claims.name }, serialization: 'json', reliable: true });
      if (!conn) continue;
      this.consoles.set(id, conn);
      conn.on('open', () => this.shareStatus());
      conn.on('close', () => this.consoles.delete(id));
      conn.on('error', () => this.consoles.delete(id));
    }
  }

  private shareStatus(): void {
    if (!this.claims) return;
    const body = message({
      type: 'officer-status',
      status: this.status,
      name: this.claims.name,
      position: this.status === 'off-duty' ? null : this.location.position,
      changedAt: this.statusChangedAt,
    });
    for (const conn of this.consoles.values()) if (conn.open) void conn.send(body);
  }

  current(): CallSession[] {
    return this.phone?.sessions ?? [];
  }

  async callStation(): Promise<void> {
    if (!this.claims || !this.phone || this.phone.sessions.some((s) => isActive(s.state) && s.direction === 'out')) return;
    const presence = await fetchPresence(this.token);
    const consoles = presence?.stations[this.claims.station] ?? [];
    if (consoles.length === 0) {
      this.problem = 'No console of your station is online.';
      this.notify();
      return;
    }
    this.problem = null;
    this.phone.dial([{ label: this.station()?.name ?? this.claims.station, peers: consoles }], {
      role: 'officer',
      name: this.claims.name,
      phone: '',
      position: this.location.position,
      sentAt: Date.now(),
    });
  }

  async signOut(): Promise<void> {
    this.stop();
    await deleteScope(this.scope());
    await deleteSetting('officer-status');
    await forgetStaff('officer');
    location.replace('/officer');
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.watch.stop();
    this.link?.stop();
  }
}
