/**
 * The officer's side: duty status, position shared with the station's online
 * consoles while on duty, and calls to and from the station.
 */
import type { DataConnection } from 'peerjs';
import { message, OFFICER_STATUSES, parseMessage, type Assignment, type OfficerStatus } from '../../shared/protocol.ts';
import { fetchPresence } from '../api.ts';
import { isActive } from '../call/machine.ts';
import type { CallSession } from '../call/session.ts';
import { LocationWatch, type LocationState } from '../location/watch.ts';
import { deleteSetting, getSetting, setSetting } from '../store/db.ts';
import { StaffScreen } from './staff.ts';

/** The duty status kept on the device, with whose it is: a phone passed to another officer starts off duty. */
interface SavedStatus {
  sub: string;
  status: OfficerStatus;
}
const isStatus = (v: unknown): v is OfficerStatus => OFFICER_STATUSES.includes(v as OfficerStatus);
const isSavedStatus = (v: unknown): v is SavedStatus =>
  typeof v === 'object' && v !== null && typeof (v as SavedStatus).sub === 'string' && OFFICER_STATUSES.includes((v as SavedStatus).status);

export class OfficerApp extends StaffScreen {
  status: OfficerStatus = 'off-duty';
  statusChangedAt = Date.now();
  location: LocationState = { position: null, problem: null };
  /** Consoles of our station we share our status and position with. */
  readonly consoles = new Map<string, DataConnection>();
  /** The station could not be called: no console of it is online. */
  problem: 'no-console' | null = null;
  /** Incidents the station sent us, newest first, with when we acknowledged each. */
  assignments: { assignment: Assignment; from: DataConnection; receivedAt: number; ackAt: number | null }[] = [];
  private readonly watch = new LocationWatch();
  private timer: ReturnType<typeof setInterval> | null = null;

  constructor() {
    super('officer');
  }

  async start(): Promise<void> {
    const signedIn = await this.signIn({ onChange: () => this.notify() }, () => void this.linkConsoles());
    if (!signedIn || !this.link) return;
    const saved = await getSetting('officer-status', isSavedStatus);
    // Before statuses were kept per officer, one was saved as a bare string: it is this device's officer's.
    const legacy = saved ? undefined : await getSetting('officer-status', isStatus);
    this.status = saved && saved.sub === this.claims?.sub ? saved.status : (legacy ?? 'off-duty');
    if (legacy && this.claims) await setSetting('officer-status', { sub: this.claims.sub, status: legacy } satisfies SavedStatus);
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
    this.notify();
  }

  async setStatus(status: OfficerStatus): Promise<void> {
    if (status === this.status) return;
    this.status = status;
    this.statusChangedAt = Date.now();
    if (this.claims) await setSetting('officer-status', { sub: this.claims.sub, status } satisfies SavedStatus);
    if (status === 'off-duty') this.watch.stop();
    else this.watch.start();
    this.shareStatus();
    void this.linkConsoles();
    this.notify();
  }

  /**
   * Keeps a duty link open to every online console of our station, also off
   * duty (then without a position), so the consoles show "Off duty" rather
   * than a bare "Online".
   */
  private async linkConsoles(): Promise<void> {
    const peer = this.link?.peer;
    if (!peer || peer.disconnected || !this.claims) return;
    const presence = await fetchPresence(this.token);
    const consoles = presence?.stations[this.claims.station] ?? [];
    for (const id of consoles) {
      if (this.consoles.has(id)) continue;
      const conn = peer.connect(id, { metadata: { v: 1, type: 'duty', name: this.claims.name }, serialization: 'json', reliable: true });
      if (!conn) continue;
      this.consoles.set(id, conn);
      conn.on('open', () => this.shareStatus());
      conn.on('data', (raw) => {
        const parsed = parseMessage(raw);
        if (!parsed.ok || parsed.value.type !== 'assign') return;
        const assignment = parsed.value;
        if (this.assignments.some((a) => a.assignment.id === assignment.id)) return;
        this.assignments.unshift({ assignment, from: conn, receivedAt: Date.now(), ackAt: null });
        this.notify();
      });
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

  /** Tells the console that sent it that we have the incident. */
  acknowledge(id: string): void {
    const entry = this.assignments.find((a) => a.assignment.id === id);
    if (!entry || entry.ackAt !== null) return;
    entry.ackAt = Date.now();
    const ack = message({ type: 'assign-ack', id, at: entry.ackAt });
    const conn = entry.from.open ? entry.from : [...this.consoles.values()].find((c) => c.open);
    if (conn) void conn.send(ack);
    this.notify();
  }

  current(): CallSession[] {
    return this.phone?.sessions ?? [];
  }

  async callStation(): Promise<void> {
    if (!this.claims || !this.phone || this.phone.sessions.some((s) => isActive(s.state) && s.direction === 'out')) return;
    const presence = await fetchPresence(this.token);
    const consoles = presence?.stations[this.claims.station] ?? [];
    if (consoles.length === 0) {
      this.problem = 'no-console';
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

  override async signOut(): Promise<void> {
    await deleteSetting('officer-status');
    await super.signOut();
  }

  override stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.watch.stop();
    super.stop();
  }
}
