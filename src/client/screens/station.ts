/**
 * The station console: a ringing queue, answered calls, and the officers on
 * duty with their status and position.
 */
import type { DataConnection } from 'peerjs';
import { message, parseMessage, type Assignment, type OfficerStatus, type Position, type Report } from '../../shared/protocol.ts';
import { newCallId } from '../call/session.ts';
import { fetchPresence } from '../api.ts';
import { Bridge } from '../audio/bridge.ts';
import { Ringer } from '../audio/ringer.ts';
import { toRecord } from '../call/phone.ts';
import type { CallSession } from '../call/session.ts';
import type { CallRecord, ReceivedReport } from '../store/db.ts';
import { deleteCall, historyCsv, historyJson, listCalls, saveCall } from '../store/history.ts';
import { listReceived, receiveReport } from '../store/reports.ts';
import { StaffScreen } from './staff.ts';
import { CallRecordings } from './call-recordings.ts';

export interface OfficerEntry {
  id: string;
  name: string;
  status: OfficerStatus | 'unknown';
  position: Position | null;
  changedAt: number | null;
  lastSeen: number;
  linked: boolean;
  /** The duty link the officer opened to this console: assignments go over it. */
  conn: DataConnection | null;
}

export interface SentAssignment {
  assignment: Assignment;
  /** The call it came from. */
  callId: string;
  /** Per officer: name and when they acknowledged (null while waiting). */
  officers: Map<string, { name: string; ackAt: number | null }>;
}

export class StationApp extends StaffScreen {
  shiftStarted = false;
  readonly officers = new Map<string, OfficerEntry>();
  /** Officers the broker has listed as this station's (ids are bound to their tokens, so a listed id stays ours). */
  private readonly stationOfficers = new Set<string>();
  readonly ringer = new Ringer();
  /** Offline SOS reports delivered to this console, newest first. */
  reports: ReceivedReport[] = [];
  history: CallRecord[] = [];
  /** Calls recorded on this console, with the caller told. */
  readonly recordings = new CallRecordings(() => this.scope(), () => this.notify());
  private presenceTimer: ReturnType<typeof setInterval> | null = null;

  constructor() {
    super('station');
  }

  async start(): Promise<void> {
    const signedIn = await this.signIn({
      onChange: () => this.onPhoneChange(),
      onDutyLink: (conn, meta) => this.onDutyLink(conn, meta.name),
      onReport: (conn, report) => this.onReport(conn, report),
    });
    if (!signedIn) return;
    await this.loadRecords();
    await this.recordings.load();
    this.notify();
  }

  /** The dispatcher's first tap: unlocks sound and the microphone, then goes online. */
  async startShift(): Promise<void> {
    if (this.shiftStarted || !this.link || !this.phone) return;
    this.ringer.unlock();
    this.shiftStarted = true;
    this.notify();
    await this.phone.openMicrophone();
    this.link.start();
    void this.refreshOfficers();
    this.presenceTimer = setInterval(() => void this.refreshOfficers(), 5000);
  }

  private async loadRecords(): Promise<void> {
    [this.reports, this.history] = await Promise.all([listReceived(this.scope()), listCalls(this.scope())]);
    this.notify();
  }

  private onReport(conn: DataConnection, report: Report): void {
    void receiveReport(report, this.scope(), conn.peer).then(async () => {
      // Acknowledge duplicates too: the caller's device then stops resending.
      const ack = () => void conn.send(message({ type: 'report-ack', id: report.id }));
      if (conn.open) ack();
      else conn.on('open', ack);
      await this.loadRecords();
    });
  }

  /** Keeps notes typed after a call ended in its history entry. */
  saveNotes(session: CallSession, notes: string): void {
    session.notes = notes;
    if (session.state.name === 'ended') void saveCall(toRecord(session, this.scope())).then(() => this.loadRecords());
  }

  async deleteHistoryEntry(id: string): Promise<void> {
    await deleteCall(id);
    await this.loadRecords();
    await this.recordings.load();
  }

  exportHistory(format: 'json' | 'csv'): { name: string; type: string; body: string } {
    const day = new Date().toISOString().slice(0, 10);
    return format === 'csv'
      ? { name: `bfp-calls-${this.claims?.station ?? 'station'}-${day}.csv`, type: 'text/csv', body: historyCsv(this.history) }
      : { name: `bfp-calls-${this.claims?.station ?? 'station'}-${day}.json`, type: 'application/json', body: historyJson(this.history) };
  }

  private onPhoneChange(): void {
    this.recordings.callsChanged();
    void this.updateBridge().catch(() => undefined);
    void this.loadRecords();
    const ringing = this.phone?.sessions.some((s) => s.state.name === 'ringing' && s.direction === 'in') ?? false;
    if (ringing) this.ringer.start();
    else this.ringer.stop();
    this.notify();
  }

  incoming(): CallSession[] {
    return this.phone?.sessions.filter((s) => s.direction === 'in' && s.state.name === 'ringing') ?? [];
  }

  calls(): CallSession[] {
    return this.phone?.sessions.filter((s) => !(s.direction === 'in' && s.state.name === 'ringing')) ?? [];
  }

  answer(session: CallSession): void {
    // Only one call is talked to at a time: the others are put on hold.
    for (const other of this.phone?.activeSessions() ?? []) {
      if (other !== session && other.state.name === 'connected' && !other.state.hold.local) other.setHold(true);
    }
    void this.phone?.answer(session, this.claims?.name ?? 'BFP');
  }

  /**
   * An officer's duty link, once the broker confirms the officer belongs to
   * this station (an officer id does not say which station it is from).
   * Messages that arrive while we ask are handled after, in order.
   */
  private onDutyLink(conn: DataConnection, name: string): void {
    const early: unknown[] = [];
    const hold = (raw: unknown) => void early.push(raw);
    let closed = false;
    const gone = () => void (closed = true);
    conn.on('data', hold);
    conn.on('close', gone);
    void this.isOurOfficer(conn.peer).then((ours) => {
      conn.off('data', hold);
      conn.off('close', gone);
      // Closed while we asked: the officer's app opens a new link by itself.
      if (closed) return;
      if (!ours) {
        if (conn.open) conn.close();
        else conn.on('open', () => conn.close());
        return;
      }
      const handle = this.acceptDutyLink(conn, name);
      for (const raw of early) handle(raw);
    });
  }

  private async isOurOfficer(id: string): Promise<boolean> {
    if (this.stationOfficers.has(id)) return true;
    await this.refreshOfficers();
    return this.stationOfficers.has(id);
  }

  private acceptDutyLink(conn: DataConnection, name: string): (raw: unknown) => void {
    const id = conn.peer;
    const entry: OfficerEntry = this.officers.get(id) ?? { id, name, status: 'unknown', position: null, changedAt: null, lastSeen: Date.now(), linked: true, conn };
    entry.linked = true;
    entry.conn = conn;
    entry.name = name;
    this.officers.set(id, entry);
    const handle = (raw: unknown) => {
      const parsed = parseMessage(raw);
      if (!parsed.ok) return;
      if (parsed.value.type === 'assign-ack') {
        const officer = this.assignments.get(parsed.value.id)?.officers.get(id);
        if (officer && officer.ackAt === null) officer.ackAt = Date.now();
        this.notify();
        return;
      }
      if (parsed.value.type !== 'officer-status') return;
      const m = parsed.value;
      if (m.status !== entry.status) entry.changedAt = m.changedAt;
      entry.status = m.status;
      entry.name = m.name;
      entry.position = m.position ?? entry.position;
      entry.lastSeen = Date.now();
      this.notify();
    };
    conn.on('data', handle);
    conn.on('close', () => {
      if (entry.conn !== conn) return;
      entry.linked = false;
      entry.conn = null;
      this.notify();
    });
    this.notify();
    return handle;
  }

  private async refreshOfficers(): Promise<void> {
    const presence = await fetchPresence(this.token);
    if (!presence?.officers || !this.claims) return;
    const self = this.link?.credentials.id;
    this.otherConsoles = (presence.stations[this.claims.station] ?? []).filter((id) => id !== self);
    const online = new Set<string>();
    for (const o of presence.officers) {
      if (o.station !== this.claims.station) continue;
      online.add(o.id);
      this.stationOfficers.add(o.id);
      if (!this.officers.has(o.id)) this.officers.set(o.id, { id: o.id, name: o.name, status: 'unknown', position: null, changedAt: null, lastSeen: Date.now(), linked: false, conn: null });
    }
    for (const [id, entry] of this.officers) if (!online.has(id) && !entry.linked) this.officers.delete(id);
    this.notify();
  }

  callOfficer(officer: OfficerEntry): CallSession | null {
    const station = this.station();
    return this.phone?.dial([{ label: officer.name, peers: [officer.id] }], {
      role: 'station',
      // The Phone exists only after sign-in, so claims are always there when a call goes out.
      name: this.claims?.name ?? '',
      phone: station?.phones[0] ?? '',
      position: station ? { lat: station.lat, lng: station.lng, accuracy: 0, heading: null, speed: null, fixTime: Date.now() } : null,
      sentAt: Date.now(),
    }) ?? null;
  }

  /** Calls mixed into one conversation on this console. */
  readonly bridge = new Bridge<CallSession>(() => this.ringer.context());
  /** Officer calls being placed to join a citizen's call, once they connect. */
  private readonly joining = new Map<CallSession, CallSession>();

  /** Calls an officer and, once they answer, joins them to `call`: all three hear each other. */
  addToCall(call: CallSession, officerId: string): void {
    const officer = this.officers.get(officerId);
    if (!officer || call.state.name !== 'connected') return;
    const officerCall = this.callOfficer(officer);
    if (officerCall) this.joining.set(officerCall, call);
  }

  /** Drops one party from the conference; the others stay connected. */
  dropFromCall(session: CallSession): void {
    void this.bridge.remove(session);
    session.hangUp();
  }

  private partyOf(session: CallSession) {
    const pc = session.media?.peerConnection as RTCPeerConnection | undefined;
    if (!pc || !session.localStream || !session.remoteStream) return null;
    return { pc, localStream: session.localStream, remoteStream: session.remoteStream };
  }

  private async updateBridge(): Promise<void> {
    for (const [officerCall, call] of this.joining) {
      if (officerCall.state.name === 'ended' || call.state.name === 'ended') {
        this.joining.delete(officerCall);
        continue;
      }
      const a = this.partyOf(call);
      const b = this.partyOf(officerCall);
      if (officerCall.state.name !== 'connected' || call.state.name !== 'connected' || !a || !b) continue;
      this.joining.delete(officerCall);
      // Answering the officer may have put the caller on hold: a conference has everyone talking.
      if (call.state.hold.local) call.setHold(false);
      await this.bridge.add(call, a);
      await this.bridge.add(officerCall, b);
      this.notify();
    }
    for (const session of this.bridge.keys()) if (session.state.name === 'ended') await this.bridge.remove(session);
  }

  /** The station's other consoles online, for transfers (as of the last presence check). */
  otherConsoles: string[] = [];

  /** Hands an active call to another console of this station. */
  transfer(session: CallSession, toConsole: string): void {
    // The receiving console does not record: the caller's notice goes with this recording.
    void this.recordings.stop(session);
    this.phone?.transfer(session, toConsole, this.claims?.name ?? '');
  }

  /** Incidents sent to officers from this console, by id. */
  readonly assignments = new Map<string, SentAssignment>();

  /** Sends an incident (the caller's position, an address, a note) to officers on duty. */
  assign(callId: string, officerIds: string[], incident: Assignment['incident']): SentAssignment | null {
    const targets = officerIds.map((id) => this.officers.get(id)).filter((o): o is OfficerEntry => o?.conn?.open === true);
    if (targets.length === 0) return null;
    const assignment = message({ type: 'assign', id: newCallId(), incident, sentAt: Date.now() }) as Assignment;
    const sent: SentAssignment = { assignment, callId, officers: new Map(targets.map((o) => [o.id, { name: o.name, ackAt: null }])) };
    this.assignments.set(assignment.id, sent);
    for (const o of targets) void o.conn?.send(assignment);
    this.notify();
    return sent;
  }

  /**
   * One tap after a lost call: ring the caller back, carrying the incident over.
   * `unnamed` is what the screen calls a caller with neither name nor phone number, in its language.
   */
  callBack(lost: CallSession, unnamed = 'the caller'): void {
    if (!lost.remoteId || !this.phone) return;
    const station = this.station();
    const label = (lost.direction === 'in' ? lost.sos?.name || lost.sos?.phone : lost.remoteName) || unnamed;
    const session = this.phone.dial([{ label, peers: [lost.remoteId] }], {
      role: 'station',
      name: this.claims?.name ?? '',
      phone: station?.phones[0] ?? '',
      position: null,
      sentAt: Date.now(),
    });
    session.positions.push(...lost.positions);
    session.chat.push(...lost.chat);
    session.notes = lost.notes;
    this.phone.forget(lost);
  }

  override stop(): void {
    if (this.presenceTimer) clearInterval(this.presenceTimer);
    this.recordings.close();
    this.ringer.stop();
    super.stop();
  }
}
